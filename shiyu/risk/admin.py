from django.contrib import admin

from shiyu.core.admin import ReadOnlyAdmin

from .models import DangerWord, RiskAlert, RiskMute


@admin.register(DangerWord)
class DangerWordAdmin(admin.ModelAdmin):
    """The list the danger-word signal matches on new tickets; edits apply from the next scan."""

    list_display = ("word", "level", "active", "note")
    list_editable = ("level", "active")
    list_filter = ("level", "active")
    search_fields = ("word", "note")


@admin.register(RiskAlert)
class RiskAlertAdmin(ReadOnlyAdmin):
    """Written only through shiyu.risk.services (each change with its audit event)."""

    list_display = ("raised_at", "level", "kind", "status", "subdistrict", "category", "reason")
    list_filter = ("level", "kind", "status")
    search_fields = ("reason", "key")
    date_hierarchy = "raised_at"
    raw_id_fields = ("tickets",)
    show_full_result_count = False


@admin.register(RiskMute)
class RiskMuteAdmin(ReadOnlyAdmin):
    list_display = ("muted_at", "kind", "key", "subdistrict", "category", "expires_at", "unmuted_at", "reason")
    list_filter = ("kind",)

from django.contrib import admin

from .models import Summons, SummonsCall


class SummonsCallInline(admin.TabularInline):
    model = SummonsCall
    extra = 0
    fields = ("unit", "state", "reported_at", "reported_by", "late", "missing_at", "rating", "rated_at",
              "rating_note", "on_site_note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Summons)
class SummonsAdmin(admin.ModelAdmin):
    """Written only through shiyu.summons.services (each change with its audit event);
    the admin only looks."""

    list_display = ("created_at", "unit", "place", "report_by", "state", "ticket")
    list_filter = ("state",)
    search_fields = ("place", "reason", "unit__name")
    date_hierarchy = "created_at"
    raw_id_fields = ("ticket",)
    inlines = [SummonsCallInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

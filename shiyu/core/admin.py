from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, User


@admin.register(User)
class ShiyuUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "role", "unit", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "first_name", "last_name"]
    autocomplete_fields = ["unit"]
    filter_horizontal = ["grids", "groups", "user_permissions"]
    fieldsets = UserAdmin.fieldsets + ((_("Shiyu"), {"fields": ["role", "unit", "grids", "phone"]}),)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records the system writes (audit events, decisions, escalations ...): the
    admin shows them; nobody adds, edits or deletes them there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail is never edited, not even by an administrator."""

    list_display = ["at", "actor", "action", "target_type", "target_id", "from_state", "to_state"]
    list_filter = ["action", "target_type"]
    search_fields = ["=target_id"]
    date_hierarchy = "at"
    show_full_result_count = False

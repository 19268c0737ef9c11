from django.contrib import admin

from .models import ProactiveTask


@admin.register(ProactiveTask)
class ProactiveTaskAdmin(admin.ModelAdmin):
    """Written only through shiyu.proactive.services (each change with its audit event);
    the admin only looks."""

    list_display = ("created_at", "title", "unit", "state", "due_at", "deadline_state")
    list_filter = ("state", "deadline_state")
    search_fields = ("title", "place", "unit__name")
    date_hierarchy = "created_at"
    raw_id_fields = ("tickets",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

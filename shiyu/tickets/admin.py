from django.contrib import admin

from .models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Reference data only. Tickets are changed through their services (with audit
    events), never edited in the admin, so they are not registered here."""

    list_display = ["code", "name", "level", "parent", "accept_hours", "resolve_days", "urgent",
                    "default_unit", "route_to_subdistrict", "active"]
    list_filter = ["level", "urgent", "active", "route_to_subdistrict"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "default_unit"]

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shiyu.core.admin import ReadOnlyAdmin

from .models import RoutingDecision, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """The rule table. Saves reach every process within seconds (RoutingVersion)."""

    list_display = ["id", "category", "area", "target", "unit", "priority", "active", "note", "updated_at"]
    list_display_links = ["id", "category"]
    list_filter = ["active", "target", "area__level", "category__level"]
    search_fields = ["category__name", "category__code", "area__name", "unit__name", "note"]
    autocomplete_fields = ["category", "area", "unit"]
    list_select_related = ["category", "area", "unit"]
    fieldsets = [
        (_("When"), {"fields": ["category", "area"],
                     "description": _("The most specific matching rule wins: the deeper area first, then the "
                                      "deeper category, then the higher priority, then the older rule.")}),
        (_("Handled by"), {"fields": ["target", "unit"]}),
        (None, {"fields": ["priority", "active", "note"]}),
    ]


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(ReadOnlyAdmin):
    """Decisions are records: readable here, written only by routing.services."""

    list_display = ["decided_at", "ticket", "unit", "rule_id", "place_source", "place", "reason"]
    list_filter = ["place_source"]
    search_fields = ["ticket__code", "reason"]
    list_select_related = ["ticket", "unit", "place"]
    date_hierarchy = "decided_at"

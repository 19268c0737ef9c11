"""Reads of routing: the rule table that every process keeps in memory, reloaded when
the rules, the categories or the handling units change (RoutingVersion), or when a
city load brings new local offices (the geo version), checked every few seconds."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from shiyu.core.versioned import VersionedCache
from shiyu.geo.locate import stored_grid_version
from shiyu.geo.places import LEVEL_DEPTH
from shiyu.org.models import HandlingUnit
from shiyu.tickets.models import Category

from .models import RoutingDecision, RoutingRule, RoutingVersion

RECHECK_SECONDS = 5.0
LOCAL_OFFICE_KINDS = (HandlingUnit.Kind.SUBDISTRICT, HandlingUnit.Kind.DISTRICT)


@dataclass(frozen=True)
class CategoryNode:
    id: int
    name: str
    level: int
    parent_id: int | None
    default_unit_id: int | None
    route_to_subdistrict: bool


def _node(category: Category) -> CategoryNode:
    return CategoryNode(category.pk, category.name, category.level, category.parent_id, category.default_unit_id,
                        category.route_to_subdistrict)


class RuleTable:
    def __init__(self):
        self.categories = {c.pk: _node(c) for c in Category.objects.all()}
        units = list(HandlingUnit.objects.order_by("key"))
        self.units = {u.pk: u for u in units}
        self.offices: dict[tuple[str, int], HandlingUnit] = {}
        for unit in units:  # the first by key, should an area have several
            if unit.active and unit.kind in LOCAL_OFFICE_KINDS and unit.area_id:
                self.offices.setdefault((unit.kind, unit.area_id), unit)
        rules = list(RoutingRule.objects.filter(active=True).select_related("area"))
        self.specificity = {rule.pk: self._specificity(rule) for rule in rules}
        self.rules: dict[int, list[RoutingRule]] = {}
        for rule in rules:
            self.rules.setdefault(rule.category_id, []).append(rule)

    def _specificity(self, rule: RoutingRule) -> tuple[int, int, int, int]:
        """The order of RoutingRule's docstring: area depth, category depth, priority,
        then the older rule."""
        area_depth = LEVEL_DEPTH.get(rule.area.level, 0) if rule.area else 0
        category = self.categories.get(rule.category_id)
        return area_depth, category.level if category else 0, rule.priority, -rule.pk

    def category_chain(self, category) -> list[CategoryNode]:
        """The category and its ancestors, itself first; [] for anything that is not a
        category or its id."""
        if isinstance(category, Category):
            node = self.categories.get(category.pk) or _node(category)  # one saved since the last load
        elif isinstance(category, int) and not isinstance(category, bool):
            node = self.categories.get(category)
        else:
            node = None
        chain, seen = [], set()
        while node is not None and node.id not in seen:  # a cycle would be bad data, not a hang
            chain.append(node)
            seen.add(node.id)
            node = self.categories.get(node.parent_id)
        return chain

    def rules_for(self, categories: list[CategoryNode], area_ids: Collection[int]) -> list[RoutingRule]:
        """The rules for these categories whose area is one of area_ids or empty, most
        specific first."""
        found = [rule for c in categories for rule in self.rules.get(c.id, ())
                 if rule.area_id is None or rule.area_id in area_ids]
        return sorted(found, key=lambda rule: self.specificity[rule.pk], reverse=True)

    def active_unit(self, unit_id: int | None) -> HandlingUnit | None:
        unit = self.units.get(unit_id)
        return unit if unit is not None and unit.active else None

    def office(self, kind: str, area_id: int | None) -> HandlingUnit | None:
        """The active subdistrict office or district government of an area."""
        return self.offices.get((kind, area_id))


def _stored_versions() -> tuple[int, int]:
    return RoutingVersion.objects.values_list("version", flat=True).first() or 0, stored_grid_version()


_table = VersionedCache(RuleTable, _stored_versions)


def rule_table() -> RuleTable:
    return _table.get(RECHECK_SECONDS)


def forget_rules() -> None:
    """Drop this process's rule table (after a commit that changed it; tests)."""
    _table.forget()


def latest_decision(ticket) -> RoutingDecision | None:
    """The ticket's last routing decision: where it was sent, or why a person must decide."""
    return (RoutingDecision.objects.filter(ticket=ticket).select_related("unit")
            .order_by("-decided_at", "-id").first())

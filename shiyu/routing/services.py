"""Routing: which unit a ticket goes to, and why.

decide_route() reads only the in-memory rule table and places (no query once they are
loaded) and never raises for bad input: whatever it cannot settle goes to the
dispatcher, with a reason that says so. record_route() writes the decision and its
audit event in the caller's transaction."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from shiyu.core.models import AuditEvent
from shiyu.geo.address import HIGH, LOW, NONE, ParsedAddress
from shiyu.geo.models import AdminUnit
from shiyu.geo.places import Places, Unit, place_from_address, places  # noqa: F401  (place_from_address: see below)
from shiyu.org.models import HandlingUnit
from shiyu.tickets.models import Category

from .models import PlaceSource, RoutingDecision, RoutingRule, RoutingVersion
from .selectors import CategoryNode, RuleTable, forget_rules, rule_table

# place_from_address (imported above from geo) is part of this module's API too: intake
# fills a ticket's community, subdistrict and district from it before deciding its route.

# Reasons are stored, in the city's language (settings.LANGUAGE_CODE), whoever's request
# made them; each is a format string for translation.
BY_RULE = gettext_noop("%(category)s in %(place)s → %(unit)s by rule %(rule)s")
BY_DEFAULT = gettext_noop("%(category)s in %(place)s → %(unit)s, the category's default unit")
BY_LOCAL_OFFICE = gettext_noop("%(category)s in %(place)s → %(unit)s, the local subdistrict office")
NO_CATEGORY = gettext_noop("No category yet → the dispatcher decides")
NO_PLACE = gettext_noop("%(category)s is handled by the subdistrict where it happens, but the subdistrict "
                        "is not known → the dispatcher decides")
NO_OFFICE = gettext_noop("%(category)s in %(place)s: the place has no active subdistrict office → the "
                         "dispatcher decides")
NO_DEFAULT = gettext_noop("%(category)s in %(place)s: no rule and no default unit → the dispatcher decides")
INACTIVE_DEFAULT = gettext_noop("%(category)s in %(place)s: the default unit %(unit)s is inactive → the "
                                "dispatcher decides")
UNKNOWN_PLACE = gettext_noop("an unknown place")


@dataclass(frozen=True)
class PlaceIds:
    community_id: int | None = None
    subdistrict_id: int | None = None
    district_id: int | None = None


@dataclass(frozen=True)
class Route:
    unit: HandlingUnit | None  # None: the dispatcher decides
    rule: RoutingRule | None
    place_source: str  # PlaceSource
    place_id: int | None  # the deepest administrative unit known
    place_ids: PlaceIds
    reason: str
    confidence: str  # of the place: "high", "low" (an address read with doubts) or "none"
    spans: tuple[dict, ...] = ()  # names found in the address


@dataclass(frozen=True)
class _Place:
    source: str
    unit: Unit | None
    ids: PlaceIds
    confidence: str
    spans: tuple[dict, ...]


def decide_route(*, category, location=None, address: str = "") -> Route:
    """The unit for a ticket of `category` (a Category or its id) at `location` (a
    geo Location; one without a grid is taken as read from the address) or, without
    one, where `address` says it is."""
    table, tree = rule_table(), places()
    place = _place(tree, location, address)
    categories = table.category_chain(category)
    if not categories:
        return _route(place, None, None, NO_CATEGORY)
    for rule in table.rules_for(categories, place.unit.chain if place.unit else ()):
        unit = _rule_target(table, rule, place)
        if unit is not None:
            return _route(place, unit, rule, BY_RULE, categories[0])
    return _default_route(table, categories, place)


def _place(tree: Places, location, address) -> _Place:
    given = _deepest_unit_id(location)
    if tree.location(given) is not None:
        if getattr(location, "grid_id", None) is not None:
            return _known_place(tree, PlaceSource.COORDINATES, given, HIGH, ())
        parsed = tree.parser.parse(address)
        confidence = parsed.confidence if parsed.unit == given else LOW  # placed by the caller, not by us
        return _known_place(tree, PlaceSource.ADDRESS, given, confidence, _spans(parsed))
    parsed = tree.parser.parse(address)
    if parsed.trusted and tree.location(parsed.unit) is not None:
        return _known_place(tree, PlaceSource.ADDRESS, parsed.unit, parsed.confidence, _spans(parsed))
    return _Place(PlaceSource.NONE, None, PlaceIds(), NONE, _spans(parsed))


def _deepest_unit_id(location) -> int | None:
    for name in ("community_id", "subdistrict_id", "district_id"):
        value = getattr(location, name, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _spans(parsed: ParsedAddress) -> tuple[dict, ...]:
    return tuple(span.as_dict() for span in parsed.spans)


def _known_place(tree: Places, source: str, unit_id: int, confidence: str, spans: tuple[dict, ...]) -> _Place:
    found = tree.location(unit_id)
    return _Place(source, tree.units[unit_id], PlaceIds(found.community_id, found.subdistrict_id, found.district_id),
                  confidence, spans)


def _rule_target(table: RuleTable, rule: RoutingRule, place: _Place) -> HandlingUnit | None:
    if rule.target == RoutingRule.Target.SUBDISTRICT:
        return table.office(HandlingUnit.Kind.SUBDISTRICT, place.ids.subdistrict_id)
    if rule.target == RoutingRule.Target.DISTRICT:
        return table.office(HandlingUnit.Kind.DISTRICT, place.ids.district_id)
    return table.active_unit(rule.unit_id)


def _default_route(table: RuleTable, categories: list[CategoryNode], place: _Place) -> Route:
    """The nearest category (itself, then its parents) that names a default decides."""
    category = categories[0]
    owner = next((c for c in categories if c.route_to_subdistrict or c.default_unit_id), None)
    if owner is None:
        return _route(place, None, None, NO_DEFAULT, category)
    if owner.route_to_subdistrict:
        if place.ids.subdistrict_id is None:
            return _route(place, None, None, NO_PLACE, category)
        office = table.office(HandlingUnit.Kind.SUBDISTRICT, place.ids.subdistrict_id)
        return _route(place, office, None, BY_LOCAL_OFFICE if office else NO_OFFICE, category)
    unit = table.active_unit(owner.default_unit_id)
    if unit is None:
        return _route(place, None, None, INACTIVE_DEFAULT, category, table.units.get(owner.default_unit_id))
    return _route(place, unit, None, BY_DEFAULT, category)


def _route(place: _Place, unit: HandlingUnit | None, rule: RoutingRule | None, message: str,
           category: CategoryNode | None = None, named_unit: HandlingUnit | None = None) -> Route:
    named_unit = named_unit or unit
    language = settings.LANGUAGE_CODE
    reason = _in_language(message, language) % {
        "category": category.name if category else "", "rule": rule.pk if rule else "",
        "place": place.unit.name if place.unit else _in_language(UNKNOWN_PLACE, language),
        "unit": named_unit.name if named_unit else ""}
    return Route(unit, rule, place.source, place.unit.id if place.unit else None, place.ids, reason,
                 place.confidence, place.spans)


@lru_cache(maxsize=64)
def _in_language(message: str, language: str) -> str:
    """A message translated once per process (switching languages costs more than routing)."""
    with translation.override(language):
        return gettext(message)


def record_route(ticket, route: Route, *, actor=None) -> RoutingDecision:
    """Keep a routing decision and its audit event (inside the caller's transaction)."""
    decision, event = route_rows(ticket, route, actor=actor)
    decision.save()
    event.save()
    return decision


def route_rows(ticket, route: Route, *, actor=None) -> tuple[RoutingDecision, AuditEvent]:
    """A routing decision and its audit event, unsaved: intake writes them with the new
    ticket (shiyu.tickets.services.create_ticket's `dependents`), which fills in its id."""
    rule_id = route.rule.pk if route.rule else None
    decision = RoutingDecision(
        ticket=ticket if ticket.pk else None, unit=route.unit, rule_id=rule_id, place_source=route.place_source,
        place_id=route.place_id, reason=route.reason, address_spans=list(route.spans), decided_at=timezone.now())
    event = AuditEvent(at=decision.decided_at, actor=actor if getattr(actor, "pk", None) else None,
                       action="ticket.route", target_type="ticket", target_id=ticket.pk, note=route.reason,
                       data={"unit": route.unit.pk if route.unit else None, "rule": rule_id,
                             "place": route.place_id, "place_source": route.place_source,
                             "confidence": route.confidence})
    return decision, event


def bump_routing_version() -> None:
    """Tell every process that the rule table changed."""
    with transaction.atomic():
        updated = RoutingVersion.objects.filter(pk=1).update(version=F("version") + 1)
        if not updated:
            RoutingVersion.objects.create(pk=1, version=1)
    transaction.on_commit(forget_rules)


# The demo's local arrangements, of the kind real cities make. Each row: category code,
# area (level and position among that level's units by code), target, unit key, note.
DEMO_RULES = [
    ("0103", ("district", 0), RoutingRule.Target.SUBDISTRICT, None,
     gettext_noop("Street-level enforcement: the subdistricts handle city appearance here")),
    ("010302", ("district", 0), RoutingRule.Target.UNIT, "urban_management",
     gettext_noop("Refuse collection stays with the city bureau")),
    ("0104", ("district", 1), RoutingRule.Target.DISTRICT, None,
     gettext_noop("The district government (its housing bureau) takes housing and construction matters here")),
    ("020101", ("subdistrict", 2), RoutingRule.Target.SUBDISTRICT, None,
     gettext_noop("Pilot: the subdistrict's enforcement team answers noise complaints first")),
    ("010504", ("community", 0), RoutingRule.Target.DISTRICT, None,
     gettext_noop("District-run renovation pilot for old estates")),
]


@transaction.atomic
def seed_rules() -> list[RoutingRule]:
    """The demo's routing rules over the loaded city and taxonomy (again and again: a
    rule that exists already is kept). Rows whose category or unit is missing are left out."""
    categories = {c.code: c for c in Category.objects.filter(code__in=[row[0] for row in DEMO_RULES])}
    units = {u.key: u for u in HandlingUnit.objects.filter(key__in=[row[3] for row in DEMO_RULES if row[3]])}
    rules = []
    with translation.override(settings.LANGUAGE_CODE):
        for code, (level, position), target, unit_key, note in DEMO_RULES:
            areas = list(AdminUnit.objects.filter(level=level).order_by("code"))
            if code not in categories or not areas or (unit_key and unit_key not in units):
                continue
            rule, _created = RoutingRule.objects.get_or_create(
                category=categories[code], area=areas[position % len(areas)], target=target,
                unit=units.get(unit_key), defaults={"note": gettext(note)})
            rules.append(rule)
    return rules

"""Recording decisions, and the demo's rules."""
from shiyu.core.models import AuditEvent
from shiyu.geo.locate import Location
from shiyu.geo.models import AdminUnit
from shiyu.routing.models import PlaceSource, RoutingDecision, RoutingRule
from shiyu.routing.services import DEMO_RULES, decide_route, record_route, seed_rules
from shiyu.tickets.models import Category


def location_in(community):
    return Location(None, community.pk, community.parent_id, community.parent.parent_id)


def test_a_decision_is_stored_with_its_reason_and_an_audit_event(make_ticket, users, city):
    ticket = make_ticket()
    noise = Category.objects.get(code="020101")
    made = RoutingRule.objects.create(category=noise, unit=city.units["urban_management"])
    route = decide_route(category=noise, location=None, address=f"{city.grids[0].community.name}门口")
    decision = record_route(ticket, route, actor=users.operator)

    stored = ticket.routing_decisions.get()
    assert stored == decision and stored.rule == made and stored.unit == city.units["urban_management"]
    assert stored.place_source == PlaceSource.ADDRESS and stored.place == city.grids[0].community
    assert stored.reason == route.reason and str(made.pk) in stored.reason
    assert stored.address_spans[0]["text"] == city.grids[0].community.name
    event = AuditEvent.objects.get(action="ticket.route", target_id=ticket.pk)
    assert event.actor == users.operator and event.note == route.reason
    assert event.data["rule"] == made.pk and decision.ticket_id == ticket.pk


def test_a_decision_for_the_dispatcher_is_stored_too(make_ticket):
    ticket = make_ticket()
    decision = record_route(ticket, decide_route(category=None, location=None, address=""))
    assert decision.unit is None and decision.rule is None and decision.place_source == PlaceSource.NONE
    assert AuditEvent.objects.filter(action="ticket.route", target_id=ticket.pk, actor=None).exists()


def test_the_decision_keeps_its_rule_number_after_the_rule_is_deleted(make_ticket, city):
    noise = Category.objects.get(code="020101")
    made = RoutingRule.objects.create(category=noise, unit=city.units["housing"])
    decision = record_route(make_ticket(), decide_route(category=noise, location=None, address=""))
    number = made.pk
    made.delete()
    assert RoutingDecision.objects.get(pk=decision.pk).rule_id == number


def test_demo_rules_are_seeded_once_and_route_their_areas(db):
    rules = seed_rules()
    assert len(rules) == len(DEMO_RULES) and all(r.area_id for r in rules)
    assert seed_rules() == rules and RoutingRule.objects.count() == len(rules)
    city_appearance = next(r for r in rules if r.category.code == "0103")
    community = AdminUnit.objects.filter(level="community", parent__parent=city_appearance.area).first()
    route = decide_route(category=Category.objects.get(code="010301"), location=location_in(community), address="")
    assert route.rule == city_appearance and route.unit.area_id == community.parent_id
    # Refuse collection in the same district stays with the city bureau: the deeper category wins.
    refuse = decide_route(category=Category.objects.get(code="010302"), location=location_in(community), address="")
    assert refuse.rule is not None and refuse.unit.key == "urban_management"

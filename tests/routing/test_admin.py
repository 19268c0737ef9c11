"""The rule table is edited in the admin; decisions are only read there."""
from django.urls import reverse

from shiyu.routing.models import RoutingRule
from shiyu.routing.services import decide_route, record_route
from shiyu.tickets.models import Category


def test_rules_can_be_listed_added_and_edited(client, users, city):
    client.force_login(users.admin)
    noise = Category.objects.get(code="020101")
    response = client.post(reverse("admin:routing_routingrule_add"), {
        "category": noise.pk, "area": city.subdistricts[0].pk, "target": "subdistrict", "unit": "",
        "priority": 0, "active": "on", "note": ""})
    assert response.status_code == 302
    made = RoutingRule.objects.get()
    assert made.target == "subdistrict" and made.area == city.subdistricts[0]
    assert client.get(reverse("admin:routing_routingrule_changelist")).status_code == 200
    assert client.get(reverse("admin:routing_routingrule_change", args=[made.pk])).status_code == 200


def test_a_rule_for_a_unit_needs_the_unit(client, users, db):
    client.force_login(users.admin)
    response = client.post(reverse("admin:routing_routingrule_add"), {
        "category": Category.objects.get(code="020101").pk, "target": "unit", "unit": "", "priority": 0})
    assert response.status_code == 200 and not RoutingRule.objects.exists()


def test_decisions_are_read_only(client, users, make_ticket):
    decision = record_route(make_ticket(), decide_route(category=None, location=None, address=""))
    client.force_login(users.admin)
    assert client.get(reverse("admin:routing_routingdecision_changelist")).status_code == 200
    assert client.get(reverse("admin:routing_routingdecision_change", args=[decision.pk])).status_code == 200
    assert client.get(reverse("admin:routing_routingdecision_add")).status_code == 403

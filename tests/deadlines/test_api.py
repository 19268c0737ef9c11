"""The staff API takes `urgent` at intake and shows each ticket's colour."""
import datetime as dt

from django.utils import timezone
from rest_framework.test import APIClient

from shiyu.tickets import services


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_urgent_at_intake_and_the_colour_in_the_list(users, city):
    lat, long = city.point_in(city.grids[0])
    created = client_for(users.operator).post("/api/tickets/", {
        "channel": "hotline", "request_type": "complaint", "description": "燃气味很重，怀疑泄漏。",
        "category": city.leaves[0].code, "lat": lat, "long": long, "urgent": True}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["urgent"] is True and created.json()["deadline_state"] is None  # not dispatched yet
    ticket = services.dispatch_ticket(actor=users.dispatcher, ticket=created.json()["id"],
                                      lead_unit=city.units["urban_management"],
                                      now=timezone.now() - dt.timedelta(days=30))
    assert ticket.accept_due_at == ticket.dispatched_at + dt.timedelta(minutes=30)
    listed = client_for(users.dispatcher).get("/api/tickets/").json()["results"]
    assert [(t["urgent"], t["deadline_state"]) for t in listed if t["id"] == ticket.pk] == [(True, "overdue")]

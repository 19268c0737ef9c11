"""Bad input answers one error shape with a 4xx, names the field, and writes nothing."""
import json

import pytest

from shiyu.core.models import AuditEvent
from shiyu.tickets.models import Assignment, Ticket

pytestmark = pytest.mark.django_db


def _intake_body(city, **fields):
    lat, long = city.point_in(city.grids[0])
    body = dict(channel="hotline", request_type="complaint", description="路灯坏了", category=city.leaves[0].code,
                lat=lat, long=long, reporter_phone="13812345678")
    body.update(fields)
    return body


def _shape(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) <= {"code", "detail", "fields", "current_state", "allowed_actions"}
    assert isinstance(body["code"], str) and isinstance(body["detail"], str)
    if code:
        assert body["code"] == code
    return body


def test_malformed_json(api):
    response = api("operator").post("/api/tickets/", b'{"channel": "hotline",', content_type="application/json")
    _shape(response, 400, "parse_error")


def test_body_that_is_not_utf8(api):
    body = '{"channel": "hotline", "description": "路灯"}'.encode("gbk")
    response = api("operator").post("/api/tickets/", body, content_type="application/json")
    _shape(response, 400, "parse_error")


def test_json_that_is_not_an_object(api):
    body = _shape(api("operator").post("/api/tickets/", [1, 2], format="json"), 400, "invalid")
    assert "non_field_errors" in body["fields"]


def test_unsupported_media_type(api):
    _shape(api("operator").post("/api/tickets/", b"<xml/>", content_type="application/xml"), 415)


def test_missing_and_wrong_fields_are_named(api, city):
    body = _shape(api("operator").post("/api/tickets/", {"channel": "fax", "lat": "north"}, format="json"),
                  400, "invalid")
    assert {"channel", "request_type", "description", "lat"} <= set(body["fields"])
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("fields,name", [
    ({"reporter_phone": "1" * 21}, "reporter_phone"),  # longer than the column
    ({"title": "长" * 101}, "title"),
    ({"category": "999999"}, "category"),
    ({"description": "路灯\ud800坏了"}, "description"),  # a lone surrogate cannot be stored
    ({"description": "路灯\x00坏了"}, "description"),
    ({"description": "   "}, "description"),
    ({"lat": 1e400}, "lat"),  # infinity
    ({"description": {"text": "路灯"}}, "description"),
])
def test_shape_errors_are_400(api, city, fields, name):
    raw = json.dumps(_intake_body(city, **fields))  # ASCII with \u escapes, 1e400 as Infinity... see below
    raw = raw.replace("Infinity", "1e400")  # a literal that Python's json reads as infinity
    body = _shape(api("operator").post("/api/tickets/", raw, content_type="application/json"), 400)
    assert name in body["fields"]
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("fields,name", [
    ({"lat": 10.0, "long": 10.0}, "lat"),  # outside the city
    ({"long": None}, "long"),  # half a coordinate
    ({"category": "01"}, "category"),  # not a leaf
    ({"reporter_phone": "call me"}, "reporter_phone"),
    ({"lat": None, "long": None, "address": ""}, "address"),
])
def test_meaning_errors_are_422(api, city, fields, name):
    body = _shape(api("operator").post("/api/tickets/", _intake_body(city, **fields), format="json"), 422, "invalid")
    assert name in body["fields"]
    assert Ticket.objects.count() == 0


def test_form_encoded_intake_works(api, city):
    response = api("operator").post("/api/tickets/", _intake_body(city), format="multipart")
    assert response.status_code == 201


def test_action_input_errors(api, flow):
    ticket = flow.received()
    client = api("dispatcher")
    body = _shape(client.post(f"/api/tickets/{ticket.pk}/dispatch/", {}, format="json"), 400)
    assert "lead_unit" in body["fields"]
    body = _shape(client.post(f"/api/tickets/{ticket.pk}/dispatch/",
                              {"lead_unit": "nobody", "assist_units": ["housing", "ghosts"]}, format="json"), 400)
    assert {"lead_unit", "assist_units"} <= set(body["fields"])
    body = _shape(client.post(f"/api/tickets/{ticket.pk}/dispatch/",
                              {"lead_unit": "housing", "category": "01"}, format="json"), 422)
    assert "category" in body["fields"]
    assert not Assignment.objects.filter(ticket=ticket).exists()
    assert Ticket.objects.get(pk=ticket.pk).status == "received"

    accepted = flow.accepted()
    handler = api("handler")
    for path, data, name in [("extensions", {"days": 0, "reason": "x"}, "days"),
                             ("extensions", {"days": "three", "reason": "x"}, "days"),
                             ("extensions", {"days": 2}, "reason"),
                             ("resolve", {"reply": ""}, "reply"),
                             ("return", {"reason": "x" * 501}, "reason")]:
        body = _shape(handler.post(f"/api/tickets/{accepted.pk}/{path}/", data, format="json"), 400)
        assert name in body["fields"], (path, data)
    resolved = flow.resolved()
    body = _shape(api("operator").post(f"/api/tickets/{resolved.pk}/callback/",
                                       {"rating": "great", "resolved": "maybe"}, format="json"), 400)
    assert {"rating", "resolved"} <= set(body["fields"])


def test_inactive_unit_is_422_and_nothing_half_written(api, city, flow):
    ticket = flow.received()
    unit = city.units["housing"]
    unit.active = False
    unit.save()
    events = AuditEvent.objects.filter(target_id=ticket.pk).exclude(action="pii.read").count()
    response = api("dispatcher").post(f"/api/tickets/{ticket.pk}/dispatch/",
                                      {"lead_unit": "urban_management", "assist_units": ["housing"]}, format="json")
    _shape(response, 422, "invalid")
    assert not Assignment.objects.filter(ticket=ticket).exists()
    assert Ticket.objects.get(pk=ticket.pk).lead_unit_id is None
    assert AuditEvent.objects.filter(target_id=ticket.pk).exclude(action="pii.read").count() == events


def test_unknown_ticket_and_endpoint(api):
    _shape(api("operator").get("/api/tickets/999999/"), 404, "not_found")
    _shape(api("operator").get("/api/tickets/NOSUCHCODE/"), 404, "not_found")
    _shape(api("operator").get("/api/tickets/a-b/"), 404, "not_found")
    _shape(api("operator").get("/api/nothing/here/"), 404, "not_found")
    body = _shape(api("operator").post("/api/tickets", {}, format="json"), 404, "not_found")
    assert "/api/tickets/" in body["detail"]  # the hint about the trailing slash


def test_method_not_allowed(api, flow):
    ticket = flow.received()
    _shape(api("operator").delete(f"/api/tickets/{ticket.pk}/"), 405)
    _shape(api("operator").get(f"/api/tickets/{ticket.pk}/dispatch/"), 405)


def test_not_signed_in(api):
    body = _shape(api().get("/api/tickets/"), 401, "not_authenticated")
    assert body["detail"]
    _shape(api().post("/api/tickets/", {}, format="json"), 401)


def test_bad_filters(api):
    body = _shape(api("operator").get("/api/tickets/?status=open,closed"), 400)
    assert "status" in body["fields"] and "open" in body["fields"]["status"][0]
    for query, name in [("lead_unit=nobody", "lead_unit"), ("subdistrict=1", "subdistrict"),
                        ("created_after=yesterday", "created_after"), ("ordering=title", "ordering"),
                        ("category=9", "category"), ("overdue=perhaps", "overdue")]:
        body = _shape(api("operator").get(f"/api/tickets/?{query}"), 400)
        assert name in body["fields"], query


@pytest.mark.parametrize("method,url", [
    ("get", "/api/tickets/?offset=100000000000000000000000000"),  # would overflow the database's integer
    ("post", "/api/extensions/99999999999999999999999/decide/"),
    ("get", "/api/attachments/99999999999999999999/"),
    ("get", "/api/tickets/99999999999999999999/"),
    ("get", "/api/locate/?lat=nan&long=1"),
    ("get", "/api/locate/?lat=1e400&long=1"),
])
def test_numbers_too_big_are_4xx(api, method, url):
    response = getattr(api("supervisor"), method)(url, {"approve": True} if method == "post" else None,
                                                   format="json")
    _shape(response, response.status_code)
    assert response.status_code in (400, 404)

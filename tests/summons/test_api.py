"""The summons API end to end, its errors (never a 500) and its schema."""
import datetime as dt
import json

import pytest
from drf_spectacular.validation import validate_schema

from shiyu.summons.models import Summons, SummonsCall

from tests.api_helpers import error_body, ok_body

pytestmark = pytest.mark.django_db
URL = "/api/summons/"


def _body(**fields):
    return {"units": ["urban_management", "housing", "transport"], "place": "示范路1号小区门口",
            "reason": "违建拆除需城管、住建、交通到场", **fields}



def _time_passes(summons_id, minutes):
    """Move the summons back in time, as if `minutes` had passed since it was whistled."""
    summons = Summons.objects.get(pk=summons_id)
    shift = dt.timedelta(minutes=minutes)
    Summons.objects.filter(pk=summons_id).update(created_at=summons.created_at - shift,
                                                  report_by=summons.report_by - shift)


def test_a_summons_end_to_end(api, users, depts):
    office = api("subhandler")
    created = ok_body(office.post(URL, _body(minutes=20), format="json"), 201)
    sid = created["id"]
    assert created["state"] == "open" and created["minutes"] == 20
    assert created["unit"]["key"] == users.subhandler.unit.key
    assert [c["unit"]["key"] for c in created["calls"]] == ["urban_management", "housing", "transport"]
    assert {c["state"] for c in created["calls"]} == {"called"} and created["allowed_actions"] == []

    housing = ok_body(api("handler2").get(f"{URL}{sid}/"))
    assert housing["allowed_actions"] == ["report"]
    reported = ok_body(api("handler2").post(f"{URL}{sid}/report/", {"note": "两人到场"}, format="json"))
    call = next(c for c in reported["calls"] if c["unit"]["key"] == "housing")
    assert call["state"] == "reported" and call["late"] is False and call["on_site_note"] == "两人到场"
    assert call["reported_by"] == "handler2"

    _time_passes(sid, 25)  # urban management arrives five minutes late
    late = ok_body(api("handler").post(f"{URL}{sid}/report/", {}, format="json"))
    assert next(c for c in late["calls"] if c["unit"]["key"] == "urban_management")["late"] is True

    detail = ok_body(office.get(f"{URL}{sid}/"))
    assert detail["allowed_actions"] == ["close", "rate"]
    closed = ok_body(office.post(f"{URL}{sid}/close/", {"note": "违建已拆除"}, format="json"))
    assert closed["state"] == "closed" and closed["closing_note"] == "违建已拆除" and closed["closed_by"] == "subhandler"
    assert next(c for c in closed["calls"] if c["unit"]["key"] == "transport")["state"] == "missing"

    ok_body(office.post(f"{URL}{sid}/rate/", {"unit": "housing", "rating": 5}, format="json"))
    rated = ok_body(office.post(f"{URL}{sid}/rate/", {"unit": "urban_management", "rating": 2, "note": "迟到"},
                            format="json"))
    assert {c["unit"]["key"]: c["rating"] for c in rated["calls"]} == {
        "urban_management": 2, "housing": 5, "transport": None}
    assert rated["allowed_actions"] == []
    refused = error_body(office.post(f"{URL}{sid}/rate/", {"unit": "transport", "rating": 1}, format="json"), 409,
                     "illegal_transition")
    assert refused["current_state"] == "missing" and refused["allowed_actions"] == []

    listed = ok_body(office.get(URL, {"state": "closed"}))
    assert [s["id"] for s in listed["results"]] == [sid]
    assert ok_body(office.get(URL, {"state": "open"}))["results"] == []


def test_a_supervisor_whistles_for_a_named_office(api, users):
    body = error_body(api("supervisor").post(URL, _body(), format="json"), 422)
    assert "unit" in body["fields"]
    created = ok_body(api("supervisor").post(URL, _body(unit=users.subhandler.unit.key), format="json"), 201)
    assert created["unit"]["key"] == users.subhandler.unit.key


def test_about_a_ticket_by_its_code(api, make_ticket):
    ticket = make_ticket()
    created = ok_body(api("subhandler").post(URL, _body(ticket=ticket.code.lower(), place=""), format="json"), 201)
    assert created["ticket"] == {"id": ticket.pk, "code": ticket.code} and created["place"] == ticket.address
    body = error_body(api("subhandler").post(URL, _body(ticket="NOSUCHTICKET"), format="json"), 400, "invalid")
    assert "ticket" in body["fields"]


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("fields,status,name", [
    ({"units": []}, 422, "units"),
    ({"units": ["no_such_unit"]}, 400, "units"),
    ({"units": "urban_management"}, 400, "units"),
    ({"units": [{"key": "housing"}]}, 400, "units"),
    ({"minutes": 0}, 422, "minutes"),
    ({"minutes": -30}, 422, "minutes"),
    ({"minutes": 10 ** 9}, 422, "minutes"),
    ({"minutes": "soon"}, 400, "minutes"),
    ({"reason": ""}, 400, "reason"),
    ({"reason": "到场\ud800"}, 400, "reason"),  # a lone surrogate cannot be stored
    ({"place": "长" * 201}, 400, "place"),
    ({"lat": 10.0, "long": 10.0}, 422, "lat"),
    ({"lat": 39.9}, 422, "long"),
])
def test_bad_input_names_the_field(api, fields, status, name):
    raw = json.dumps(_body(**fields))  # ASCII with \u escapes: the client could not encode a lone surrogate
    body = error_body(api("subhandler").post(URL, raw, content_type="application/json"), status)
    assert name in body["fields"], body
    assert not Summons.objects.exists()


def test_the_office_summoning_itself(api, users):
    body = error_body(api("subhandler").post(URL, _body(units=["housing", users.subhandler.unit.key]), format="json"),
                  422)
    assert "units" in body["fields"]


def test_malformed_json(api):
    error_body(api("subhandler").post(URL, b'{"units": [', content_type="application/json"), 400, "parse_error")


@pytest.mark.parametrize("username", ["handler", "operator", "leader", "citizen"])
def test_who_may_not_whistle(api, username):
    error_body(api(username).post(URL, _body(), format="json"), 403, "forbidden")


def test_anonymous_is_refused(api):
    assert api().get(URL).status_code in (401, 403)
    assert api().post(URL, _body(), format="json").status_code in (401, 403)


def test_actions_refused_by_role_scope_and_state(api, users):
    sid = ok_body(api("subhandler").post(URL, _body(units=["urban_management", "housing"]), format="json"), 201)["id"]
    error_body(api("handler").post(f"{URL}{sid}/close/", {}, format="json"), 403)  # not the office
    error_body(api("subhandler").post(f"{URL}{sid}/report/", {}, format="json"), 403)  # not summoned
    error_body(api("supervisor").post(f"{URL}{sid}/report/", {}, format="json"), 403)
    error_body(api("operator").get(f"{URL}{sid}/"), 404, "not_found")  # outside the scope
    error_body(api("operator").post(f"{URL}{sid}/close/", {}, format="json"), 404)
    conflict = error_body(api("subhandler").post(f"{URL}{sid}/close/", {}, format="json"), 409, "illegal_transition")
    assert conflict["current_state"] == "open" and conflict["allowed_actions"] == ["report"]
    refused = error_body(api("subhandler").post(f"{URL}{sid}/rate/", {"unit": "housing", "rating": 5}, format="json"),
                     409)
    assert refused["current_state"] == "called"
    ok_body(api("handler").post(f"{URL}{sid}/report/", {}, format="json"))
    error_body(api("handler").post(f"{URL}{sid}/report/", {}, format="json"), 409)
    error_body(api("handler").post(f"{URL}{sid}/rate/", {"unit": "urban_management", "rating": 5}, format="json"), 403)
    bad = error_body(api("subhandler").post(f"{URL}{sid}/rate/", {"unit": "transport", "rating": 5}, format="json"), 400)
    assert "unit" in bad["fields"]  # not summoned here
    bad = error_body(api("subhandler").post(f"{URL}{sid}/rate/", {"unit": "urban_management", "rating": 6},
                                        format="json"), 400)
    assert "rating" in bad["fields"]
    assert SummonsCall.objects.filter(rating__isnull=False).count() == 0


@pytest.mark.parametrize("path", ["999999/", "9" * 19 + "/", "999999/close/", "abc/", "1/report"])
def test_unknown_summons_is_404(api, path):
    method = "post" if "close" in path or "report" in path else "get"
    error_body(getattr(api("supervisor"), method)(URL + path, {}, format="json"), 404, "not_found")


# ---------------------------------------------------------------- schema


def test_schema_documents_the_summons_paths(api):
    schema = ok_body(api().get("/api/schema/?format=json"))
    validate_schema(schema)
    paths = {p: item for p, item in schema["paths"].items() if p.startswith("/api/summons/")}
    assert set(paths) == {"/api/summons/", "/api/summons/{id}/", "/api/summons/{id}/report/",
                          "/api/summons/{id}/rate/", "/api/summons/{id}/close/"}
    for path, item in paths.items():
        for method, operation in item.items():
            assert operation["tags"] == ["summons"], path
            if method == "post" and path != "/api/summons/":
                responses = operation["responses"]
                assert {"200", "400", "401", "403", "404", "409", "422"} <= set(responses), path
                conflict = responses["409"]["content"]["application/json"]["schema"]["$ref"]
                assert conflict.endswith("/SummonsConflict")
                assert "requestBody" in operation, path

"""The intake API: live check, triage queue, choosing a category, similar pairs, answers."""
import pytest

from shiyu.intake.models import SimilarTicket
from shiyu.tickets.models import Status

pytestmark = pytest.mark.django_db

OIL_SMOKE = "楼下饭店的排烟口正对着我家窗户，油烟呛得没法开窗，已经持续一个月了。"


def _post_ticket(api, city, username="operator", **fields):
    lat, long = city.point_in(city.grids[0])
    body = dict(channel="hotline", request_type="complaint", description=OIL_SMOKE, lat=lat, long=long,
                reporter_phone="13900001111", category=city.leaves[0].code)
    body.update(fields)
    response = api(username).post("/api/tickets/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_check_shows_repeats_route_and_place(api, city):
    first = _post_ticket(api, city)
    lat, long = city.point_in(city.grids[0])
    response = api("operator").post("/api/intake/check/", {
        "description": OIL_SMOKE, "reporter_phone": "13900001111", "lat": lat, "long": long,
        "category": city.leaves[0].code}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"categories", "confident", "model", "place", "route", "similar", "answers"}
    assert body["similar"][0]["kind"] == "repeat" and body["similar"][0]["ticket"]["code"] == first["code"]
    assert body["place"]["community"]["code"] == city.grids[0].community.code
    assert body["route"]["reason"] and body["route"]["place_source"] == "coordinates"
    assert "reporter" not in body["similar"][0]["ticket"]


@pytest.mark.parametrize("body, field", [
    ({}, "description"),
    ({"description": ""}, "description"),
    ({"description": "x" * 4001}, "description"),
    ({"description": "路灯坏了", "lat": 39.9}, "long"),
    ({"description": "路灯坏了", "category": "nope"}, "category"),
])
def test_check_refuses_bad_input_with_the_field(api, body, field):
    response = api("operator").post("/api/intake/check/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_check_is_for_staff_who_take_in(api):
    assert api("handler").post("/api/intake/check/", {"description": "路灯坏了"}, format="json").status_code == 403
    assert api().post("/api/intake/check/", {"description": "路灯坏了"}, format="json").status_code == 401


def test_triage_queue_and_choosing_a_category(api, city):
    ticket = _post_ticket(api, city, category=None)
    queue = api("dispatcher").get("/api/triage/").json()["results"]
    assert [t["code"] for t in queue] == [ticket["code"]]
    response = api("dispatcher").post(f"/api/tickets/{ticket['id']}/category/",
                                      {"category": city.leaves[3].code}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["category"]["code"] == city.leaves[3].code
    assert api("dispatcher").get("/api/triage/").json()["results"] == []
    refused = api("handler").post(f"/api/tickets/{ticket['id']}/category/",
                                  {"category": city.leaves[3].code}, format="json")
    assert refused.status_code == 404  # outside the handler's scope


def test_choosing_a_category_after_dispatch_is_a_409(api, city):
    ticket = _post_ticket(api, city)
    api("dispatcher").post(f"/api/tickets/{ticket['id']}/dispatch/", {"lead_unit": "urban_management"},
                           format="json")
    response = api("dispatcher").post(f"/api/tickets/{ticket['id']}/category/",
                                      {"category": city.leaves[3].code}, format="json")
    assert response.status_code == 409


def test_similar_pairs_merge_in_one_call(api, city):
    first = _post_ticket(api, city)
    again = _post_ticket(api, city)
    links = api("operator").get(f"/api/tickets/{again['id']}/similar/").json()
    assert [(link["kind"], link["earlier"]["code"]) for link in links] == [("repeat", first["code"])]
    response = api("dispatcher").post(f"/api/similar/{links[0]['id']}/merge/", {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "merged"
    assert api("operator").get(f"/api/tickets/{again['id']}/").json()["status"] == Status.MERGED
    assert api("dispatcher").post(f"/api/similar/{links[0]['id']}/merge/", {}, format="json").status_code == 422
    assert api("dispatcher").post("/api/similar/999999/dismiss/", {}, format="json").status_code == 404


def test_answers_come_from_replied_tickets(api, city, users):
    from shiyu.tickets import services as core

    replied = _post_ticket(api, city)
    core.dispatch_ticket(actor=users.dispatcher, ticket=replied["id"], lead_unit=city.units["urban_management"])
    core.sign_for(actor=users.handler, ticket=replied["id"])
    core.resolve_ticket(actor=users.handler, ticket=replied["id"], reply="已责令饭店加装油烟净化设备。")
    asking = _post_ticket(api, city, reporter_phone="13700002222")
    answers = api("operator").get(f"/api/tickets/{asking['id']}/answers/").json()
    assert answers[0]["ticket"]["code"] == replied["code"]
    assert answers[0]["reply"] == "已责令饭店加装油烟净化设备。"
    assert SimilarTicket.objects.filter(ticket_id=asking["id"], kind="duplicate").exists()

"""The alerts API end to end: lists and filters in scope, detail with tickets and trail,
the actions, mutes, and errors that are 4xx, never 500."""
import pytest

from shiyu.risk import services
from shiyu.risk.models import RiskAlert

from tests.api_helpers import error_body, ok_body

pytestmark = pytest.mark.django_db
URL, MUTES = "/api/alerts/", "/api/alert-mutes/"



@pytest.fixture
def two(alert, phone):
    """A red alert (跳楼) and a yellow one (上访), from two callers."""
    return alert(reporter_phone=phone()), alert(reporter_phone=phone(), description="我要去上访")


def test_an_alert_end_to_end(api, two, users):
    red, _yellow = two
    supervisor = api("supervisor")
    listed = ok_body(supervisor.get(URL))["results"]
    assert {a["id"] for a in listed} == {a.pk for a in two}
    assert ok_body(supervisor.get(URL, {"level": "red"}))["results"][0]["id"] == red.pk
    detail = ok_body(supervisor.get(f"{URL}{red.pk}/"))
    assert detail["status"] == "open" and detail["kind"] == "danger_words"
    assert [t["id"] for t in detail["tickets"]] == list(red.tickets.values_list("pk", flat=True))
    assert detail["allowed_actions"] == ["acknowledge", "assign", "resolve"]
    assert [e["action"] for e in detail["trail"]] == ["risk.raise"]
    body = ok_body(supervisor.post(f"{URL}{red.pk}/acknowledge/", {"note": "收到"}, format="json"))
    assert body["status"] == "acknowledged" and body["allowed_actions"] == ["assign", "resolve"]
    body = ok_body(supervisor.post(f"{URL}{red.pk}/assign/", {"unit": users.subhandler.unit.key}, format="json"))
    assert body["status"] == "assigned" and body["assigned_unit"]["key"] == users.subhandler.unit.key
    body = ok_body(supervisor.post(f"{URL}{red.pk}/resolve/", {"note": "已疏导"}, format="json"))
    assert body["status"] == "resolved" and body["resolution_note"] == "已疏导" and body["allowed_actions"] == []
    assert [e["action"] for e in body["trail"]] == ["risk.raise", "risk.acknowledge", "risk.assign", "risk.resolve"]
    assert [a["id"] for a in ok_body(supervisor.get(URL, {"status": "open"}))["results"]] == [two[1].pk]


def test_scopes(api, two, users):
    red, yellow = two
    assert len(ok_body(api("leader").get(URL))["results"]) == 2
    ok_body(api("leader").get(f"{URL}{red.pk}/"))
    assert ok_body(api("leader").get(f"{URL}{red.pk}/"))["allowed_actions"] == []
    for name in ("handler", "citizen", "operator"):
        assert ok_body(api(name).get(URL))["results"] == []
        error_body(api(name).get(f"{URL}{red.pk}/"), 404, "not_found")
    # the subdistrict office sees what happens in its area; a department what it is assigned
    assert red.subdistrict_id == users.subhandler.unit.area_id  # the first grid is in the first subdistrict
    assert {a["id"] for a in ok_body(api("subhandler").get(URL))["results"]} == {red.pk, yellow.pk}
    services.assign(actor=users.supervisor, alert=red, user=users.handler)
    assert [a["id"] for a in ok_body(api("handler").get(URL))["results"]] == [red.pk]
    error_body(api("handler").post(f"{URL}{red.pk}/resolve/", {"note": "办好了"}, format="json"), 403, "forbidden")
    assert ok_body(api("handler").get(f"{URL}{red.pk}/"))["allowed_actions"] == ["report"]
    body = ok_body(api("handler").post(f"{URL}{red.pk}/report/", {"note": "已上门"}, format="json"))
    assert body["status"] == "reported" and body["report_note"] == "已上门" and body["allowed_actions"] == []
    assert body["reported_by"] and ok_body(api("supervisor").get(f"{URL}{red.pk}/"))["allowed_actions"] == [
        "assign", "resolve"]
    error_body(api("supervisor").post(f"{URL}{red.pk}/report/", {"note": "x"}, format="json"), 403, "forbidden")


def test_errors_are_4xx(api, two):
    red, _ = two
    supervisor = api("supervisor")
    error_body(supervisor.get(URL, {"level": "purple"}), 400, "invalid")
    error_body(supervisor.get(f"{URL}999999999999999999/"), 404)
    error_body(supervisor.post(f"{URL}{red.pk}/resolve/", {}, format="json"), 400, "invalid")
    error_body(supervisor.post(f"{URL}{red.pk}/resolve/", {"note": "   "}, format="json"), 400, "invalid")
    error_body(supervisor.post(f"{URL}{red.pk}/assign/", {"unit": "no-such-unit"}, format="json"), 400)
    error_body(supervisor.post(f"{URL}{red.pk}/assign/", {}, format="json"), 422)
    error_body(supervisor.post(f"{URL}{red.pk}/acknowledge/", "not json", content_type="application/json"), 400)
    ok_body(supervisor.post(f"{URL}{red.pk}/resolve/", {"note": "已处置"}, format="json"))
    body = error_body(supervisor.post(f"{URL}{red.pk}/acknowledge/", {}, format="json"), 409, "illegal_transition")
    assert body["current_state"] == "resolved" and body["allowed_actions"] == []
    error_body(api().get(URL), 401)
    error_body(api("leader").post(f"{URL}{red.pk}/acknowledge/", {}, format="json"), 403)


def test_mutes(api, two, city):
    red, _ = two
    supervisor = api("supervisor")
    created = ok_body(supervisor.post(MUTES, {"alert": red.pk, "reason": "已建档跟进"}, format="json"), 201)
    assert created["kind"] == "danger_words" and created["key"] == red.key and created["active"]
    by_area = ok_body(supervisor.post(MUTES, {"kind": "spike", "subdistrict": city.subdistricts[0].code,
                                          "reason": "节前集中"}, format="json"), 201)
    assert by_area["subdistrict"]["code"] == city.subdistricts[0].code
    assert len(ok_body(supervisor.get(MUTES, {"active": "true"}))["results"]) == 2
    body = ok_body(supervisor.post(f"{MUTES}{created['id']}/unmute/"))
    assert body["active"] is False and body["unmuted_by"]
    assert [m["id"] for m in ok_body(supervisor.get(MUTES, {"active": "false"}))["results"]] == [created["id"]]
    error_body(supervisor.post(f"{MUTES}{created['id']}/unmute/"), 409, "illegal_transition")
    error_body(supervisor.post(MUTES, {"kind": "spike", "reason": "整类"}, format="json"), 422)
    error_body(supervisor.post(MUTES, {"alert": 999999, "reason": "x"}, format="json"), 400)
    error_body(supervisor.post(MUTES, {"kind": "spike", "category": "nope", "reason": "x"}, format="json"), 400)
    error_body(supervisor.post(MUTES, {"kind": "spike", "subdistrict": city.subdistricts[0].code, "reason": "x",
                                   "expires_at": "yesterday"}, format="json"), 400)
    error_body(api("leader").post(MUTES, {"alert": red.pk, "reason": "x"}, format="json"), 403)
    assert ok_body(api("handler").get(MUTES))["results"] == []
    error_body(api("handler").post(f"{MUTES}{by_area['id']}/unmute/"), 404)
    assert RiskAlert.objects.count() == 2


def test_the_admin_lists_alerts_mutes_and_edits_danger_words(client, users, alert):
    alert()
    client.force_login(users.admin)
    for model in ("riskalert", "riskmute", "dangerword"):
        assert client.get(f"/admin/risk/{model}/").status_code == 200, model
    word = client.get("/admin/risk/dangerword/?q=跳楼").content.decode()
    assert "跳楼" in word
    assert client.get("/admin/risk/dangerword/add/").status_code == 200
    assert client.get("/admin/risk/riskalert/add/").status_code == 403  # written by the services only

"""The respond-on-receipt loop, driven entirely through the API."""
import pytest

from shiyu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def post(client, path, data=None, code=200):
    response = client.post(path, data or {}, format="json")
    assert response.status_code == code, response.json()
    return response.json()


def intake(api, city, username="operator", **fields):
    lat, long = city.point_in(city.grids[0])
    body = dict(channel="hotline", request_type="complaint", title="路灯不亮",
                description="小区门口的路灯坏了一个星期，晚上很黑。", category=city.leaves[0].code,
                address="示范路1号", lat=lat, long=long, reporter_name="张三", reporter_phone="13812345678")
    body.update(fields)
    return post(api(username), "/api/tickets/", body, 201)


def test_the_whole_loop(api, city, users):
    ticket = intake(api, city)
    assert ticket["status"] == "received"
    assert ticket["location"]["grid"]["code"] == city.grids[0].code
    assert ticket["location"]["subdistrict"]["code"] == city.subdistricts[0].code
    assert [c["level"] for c in ticket["category_path"]] == [1, 2, 3]
    assert ticket["category_path"][-1]["code"] == city.leaves[0].code
    # the operator who took the call may triage it, not dispatch it (a complaint is not answered directly)
    assert ticket["allowed_actions"] == ["merge", "mark_invalid", "categorize", "attach"]
    assert ticket["state_actions"] == ["dispatch", "answer_directly", "merge", "mark_invalid", "categorize", "attach"]
    t = f"/api/tickets/{ticket['code']}"

    ticket = post(api("dispatcher"), f"{t}/dispatch/",
                  {"lead_unit": "urban_management", "assist_units": ["housing"], "note": "请城管主办，住建协办"})
    assert ticket["status"] == "dispatched"
    assert ticket["lead_unit"]["key"] == "urban_management"
    assert {(a["unit"]["key"], a["role"], a["state"]) for a in ticket["assignments"]} == {
        ("urban_management", "lead", "dispatched"), ("housing", "assist", "dispatched")}
    assert ticket["deadlines"]["accept_due_at"] and ticket["deadlines"]["resolve_due_at"]

    ticket = api("handler").get(f"{t}/").json()
    assert "accept" in ticket["allowed_actions"] and "assist_accept" not in ticket["allowed_actions"]
    ticket = api("handler2").get(f"{t}/").json()
    assert ticket["allowed_actions"] == ["assist_accept", "assist_report", "attach"]

    ticket = post(api("handler"), f"{t}/sign-for/")
    assert ticket["status"] == "accepted"
    ticket = post(api("handler2"), f"{t}/sign-for/")
    assert {a["unit"]["key"]: a["state"] for a in ticket["assignments"]} == {
        "urban_management": "accepted", "housing": "accepted"}
    ticket = post(api("handler2"), f"{t}/assist-report/", {"report": "已核实，非违建。"})
    assert {a["unit"]["key"]: a["report"] for a in ticket["assignments"]}["housing"] == "已核实，非违建。"
    ticket = post(api("handler"), f"{t}/start/", {"note": "已派人"})
    assert ticket["status"] == "in_progress"

    due_before = ticket["deadlines"]["resolve_due_at"]
    extension = post(api("handler"), f"{t}/extensions/", {"days": 3, "reason": "需采购灯具"}, 201)
    assert extension["state"] == "pending" and extension["ticket"]["code"] == ticket["code"]
    ticket = api("supervisor").get(f"{t}/").json()
    assert "decide_extension" in ticket["allowed_actions"]
    decided = post(api("supervisor"), f"/api/extensions/{extension['id']}/decide/", {"approve": True, "note": "同意"})
    assert decided["state"] == "approved"
    assert decided["ticket"]["resolve_due_at"] > due_before
    assert decided["ticket"]["extension_count"] == 1

    ticket = post(api("handler"), f"{t}/resolve/", {"reply": "路灯已修复。"})
    assert ticket["status"] == "resolved" and ticket["reply"] == "路灯已修复。"
    ticket = post(api("operator"), f"{t}/callback/", {"rating": "satisfied", "resolved": True, "note": "满意"})
    assert ticket["status"] == "callback" and ticket["callback_rating"] == "satisfied"
    ticket = post(api("operator"), f"{t}/close/", {"note": "结案"})
    assert ticket["status"] == "closed" and ticket["allowed_actions"] == []

    actions = [e["action"] for e in ticket["timeline"]]
    assert actions == ["ticket.create", "ticket.route", "ticket.dispatch", "ticket.accept", "ticket.assist_accept",
                       "ticket.assist_report", "ticket.start", "ticket.request_extension",
                       "ticket.decide_extension", "ticket.resolve", "ticket.callback", "ticket.close"]
    dispatch = ticket["timeline"][2]
    assert (dispatch["actor"], dispatch["from_state"], dispatch["to_state"], dispatch["note"]) == (
        "dispatcher", "received", "dispatched", "请城管主办，住建协办")
    assert [e["state"] for e in ticket["extensions"]] == ["approved"]


def test_return_and_redispatch(api, city):
    ticket = intake(api, city)
    t = f"/api/tickets/{ticket['id']}"
    post(api("dispatcher"), f"{t}/dispatch/", {"lead_unit": "urban_management"})
    ticket = post(api("handler"), f"{t}/return/", {"reason": "不属于本单位职责"})
    assert ticket["status"] == "returned" and ticket["lead_unit"] is None and ticket["return_count"] == 1
    ticket = post(api("dispatcher"), f"{t}/dispatch/", {"lead_unit": "housing"})
    assert ticket["status"] == "dispatched" and ticket["lead_unit"]["key"] == "housing"
    assert [(a["unit"]["key"], a["state"]) for a in ticket["assignments"]] == [
        ("urban_management", "returned"), ("housing", "dispatched")]
    # the returning unit still sees the ticket it once had, but may no longer act on it
    response = api("handler").post(f"{t}/sign-for/", {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert post(api("handler2"), f"{t}/sign-for/")["status"] == "accepted"


def test_unsatisfied_callback_reopens(api, city):
    ticket = intake(api, city)
    t = f"/api/tickets/{ticket['code']}"
    post(api("dispatcher"), f"{t}/dispatch/", {"lead_unit": "urban_management"})
    post(api("handler"), f"{t}/sign-for/")
    post(api("handler"), f"{t}/resolve/", {"reply": "已处理"})
    ticket = post(api("operator"), f"{t}/callback/", {"rating": "unsatisfied", "resolved": False})
    assert ticket["status"] == "in_progress" and ticket["reopen_count"] == 1
    assert [e["action"] for e in ticket["timeline"]][-2:] == ["ticket.callback", "ticket.reopen"]
    ticket = post(api("handler"), f"{t}/resolve/", {"reply": "再次处理，已修好"})
    ticket = post(api("supervisor"), f"{t}/reopen/", {"reason": "市民再次来电"})
    assert ticket["status"] == "in_progress" and ticket["reopen_count"] == 2


def test_answer_an_enquiry_directly(api, city):
    ticket = intake(api, city, request_type="enquiry", category=None, lat=None, long=None, address="")
    ticket = post(api("operator"), f"/api/tickets/{ticket['id']}/answer/", {"reply": "办理时间为工作日9点至17点。"})
    assert ticket["status"] == "closed" and ticket["reply"].startswith("办理时间")


def test_answer_a_complaint_directly_is_refused(api, city):
    ticket = intake(api, city)
    response = api("operator").post(f"/api/tickets/{ticket['id']}/answer/", {"reply": "好"}, format="json")
    assert response.status_code == 422 and "request_type" in response.json()["fields"]


def test_merge(api, city):
    first, second = intake(api, city), intake(api, city)
    ticket = post(api("operator"), f"/api/tickets/{second['id']}/merge/", {"into": first["code"].lower()})
    assert ticket["status"] == "merged" and ticket["duplicate_of"]["code"] == first["code"]
    target = api("operator").get(f"/api/tickets/{first['id']}/").json()
    assert target["timeline"][-1]["action"] == "ticket.merged_in"


def test_merge_into_itself_or_nowhere(api, city):
    ticket = intake(api, city)
    t = f"/api/tickets/{ticket['id']}/merge/"
    response = api("operator").post(t, {"into": ticket["code"]}, format="json")
    assert response.status_code == 422 and "into" in response.json()["fields"]
    response = api("operator").post(t, {"into": "999999999"}, format="json")
    assert response.status_code == 400 and "into" in response.json()["fields"]


def test_invalid(api, city):
    ticket = intake(api, city)
    ticket = post(api("operator"), f"/api/tickets/{ticket['id']}/invalid/", {"reason": "骚扰电话"})
    assert ticket["status"] == "invalid" and ticket["invalid_reason"] == "骚扰电话"
    assert ticket["allowed_actions"] == []


def test_photo_upload_and_download(api, city, png):
    ticket = intake(api, city)
    response = api("operator").post(f"/api/tickets/{ticket['id']}/photos/", {"photo": png()}, format="multipart")
    assert response.status_code == 201, response.json()
    attachments = response.json()["attachments"]
    assert len(attachments) == 1 and attachments[0]["content_type"] == "image/png"
    url = attachments[0]["url"]
    assert url.startswith("http://testserver/api/attachments/")
    download = api("operator").get(url)
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    assert api("handler2").get(url).status_code == 404  # outside its scope
    assert api().get(url).status_code == 401


def test_photo_that_is_not_an_image(api, city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = intake(api, city)
    fake = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    response = api("operator").post(f"/api/tickets/{ticket['id']}/photos/", {"photo": fake}, format="multipart")
    assert response.status_code == 422 and "photo" in response.json()["fields"]
    response = api("operator").post(f"/api/tickets/{ticket['id']}/photos/", {}, format="multipart")
    assert response.status_code == 400 and "photo" in response.json()["fields"]
    assert api("operator").get(f"/api/tickets/{ticket['id']}/").json()["attachments"] == []


def test_rejected_extension_keeps_the_deadline(api, city):
    ticket = intake(api, city)
    t = f"/api/tickets/{ticket['id']}"
    post(api("dispatcher"), f"{t}/dispatch/", {"lead_unit": "urban_management"})
    ticket = post(api("handler"), f"{t}/sign-for/")
    extension = post(api("handler"), f"{t}/extensions/", {"days": 5, "reason": "等待配件"}, 201)
    response = api("handler").post(f"{t}/extensions/", {"days": 5, "reason": "再次"}, format="json")
    assert response.status_code == 422  # one pending at a time
    response = api("handler").post(f"/api/extensions/{extension['id']}/decide/", {"approve": True}, format="json")
    assert response.status_code == 403  # only supervisors decide
    decided = post(api("supervisor"), f"/api/extensions/{extension['id']}/decide/", {"approve": False})
    assert decided["state"] == "rejected"
    assert decided["ticket"]["resolve_due_at"] == ticket["deadlines"]["resolve_due_at"]
    response = api("supervisor").post(f"/api/extensions/{extension['id']}/decide/", {"approve": True}, format="json")
    assert response.status_code == 422 and "approve" in response.json()["fields"]
    assert api("supervisor").post("/api/extensions/999999/decide/", {"approve": True},
                                  format="json").status_code == 404
    assert AuditEvent.objects.filter(action="ticket.decide_extension", target_id=ticket["id"]).count() == 1


def test_callback_tries_until_the_resident_is_unreachable(api, flow, settings):
    settings.SHIYU_CALLBACK_TRIES = 2
    ticket = flow.resolved()
    path = f"/api/tickets/{ticket.pk}/callback-attempt/"
    first = post(api("operator"), path, {"note": "无人接听"})
    assert first["status"] == "resolved" and first["callback_tries"] == 1
    assert "callback_attempt" in first["allowed_actions"]
    second = post(api("operator"), path)
    assert second["status"] == "callback" and second["callback_unreachable"] and second["callback_rating"] == ""
    assert post(api("operator"), path, code=409)["current_state"] == "callback"
    assert api("handler").post(path, {}, format="json").status_code == 403

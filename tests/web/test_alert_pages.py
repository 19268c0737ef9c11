"""The risk-alert pages through the Django client: who may open them, the workflow
(acknowledge, assign, resolve) and muting through their forms with the audit events
written, refusals with their status and nothing changed."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from shiyu.core.models import AuditEvent
from shiyu.risk import services
from shiyu.risk.models import RiskAlert, RiskMute
from tests.risk.conftest import alert, scan  # noqa: F401  (fixtures)
from tests.web.helpers import audit_actions, buttons, html, post

pytestmark = pytest.mark.django_db

ROLES = ["citizen", "operator", "dispatcher", "handler", "gridworker", "supervisor", "leader", "admin"]
LIST, MUTES = "/workbench/alerts/", "/workbench/alerts/mutes/"
S = RiskAlert.Status


def act(client, alert, action, data=None, status=302):
    return post(client, f"/workbench/alerts/{alert.pk}/{action}/", data, status)


def events(alert) -> list[str]:
    return audit_actions("risk_alert", alert.pk)



# ---------------------------------------------------------------- who may open what


@pytest.mark.parametrize("path", [LIST, MUTES])
def test_pages_open_for_their_roles_only(client, users, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    allowed = {"supervisor", "leader", "admin"} | ({"handler"} if path == LIST else set())
    for username in ROLES:
        client.force_login(getattr(users, username))
        assert client.get(path).status_code == (200 if username in allowed else 403), username


def test_the_list_shows_levels_kinds_areas_and_filters(as_user, alert, city):
    red = alert()
    client = as_user("leader")
    page = html(client.get(LIST))
    row = re.search(rf'<tr data-alert="{red.pk}">.*?</tr>', page, re.S).group(0)
    assert 'data-level="red"' in row and 'data-status="open"' in row and 'data-ticket-count="1"' in row
    assert f'href="/workbench/alerts/{red.pk}/"' in row
    assert f'data-alert="{red.pk}"' not in html(client.get(LIST, {"level": "blue"}))
    assert f'data-alert="{red.pk}"' in html(client.get(LIST, {"level": "red", "status": "unresolved",
                                                             "kind": "danger_words"}))
    assert f'data-alert="{red.pk}"' not in html(client.get(LIST, {"status": "resolved"}))
    assert client.get(LIST, {"level": "purple"}).status_code == 200  # an unknown filter is ignored


def test_the_alert_page_for_readers_and_scope(as_user, alert, users, city):
    red = alert()
    path = f"/workbench/alerts/{red.pk}/"
    page = html(as_user("leader").get(path))
    (ticket,) = red.tickets.all()
    assert f'href="/workbench/tickets/{ticket.code}/"' in page and 'data-event="risk.raise"' in page
    assert not buttons(page) and "data-read-only" in page  # leaders read only
    assert as_user("handler").get(path).status_code == 404  # not assigned to them
    assert as_user("operator").get(path).status_code == 403
    services.assign(actor=users.supervisor, alert=red, unit=city.units["urban_management"])
    services.mute(actor=users.supervisor, alert=red, reason="噪声")
    page = html(as_user("handler").get(path))
    assert "data-assigned" in page and buttons(page) == {"report"}  # the assignee reports back, no more
    assert "data-mute=" not in page and "data-muted" not in page  # mutes are the supervisors' business
    assert "data-muted" in html(as_user("leader").get(path))
    assert f'data-alert="{red.pk}"' in html(as_user("handler").get(LIST))
    assert as_user("handler2").get(path).status_code == 404


# ---------------------------------------------------------------- the workflow


def test_acknowledge_assign_resolve_through_the_page(as_user, alert, users):
    red = alert()
    client = as_user("supervisor")
    path = f"/workbench/alerts/{red.pk}/"
    assert buttons(html(client.get(path))) == {"acknowledge", "assign", "resolve", "mute"}

    response = act(client, red, "acknowledge", {"note": "已电话联系"})
    assert response.url == path
    red.refresh_from_db()
    assert red.status == S.ACKNOWLEDGED and red.acknowledged_by == users.supervisor
    page = html(client.get(path))
    assert 'class="success"' in page and buttons(page) == {"assign", "resolve", "mute"}

    act(client, red, "assign", {"unit": "urban_management", "user": "handler", "note": "请核实"})
    red.refresh_from_db()
    assert red.status == S.ASSIGNED and red.assigned_user == users.handler
    assert red.assigned_unit.key == "urban_management"

    act(client, red, "resolve", {"note": "已化解，当事人情绪稳定"})
    red.refresh_from_db()
    assert red.status == S.RESOLVED and red.resolution_note == "已化解，当事人情绪稳定"
    assert events(red) == ["risk.raise", "risk.acknowledge", "risk.assign", "risk.resolve"]
    resolved = AuditEvent.objects.get(target_type="risk_alert", target_id=red.pk, action="risk.resolve")
    assert resolved.actor == users.supervisor and resolved.from_state == "assigned" and resolved.to_state == "resolved"
    page = html(client.get(path))
    assert 'data-event="risk.resolve"' in page and buttons(page) <= {"mute"}


def test_the_assigned_unit_reports_back_through_the_page(as_user, alert, users, city):
    red = alert()
    services.assign(actor=users.supervisor, alert=red, unit=city.units["urban_management"])
    path = f"/workbench/alerts/{red.pk}/"
    act(as_user("handler"), red, "report", {"note": ""}, status=422)  # a report says what was done
    act(as_user("handler2"), red, "report", {"note": "不是我们的"}, status=404)  # another unit's alert
    home = html(as_user("handler").get("/"))
    assert "data-alerts-to-report" in home and 'href="/workbench/alerts/?status=assigned"' in home
    assert f'href="{path}" data-link' in html(as_user("handler").get("/workbench/inbox/"))  # the notification
    assert "data-alerts-to-report" not in html(as_user("handler2").get("/"))
    act(as_user("handler"), red, "report", {"note": "已约谈当事人，诉求已转交街道跟进"})
    assert "data-alerts-to-report" not in html(as_user("handler").get("/"))
    red.refresh_from_db()
    assert red.status == S.REPORTED and red.reported_by == users.handler
    page = html(as_user("handler").get(path))
    assert "已约谈当事人" in page and not buttons(page)
    assert buttons(html(as_user("supervisor").get(path))) == {"assign", "resolve", "mute"}
    assert events(red)[-1] == "risk.report"


def test_illegal_action_is_409_and_changes_nothing(as_user, alert, users):
    red = alert()
    services.acknowledge(actor=users.supervisor, alert=red)
    response = act(as_user("supervisor"), red, "acknowledge", status=409)
    assert 'data-error-status="409"' in html(response)
    services.resolve(actor=users.supervisor, alert=red, note="好了")
    act(as_user("supervisor"), red, "resolve", {"note": "再办结一次"}, status=409)
    red.refresh_from_db()
    assert red.resolution_note == "好了" and events(red).count("risk.resolve") == 1


def test_refusals_and_bad_input(as_user, alert):
    red = alert()
    act(as_user("leader"), red, "acknowledge", status=403)  # leaders read
    act(as_user("operator"), red, "acknowledge", status=403)
    act(as_user("supervisor"), red, "explode", status=404)
    assert as_user("supervisor").get(f"/workbench/alerts/{red.pk}/acknowledge/").status_code == 405
    act(as_user("supervisor"), RiskAlert(pk=999999), "acknowledge", status=404)

    client = as_user("supervisor")
    response = act(client, red, "resolve", {"note": "  "}, status=422)
    form = re.search(r'<form[^>]*id="act-resolve".*?</form>', html(response), re.S).group(0)
    assert "errorlist" in form and 'data-error-status="422"' in html(response)
    response = act(client, red, "assign", {"note": "没有单位"}, status=422)  # neither a unit nor a person
    form = re.search(r'<form[^>]*id="act-assign".*?</form>', html(response), re.S).group(0)
    assert "errorlist" in form and "没有单位" in form  # shown again as sent
    act(client, red, "assign", {"user": "nobody-of-that-name"}, status=422)
    act(client, red, "assign", {"user": "citizen"}, status=422)
    red.refresh_from_db()
    assert red.status == S.OPEN and events(red) == ["risk.raise"]


# ---------------------------------------------------------------- muting


def test_mute_from_the_alert_and_unmute(as_user, alert, users):
    red = alert()
    client = as_user("supervisor")
    until = timezone.localtime() + dt.timedelta(days=7)
    act(client, red, "mute", {"reason": "同一人反复来电，已纳入信访台账", "expires_at": until.strftime("%Y-%m-%dT%H:%M")})
    mute = RiskMute.objects.get()
    assert (mute.kind, mute.key, mute.muted_by) == (red.kind, red.key, users.supervisor)
    assert abs(mute.expires_at - until) < dt.timedelta(minutes=1)
    event = AuditEvent.objects.get(target_type="risk_mute", target_id=mute.pk)
    assert event.action == "risk.mute" and event.data["alert"] == red.pk

    page = html(client.get(f"/workbench/alerts/{red.pk}/"))
    assert "data-muted" in page and f'data-mute="{mute.pk}" data-active="yes"' in page and "mute" not in buttons(page)
    page = html(client.get(MUTES))
    assert f'data-mute="{mute.pk}"' in page and "unmute" in buttons(page)
    assert 'data-action="unmute"' not in html(as_user("leader").get(MUTES))  # leaders read

    client = as_user("supervisor")
    act(client, red, "mute", {"reason": "再静默一次"}, status=422)  # muted already
    assert RiskMute.objects.count() == 1

    response = client.post(f"{MUTES}{mute.pk}/unmute/", {"alert": red.pk})
    assert response.status_code == 302 and response.url == f"/workbench/alerts/{red.pk}/"
    mute.refresh_from_db()
    assert mute.unmuted_by == users.supervisor
    assert AuditEvent.objects.filter(target_type="risk_mute", target_id=mute.pk, action="risk.unmute").count() == 1
    response = client.post(f"{MUTES}{mute.pk}/unmute/")  # not in force any more
    assert response.status_code == 409 and 'data-error-status="409"' in html(response)
    assert f'data-mute="{mute.pk}"' not in html(client.get(MUTES))
    assert f'data-mute="{mute.pk}" data-active="no"' in html(client.get(MUTES, {"state": "ended"}))
    assert as_user("leader").post(f"{MUTES}{mute.pk}/unmute/").status_code == 403


def test_mute_bad_input_and_by_area(as_user, alert, city):
    red = alert()
    client = as_user("supervisor")
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = act(client, red, "mute", {"reason": "过期", "expires_at": past}, status=422)
    form = re.search(r'<form[^>]*id="act-mute".*?</form>', html(response), re.S).group(0)
    assert "errorlist" in form
    act(client, red, "mute", {"reason": ""}, status=422)
    assert not RiskMute.objects.exists()

    response = client.post(MUTES, {"kind": "spike", "reason": "全市都静默"})  # a whole signal is not muted
    assert response.status_code == 422 and "errorlist" in html(response)
    subdistrict = city.subdistricts[0]
    response = client.post(MUTES, {"kind": "spike", "subdistrict": subdistrict.code, "reason": "节日活动"})
    assert response.status_code == 302
    mute = RiskMute.objects.get()
    assert mute.kind == "spike" and mute.subdistrict == subdistrict and mute.key == ""
    assert as_user("leader").post(MUTES, {"kind": "spike", "subdistrict": subdistrict.code,
                                          "reason": "x"}).status_code == 403
    assert RiskMute.objects.count() == 1


def test_pages_in_the_navigation_and_no_external_asset(as_user, alert):
    red = alert()
    client = as_user("supervisor")
    home = html(client.get("/"))
    assert 'href="/workbench/alerts/"' in home
    assert 'href="/workbench/alerts/"' in html(as_user("handler").get("/"))  # to report back on theirs
    assert 'href="/workbench/alerts/"' not in html(as_user("operator").get("/"))
    client = as_user("admin")
    for path in [LIST, MUTES, f"/workbench/alerts/{red.pk}/"]:
        assert not re.findall(r'(?:src|href|action)="(?:https?:)?//', html(client.get(path))), path

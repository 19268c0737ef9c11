"""The workflow (acknowledge, assign, report back, resolve), muting, permissions, 409s and the audit trail."""
import datetime as dt

import pytest
from django.utils import timezone

from shiyu.core.errors import IllegalTransition, InvalidInput, NotAllowed
from shiyu.core.models import AuditEvent
from shiyu.risk import services
from shiyu.risk.models import RiskAlert, RiskMute, Signal

pytestmark = pytest.mark.django_db


def trail(alert):
    return list(AuditEvent.objects.filter(target_type="risk_alert", target_id=alert.pk).order_by("id")
                .values_list("action", "from_state", "to_state"))


def test_the_workflow_is_audited_step_by_step(alert, users):
    alert = alert()
    assert trail(alert) == [("risk.raise", "", "open")]
    services.acknowledge(actor=users.supervisor, alert=alert, note="已联系社区")
    services.assign(actor=users.supervisor, alert=alert, unit=users.subhandler.unit, note="请街道上门")
    services.assign(actor=users.supervisor, alert=alert, user=users.handler)  # reassigned to a person
    alert = services.resolve(actor=users.supervisor, alert=alert, note="已上门疏导，情绪稳定")
    assert alert.status == "resolved" and alert.resolution_note == "已上门疏导，情绪稳定"
    assert alert.assigned_user == users.handler and alert.assigned_unit == users.handler.unit
    assert alert.acknowledged_by == alert.resolved_by == users.supervisor
    assert trail(alert) == [("risk.raise", "", "open"), ("risk.acknowledge", "open", "acknowledged"),
                            ("risk.assign", "acknowledged", "assigned"), ("risk.assign", "assigned", "assigned"),
                            ("risk.resolve", "assigned", "resolved")]
    event = AuditEvent.objects.filter(target_type="risk_alert", action="risk.assign").first()
    assert event.actor == users.supervisor and event.note == "请街道上门"


def test_illegal_steps_answer_409_with_the_state_and_what_is_allowed(alert, users):
    alert = alert()
    services.acknowledge(actor=users.supervisor, alert=alert)
    with pytest.raises(IllegalTransition) as error:
        services.acknowledge(actor=users.supervisor, alert=alert)
    assert error.value.current == "acknowledged" and error.value.allowed == ["assign", "resolve"]
    services.resolve(actor=users.supervisor, alert=alert, note="已处置")
    for action, extra in (("acknowledge", {}), ("assign", {"user": users.handler}), ("resolve", {"note": "x"})):
        with pytest.raises(IllegalTransition) as error:
            getattr(services, action)(actor=users.supervisor, alert=alert, **extra)
        assert error.value.current == "resolved" and error.value.allowed == []


def test_only_supervisors_and_admins_handle_alerts(alert, users):
    alert = alert()
    for name in ("leader", "handler", "operator", "dispatcher", "citizen"):
        with pytest.raises(NotAllowed):
            services.acknowledge(actor=getattr(users, name), alert=alert)
        assert services.allowed_actions(getattr(users, name), alert) == []
    assert services.allowed_actions(users.admin, alert) == ["acknowledge", "assign", "resolve"]
    services.acknowledge(actor=users.admin, alert=alert)


def test_the_assignee_reports_back_and_a_supervisor_decides(alert, users, city):
    alert = services.assign(actor=users.supervisor, alert=alert(), unit=city.units["urban_management"])
    assert services.allowed_actions(users.handler, alert) == ["report"]  # a handler of the unit
    assert services.allowed_actions(users.handler2, alert) == []
    assert "report" not in services.allowed_actions(users.supervisor, alert)
    for outsider in (users.handler2, users.supervisor):
        with pytest.raises(NotAllowed):
            services.report(actor=outsider, alert=alert, note="已处置")
    with pytest.raises(InvalidInput) as error:
        services.report(actor=users.handler, alert=alert, note="  ")
    assert "note" in error.value.fields
    alert = services.report(actor=users.handler, alert=alert, note="已上门核实，正在协调")
    assert (alert.status, alert.reported_by, alert.report_note) == ("reported", users.handler, "已上门核实，正在协调")
    with pytest.raises(IllegalTransition) as error:
        services.report(actor=users.handler, alert=alert, note="再报一次")
    assert error.value.current == "reported" and error.value.allowed == []
    assert services.allowed_actions(users.supervisor, alert) == ["assign", "resolve"]

    alert = services.assign(actor=users.supervisor, alert=alert, user=users.subhandler)  # not enough: again
    assert alert.report_note == "" and alert.reported_by is None  # the last report stays in the trail
    assert services.allowed_actions(users.subhandler, alert) == ["report"]
    assert services.allowed_actions(users.handler, alert) == []
    services.report(actor=users.subhandler, alert=alert, note="街道已化解")
    alert = services.resolve(actor=users.supervisor, alert=alert, note="经街道化解，已稳控")
    assert [step[0] for step in trail(alert)] == ["risk.raise", "risk.assign", "risk.report", "risk.assign",
                                                 "risk.report", "risk.resolve"]


def test_the_assigned_unit_and_then_the_supervisors_are_told(alert, users, city):
    from shiyu.deadlines.selectors import notifications_for

    alert = services.assign(actor=users.supervisor, alert=alert(), unit=city.units["urban_management"])
    (told,) = notifications_for(users.handler)
    assert told.kind == "risk_alert" and told.unit == users.handler.unit
    assert f"风险预警 {alert.pk}" in told.text and "跳楼" in told.text  # in the city's language, with the reason
    assert told.link == f"/workbench/alerts/{alert.pk}/"
    assert not notifications_for(users.handler2).exists() and not notifications_for(users.supervisor).exists()
    services.report(actor=users.handler, alert=alert, note="已上门疏导")
    (told,) = notifications_for(users.supervisor)
    assert told.role == "supervisor" and "已上门疏导" in told.text


def test_bad_input_names_the_field(alert, users, city):
    alert = alert()
    with pytest.raises(InvalidInput) as error:
        services.resolve(actor=users.supervisor, alert=alert, note="  ")
    assert "note" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        services.assign(actor=users.supervisor, alert=alert)
    assert "unit" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        services.assign(actor=users.supervisor, alert=alert, user=users.citizen)
    assert "user" in error.value.fields
    with pytest.raises(InvalidInput):
        services.acknowledge(actor=users.supervisor, alert=alert, note="长" * (services.NOTE_MAX + 1))
    assert RiskAlert.objects.get(pk=alert.pk).status == "open"


def test_a_resolved_signal_raises_a_new_alert_when_it_fires_again(alert, make_ticket, scan, users):
    first = alert()
    services.resolve(actor=users.supervisor, alert=first, note="已处置")
    second = alert()  # the same caller again: a new alert, the old one stays resolved
    assert second.pk != first.pk and second.key == first.key and second.status == "open"
    assert RiskAlert.objects.filter(key=first.key).count() == 2


# ---------------------------------------------------------------- muting


def test_a_muted_key_raises_nothing_until_unmuted(alert, make_ticket, scan, users):
    noisy = alert()
    services.resolve(actor=users.supervisor, alert=noisy, note="精神障碍患者，社区已建档")
    mute = services.mute(actor=users.supervisor, alert=noisy, reason="同一来电人长期反复来电，社区已跟进")
    assert (mute.kind, mute.key) == (noisy.kind, noisy.key)
    make_ticket(description="我要跳楼")
    result = scan()
    assert (result.raised, result.muted) == (0, 1)
    services.unmute(actor=users.supervisor, mute=mute)
    make_ticket(description="我要跳楼")
    assert scan().raised == 1
    actions = list(AuditEvent.objects.filter(target_type="risk_mute", target_id=mute.pk).values_list("action",
                                                                                                   flat=True))
    assert actions == ["risk.mute", "risk.unmute"]


def test_a_mute_by_area_and_category_and_its_expiry(make_ticket, scan, users, city, phone):
    subdistrict = city.grids[0].community.parent
    now = timezone.now()
    services.mute(actor=users.supervisor, kind=Signal.DANGER_WORDS, subdistrict=subdistrict,
                  reason="演练期间", expires_at=now + dt.timedelta(hours=1))
    make_ticket(description="着火了", reporter_phone=phone())
    assert scan().muted == 1
    make_ticket(description="着火了", reporter_phone=phone())
    assert scan(now + dt.timedelta(hours=2)).raised == 1  # expired


def test_mutes_are_checked(alert, users, city):
    a = alert()
    with pytest.raises(NotAllowed):
        services.mute(actor=users.leader, alert=a, reason="x")
    with pytest.raises(InvalidInput) as error:
        services.mute(actor=users.supervisor, kind=Signal.SPIKE, reason="整类静音")
    assert "kind" in error.value.fields  # a whole signal is not muted
    with pytest.raises(InvalidInput) as error:
        services.mute(actor=users.supervisor, kind="nonsense", subdistrict=city.subdistricts[0], reason="x")
    assert "kind" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        services.mute(actor=users.supervisor, kind=Signal.SPIKE, category=city.leaves[0], reason="x",
                      expires_at=timezone.now() - dt.timedelta(days=1))
    assert {"category", "expires_at"} <= set(error.value.fields)
    with pytest.raises(InvalidInput) as error:
        services.mute(actor=users.supervisor, alert=a, reason="")
    assert "reason" in error.value.fields
    services.mute(actor=users.supervisor, alert=a, reason="已知")
    with pytest.raises(InvalidInput):
        services.mute(actor=users.supervisor, alert=a, reason="再静音一次")
    assert RiskMute.objects.count() == 1


def test_unmuting_twice_is_a_409(alert, users):
    mute = services.mute(actor=users.supervisor, alert=alert(), reason="已知")
    services.unmute(actor=users.supervisor, mute=mute)
    with pytest.raises(IllegalTransition) as error:
        services.unmute(actor=users.supervisor, mute=mute)
    assert error.value.current == "unmuted"
    with pytest.raises(NotAllowed):
        services.unmute(actor=users.leader, mute=mute)

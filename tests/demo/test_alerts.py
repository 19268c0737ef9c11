"""The demo's alerts in hand: each step of the workflow once, through the services."""
import pytest

from shiyu.demo.alerts import seed_alert_handling
from shiyu.deadlines.selectors import notifications_for
from shiyu.risk.models import RiskAlert
from shiyu.risk.selectors import alerts_to_report

pytestmark = pytest.mark.django_db


def test_the_most_serious_alerts_are_taken_up_one_step_each(users, make_ticket, city, monkeypatch):
    import datetime as dt

    from shiyu.risk import services as risk
    from shiyu.tickets.services import dispatch_ticket

    monkeypatch.setattr(risk, "SETTLE", dt.timedelta(0))  # the scan reads the tickets of a moment ago
    for number, text in enumerate(["他说再不解决就跳楼。", "楼道里有很重的煤气味，怀疑燃气泄漏。", "我要去上访"]):
        make_ticket(description=text, reporter_phone=f"1390000100{number}")
    ours = make_ticket(description="业主扬言要跳楼，请尽快处理违建。", reporter_phone="13900001009")
    dispatch_ticket(actor=users.dispatcher, ticket=ours, lead_unit=city.units["urban_management"])
    taken = seed_alert_handling()
    assert [a.status for a in taken] == ["assigned", "reported", "acknowledged"]
    waiting, reported, _seen = taken
    assert waiting.assigned_unit == users.handler.unit  # the demo handler's unit comes first
    assert list(alerts_to_report(users.handler)) == [waiting]
    assert reported.report_note and reported.reported_by.role == "handler"
    assert any(n.kind == "risk_alert" for n in notifications_for(users.handler))
    assert any(n.kind == "risk_alert" for n in notifications_for(users.supervisor))
    assert RiskAlert.objects.filter(status="open").count() == RiskAlert.objects.count() - 3


def test_no_alerts_nothing_taken(db):
    assert seed_alert_handling() == []

"""The deadline sweep runs the scan: an overdue ticket of a risky category raises its
alert in the sweep that escalates it; a failing scan leaves the sweep whole."""
import datetime as dt

import pytest

from shiyu.deadlines.models import Escalation
from shiyu.deadlines.services import sweep
from shiyu.risk import selectors, services
from shiyu.risk.models import RiskAlert, RiskScan, Signal
from shiyu.tickets import services as tickets
from shiyu.workcal import SHANGHAI

pytestmark = pytest.mark.django_db
DISPATCHED = dt.datetime(2026, 11, 17, 15, tzinfo=SHANGHAI)  # a Tuesday
LATE = dt.datetime(2026, 12, 10, 10, tzinfo=SHANGHAI)  # long past seven working days


def test_the_sweep_raises_the_alert_of_a_risky_ticket_it_escalates(make_ticket, users, city, category):
    ticket = make_ticket(category=category("110301"))  # 燃气泄漏隐患
    tickets.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=city.units["urban_management"],
                            now=DISPATCHED)
    result = sweep(LATE)
    assert result.overdue == 1 and result.risk_alerts >= 1
    alert = RiskAlert.objects.get(kind=Signal.OVERDUE_RISKY)
    assert alert.tickets.get() == ticket and Escalation.objects.get(ticket=ticket).level == 1
    assert RiskScan.objects.get().escalation_id == Escalation.objects.get().pk
    again = sweep(LATE + dt.timedelta(minutes=1))
    assert again.risk_alerts == 0 and RiskAlert.objects.count() == result.risk_alerts


def test_a_failing_scan_does_not_stop_the_sweep(make_ticket, users, city, category, monkeypatch, caplog):
    ticket = make_ticket(category=category("110301"))
    tickets.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=city.units["urban_management"],
                            now=DISPATCHED)

    def broken(now):
        RiskAlert.objects.create(kind=Signal.SPIKE, key="half-written", level="blue", reason="-")
        raise RuntimeError("bug in a signal")

    monkeypatch.setattr(services, "scan_risks", broken)
    result = sweep(LATE)
    assert result.overdue == 1 and result.risk_alerts == 0
    assert Escalation.objects.filter(ticket=ticket).exists()  # the sweep's own work is kept
    assert not RiskAlert.objects.filter(key="half-written").exists()  # the scan's is rolled back
    assert "risk scan failed" in caplog.text


def test_the_dashboard_reads_open_alerts_by_level(alert, phone, users):
    red = alert(reporter_phone=phone())
    alert(reporter_phone=phone(), description="我要去上访")
    alert(reporter_phone=phone(), description="我要去上访")
    services.resolve(actor=users.supervisor, alert=red, note="已处置")
    assert selectors.open_alerts_by_level(users.leader) == {"red": 0, "orange": 0, "yellow": 2, "blue": 0}
    assert selectors.open_alerts_by_level(users.citizen) == {"red": 0, "orange": 0, "yellow": 0, "blue": 0}
    recent = selectors.recent_alerts(users.supervisor, limit=1)
    assert len(recent) == 1 and recent[0].level == "yellow"

"""The demo's risk alerts in hand: the first sweep runs at once (deadline colours,
escalations, the risk scan, the dashboard's figures), and a supervisor has taken up
the most serious alerts, one step each, so that every step of the workflow can be seen:
one assigned and waiting for its unit's report, one reported back, one acknowledged."""
from __future__ import annotations

from shiyu.core.models import Role, User
from shiyu.deadlines.services import sweep
from shiyu.org.models import HandlingUnit
from shiyu.risk import services
from shiyu.risk.models import SEVERITY, RiskAlert

# The demo handler's unit: its alert is the one they see waiting on their landing page.
DEMO_UNIT = "urban_management"
REPORT = "已联系当事人并到现场核实，问题已交由责任单位限期整改，将持续跟踪。"


def seed_alert_handling() -> list[RiskAlert]:
    """Sweep once, then take up to three open alerts, most serious first: assign one to
    the unit that handles its tickets (the demo handler's unit when it handles any),
    assign another and report back on it as that unit, acknowledge a third."""
    sweep()
    supervisor = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    alerts = sorted(RiskAlert.objects.filter(status=RiskAlert.Status.OPEN).prefetch_related("tickets__lead_unit"),
                    key=lambda alert: (-SEVERITY[alert.level], alert.pk))
    if supervisor is None or not alerts:
        return []
    alerts.sort(key=lambda alert: _handling_unit(alert).key != DEMO_UNIT)  # stable: still most serious first
    taken = []
    for alert, step in zip(alerts, ("wait", "report", "acknowledge")):
        if step == "acknowledge":
            taken.append(services.acknowledge(actor=supervisor, alert=alert, note="已阅，请持续关注。"))
            continue
        unit = _handling_unit(alert)
        alert = services.assign(actor=supervisor, alert=alert, unit=unit, note="请核实情况并反馈处置结果。")
        handler = User.objects.filter(role=Role.HANDLER, unit=unit).order_by("pk").first()
        if step == "report" and handler is not None:
            alert = services.report(actor=handler, alert=alert, note=REPORT)
        taken.append(alert)
    return taken


def _handling_unit(alert: RiskAlert) -> HandlingUnit:
    """The unit that handles the alert's tickets; the demo handler's unit for an alert
    about none (a spike, say)."""
    units = [t.lead_unit for t in alert.tickets.all() if t.lead_unit_id and t.lead_unit.active]
    return units[0] if units else HandlingUnit.objects.get(key=DEMO_UNIT)

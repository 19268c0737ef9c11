"""Every write to risk alerts and mutes: the scan that raises alerts, and one function per
supervisor action.

Each action checks the actor's permission and the alert's state, then writes the change
and its audit event in one transaction; all events target the alert (target_type
"risk_alert") or the mute ("risk_mute"). Supervisors and admins handle alerts and mutes;
leaders and the assigned units read them (selectors.visible_alerts).

Workflow: open -> acknowledged -> assigned -> resolved; an alert may be assigned (or
reassigned) or resolved from any state before resolved. A resolved alert is final: the
signal raises a new one if it fires again."""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from shiyu.core.audit import record
from shiyu.core.errors import IllegalTransition, InvalidInput, NotAllowed, clean_text
from shiyu.core.models import Role, User
from shiyu.deadlines.models import Escalation, Notification
from shiyu.geo.models import AdminUnit
from shiyu.intake.models import SimilarTicket
from shiyu.org.models import HandlingUnit
from shiyu.tickets.models import Category, Ticket

from . import signals
from .models import SEVERITY, RiskAlert, RiskMute, RiskScan, Signal
from .selectors import TARGET, active_mutes

log = logging.getLogger(__name__)

HANDLING_ROLES = {Role.SUPERVISOR, Role.ADMIN}
NOTE_MAX, REASON_MAX = 2000, 2000
NOTIFIED_CHARS = 80  # of an alert's reason or report quoted in a notification
S = RiskAlert.Status
# Action -> the statuses it may start from, and its past participle for messages.
TRANSITIONS = {
    "acknowledge": {S.OPEN},
    "assign": {S.OPEN, S.ACKNOWLEDGED, S.ASSIGNED, S.REPORTED},
    "report": {S.ASSIGNED},
    "resolve": {S.OPEN, S.ACKNOWLEDGED, S.ASSIGNED, S.REPORTED},
}
DONE = {"acknowledge": gettext_lazy("acknowledged"), "assign": gettext_lazy("assigned"),
        "report": gettext_lazy("reported back"), "resolve": gettext_lazy("resolved")}
# The assignee reports back; supervisors (and admins) do the rest.
ASSIGNEE_ACTIONS = {"report"}
# New rows a scan reads at most from each source; a backlog is read over the next sweeps.
BATCH = 2000
# A row younger than this may still have an uncommitted neighbour with a lower id (signals._settled).
SETTLE = dt.timedelta(seconds=30)
# A database that has never been scanned is read from this far back, not from its first row.
FIRST_LOOK_BACK = dt.timedelta(days=1)


def may_handle(actor) -> bool:
    return actor is not None and actor.is_authenticated and actor.has_role(*HANDLING_ROLES)


def is_assignee(actor, alert: RiskAlert) -> bool:
    """The person the alert is assigned to, or a handler of the unit it is assigned to."""
    if actor is None or not actor.is_authenticated:
        return False
    return alert.assigned_user_id == actor.pk or (
        alert.assigned_unit_id is not None and actor.unit_id == alert.assigned_unit_id and actor.role == Role.HANDLER)


def _may(actor, action: str, alert: RiskAlert) -> bool:
    return is_assignee(actor, alert) if action in ASSIGNEE_ACTIONS else may_handle(actor)


def allowed_actions(actor, alert: RiskAlert) -> list[str]:
    """What `actor` may do with the alert now: the same checks the services make."""
    return [action for action, sources in TRANSITIONS.items()
            if alert.status in sources and _may(actor, action, alert)]


def _event(actor, action: str, alert: RiskAlert, *, from_state: str = "", note: str = "",
           data: dict | None = None) -> None:
    record(actor=actor, action=f"risk.{action}", target_type=TARGET, target_id=alert.pk, from_state=from_state,
           to_state=alert.status, note=note, data=data or {})



# ---------------------------------------------------------------- the workflow


def _locked(alert: RiskAlert | int, actor, action: str) -> RiskAlert:
    if action not in ASSIGNEE_ACTIONS and not may_handle(actor):
        raise NotAllowed(_("Only supervisors handle risk alerts."))
    pk = alert.pk if isinstance(alert, RiskAlert) else alert
    alert = RiskAlert.objects.select_for_update().get(pk=pk)
    if action in ASSIGNEE_ACTIONS and not is_assignee(actor, alert):
        raise NotAllowed(_("Only the person or the unit the alert is assigned to reports back on it."))
    if alert.status not in TRANSITIONS[action]:
        raise IllegalTransition(_("The alert is %(status)s: it cannot be %(action)s.") % {
            "status": alert.get_status_display(), "action": DONE[action]},
            current=alert.status, allowed=allowed_actions(actor, alert))
    return alert


@transaction.atomic
def acknowledge(*, actor, alert: RiskAlert | int, note: str = "", now: dt.datetime | None = None) -> RiskAlert:
    """确认: a supervisor has seen the alert and takes it in hand."""
    alert = _locked(alert, actor, "acknowledge")
    note = clean_text(note, "note", NOTE_MAX)
    before = alert.status
    alert.status, alert.acknowledged_by, alert.acknowledged_at = S.ACKNOWLEDGED, actor, now or timezone.now()
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    _event(actor, "acknowledge", alert, from_state=before, note=note)
    return alert


@transaction.atomic
def assign(*, actor, alert: RiskAlert | int, unit: HandlingUnit | None = None, user: User | None = None,
           note: str = "", now: dt.datetime | None = None) -> RiskAlert:
    """交办: to a handling unit, a person, or a person and their unit. Reassigning is allowed."""
    alert = _locked(alert, actor, "assign")
    problems = {}
    if unit is None and user is None:
        problems["unit"] = [_("Name a handling unit or a person.")]
    if unit is not None and not unit.active:
        problems["unit"] = [_("Not an active handling unit.")]
    if user is not None and (not user.is_active or user.role == Role.CITIZEN):
        problems["user"] = [_("Not an active member of staff.")]
    if problems:
        raise InvalidInput(_("The assignment has errors."), fields=problems)
    note = clean_text(note, "note", NOTE_MAX)
    before = alert.status
    alert.status, alert.assigned_at = S.ASSIGNED, now or timezone.now()
    alert.assigned_unit = unit or (user.unit if user is not None else None)
    alert.assigned_user = user
    alert.reported_by, alert.reported_at, alert.report_note = None, None, ""  # the last report: in the trail
    if alert.acknowledged_at is None:  # assigning it is taking it in hand
        alert.acknowledged_by, alert.acknowledged_at = actor, alert.assigned_at
    alert.save()
    _event(actor, "assign", alert, from_state=before, note=note,
           data={"unit": alert.assigned_unit_id, "user": user and user.pk})
    if alert.assigned_unit_id:
        _notify(alert, gettext_noop("Risk alert %(id)s (%(level)s) is assigned to your unit: %(reason)s"),
                unit_id=alert.assigned_unit_id)
    return alert


@transaction.atomic
def report(*, actor, alert: RiskAlert | int, note: str, now: dt.datetime | None = None) -> RiskAlert:
    """处置反馈: the assignee says what was done; a supervisor then resolves the alert,
    or assigns it again (the supervisors are told)."""
    alert = _step_with_note(actor, alert, "report", note, now, S.REPORTED,
                            ("reported_by", "reported_at", "report_note"))
    _notify(alert, gettext_noop("Risk alert %(id)s (%(level)s) has a report back: %(report)s"), role=Role.SUPERVISOR)
    return alert


@transaction.atomic
def resolve(*, actor, alert: RiskAlert | int, note: str, now: dt.datetime | None = None) -> RiskAlert:
    """化解/办结: the risk is dealt with; the note says how."""
    return _step_with_note(actor, alert, "resolve", note, now, S.RESOLVED,
                           ("resolved_by", "resolved_at", "resolution_note"))


def _notify(alert: RiskAlert, message: str, *, unit_id: int | None = None, role: str = "") -> None:
    """A notification for a unit's staff or a role, stored in the city's language (it is
    read later, by whoever is on duty)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(message) % {"id": alert.pk, "level": alert.get_level_display(),
                             "reason": Truncator(alert.reason).chars(NOTIFIED_CHARS),
                             "report": Truncator(alert.report_note).chars(NOTIFIED_CHARS)}
    Notification.objects.create(unit_id=unit_id, role=role, kind=Notification.Kind.RISK_ALERT, text=text,
                                link=reverse("web:alert", kwargs={"pk": alert.pk}))


def _step_with_note(actor, alert: RiskAlert | int, action: str, note: str, now: dt.datetime | None, status: str,
                    fields: tuple[str, str, str]) -> RiskAlert:
    """A step that needs a note: who took it, when and the note go in the alert's `fields`."""
    alert = _locked(alert, actor, action)
    note = clean_text(note, "note", NOTE_MAX, required=True)
    before = alert.status
    by, at, text = fields
    alert.status = status
    setattr(alert, by, actor)
    setattr(alert, at, now or timezone.now())
    setattr(alert, text, note)
    alert.save(update_fields=["status", *fields])
    _event(actor, action, alert, from_state=before, note=note)
    return alert


# ---------------------------------------------------------------- muting


@transaction.atomic
def mute(*, actor, reason: str, alert: RiskAlert | None = None, kind: str = "",
         subdistrict: AdminUnit | None = None, category: Category | None = None,
         expires_at: dt.datetime | None = None, now: dt.datetime | None = None) -> RiskMute:
    """Silence a noisy signal: the one an alert came from (its kind and key), or a kind in
    a subdistrict and/or a top-level category. Until unmuted or expired it raises nothing."""
    if not may_handle(actor):
        raise NotAllowed(_("Only supervisors mute signals."))
    now = now or timezone.now()
    kind, key = (alert.kind, alert.key) if alert is not None else (kind, "")
    problems = _mute_problems(kind, key, subdistrict, category, expires_at, now)
    if problems:
        raise InvalidInput(_("The mute has errors."), fields=problems)
    reason = clean_text(reason, "reason", REASON_MAX, required=True)
    scope = dict(kind=kind, key=key, subdistrict=subdistrict, category=category)
    if any(m.active_at(now) for m in RiskMute.objects.filter(**scope)):
        raise InvalidInput(_("This signal is muted already."), fields={"kind": [_("Muted already.")]})
    muted = RiskMute.objects.create(**scope, reason=reason, muted_by=actor, muted_at=now, expires_at=expires_at)
    record(actor=actor, action="risk.mute", target_type="risk_mute", target_id=muted.pk, note=reason,
           data={"kind": kind, "key": key, "subdistrict": subdistrict and subdistrict.pk,
                 "category": category and category.pk, "alert": alert and alert.pk,
                 "expires_at": expires_at and expires_at.isoformat()})
    return muted


def _mute_problems(kind, key, subdistrict, category, expires_at, now) -> dict[str, list[str]]:
    problems = {}
    if kind not in Signal.values:
        problems["kind"] = [_("Not a signal.")]
    elif not (key or subdistrict or category):
        problems["kind"] = [_("Name an alert, a subdistrict or a category: a whole signal is not muted.")]
    if subdistrict is not None and subdistrict.level != AdminUnit.Level.SUBDISTRICT:
        problems["subdistrict"] = [_("Not a subdistrict.")]
    if category is not None and category.parent_id is not None:
        problems["category"] = [_("Not a top-level category.")]
    if expires_at is not None and expires_at <= now:
        problems["expires_at"] = [_("Must be in the future.")]
    return problems


@transaction.atomic
def unmute(*, actor, mute: RiskMute | int, now: dt.datetime | None = None) -> RiskMute:
    """The signal raises alerts again from the next scan."""
    if not may_handle(actor):
        raise NotAllowed(_("Only supervisors unmute signals."))
    pk = mute.pk if isinstance(mute, RiskMute) else mute
    mute = RiskMute.objects.select_for_update().get(pk=pk)
    now = now or timezone.now()
    if not mute.active_at(now):
        state = "unmuted" if mute.unmuted_at else "expired"
        raise IllegalTransition(_("This mute is no longer in force."), current=state, allowed=[])
    mute.unmuted_by, mute.unmuted_at = actor, now
    mute.save(update_fields=["unmuted_by", "unmuted_at"])
    record(actor=actor, action="risk.unmute", target_type="risk_mute", target_id=mute.pk)
    return mute


# ---------------------------------------------------------------- raising


@dataclass
class ScanResult:
    raised: int = 0  # new alerts
    updated: int = 0  # open alerts that gained tickets or a higher level
    muted: int = 0  # candidates dropped by a mute
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)  # new alerts per signal


def raise_alerts(candidates: list[signals.Candidate], now: dt.datetime, result: ScanResult) -> None:
    """Each candidate raises an alert, updates the unresolved one with its kind and key,
    or is dropped: muted, or (a `once` candidate) its alert was resolved already."""
    mutes = active_mutes(now)
    for candidate in candidates:
        if any(m.covers(candidate.kind, candidate.key, candidate.subdistrict_id, candidate.category_id)
               for m in mutes):
            result.muted += 1
            continue
        alerts = RiskAlert.objects.select_for_update().filter(kind=candidate.kind, key=candidate.key)
        current = alerts.exclude(status=S.RESOLVED).first()
        if current is not None:
            result.updated += _update(current, candidate, now)
        elif not (candidate.once and alerts.exists()):
            _create(candidate, now)
            result.raised += 1
            result.by_kind[candidate.kind] = result.by_kind.get(candidate.kind, 0) + 1


def _create(candidate: signals.Candidate, now: dt.datetime) -> RiskAlert:
    alert = RiskAlert.objects.create(kind=candidate.kind, key=candidate.key, level=candidate.level,
                                     reason=candidate.reason, subdistrict_id=candidate.subdistrict_id,
                                     category_id=candidate.category_id, raised_at=now, updated_at=now)
    alert.tickets.add(*candidate.ticket_ids)
    _event(None, "raise", alert, note=candidate.reason,
           data={"level": alert.level, "tickets": sorted(candidate.ticket_ids)})
    return alert


def _update(alert: RiskAlert, candidate: signals.Candidate, now: dt.datetime) -> int:
    """1 if the candidate brought new tickets or a higher level, else 0 (nothing written)."""
    added = candidate.ticket_ids - set(alert.tickets.values_list("pk", flat=True))
    higher = SEVERITY[candidate.level] > SEVERITY[alert.level]
    if not added and not higher:
        return 0
    before = alert.level
    alert.level = candidate.level if higher else alert.level
    alert.reason, alert.updated_at, alert.times_raised = candidate.reason, now, alert.times_raised + 1
    alert.save(update_fields=["level", "reason", "updated_at", "times_raised"])
    alert.tickets.add(*added)
    _event(None, "update", alert, from_state=alert.status, note=candidate.reason,
           data={"level": [before, alert.level], "tickets_added": sorted(added)})
    return 1


# ---------------------------------------------------------------- the scan


def sweep_risks(now: dt.datetime) -> int:
    """The deadline sweep's part: scan_risks in a savepoint, so that a failing scan is
    logged and rolled back alone and never holds up deadlines and escalations. Returns
    how many alerts were raised."""
    try:
        with transaction.atomic():
            return scan_risks(now).raised
    except Exception:
        log.exception("risk scan failed")
        return 0


def scan_risks(now: dt.datetime | None = None) -> ScanResult:
    """Read what is new since the last scan (tickets, similar-ticket links, escalations,
    today's counts) and raise or update alerts. Run by the deadline sweep inside its
    transaction, which makes scans one at a time; quick on a large database: it reads
    only rows after its watermarks, and the spike baselines once a day."""
    started = time.perf_counter()
    now = now or timezone.now()
    result = ScanResult()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        state = _scan_state(now)
        settled = now - SETTLE
        tickets = signals.new_tickets(state.ticket_id, settled, BATCH)
        links = signals.new_links(state.link_id, settled, BATCH)
        escalations = signals.new_escalations(state.escalation_id, BATCH)
        candidates = [*signals.danger_words(tickets), *signals.repeat_reporters(links, now),
                      *signals.collective_complaints(links, now), *signals.overdue_risky(escalations),
                      *_spikes(state, now)]
        raise_alerts(candidates, now, result)
        state.ticket_id = tickets[-1].pk if tickets else state.ticket_id
        state.link_id = links[-1].pk if links else state.link_id
        state.escalation_id = escalations[-1].pk if escalations else state.escalation_id
        state.scanned_at = now
        state.save()
    result.seconds = round(time.perf_counter() - started, 4)
    return result


def _scan_state(now: dt.datetime) -> RiskScan:
    state = RiskScan.objects.select_for_update().filter(pk=1).first()
    if state is not None:
        return state
    # A first scan starts a day back: not at the first of perhaps millions of old tickets.
    since = now - FIRST_LOOK_BACK
    first_ticket = Ticket.objects.filter(created_at__gte=since).order_by("created_at").values_list("pk", flat=True)
    last_ticket = _before(first_ticket.first(), Ticket)
    first_link = SimilarTicket.objects.filter(ticket_id__gt=last_ticket).order_by("pk").values_list("pk", flat=True)
    first_escalation = Escalation.objects.filter(created_at__gte=since).order_by("pk").values_list("pk", flat=True)
    return RiskScan.objects.create(pk=1, ticket_id=last_ticket, link_id=_before(first_link.first(), SimilarTicket),
                                   escalation_id=_before(first_escalation.first(), Escalation))


def _before(first_new: int | None, model) -> int:
    """The watermark just before the first row to read; after the last row when none is new."""
    if first_new is not None:
        return first_new - 1
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _spikes(state: RiskScan, now: dt.datetime) -> list[signals.Candidate]:
    """Once a local day the thresholds (and yesterday's spikes, complete); every scan the
    series that reached today's threshold already."""
    today = timezone.localdate(now)
    candidates = []
    if state.spike_day != today:
        state.spike_thresholds, candidates = signals.spike_thresholds(today)
        state.spike_day = today
    return [*candidates, *signals.spikes_today(state.spike_thresholds, today)]

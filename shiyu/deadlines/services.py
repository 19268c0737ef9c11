"""Writes: the deadline sweep, seeding and versioning the holiday calendar, reading notifications."""
from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field

import chinese_calendar
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shiyu.core.audit import record, record_many
from shiyu.core.errors import NotFound
from shiyu.core.models import AuditEvent, Role
from shiyu.intake.services import search_pending_similar
from shiyu.proactive.services import sweep_proactive_tasks
from shiyu.risk.services import sweep_risks
from shiyu.summons.services import sweep_summons
from shiyu.tickets.models import Category, DeadlineState, Ticket

from .models import CalendarDay, CalendarVersion, Escalation, Notification, SweepLock
from .selectors import ALERTED, Thresholds, forget_schedule, missing_calendar_years, notifications_for

BATCH = 500  # ids a statement: far below SQLite's limit on parameters

# chinese_calendar names its holidays in English; the table holds what admins enter, in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


# ---------------------------------------------------------------- the calendar


def bump_calendar_version(using: str = DEFAULT_DB_ALIAS) -> None:
    """Tell every process that the holiday calendar changed."""
    with transaction.atomic(using=using):
        versions = CalendarVersion.objects.using(using)
        if not versions.filter(pk=1).update(version=F("version") + 1):
            versions.create(pk=1, version=1)
    forget_schedule()  # this process at once; the others when they next compare versions
    transaction.on_commit(forget_schedule, using=using)


def seed_calendar(using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """Load from chinese_calendar every year it knows that the table holds no day of:
    a new database, one just flushed, or a package upgrade that brings a new year.
    A year already in the table is the admins' and stays as they left it. Returns
    the years loaded."""
    days = CalendarDay.objects.using(using)
    present = {day.year for day in days.values_list("date", flat=True)}
    rows = [CalendarDay(date=day, kind=kind, name=HOLIDAY_NAMES.get(name, name)[:32])
            for kind, source in ((CalendarDay.Kind.HOLIDAY, chinese_calendar.holidays),
                                 (CalendarDay.Kind.WORKDAY, chinese_calendar.workdays))
            for day, name in source.items() if day.year not in present]
    if not rows:
        return []
    days.bulk_create(rows, batch_size=BATCH)
    bump_calendar_version(using)
    return sorted({row.date.year for row in rows})


# ---------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    skipped: bool = False  # another process is sweeping, or swept less than min_interval ago
    on_time: int = 0  # tickets turned green again (extended, returned, answered ...)
    due_soon: int = 0  # turned yellow; their units notified
    overdue: int = 0  # turned red; escalated and their units notified
    missing_years: list[int] = field(default_factory=list)  # deadlines there count on the fallback
    warned_years: list[int] = field(default_factory=list)  # warned about in this run (once a year)
    summons_missing: int = 0  # summoned departments marked missing (吹哨报到, past their time to report)
    proactive_overdue: int = 0  # proactive tasks (未诉先办) that newly missed their deadline
    risk_alerts: int = 0  # risk alerts raised (shiyu.risk: repeat callers, collective complaints, danger words ...)
    similar_searched: int = 0  # machine-channel tickets searched for repeats and duplicates
    seconds: float = 0.0


def sweep(now: dt.datetime | None = None, *, min_interval: float = 0.0) -> SweepResult:
    """Store every open ticket's deadline colour, escalate the tickets that newly
    missed their deadline to the supervisors (督办), notify their units, warn the
    supervisors once about a year whose holiday schedule is missing, mark the summoned
    departments that did not report in time as missing, and look for the repeats and
    duplicates of the tickets machines sent in since the last sweep.

    Idempotent: with nothing changed, a second run writes nothing new. Only one
    process sweeps at a time (the SweepLock row); `min_interval` seconds: skip if
    any process swept that recently (the periodic runners in every web process)."""
    started = time.perf_counter()
    now = now or timezone.now()
    SweepLock.objects.get_or_create(pk=1)
    with transaction.atomic():
        lock = SweepLock.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if lock is None or (min_interval and lock.swept_at and
                            abs((now - lock.swept_at).total_seconds()) < min_interval):
            return SweepResult(skipped=True)
        thresholds, round_the_clock = Thresholds.at(now), _round_the_clock_categories()
        result = SweepResult(on_time=_turn_green(thresholds, round_the_clock),
                             due_soon=_turn_yellow(thresholds, round_the_clock), overdue=_turn_red(thresholds))
        result.missing_years = missing_calendar_years(now)
        result.warned_years = _warn_missing_years(result.missing_years, now)
        result.summons_missing = sweep_summons(now)
        result.proactive_overdue = sweep_proactive_tasks(now)
        # Inside the transaction: the sweep's lock makes scans one at a time, and the
        # escalations just written feed the overdue signal (a failing scan rolls back alone).
        result.risk_alerts = sweep_risks(now)
        lock.swept_at = now
        lock.save(update_fields=["swept_at"])
    # After the sweep's transaction, one short transaction a ticket: on SQLite a long one
    # would hold the write lock and stall intake meanwhile.
    result.similar_searched = search_pending_similar()
    from shiyu.web.dashboard import refresh_figures  # when called: the pages' app is not the domain's to import

    refresh_figures(now)  # the command dashboard's stored ranking and hot issues, when older than their interval
    result.seconds = round(time.perf_counter() - started, 4)
    return result


def _turn_green(thresholds: Thresholds, round_the_clock: list[int]) -> int:
    """Yellow or red tickets that are neither any longer: their deadline moved (an
    extension, a reopen), their clock stopped (a return) or they were answered."""
    still_alerted = thresholds.overdue_q() | thresholds.due_soon_q(round_the_clock)
    return Ticket.objects.filter(ALERTED).exclude(still_alerted).update(deadline_state=DeadlineState.ON_TIME)


def _turn_yellow(thresholds: Thresholds, round_the_clock: list[int]) -> int:
    rows = list(Ticket.objects.filter(thresholds.due_soon_q(round_the_clock))
                .exclude(deadline_state=DeadlineState.DUE_SOON).order_by()
                .values_list("pk", "code", "lead_unit_id", "resolve_due_at"))
    _set_state(rows, DeadlineState.DUE_SOON)
    Notification.objects.bulk_create(
        [Notification(unit_id=unit_id, kind=Notification.Kind.DUE_SOON, ticket_id=pk, created_at=thresholds.now,
                      text=_("Ticket %(code)s is due by %(due)s.") % {"code": code, "due": _local(due)})
         for pk, code, unit_id, due in rows if unit_id], batch_size=BATCH)
    return len(rows)


def _turn_red(thresholds: Thresholds) -> int:
    """Newly overdue tickets: red, and for each deadline missed for the first time an
    escalation (one level above the ticket's last), an audit event on the ticket (its
    status stays) and a notice to the unit. A deadline already escalated is not again,
    even if the ticket was green in between (sweeps on hosts whose clocks differ)."""
    now = thresholds.now
    rows = list(Ticket.objects.filter(thresholds.overdue_q()).exclude(deadline_state=DeadlineState.OVERDUE)
                .order_by().values_list("pk", "code", "status", "lead_unit_id", "resolve_due_at"))
    _set_state(rows, DeadlineState.OVERDUE)
    missed = _missed_deadlines([row[0] for row in rows])
    escalations, events, notices = [], [], []
    for pk, code, status, unit_id, due in rows:
        if due in missed[pk]:
            continue
        level = len(missed[pk]) + 1
        escalations.append(Escalation(ticket_id=pk, unit_id=unit_id, level=level, due_at=due, created_at=now))
        events.append(AuditEvent(at=now, action="ticket.escalate", target_type="ticket", target_id=pk,
                                 from_state=status, to_state=status,
                                 data={"level": level, "unit": unit_id, "due": due.isoformat()}))
        if unit_id:
            notices.append(Notification(
                unit_id=unit_id, kind=Notification.Kind.OVERDUE, ticket_id=pk, created_at=now,
                text=_("Ticket %(code)s missed its deadline (%(due)s) and has been escalated to the supervisors.")
                % {"code": code, "due": _local(due)}))
    Escalation.objects.bulk_create(escalations, batch_size=BATCH)
    record_many(events)
    Notification.objects.bulk_create(notices, batch_size=BATCH)
    return len(rows)


def _set_state(rows: list[tuple], state: str) -> None:
    for start in range(0, len(rows), BATCH):
        Ticket.objects.filter(pk__in=[row[0] for row in rows[start:start + BATCH]]).update(deadline_state=state)


def _missed_deadlines(ticket_ids: list[int]) -> defaultdict[int, set[dt.datetime]]:
    """The deadlines each ticket was escalated for already."""
    missed: defaultdict[int, set[dt.datetime]] = defaultdict(set)
    for start in range(0, len(ticket_ids), BATCH):
        for ticket_id, due in Escalation.objects.filter(ticket_id__in=ticket_ids[start:start + BATCH]).values_list(
                "ticket_id", "due_at"):
            missed[ticket_id].add(due)
    return missed


def _round_the_clock_categories() -> list[int]:
    return list(Category.objects.filter(urgent=True).values_list("pk", flat=True))


def _warn_missing_years(years: list[int], now: dt.datetime) -> list[int]:
    """Tell supervisors and admins, once per year, that deadlines in a year without a
    published schedule count weekends and fixed-date holidays only. The audit event
    is what remembers the warning was given."""
    warned = set(AuditEvent.objects.filter(action="calendar.missing_year", target_type="calendar_year",
                                           target_id__in=years).values_list("target_id", flat=True))
    new = [year for year in years if year not in warned]
    for year in new:
        record(actor=None, action="calendar.missing_year", target_type="calendar_year", target_id=year)
        text = _("The holiday schedule for %(year)s is not in the calendar: deadlines in %(year)s count "
                 "weekends and fixed-date holidays only. Enter the State Council's schedule under "
                 "Holiday calendar in the admin.") % {"year": year}
        Notification.objects.bulk_create(
            [Notification(role=role, kind=Notification.Kind.CALENDAR_MISSING, text=text, created_at=now)
             for role in (Role.SUPERVISOR, Role.ADMIN)])
    return new


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------- notifications


def mark_read(*, actor, notification: Notification | int) -> Notification:
    """The first reader among its recipients marks it read."""
    pk = notification.pk if isinstance(notification, Notification) else notification
    notification = notifications_for(actor).filter(pk=pk).first()
    if notification is None:
        raise NotFound(f"notification {pk} not found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification

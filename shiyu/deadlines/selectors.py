"""Reads: the working calendar as the table holds it, deadline colours, notifications."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from shiyu.core.versioned import VersionedCache
from shiyu.tickets.lifecycle import OPEN_STATES
from shiyu.tickets.models import DeadlineState, Ticket
from shiyu.tickets.selectors import visible_tickets
from shiyu.workcal import HolidaySchedule, WorkCalendar

from .models import CalendarDay, CalendarVersion, Escalation, Notification

RECHECK_SECONDS = 5.0


def _index_condition(name: str) -> Q:
    return next(index.condition for index in Ticket._meta.indexes if index.name == name)


# The partial indexes' own conditions, so that a query says exactly what an index
# covers: PostgreSQL then proves the index usable, SQLite matches `<> ?` (the alert
# index; for the open states, whose `IN (?, ...)` it cannot match, it takes the
# status index, which narrows to the open tickets as well).
OPEN = _index_condition("ticket_open_due_idx")
ALERTED = _index_condition("ticket_alert_idx")


# ---------------------------------------------------------------- the calendar


def _load_schedule() -> HolidaySchedule:
    rows = list(CalendarDay.objects.values_list("date", "kind"))
    return HolidaySchedule.of([day for day, kind in rows if kind == CalendarDay.Kind.HOLIDAY],
                              [day for day, kind in rows if kind == CalendarDay.Kind.WORKDAY])


def stored_calendar_version() -> int:
    return CalendarVersion.objects.values_list("version", flat=True).first() or 0


_schedule = VersionedCache(_load_schedule, stored_calendar_version)


def current_schedule() -> HolidaySchedule:
    """This process's copy of the table, reloaded within seconds of a change anywhere."""
    return _schedule.get(RECHECK_SECONDS)


def forget_schedule() -> None:
    _schedule.forget()


def work_calendar() -> WorkCalendar:
    return _calendar_for(settings.SHIYU_OFFICE_HOURS, current_schedule())


@functools.lru_cache(maxsize=4)
def _calendar_for(office_hours: str, schedule: HolidaySchedule) -> WorkCalendar:
    return WorkCalendar(office_hours, schedule=schedule)


def missing_calendar_years(now: dt.datetime | None = None) -> list[int]:
    """Years within reach of deadlines (this one, and the next once it is less than
    SHIYU_CALENDAR_LOOKAHEAD_DAYS away) whose holiday schedule is not in the table."""
    now = now or timezone.now()
    first = timezone.localdate(now).year
    last = timezone.localdate(now + dt.timedelta(days=settings.SHIYU_CALENDAR_LOOKAHEAD_DAYS)).year
    schedule = current_schedule()
    return [year for year in range(first, last + 1) if not schedule.knows(year)]


# ---------------------------------------------------------------- colours


@dataclass(frozen=True)
class Thresholds:
    """Where the colours change, seen at `now`. Overdue (red): the resolution deadline
    has passed. Due soon (yellow): it falls within the next SHIYU_DUE_SOON_WORKING_HOURS
    working hours, or, for a round-the-clock category, the next SHIYU_DUE_SOON_URGENT_HOURS
    hours. A fixed window rather than a share of each ticket's allowed time: it is one
    timestamp per sweep, so the sweep selects yellow tickets by a range on the index."""

    now: dt.datetime
    working_cutoff: dt.datetime
    clock_cutoff: dt.datetime

    @classmethod
    def at(cls, now: dt.datetime) -> Thresholds:
        return cls(now, work_calendar().add_working_hours(now, settings.SHIYU_DUE_SOON_WORKING_HOURS),
                   now + dt.timedelta(hours=settings.SHIYU_DUE_SOON_URGENT_HOURS))

    def state(self, due: dt.datetime, round_the_clock: bool) -> str:
        if due < self.now:
            return DeadlineState.OVERDUE
        if due <= (self.clock_cutoff if round_the_clock else self.working_cutoff):
            return DeadlineState.DUE_SOON
        return DeadlineState.ON_TIME

    def overdue_q(self) -> Q:
        return OPEN & Q(resolve_due_at__lt=self.now)

    def due_soon_q(self, round_the_clock_categories: list[int]) -> Q:
        working = Q(resolve_due_at__lte=self.working_cutoff) & ~Q(category_id__in=round_the_clock_categories)
        clock = Q(resolve_due_at__lte=self.clock_cutoff, category_id__in=round_the_clock_categories)
        # The outer range alone is what an index can serve; the two windows filter within it.
        window = Q(resolve_due_at__gte=self.now, resolve_due_at__lte=max(self.working_cutoff, self.clock_cutoff))
        return OPEN & window & (working | clock)


def deadline_state(ticket: Ticket, now: dt.datetime | None = None) -> str | None:
    """The ticket's colour now, as the next sweep will store it; None when no clock
    runs (not dispatched yet, returned, or answered)."""
    if ticket.status not in OPEN_STATES or ticket.resolve_due_at is None:
        return None
    round_the_clock = bool(ticket.category_id and ticket.category.urgent)
    return Thresholds.at(now or timezone.now()).state(ticket.resolve_due_at, round_the_clock)


# ---------------------------------------------------------------- notifications


def notifications_for(user) -> QuerySet[Notification]:
    """What a user is told: their unit's notifications and their role's, newest first."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Notification.objects.none()
    recipients = Q(role=user.role)
    if user.unit_id:
        recipients |= Q(unit_id=user.unit_id)
    return Notification.objects.filter(recipients).select_related("ticket").order_by("-created_at", "-id")


# ---------------------------------------------------------------- supervision


def supervised_tickets(user) -> QuerySet[Ticket]:
    """督办: the open tickets past their resolution deadline that the user can see,
    longest overdue first (a range on the open-deadline index), each with its
    escalations, highest level first (none yet until the next sweep)."""
    escalations = Prefetch("escalations", queryset=Escalation.objects.select_related("unit").order_by("-level"))
    return (visible_tickets(user).filter(OPEN, resolve_due_at__lt=timezone.now())
            .select_related("category", "lead_unit").prefetch_related(escalations).order_by("resolve_due_at", "id"))

"""Working time on the Chinese statutory calendar (plain Python, no Django).

Deadlines in 12345 are counted in working days and working hours: statutory holidays
do not count and make-up working days (调休) do. Which days those are comes from a
HolidaySchedule: the State Council publishes each year's schedule late in the year
before, so the schedule is data (shiyu.deadlines keeps it in a table an admin edits,
seeded from the chinese_calendar package). For a year the schedule does not hold we
fall back to weekends plus the fixed-date holidays, so a deadline is never refused.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The holidays whose date is fixed in the Gregorian calendar (全国年节及纪念日放假办法,
# as revised for 2025 on: Labour Day is two days). The lunar ones (Spring Festival,
# Dragon Boat, Mid-Autumn) and the 调休 swaps need the year's published schedule.
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


def fallback_is_workday(day: dt.date) -> bool:
    """Monday to Friday except the fixed-date holidays: the best guess without a schedule."""
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


@dataclass(frozen=True)
class HolidaySchedule:
    """The published schedule for some years: `holidays` are days off (weekend days
    inside a holiday included), `workdays` are weekend days that are worked (调休).
    A year is known when the schedule holds any day of it."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    years: frozenset[int] = frozenset()

    @classmethod
    def of(cls, holidays: Iterable[dt.date], workdays: Iterable[dt.date]) -> HolidaySchedule:
        holidays, workdays = frozenset(holidays), frozenset(workdays)
        return cls(holidays, workdays, frozenset(day.year for day in holidays | workdays))

    def knows(self, year: int) -> bool:
        return year in self.years

    def is_workday(self, day: dt.date) -> bool:
        """Never raises: a year without a schedule gets the fallback."""
        if day.year not in self.years:
            return fallback_is_workday(day)
        if day in self.workdays:
            return True
        return day not in self.holidays and day.weekday() < 5


@cache
def package_schedule() -> HolidaySchedule:
    """What the chinese_calendar package ships (2004-2026 in 1.11): the seed of the
    table, and the schedule of plain-Python callers that have no database."""
    return HolidaySchedule.of(chinese_calendar.holidays, chinese_calendar.workdays)


def is_workday(day: dt.date) -> bool:
    return package_schedule().is_workday(day)


def parse_office_hours(spec: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """'09:00-12:00,13:30-17:30' -> ((09:00, 12:00), (13:30, 17:30))."""
    spans = []
    for part in spec.split(","):
        start, end = (dt.time.fromisoformat(t.strip()) for t in part.split("-"))
        if end <= start:
            raise ValueError(f"office hours span {part!r} ends before it starts")
        spans.append((start, end))
    return tuple(sorted(spans))


class WorkCalendar:
    def __init__(self, office_hours: str = "09:00-12:00,13:30-17:30", tz: dt.tzinfo = SHANGHAI,
                 schedule: HolidaySchedule | None = None):
        self.spans = parse_office_hours(office_hours)
        self.tz = tz
        self.schedule = schedule or package_schedule()

    def is_workday(self, day: dt.date) -> bool:
        return self.schedule.is_workday(day)

    def knows(self, year: int) -> bool:
        """Whether deadlines in `year` follow its published schedule (else the fallback)."""
        return self.schedule.knows(year)

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The same clock time on the n-th working day after start (a start outside a
        working day counts from the next working day's opening)."""
        local = start.astimezone(self.tz)
        if not self.is_workday(local.date()):
            local = self._next_opening(local)
        day = local.date()
        remaining = days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return dt.datetime.combine(day, local.timetz()).astimezone(dt.timezone.utc)

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """Walk forward through office hours until `hours` of them have passed."""
        remaining = dt.timedelta(hours=hours)
        local = start.astimezone(self.tz)
        while True:
            for opening, closing in self._spans_on(local.date()):
                if local >= closing:
                    continue
                begin = max(local, opening)
                if begin + remaining <= closing:
                    return (begin + remaining).astimezone(dt.timezone.utc)
                remaining -= closing - begin
            local = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), self.tz)

    def _spans_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if not self.is_workday(day):
            return []
        return [(dt.datetime.combine(day, a, self.tz), dt.datetime.combine(day, b, self.tz)) for a, b in self.spans]

    def _next_opening(self, local: dt.datetime) -> dt.datetime:
        day = local.date()
        while True:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                return dt.datetime.combine(day, self.spans[0][0], self.tz)

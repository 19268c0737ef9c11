"""Working time on the Chinese statutory calendar (plain Python, no Django).

Deadlines in 12345 are counted in working days and working hours: statutory holidays
do not count and make-up working days (调休) do. chinese_calendar knows the State
Council's schedule for the years it ships; for a year it does not know yet we fall
back to weekends plus the fixed-date holidays, so a deadline is never refused.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIXED_HOLIDAYS = {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # the package does not know this year's schedule yet
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


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
    def __init__(self, office_hours: str = "09:00-12:00,13:30-17:30", tz: dt.tzinfo = SHANGHAI):
        self.spans = parse_office_hours(office_hours)
        self.tz = tz

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The same clock time on the n-th working day after start (a start outside a
        working day counts from the next working day's opening)."""
        local = start.astimezone(self.tz)
        if not is_workday(local.date()):
            local = self._next_opening(local)
        day = local.date()
        remaining = days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if is_workday(day):
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
        if not is_workday(day):
            return []
        return [(dt.datetime.combine(day, a, self.tz), dt.datetime.combine(day, b, self.tz)) for a, b in self.spans]

    def _next_opening(self, local: dt.datetime) -> dt.datetime:
        day = local.date()
        while True:
            day += dt.timedelta(days=1)
            if is_workday(day):
                return dt.datetime.combine(day, self.spans[0][0], self.tz)

"""Deadlines set at dispatch (urgent or not), and where a ticket's colour changes."""
import datetime as dt

import pytest

from shiyu.deadlines.selectors import Thresholds, deadline_state
from shiyu.tickets import services
from shiyu.tickets.models import DeadlineState

from .conftest import local

SECOND = dt.timedelta(seconds=1)
GREEN, YELLOW, RED = DeadlineState.ON_TIME, DeadlineState.DUE_SOON, DeadlineState.OVERDUE


def test_an_ordinary_ticket_counts_working_hours_and_days(dispatched):
    ticket = dispatched(local(2026, 11, 27, 20))  # Friday evening
    assert ticket.accept_due_at == local(2026, 11, 30, 11)  # two working hours from Monday 09:00
    assert ticket.resolve_due_at == local(2026, 12, 8, 20)  # the same time on the 7th working day after


def test_an_urgent_ticket_is_signed_for_within_30_minutes_day_or_night(dispatched):
    ticket = dispatched(local(2026, 11, 27, 20), urgent=True)
    assert ticket.urgent
    assert ticket.accept_due_at == local(2026, 11, 27, 20, 30)
    assert ticket.resolve_due_at == local(2026, 12, 8, 20)  # resolved as its category says


def test_round_the_clock_and_complex_categories(dispatched):
    water = dispatched(local(2026, 10, 1, 22), category_fields=dict(accept_hours=1, resolve_days=1, urgent=True))
    assert water.accept_due_at == local(2026, 10, 1, 23)  # a holiday night counts too
    assert water.resolve_due_at == local(2026, 10, 2, 22)  # 24 hours
    urgent_water = dispatched(local(2026, 10, 1, 22), urgent=True,
                              category_fields=dict(accept_hours=1, resolve_days=1, urgent=True))
    assert urgent_water.accept_due_at == local(2026, 10, 1, 22, 30)
    complex_case = dispatched(local(2026, 9, 29, 10), category_fields=dict(resolve_days=15))
    # 15 working days: 30 September, then 8 October on (Saturday 10 October worked).
    assert complex_case.resolve_due_at == local(2026, 10, 26, 10)


def test_urgent_is_set_at_intake(make_ticket):
    assert make_ticket(urgent=True).urgent and not make_ticket().urgent


def test_a_deadline_in_2027_is_computed_on_the_fallback(dispatched):
    ticket = dispatched(local(2026, 12, 28, 10))
    assert ticket.resolve_due_at == local(2027, 1, 7, 10)  # 1 January off, then weekends only


def test_colour_boundaries_in_working_hours(dispatched):
    ticket = dispatched(local(2026, 11, 17, 15))  # Tuesday
    due = ticket.resolve_due_at
    assert due == local(2026, 11, 26, 15)
    # Yellow from 7 working hours before: Wednesday 15:00 (2.5 h that day, 4.5 h on Thursday).
    assert deadline_state(ticket, local(2026, 11, 25, 15) - SECOND) == GREEN
    assert deadline_state(ticket, local(2026, 11, 25, 15)) == YELLOW
    assert deadline_state(ticket, due) == YELLOW
    assert deadline_state(ticket, due + dt.timedelta(microseconds=1)) == RED


def test_colour_boundaries_round_the_clock(dispatched):
    ticket = dispatched(local(2026, 11, 28, 3), category_fields=dict(accept_hours=1, resolve_days=1, urgent=True))
    due = ticket.resolve_due_at
    assert deadline_state(ticket, due - dt.timedelta(hours=4) - SECOND) == GREEN
    assert deadline_state(ticket, due - dt.timedelta(hours=4)) == YELLOW
    assert deadline_state(ticket, due + SECOND) == RED


def test_the_due_soon_window_is_a_setting(dispatched, settings):
    ticket = dispatched(local(2026, 11, 17, 15))
    settings.SHIYU_DUE_SOON_WORKING_HOURS = 1
    assert deadline_state(ticket, local(2026, 11, 26, 13, 59)) == GREEN
    assert deadline_state(ticket, local(2026, 11, 26, 14)) == YELLOW


def test_no_colour_without_a_running_clock(make_ticket, dispatched, users):
    now = local(2026, 12, 31, 12)
    assert deadline_state(make_ticket(), now) is None  # not dispatched yet
    returned = services.return_ticket(actor=users.handler, ticket=dispatched(local(2026, 11, 2, 10)),
                                      reason="非本单位职责")
    assert deadline_state(returned, now) is None


@pytest.mark.parametrize("hours", [0, 3.5, 7, 30])
def test_thresholds_agree_with_the_selector(dispatched, hours):
    ticket = dispatched(local(2026, 11, 17, 15))
    now = ticket.resolve_due_at - dt.timedelta(hours=hours)
    thresholds = Thresholds.at(now)
    assert thresholds.state(ticket.resolve_due_at, False) == deadline_state(ticket, now)

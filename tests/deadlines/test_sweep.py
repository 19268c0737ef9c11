"""The periodic sweep: colours stored, escalation once, units notified, idempotent."""
import datetime as dt

import pytest
from django.utils import timezone

from shiyu.core.errors import NotFound
from shiyu.core.models import AuditEvent
from shiyu.deadlines.models import CalendarDay, Escalation, Notification
from shiyu.deadlines.selectors import deadline_state, notifications_for
from shiyu.deadlines.services import mark_read, sweep
from shiyu.tickets import services
from shiyu.tickets.models import DeadlineState, Status

from .conftest import local

GREEN, YELLOW, RED = DeadlineState.ON_TIME, DeadlineState.DUE_SOON, DeadlineState.OVERDUE
DUE = local(2026, 11, 26, 15)  # of a ticket dispatched on Tuesday 17 November at 15:00
BEFORE_YELLOW, YELLOW_TIME, RED_TIME = local(2026, 11, 24, 12), local(2026, 11, 25, 16), local(2026, 11, 26, 15, 1)


def writes():
    """Rows the sweep adds: a second run with nothing changed must add none."""
    return (AuditEvent.objects.count(), Notification.objects.count(), Escalation.objects.count())


def changes(result) -> tuple[int, int, int]:
    return result.on_time, result.due_soon, result.overdue


@pytest.fixture
def ticket(dispatched):
    ticket = dispatched(local(2026, 11, 17, 15))
    assert ticket.resolve_due_at == DUE
    return ticket


def test_the_colour_is_stored_and_the_unit_told_once(ticket, city):
    assert changes(sweep(BEFORE_YELLOW)) == (0, 0, 0)
    assert changes(sweep(YELLOW_TIME)) == (0, 1, 0)
    ticket.refresh_from_db()
    assert ticket.deadline_state == YELLOW
    notice = Notification.objects.get(ticket=ticket)
    assert notice.kind == Notification.Kind.DUE_SOON and notice.unit == city.units["urban_management"]
    assert ticket.code in notice.text
    before = writes()
    assert changes(sweep(YELLOW_TIME)) == (0, 0, 0)
    assert writes() == before


def test_an_overdue_ticket_is_escalated_once_without_a_status_change(ticket, city):
    sweep(YELLOW_TIME)
    assert changes(sweep(RED_TIME)) == (0, 0, 1)
    ticket.refresh_from_db()
    assert ticket.deadline_state == RED and ticket.status == Status.DISPATCHED
    escalation = Escalation.objects.get(ticket=ticket)
    assert (escalation.level, escalation.due_at, escalation.unit) == (1, DUE, city.units["urban_management"])
    event = AuditEvent.objects.get(target_type="ticket", target_id=ticket.pk, action="ticket.escalate")
    assert event.actor is None and event.from_state == event.to_state == Status.DISPATCHED
    assert event.data["level"] == 1
    kinds = list(Notification.objects.filter(ticket=ticket).order_by("id").values_list("kind", flat=True))
    assert kinds == [Notification.Kind.DUE_SOON, Notification.Kind.OVERDUE]
    before = writes()
    for minutes in (0, 1, 60):
        assert changes(sweep(RED_TIME + dt.timedelta(minutes=minutes))) == (0, 0, 0)
    assert writes() == before


def test_a_returned_ticket_stops_its_clock(ticket, users, city):
    sweep(RED_TIME)
    services.return_ticket(actor=users.handler, ticket=ticket, reason="非本单位职责", now=RED_TIME)
    assert changes(sweep(RED_TIME + dt.timedelta(minutes=1))) == (1, 0, 0)
    ticket.refresh_from_db()
    assert ticket.deadline_state == GREEN and deadline_state(ticket, RED_TIME) is None
    later = RED_TIME + dt.timedelta(days=30)
    assert changes(sweep(later)) == (0, 0, 0)  # the stopped clock does not run on
    services.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=city.units["housing"], now=later)
    ticket.refresh_from_db()
    assert deadline_state(ticket, later) == GREEN and ticket.resolve_due_at > later
    assert Escalation.objects.filter(ticket=ticket).count() == 1


def test_an_approved_extension_turns_red_to_green_and_a_second_miss_escalates_again(dispatched, users):
    now = timezone.now()  # decide_extension moves the deadline from the real present
    ticket = dispatched(now - dt.timedelta(days=30))  # 7 working days ago whatever the holidays
    services.sign_for(actor=users.handler, ticket=ticket, now=now - dt.timedelta(days=29))
    assert changes(sweep(now)) == (0, 0, 1)
    extension = services.request_extension(actor=users.handler, ticket=ticket, days=30, reason="需协调施工")
    services.decide_extension(actor=users.supervisor, extension=extension, approve=True, note="同意")
    ticket.refresh_from_db()
    assert ticket.resolve_due_at > now and deadline_state(ticket, now) == GREEN
    assert changes(sweep(now)) == (1, 0, 0)
    ticket.refresh_from_db()
    assert ticket.deadline_state == GREEN
    missed_again = ticket.resolve_due_at + dt.timedelta(minutes=1)
    assert changes(sweep(missed_again)) == (0, 0, 1)
    assert list(Escalation.objects.filter(ticket=ticket).order_by("level").values_list("level", flat=True)) == [1, 2]


def test_an_answered_ticket_loses_its_colour(ticket, users):
    services.sign_for(actor=users.handler, ticket=ticket, now=YELLOW_TIME)
    sweep(RED_TIME)
    services.resolve_ticket(actor=users.handler, ticket=ticket, reply="已修复", now=RED_TIME)
    assert changes(sweep(RED_TIME)) == (1, 0, 0)
    ticket.refresh_from_db()
    assert ticket.deadline_state == GREEN and deadline_state(ticket, RED_TIME) is None


def test_the_missing_years_schedule_is_reported_once(db, users):
    result = sweep(local(2026, 11, 27, 12))
    assert result.missing_years == [2027] and result.warned_years == [2027]
    notices = Notification.objects.filter(kind=Notification.Kind.CALENDAR_MISSING)
    assert sorted(notices.values_list("role", flat=True)) == ["admin", "supervisor"]
    assert "2027" in notices.first().text
    assert notifications_for(users.supervisor).filter(kind=Notification.Kind.CALENDAR_MISSING).exists()
    again = sweep(local(2026, 11, 28, 12))
    assert again.missing_years == [2027] and again.warned_years == []
    assert notices.count() == 2
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    assert sweep(local(2026, 11, 29, 12)).missing_years == []


def test_a_sweep_soon_after_another_is_skipped_when_asked(db):
    assert not sweep(RED_TIME).skipped
    assert sweep(RED_TIME + dt.timedelta(seconds=20), min_interval=54).skipped
    assert not sweep(RED_TIME + dt.timedelta(seconds=60), min_interval=54).skipped
    assert not sweep(RED_TIME + dt.timedelta(seconds=61)).skipped  # `shiyu tick`: always


def test_notifications_reach_the_unit_and_are_read_once(ticket, users):
    sweep(YELLOW_TIME)
    notice = notifications_for(users.handler).get(ticket=ticket)
    assert not notifications_for(users.handler2).filter(ticket=ticket).exists()
    with pytest.raises(NotFound):
        mark_read(actor=users.handler2, notification=notice)
    first = mark_read(actor=users.handler, notification=notice).read_at
    assert first and mark_read(actor=users.handler, notification=notice.pk).read_at == first



def test_a_round_the_clock_ticket_stays_yellow_between_sweeps(dispatched):
    ticket = dispatched(local(2026, 11, 28, 3), category_fields=dict(accept_hours=1, resolve_days=1, urgent=True))
    three_hours_before = ticket.resolve_due_at - dt.timedelta(hours=3)
    assert changes(sweep(three_hours_before - dt.timedelta(hours=2))) == (0, 0, 0)
    assert changes(sweep(three_hours_before)) == (0, 1, 0)
    assert changes(sweep(three_hours_before + dt.timedelta(minutes=1))) == (0, 0, 0)
    ticket.refresh_from_db()
    assert ticket.deadline_state == YELLOW


def test_a_deadline_is_escalated_once_even_if_a_late_clock_turned_it_yellow(ticket):
    """Sweeps on two hosts whose clocks differ by seconds: red, yellow, red again."""
    assert changes(sweep(RED_TIME)) == (0, 0, 1)
    assert changes(sweep(DUE - dt.timedelta(seconds=5))) == (0, 1, 0)
    assert changes(sweep(RED_TIME + dt.timedelta(minutes=1))) == (0, 0, 1)
    assert Escalation.objects.filter(ticket=ticket).count() == 1
    assert Notification.objects.filter(ticket=ticket, kind=Notification.Kind.OVERDUE).count() == 1

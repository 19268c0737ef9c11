"""The deadline sweep colours running proactive tasks as it colours tickets."""
import datetime as dt

import pytest

from shiyu.core.models import AuditEvent
from shiyu.deadlines.models import Notification
from shiyu.deadlines.services import sweep
from shiyu.proactive import services
from shiyu.tickets.models import DeadlineState

from .conftest import T0

pytestmark = pytest.mark.django_db
GREEN, YELLOW, RED = DeadlineState.ON_TIME, DeadlineState.DUE_SOON, DeadlineState.OVERDUE
DUE = T0 + dt.timedelta(days=2)  # 2 working days from Monday 09:00: Wednesday 09:00


def state(task) -> str:
    task.refresh_from_db()
    return task.deadline_state


def test_yellow_then_red_once_with_a_notice_and_an_event(opened, unit):
    task = opened()
    assert task.due_at == DUE
    assert sweep(T0 + dt.timedelta(hours=1)).proactive_overdue == 0 and state(task) == GREEN
    assert sweep(T0 + dt.timedelta(days=1, hours=3)).proactive_overdue == 0 and state(task) == YELLOW  # Tue 12:00
    result = sweep(DUE + dt.timedelta(minutes=1))
    assert result.proactive_overdue == 1 and state(task) == RED
    overdue = AuditEvent.objects.get(target_type="proactive_task", target_id=task.pk, action="proactive.overdue")
    assert overdue.from_state == overdue.to_state == "open"
    notice = Notification.objects.get(unit=unit, kind=Notification.Kind.OVERDUE, ticket=None)
    assert task.title in notice.text
    # Idempotent: nothing new on the next sweep.
    assert sweep(DUE + dt.timedelta(minutes=2)).proactive_overdue == 0
    assert AuditEvent.objects.filter(target_id=task.pk, action="proactive.overdue").count() == 1


def test_finished_tasks_are_not_coloured(opened, users):
    done, cancelled = opened(), opened()
    services.accept_task(actor=users.handler, task=done)
    services.complete_task(actor=users.handler, task=done, note="已办结")
    services.cancel_task(actor=users.supervisor, task=cancelled)
    assert sweep(DUE + dt.timedelta(days=5)).proactive_overdue == 0
    assert state(done) == state(cancelled) == GREEN


def test_an_accepted_task_turns_red_too_and_completing_late_is_recorded(opened, users):
    task = opened()
    services.accept_task(actor=users.handler, task=task)
    assert sweep(DUE + dt.timedelta(hours=1)).proactive_overdue == 1 and state(task) == RED
    services.complete_task(actor=users.handler, task=task, note="逾期办结", now=DUE + dt.timedelta(hours=2))
    assert state(task) == GREEN
    assert AuditEvent.objects.get(target_id=task.pk, action="proactive.complete").data == {"on_time": False}

"""Proactive tasks: the workflow, who may do what, illegal transitions, the audit trail."""
import datetime as dt

import pytest

from shiyu.core.errors import IllegalTransition, InvalidInput, NotAllowed, NotFound
from shiyu.core.models import AuditEvent
from shiyu.proactive import services
from shiyu.proactive.models import ProactiveTask
from shiyu.proactive.selectors import get_visible_task, visible_tasks

from .conftest import T0

pytestmark = pytest.mark.django_db
State = ProactiveTask.State


def events(task):
    return list(AuditEvent.objects.filter(target_type="proactive_task", target_id=task.pk).order_by("id")
                .values_list("action", "from_state", "to_state"))


def test_open_accept_complete(opened, users, unit, make_ticket):
    tickets = [make_ticket(), make_ticket()]
    task = opened(tickets=tickets, heat=3.5)
    assert task.state == State.OPEN and task.unit == unit and task.heat == 3.5
    assert task.due_at == dt.datetime(2025, 3, 5, 1, 0, tzinfo=dt.timezone.utc)  # 2 working days: Wed 09:00
    assert set(task.tickets.all()) == set(tickets)
    assert services.actions_for(users.handler, task) == ["accept"]
    assert services.actions_for(users.supervisor, task) == ["cancel"]

    task = services.accept_task(actor=users.handler, task=task, now=T0 + dt.timedelta(hours=1))
    assert task.state == State.ACCEPTED and task.accepted_by == users.handler
    task = services.complete_task(actor=users.handler, task=task.pk, note="  已约谈开发商，夜间停工  ",
                                  now=T0 + dt.timedelta(days=1))
    assert task.state == State.DONE and task.finishing_note == "已约谈开发商，夜间停工" and task.finished_by == users.handler
    assert events(task) == [("proactive.open", "", "open"), ("proactive.accept", "open", "accepted"),
                            ("proactive.complete", "accepted", "done")]
    done = AuditEvent.objects.get(target_type="proactive_task", target_id=task.pk, action="proactive.complete")
    assert done.actor == users.handler and done.note == "已约谈开发商，夜间停工" and done.data == {"on_time": True}
    opened_event = AuditEvent.objects.get(target_type="proactive_task", target_id=task.pk, action="proactive.open")
    assert opened_event.data["tickets"] == [t.pk for t in tickets] and opened_event.data["working_days"] == 2


def test_cancel_by_a_supervisor(opened, users):
    task = services.cancel_task(actor=users.supervisor, task=opened(), note="已由街道处理")
    assert task.state == State.CANCELLED and task.finishing_note == "已由街道处理"
    assert events(task)[-1] == ("proactive.cancel", "open", "cancelled")


@pytest.mark.parametrize("who", ["handler", "handler2", "leader", "dispatcher", "operator", "citizen"])
def test_only_supervisors_and_admins_open(users, unit, who):
    with pytest.raises(NotAllowed):
        services.open_task(actor=getattr(users, who), unit=unit, title="t")
    assert services.open_task(actor=users.admin, unit=unit, title="t").state == State.OPEN


@pytest.mark.parametrize("who", ["handler2", "supervisor", "leader", "subhandler"])
def test_only_the_units_staff_accept_and_complete(opened, users, who):
    task = opened()
    with pytest.raises(NotAllowed):
        services.accept_task(actor=getattr(users, who), task=task)
    services.accept_task(actor=users.handler, task=task)
    with pytest.raises(NotAllowed):
        services.complete_task(actor=getattr(users, who), task=task, note="做完了")
    assert not AuditEvent.objects.filter(target_id=task.pk, action="proactive.complete").exists()


def test_only_supervisors_and_admins_cancel(opened, users):
    task = opened()
    with pytest.raises(NotAllowed):
        services.cancel_task(actor=users.handler, task=task)
    assert services.cancel_task(actor=users.admin, task=task).state == State.CANCELLED


def test_illegal_transitions_name_the_state_and_what_is_allowed(opened, users):
    task = opened()
    with pytest.raises(IllegalTransition) as error:
        services.complete_task(actor=users.handler, task=task, note="直接办结")
    assert error.value.current == "open" and error.value.allowed == ["accept"]
    services.accept_task(actor=users.handler, task=task)
    with pytest.raises(IllegalTransition) as error:
        services.accept_task(actor=users.handler, task=task)
    assert error.value.current == "accepted" and error.value.allowed == ["complete"]
    services.complete_task(actor=users.handler, task=task, note="已整改")
    for act in (lambda: services.cancel_task(actor=users.supervisor, task=task),
                lambda: services.complete_task(actor=users.handler, task=task, note="again")):
        with pytest.raises(IllegalTransition) as error:
            act()
        assert error.value.current == "done" and error.value.allowed == []
    assert [e[0] for e in events(task)] == ["proactive.open", "proactive.accept", "proactive.complete"]


def test_bad_input_names_the_fields(users, unit, city):
    with pytest.raises(InvalidInput) as error:
        services.open_task(actor=users.supervisor, unit=None, title="  ")
    assert set(error.value.fields) == {"title"}
    with pytest.raises(InvalidInput) as error:
        services.open_task(actor=users.supervisor, unit=None, title="t", working_days=0)
    assert set(error.value.fields) == {"unit", "working_days"}
    with pytest.raises(InvalidInput) as error:
        services.open_task(actor=users.supervisor, unit=unit, title="x" * 101)
    assert set(error.value.fields) == {"title"}
    unit.active = False
    with pytest.raises(InvalidInput):
        services.open_task(actor=users.supervisor, unit=unit, title="t")
    task = services.open_task(actor=users.supervisor, unit=city.units["housing"], title="t")
    services.accept_task(actor=users.handler2, task=task)
    with pytest.raises(InvalidInput) as error:
        services.complete_task(actor=users.handler2, task=task, note="   ")
    assert set(error.value.fields) == {"note"}
    assert ProactiveTask.objects.count() == 1


def test_a_handler_sees_only_the_units_tasks(opened, users, city):
    mine, theirs = opened(), opened(unit=city.units["housing"])
    assert set(visible_tasks(users.handler)) == {mine}
    assert set(visible_tasks(users.handler2)) == {theirs}
    for who in ("supervisor", "leader", "dispatcher", "admin"):
        assert set(visible_tasks(getattr(users, who))) == {mine, theirs}
    for who in ("operator", "citizen", "gridworker", "subhandler"):
        assert not visible_tasks(getattr(users, who)).exists()
    with pytest.raises(NotFound):
        get_visible_task(users.handler, theirs.pk)

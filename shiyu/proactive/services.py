"""Every write to a proactive task (未诉先办): one function per action.

Each checks the actor's permission and the legal transition, then writes the change and its
audit event (target_type "proactive_task") in one transaction:

    open --accept--> accepted --complete--> done
    open, accepted --cancel--> cancelled

A supervisor (or an admin) opens a task for a handling unit and may cancel it; the unit's
handlers accept and complete it. The deadline counts working days on the holiday calendar, as
a ticket's does; the deadline sweep colours running tasks yellow and red (sweep_proactive_tasks)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shiyu.core.audit import record, record_many
from shiyu.core.errors import IllegalTransition, InvalidInput, NotAllowed, clean_text
from shiyu.core.models import AuditEvent, Role
from shiyu.deadlines.models import Notification
from shiyu.deadlines.selectors import Thresholds, work_calendar
from shiyu.org.models import HandlingUnit
from shiyu.tickets.models import DeadlineState, Ticket
from shiyu.tickets.permissions import SUPERVISE_ROLES

from .models import ProactiveTask

State = ProactiveTask.State
LIVE_STATES = (State.OPEN, State.ACCEPTED)
# action -> (states it may start from, state it leads to)
TRANSITIONS = {
    "accept": ((State.OPEN,), State.ACCEPTED),
    "complete": ((State.ACCEPTED,), State.DONE),
    "cancel": (LIVE_STATES, State.CANCELLED),
}
TITLE_MAX = ProactiveTask._meta.get_field("title").max_length
PLACE_MAX = ProactiveTask._meta.get_field("place").max_length
NOTE_MAX = 2000
MAX_TICKETS = 500
DEFAULT_WORKING_DAYS, MAX_WORKING_DAYS = 10, 60


def allowed_actions(state: str) -> list[str]:
    return [action for action, (sources, _target) in TRANSITIONS.items() if state in sources]


def _unit_handler(actor, task: ProactiveTask) -> bool:
    """The task's unit's own handlers act on it; an admin may stand in."""
    return actor is not None and (actor.has_role(Role.ADMIN)
                                  or actor.has_role(Role.HANDLER) and actor.unit_id == task.unit_id)


def _may(actor, action: str, task: ProactiveTask) -> bool:
    if action == "cancel":
        return actor is not None and actor.has_role(*SUPERVISE_ROLES)
    return _unit_handler(actor, task)


def actions_for(user, task: ProactiveTask) -> list[str]:
    """What `user` may do with the task now: the same checks the services make."""
    return [action for action in allowed_actions(task.state) if _may(user, action, task)]



def _event(actor, action: str, task: ProactiveTask, *, from_state: str = "", note: str = "",
           data: dict | None = None) -> None:
    record(actor=actor, action=f"proactive.{action}", target_type="proactive_task", target_id=task.pk,
           from_state=from_state, to_state=task.state, note=note, data=data or {})


# ---------------------------------------------------------------- open


def _open_problems(unit: HandlingUnit | None, tickets: list[Ticket], working_days) -> dict[str, list[str]]:
    problems = {}
    if unit is None or not unit.active:
        problems["unit"] = [_("Name an active handling unit.")]
    if len(tickets) > MAX_TICKETS:
        problems["tickets"] = [_("At most %(max)d tickets.") % {"max": MAX_TICKETS}]
    if isinstance(working_days, bool) or not isinstance(working_days, int) or not 1 <= working_days <= MAX_WORKING_DAYS:
        problems["working_days"] = [_("A whole number from 1 to %(max)d.") % {"max": MAX_WORKING_DAYS}]
    return problems


@transaction.atomic
def open_task(*, actor, unit: HandlingUnit | None, title: str, note: str = "", place: str = "",
              tickets: Iterable[Ticket] = (), working_days: int = DEFAULT_WORKING_DAYS, heat: float | None = None,
              now: dt.datetime | None = None) -> ProactiveTask:
    """A supervisor asks `unit` to act on a hot issue (its title, place, heat and tickets)
    within `working_days` working days. Field errors come all at once."""
    if actor is None or not actor.has_role(*SUPERVISE_ROLES):
        raise NotAllowed(_("Only supervisors open proactive tasks."))
    tickets = list({t.pk: t for t in tickets}.values())
    title = clean_text(title, "title", TITLE_MAX, required=True)
    note, place = clean_text(note, "note", NOTE_MAX), clean_text(place, "place", PLACE_MAX)
    problems = _open_problems(unit, tickets, working_days)
    if problems:
        raise InvalidInput(_("The proactive task has errors."), fields=problems)
    now = now or timezone.now()
    task = ProactiveTask.objects.create(title=title, note=note, place=place, heat=heat, unit=unit, created_by=actor,
                                        created_at=now, due_at=work_calendar().add_working_days(now, working_days))
    task.tickets.set(tickets)
    _event(actor, "open", task, note=note, data={"unit": unit.pk, "tickets": [t.pk for t in tickets],
                                                 "working_days": working_days, "due": task.due_at.isoformat()})
    return task


# ---------------------------------------------------------------- accept, complete, cancel


def _locked(task: ProactiveTask | int) -> ProactiveTask:
    pk = task.pk if isinstance(task, ProactiveTask) else task
    return ProactiveTask.objects.select_for_update(of=("self",)).get(pk=pk)


def _move(actor, task: ProactiveTask | int, action: str, note: str, now: dt.datetime | None) -> ProactiveTask:
    """Check, change, record: the one path of every transition after opening."""
    task = _locked(task)
    if not _may(actor, action, task):
        raise NotAllowed(_("Only supervisors cancel a proactive task.") if action == "cancel"
                         else _("Only the handling unit's staff act on this task."))
    sources, target = TRANSITIONS[action]
    if task.state not in sources:
        raise IllegalTransition(_("Not possible while the task is %(state)s.") % {"state": task.get_state_display()},
                                current=task.state, allowed=actions_for(actor, task))
    now = now or timezone.now()
    before, task.state = task.state, target
    if action == "accept":
        task.accepted_by, task.accepted_at = actor, now
    else:
        task.finished_by, task.finished_at, task.finishing_note = actor, now, note
        task.deadline_state = DeadlineState.ON_TIME  # a finished task has no clock running
    task.save()
    _event(actor, action, task, from_state=before, note=note,
           data={"on_time": now <= task.due_at} if action == "complete" else None)
    return task


@transaction.atomic
def accept_task(*, actor, task: ProactiveTask | int, now: dt.datetime | None = None) -> ProactiveTask:
    """The unit takes the task on."""
    return _move(actor, task, "accept", "", now)


@transaction.atomic
def complete_task(*, actor, task: ProactiveTask | int, note: str, now: dt.datetime | None = None) -> ProactiveTask:
    """The unit reports what it did (required)."""
    return _move(actor, task, "complete", clean_text(note, "note", NOTE_MAX, required=True), now)


@transaction.atomic
def cancel_task(*, actor, task: ProactiveTask | int, note: str = "", now: dt.datetime | None = None) -> ProactiveTask:
    """A supervisor withdraws a task that is no longer needed."""
    return _move(actor, task, "cancel", clean_text(note, "note", NOTE_MAX), now)


# ---------------------------------------------------------------- the sweep


def sweep_proactive_tasks(now: dt.datetime | None = None) -> int:
    """Colour running tasks as tickets are coloured (shiyu.deadlines.selectors.Thresholds):
    red past the deadline, yellow within the due-soon window, green otherwise. A task that
    turns red gets an audit event and a notice to its unit. Returns how many turned red.
    Idempotent; run by the deadline sweep inside its transaction."""
    thresholds = Thresholds.at(now or timezone.now())
    live = ProactiveTask.objects.filter(state__in=LIVE_STATES)
    overdue = list(live.filter(due_at__lt=thresholds.now).exclude(deadline_state=DeadlineState.OVERDUE)
                   .select_for_update(of=("self",)).only("pk", "title", "state", "unit_id", "due_at"))
    ProactiveTask.objects.filter(pk__in=[t.pk for t in overdue]).update(deadline_state=DeadlineState.OVERDUE)
    live.filter(due_at__gte=thresholds.now, due_at__lte=thresholds.working_cutoff).exclude(
        deadline_state=DeadlineState.DUE_SOON).update(deadline_state=DeadlineState.DUE_SOON)
    live.filter(due_at__gt=thresholds.working_cutoff).exclude(deadline_state=DeadlineState.ON_TIME).update(
        deadline_state=DeadlineState.ON_TIME)
    record_many([AuditEvent(at=thresholds.now, action="proactive.overdue", target_type="proactive_task",
                            target_id=t.pk, from_state=t.state, to_state=t.state, data={"due": t.due_at.isoformat()})
                 for t in overdue])
    Notification.objects.bulk_create([Notification(
        unit_id=t.unit_id, kind=Notification.Kind.OVERDUE, created_at=thresholds.now,
        text=_("Proactive task “%(title)s” missed its deadline (%(due)s).")
        % {"title": t.title, "due": timezone.localtime(t.due_at).strftime("%Y-%m-%d %H:%M")}) for t in overdue])
    return len(overdue)

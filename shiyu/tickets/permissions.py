"""Who may act on a ticket. The services enforce it; the API and pages ask
actions_for() to show only the actions that will not answer 403. One place for both."""
from __future__ import annotations

from collections.abc import Iterable

from shiyu.core.models import Role

from . import lifecycle
from .models import Assignment, Extension, RequestType, Ticket

INTAKE_ROLES = {Role.CITIZEN, Role.OPERATOR, Role.GRIDWORKER, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN}
DISPATCH_ROLES = {Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN}
TRIAGE_ROLES = {Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN}
CALLBACK_ROLES = {Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN}
SUPERVISE_ROLES = {Role.SUPERVISOR, Role.ADMIN}


def is_lead_handler(user, ticket: Ticket) -> bool:
    """The lead unit's own handlers act for it (and an admin may stand in)."""
    if user is None:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.HANDLER) and user.unit_id is not None and user.unit_id == ticket.lead_unit_id


def own_assist(user, ticket: Ticket, assignments: Iterable[Assignment]) -> Assignment | None:
    """The user's unit's assisting part in the ticket, if that is its part."""
    if user is None or not user.has_role(Role.HANDLER) or user.unit_id is None:
        return None
    if user.unit_id == ticket.lead_unit_id:
        return None
    for assignment in assignments:
        if (assignment.unit_id == user.unit_id and assignment.role == Assignment.Role.ASSIST
                and assignment.state != Assignment.State.WITHDRAWN):
            return assignment
    return None


def actions_for(user, ticket: Ticket, assignments: list[Assignment], extensions: list[Extension]) -> list[str]:
    """The subset of lifecycle.allowed_actions(ticket.status) that `user` may take."""
    if user is None or not user.is_authenticated:
        return []
    assist = own_assist(user, ticket, assignments)
    pending = any(e.state == Extension.State.PENDING for e in extensions)
    lead = is_lead_handler(user, ticket)
    checks = {
        "dispatch": lambda: user.has_role(*DISPATCH_ROLES),
        "answer_directly": lambda: user.has_role(*TRIAGE_ROLES) and ticket.request_type == RequestType.ENQUIRY,
        "accept": lambda: lead and assist is None,
        "start": lambda: lead,
        "return": lambda: lead,
        "resolve": lambda: lead,
        "request_extension": lambda: lead and not pending,
        "callback": lambda: user.has_role(*CALLBACK_ROLES),
        "callback_attempt": lambda: user.has_role(*CALLBACK_ROLES),
        "callback_unreachable": lambda: False,  # the last callback_attempt moves it, never a person directly
        "reopen": lambda: user.has_role(*CALLBACK_ROLES),
        "close": lambda: user.has_role(*CALLBACK_ROLES),
        "merge": lambda: user.has_role(*TRIAGE_ROLES),
        "mark_invalid": lambda: user.has_role(*TRIAGE_ROLES),
        "categorize": lambda: user.has_role(*TRIAGE_ROLES),
        "assist_accept": lambda: assist is not None and assist.state == Assignment.State.DISPATCHED,
        "assist_report": lambda: assist is not None,
        "decide_extension": lambda: user.has_role(*SUPERVISE_ROLES) and pending,
        "attach": lambda: True,  # anyone who can see the ticket may add a photo
    }
    return [action for action in lifecycle.allowed_actions(ticket.status) if checks[action]()]

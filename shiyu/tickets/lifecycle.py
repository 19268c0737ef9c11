"""The ticket's state machine as a table: which action is legal from which state.

Services consult it before every change; nothing else decides legality, so the API's
409 message and the pages' buttons always agree with what the services allow."""
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shiyu.core.errors import IllegalTransition

from .models import Status

S = Status
OPEN_STATES = frozenset({S.RECEIVED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.RETURNED})
HANDLING_STATES = frozenset({S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS})
TERMINAL_STATES = frozenset({S.CLOSED, S.MERGED, S.INVALID})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the action leaves the ticket's status as it is
    label: str


TRANSITIONS: dict[str, Transition] = {
    "dispatch": Transition(frozenset({S.RECEIVED, S.RETURNED}), S.DISPATCHED, gettext_lazy("dispatch")),
    "answer_directly": Transition(frozenset({S.RECEIVED}), S.CLOSED, gettext_lazy("answer directly")),
    "accept": Transition(frozenset({S.DISPATCHED}), S.ACCEPTED, gettext_lazy("sign for")),
    "start": Transition(frozenset({S.ACCEPTED}), S.IN_PROGRESS, gettext_lazy("start work")),
    "return": Transition(frozenset({S.DISPATCHED, S.ACCEPTED}), S.RETURNED, gettext_lazy("return")),
    "resolve": Transition(frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.RESOLVED, gettext_lazy("reply")),
    "callback": Transition(frozenset({S.RESOLVED}), S.CALLBACK, gettext_lazy("record callback")),
    "callback_unreachable": Transition(frozenset({S.RESOLVED}), S.CALLBACK,
                                       gettext_lazy("record the resident as unreachable")),
    "reopen": Transition(frozenset({S.RESOLVED, S.CALLBACK}), S.IN_PROGRESS, gettext_lazy("reopen")),
    "close": Transition(frozenset({S.RESOLVED, S.CALLBACK}), S.CLOSED, gettext_lazy("close")),
    "merge": Transition(OPEN_STATES, S.MERGED, gettext_lazy("merge as duplicate")),
    "mark_invalid": Transition(frozenset({S.RECEIVED, S.RETURNED}), S.INVALID, gettext_lazy("mark invalid")),
    # Actions inside a state: they need the ticket to be in hand but do not move it.
    "assist_accept": Transition(HANDLING_STATES, None, gettext_lazy("sign for as assisting unit")),
    "assist_report": Transition(HANDLING_STATES, None, gettext_lazy("report as assisting unit")),
    "request_extension": Transition(frozenset({S.ACCEPTED, S.IN_PROGRESS}), None,
                                    gettext_lazy("ask for an extension")),
    "decide_extension": Transition(frozenset({S.ACCEPTED, S.IN_PROGRESS}), None,
                                   gettext_lazy("decide on an extension")),
    "callback_attempt": Transition(frozenset({S.RESOLVED}), None,
                                   gettext_lazy("record a callback that reached nobody")),
    "categorize": Transition(frozenset({S.RECEIVED, S.RETURNED}), None, gettext_lazy("choose the category")),
    "attach": Transition(frozenset(S) - TERMINAL_STATES, None, gettext_lazy("attach a photo")),
}


def allowed_actions(status: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if status in t.sources]


def check(status: str, action: str) -> Transition:
    """The transition for `action`, or IllegalTransition naming the state and what is allowed."""
    transition = TRANSITIONS[action]
    if status in transition.sources:
        return transition
    allowed = allowed_actions(status)
    message = _("Cannot %(action)s a ticket that is %(state)s; allowed next: %(allowed)s.") % {
        "action": transition.label,
        "state": Status(status).label,
        "allowed": "、".join(str(TRANSITIONS[a].label) for a in allowed) or _("nothing (the ticket is final)"),
    }
    raise IllegalTransition(message, current=status, allowed=allowed)

"""Every legal transition through the services, and an illegal one from each state."""
import pytest

from shiyu.core.errors import IllegalTransition, InvalidInput, NotAllowed
from shiyu.core.models import AuditEvent
from shiyu.tickets import lifecycle
from shiyu.tickets import services as s
from shiyu.tickets.models import Assignment, Extension, Status, Ticket


def events(ticket):
    return list(AuditEvent.objects.filter(target_type="ticket", target_id=ticket.pk).order_by("id")
                .values_list("action", "from_state", "to_state"))


@pytest.fixture
def dispatched(make_ticket, users, city):
    ticket = make_ticket()
    return s.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=city.units["urban_management"],
                             assist_units=[city.units["housing"]])


@pytest.fixture
def in_progress(dispatched, users):
    s.sign_for(actor=users.handler, ticket=dispatched)
    return s.start_work(actor=users.handler, ticket=dispatched, note="已派人到现场")


@pytest.fixture
def resolved(in_progress, users):
    return s.resolve_ticket(actor=users.handler, ticket=in_progress, reply="路灯已于今日修复。")


def test_the_whole_loop_writes_one_audit_event_per_step(make_ticket, users, city):
    ticket = make_ticket()
    assert ticket.status == Status.RECEIVED and ticket.received_by == users.operator
    s.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=city.units["urban_management"],
                      assist_units=[city.units["housing"]], note="请尽快处理")
    s.sign_for(actor=users.handler, ticket=ticket)
    s.sign_for(actor=users.handler2, ticket=ticket)  # the assisting unit signs for its part
    s.report_assist(actor=users.handler2, ticket=ticket, report="已配合排查线路")
    s.start_work(actor=users.handler, ticket=ticket)
    s.resolve_ticket(actor=users.handler, ticket=ticket, reply="已修复")
    s.record_callback(actor=users.operator, ticket=ticket, rating="satisfied", resolved=True)
    s.close_ticket(actor=users.operator, ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at and ticket.resolved_at and ticket.accepted_at and ticket.dispatched_at
    assert events(ticket) == [
        ("ticket.create", "", "received"),
        ("ticket.dispatch", "received", "dispatched"),
        ("ticket.accept", "dispatched", "accepted"),
        ("ticket.assist_accept", "accepted", "accepted"),
        ("ticket.assist_report", "accepted", "accepted"),
        ("ticket.start", "accepted", "in_progress"),
        ("ticket.resolve", "in_progress", "resolved"),
        ("ticket.callback", "resolved", "callback"),
        ("ticket.close", "callback", "closed"),
    ]
    states = dict(Assignment.objects.filter(ticket=ticket).values_list("unit__key", "state"))
    assert states == {"urban_management": "reported", "housing": "reported"}


def test_dispatch_sets_deadlines_from_the_category(dispatched):
    assert dispatched.accept_due_at > dispatched.dispatched_at
    assert dispatched.resolve_due_at > dispatched.accept_due_at


def test_resolve_directly_after_signing_for(dispatched, users):
    s.sign_for(actor=users.handler, ticket=dispatched)
    assert s.resolve_ticket(actor=users.handler, ticket=dispatched, reply="已处理").status == Status.RESOLVED


def test_return_goes_back_to_the_dispatcher_and_stops_the_clock(dispatched, users, city):
    s.return_ticket(actor=users.handler, ticket=dispatched, reason="非本单位职责")
    dispatched.refresh_from_db()
    assert dispatched.status == Status.RETURNED and dispatched.lead_unit is None
    assert dispatched.resolve_due_at is None and dispatched.return_count == 1
    s.dispatch_ticket(actor=users.dispatcher, ticket=dispatched, lead_unit=city.units["housing"])
    dispatched.refresh_from_db()
    assert dispatched.status == Status.DISPATCHED and dispatched.lead_unit.key == "housing"
    assert s.sign_for(actor=users.handler2, ticket=dispatched).status == Status.ACCEPTED


def test_return_after_signing_for(dispatched, users):
    s.sign_for(actor=users.handler, ticket=dispatched)
    assert s.return_ticket(actor=users.handler, ticket=dispatched, reason="地址不详").status == Status.RETURNED


def test_extension_approved_moves_the_deadline(in_progress, users):
    before = in_progress.resolve_due_at
    extension = s.request_extension(actor=users.handler, ticket=in_progress, days=5, reason="需协调施工")
    with pytest.raises(InvalidInput):  # one pending request at a time
        s.request_extension(actor=users.handler, ticket=in_progress, days=3, reason="again")
    s.decide_extension(actor=users.supervisor, extension=extension, approve=True, note="同意")
    in_progress.refresh_from_db()
    assert in_progress.resolve_due_at > before and in_progress.extension_count == 1
    assert Extension.objects.get(pk=extension.pk).state == "approved"


def test_extension_rejected_keeps_the_deadline(in_progress, users):
    before = in_progress.resolve_due_at
    extension = s.request_extension(actor=users.handler, ticket=in_progress, days=5, reason="需协调")
    with pytest.raises(NotAllowed):
        s.decide_extension(actor=users.handler, extension=extension, approve=True)
    s.decide_extension(actor=users.supervisor, extension=extension, approve=False, note="理由不足")
    in_progress.refresh_from_db()
    assert in_progress.resolve_due_at == before and in_progress.extension_count == 0


def test_unsatisfied_callback_reopens_to_the_handler(resolved, users):
    s.record_callback(actor=users.operator, ticket=resolved, rating="unsatisfied", resolved=False, note="没修好")
    resolved.refresh_from_db()
    assert resolved.status == Status.IN_PROGRESS and resolved.reopen_count == 1
    assert events(resolved)[-2:] == [("ticket.callback", "resolved", "callback"),
                                     ("ticket.reopen", "callback", "in_progress")]
    assert s.resolve_ticket(actor=users.handler, ticket=resolved, reply="再次修复").status == Status.RESOLVED


def test_unsatisfied_callback_without_reopen_when_configured(resolved, users, settings):
    settings.SHIYU_REOPEN_ON_UNSATISFIED = False
    s.record_callback(actor=users.operator, ticket=resolved, rating="unsatisfied", resolved=False)
    assert Ticket.objects.get(pk=resolved.pk).status == Status.CALLBACK
    assert s.reopen_ticket(actor=users.supervisor, ticket=resolved, reason="督办重办").status == Status.IN_PROGRESS


def test_an_unreachable_resident_after_the_configured_tries(resolved, users, settings):
    settings.SHIYU_CALLBACK_TRIES = 2
    s.record_unreachable(actor=users.operator, ticket=resolved, note="无人接听")
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED and resolved.callback_tries == 1 and not resolved.callback_unreachable
    s.record_unreachable(actor=users.operator, ticket=resolved, note="关机")
    resolved.refresh_from_db()
    assert resolved.status == Status.CALLBACK and resolved.callback_unreachable
    assert resolved.callback_rating == "" and resolved.callback_at is None  # counts in no rate
    assert events(resolved)[-3:] == [("ticket.callback_attempt", "resolved", "resolved"),
                                     ("ticket.callback_attempt", "resolved", "resolved"),
                                     ("ticket.callback_unreachable", "resolved", "callback")]
    with pytest.raises(IllegalTransition):
        s.record_unreachable(actor=users.operator, ticket=resolved)
    with pytest.raises(NotAllowed):
        s.record_unreachable(actor=users.handler, ticket=resolved)
    assert s.close_ticket(actor=users.operator, ticket=resolved).status == Status.CLOSED


def test_a_resident_reached_after_failed_tries_rates_as_usual(resolved, users):
    s.record_unreachable(actor=users.operator, ticket=resolved)
    s.record_callback(actor=users.operator, ticket=resolved, rating="satisfied", resolved=True)
    resolved.refresh_from_db()
    assert resolved.status == Status.CALLBACK and resolved.callback_tries == 1 and not resolved.callback_unreachable


def test_close_straight_after_reply(resolved, users):
    assert s.close_ticket(actor=users.supervisor, ticket=resolved, note="无法联系").status == Status.CLOSED


def test_reopen_straight_after_reply(resolved, users):
    assert s.reopen_ticket(actor=users.supervisor, ticket=resolved, reason="答复不实").status == Status.IN_PROGRESS


def test_enquiry_answered_directly(make_ticket, users):
    ticket = make_ticket(request_type="enquiry", title="社保缴费咨询")
    ticket = s.answer_directly(actor=users.operator, ticket=ticket, reply="可在社保APP缴纳。")
    assert ticket.status == Status.CLOSED and ticket.reply and ticket.lead_unit is None
    complaint = make_ticket()
    with pytest.raises(InvalidInput):
        s.answer_directly(actor=users.operator, ticket=complaint, reply="不行")


def test_merge_and_invalid(make_ticket, users):
    first, second, junk = make_ticket(), make_ticket(), make_ticket()
    s.merge_ticket(actor=users.operator, ticket=second, into=first, note="同一路灯")
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.duplicate_of == first
    assert ("ticket.merged_in", "", "") in events(first)
    with pytest.raises(InvalidInput):
        s.merge_ticket(actor=users.operator, ticket=first, into=first)
    with pytest.raises(InvalidInput):
        s.merge_ticket(actor=users.operator, ticket=junk, into=second)  # into a merged ticket
    assert s.mark_invalid(actor=users.operator, ticket=junk, reason="骚扰电话").status == Status.INVALID


def _ticket_in(state, make_ticket, users, city):
    """Drive a fresh ticket into `state` through the services."""
    ticket = make_ticket(request_type="complaint")
    unit = city.units["urban_management"]
    steps = {
        Status.RECEIVED: [],
        Status.DISPATCHED: ["dispatch"],
        Status.ACCEPTED: ["dispatch", "accept"],
        Status.IN_PROGRESS: ["dispatch", "accept", "start"],
        Status.RESOLVED: ["dispatch", "accept", "start", "resolve"],
        Status.CALLBACK: ["dispatch", "accept", "start", "resolve", "callback"],
        Status.CLOSED: ["dispatch", "accept", "start", "resolve", "callback", "close"],
        Status.RETURNED: ["dispatch", "return"],
        Status.MERGED: ["merge"],
        Status.INVALID: ["invalid"],
    }[state]
    other = make_ticket() if "merge" in steps else None
    do = {
        "dispatch": lambda: s.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=unit),
        "accept": lambda: s.sign_for(actor=users.handler, ticket=ticket),
        "start": lambda: s.start_work(actor=users.handler, ticket=ticket),
        "resolve": lambda: s.resolve_ticket(actor=users.handler, ticket=ticket, reply="好"),
        "callback": lambda: s.record_callback(actor=users.operator, ticket=ticket, rating="satisfied",
                                              resolved=True),
        "close": lambda: s.close_ticket(actor=users.operator, ticket=ticket),
        "return": lambda: s.return_ticket(actor=users.handler, ticket=ticket, reason="非本单位"),
        "merge": lambda: s.merge_ticket(actor=users.operator, ticket=ticket, into=other),
        "invalid": lambda: s.mark_invalid(actor=users.operator, ticket=ticket, reason="无效"),
    }
    for step in steps:
        do[step]()
    ticket.refresh_from_db()
    assert ticket.status == state
    return ticket


# An action that is illegal from each state, done by someone who would otherwise be allowed.
ILLEGAL = {
    Status.RECEIVED: ("accept", lambda t, u, c: s.sign_for(actor=u.handler, ticket=t)),
    Status.DISPATCHED: ("resolve", lambda t, u, c: s.resolve_ticket(actor=u.handler, ticket=t, reply="x")),
    Status.ACCEPTED: ("dispatch", lambda t, u, c: s.dispatch_ticket(actor=u.dispatcher, ticket=t,
                                                                    lead_unit=c.units["housing"])),
    Status.IN_PROGRESS: ("return", lambda t, u, c: s.return_ticket(actor=u.handler, ticket=t, reason="x")),
    Status.RESOLVED: ("resolve", lambda t, u, c: s.resolve_ticket(actor=u.handler, ticket=t, reply="x")),
    Status.CALLBACK: ("callback", lambda t, u, c: s.record_callback(actor=u.operator, ticket=t,
                                                                    rating="satisfied", resolved=True)),
    Status.CLOSED: ("reopen", lambda t, u, c: s.reopen_ticket(actor=u.supervisor, ticket=t, reason="x")),
    Status.RETURNED: ("close", lambda t, u, c: s.close_ticket(actor=u.operator, ticket=t)),
    Status.MERGED: ("dispatch", lambda t, u, c: s.dispatch_ticket(actor=u.dispatcher, ticket=t,
                                                                  lead_unit=c.units["housing"])),
    Status.INVALID: ("mark_invalid", lambda t, u, c: s.mark_invalid(actor=u.operator, ticket=t, reason="x")),
}


@pytest.mark.parametrize("state", list(Status))
def test_an_illegal_action_from_each_state_names_the_state_and_what_is_allowed(state, make_ticket, users, city):
    ticket = _ticket_in(state, make_ticket, users, city)
    before = events(ticket)
    action, attempt = ILLEGAL[state]
    assert action not in lifecycle.allowed_actions(state)
    with pytest.raises(IllegalTransition) as error:
        attempt(ticket, users, city)
    assert error.value.status == 409
    assert error.value.current == state
    assert error.value.allowed == lifecycle.allowed_actions(state)
    assert str(Status(state).label) in error.value.message
    ticket.refresh_from_db()
    assert ticket.status == state and events(ticket) == before  # nothing written


def test_every_legal_transition_is_exercised():
    """The table and the tests above agree: each action with a target state is reachable."""
    targets = {t.target for t in lifecycle.TRANSITIONS.values() if t.target}
    assert targets == set(Status) - {Status.RECEIVED}


def test_permissions(dispatched, make_ticket, users, city):
    with pytest.raises(NotAllowed):  # another unit's handler
        s.sign_for(actor=users.subhandler, ticket=dispatched)
    with pytest.raises(NotAllowed):  # a citizen cannot dispatch
        s.dispatch_ticket(actor=users.citizen, ticket=make_ticket(), lead_unit=city.units["housing"])
    with pytest.raises(NotAllowed):
        s.record_callback(actor=users.handler, ticket=dispatched, rating="satisfied", resolved=True)
    assert Ticket.objects.get(pk=dispatched.pk).status == Status.DISPATCHED


def test_the_open_tickets_index_covers_exactly_the_open_states():
    index = next(i for i in Ticket._meta.indexes if i.name == "ticket_open_due_idx")
    (_lookup, states), = index.condition.children
    assert set(states) == set(lifecycle.OPEN_STATES)

"""Every action the state does not allow answers 409 naming the state and what is
allowed next, and writes nothing."""
import pytest
from django.utils import translation

from shiyu.core.models import AuditEvent
from shiyu.tickets import lifecycle
from shiyu.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db

# endpoint -> (lifecycle action, body). Assisting-unit actions are covered in test_loop.
ENDPOINTS = {
    "dispatch": ("dispatch", {"lead_unit": "urban_management"}),
    "answer": ("answer_directly", {"reply": "答复"}),
    "sign-for": ("accept", {}),
    "start": ("start", {}),
    "return": ("return", {"reason": "不属于本单位"}),
    "resolve": ("resolve", {"reply": "已办结"}),
    "extensions": ("request_extension", {"days": 2, "reason": "需要时间"}),
    "callback": ("callback", {"rating": "satisfied", "resolved": True}),
    "reopen": ("reopen", {"reason": "未解决"}),
    "close": ("close", {}),
    "merge": ("merge", None),  # into: another ticket
    "invalid": ("mark_invalid", {"reason": "无效"}),
    "photos": ("attach", None),  # multipart
}
ILLEGAL = [(state, endpoint) for state in Status.values for endpoint, (action, _) in ENDPOINTS.items()
           if action not in lifecycle.allowed_actions(state)]


def _changes(ticket_id):
    return AuditEvent.objects.filter(target_type="ticket", target_id=ticket_id).exclude(action="pii.read").count()


@pytest.mark.parametrize("state,endpoint", ILLEGAL, ids=[f"{s}-{e}" for s, e in ILLEGAL])
def test_illegal_action_is_409(api, flow, make_ticket, png, state, endpoint):
    ticket = flow.states[state]()
    assert ticket.status == state
    before = _changes(ticket.pk)
    action, body = ENDPOINTS[endpoint]
    path = f"/api/tickets/{ticket.code}/{endpoint}/"
    client = api("admin")  # may do everything, so only the state can refuse
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    if endpoint == "photos":
        response = client.post(path, {"photo": png()}, format="multipart")
    else:
        response = client.post(path, body if body is not None else {"into": make_ticket().code}, format="json")
    assert response.status_code == 409, response.json()
    error = response.json()
    assert error["code"] == "illegal_transition"
    assert error["current_state"] == state
    assert error["allowed_actions"] == lifecycle.allowed_actions(state)
    with translation.override("en"):
        assert str(Status(state).label) in error["detail"]  # the message names the state ...
        for allowed in error["allowed_actions"]:  # ... and what may come next
            assert str(lifecycle.TRANSITIONS[allowed].label) in error["detail"]
    assert Ticket.objects.get(pk=ticket.pk).status == state
    assert _changes(ticket.pk) == before


def test_every_state_has_an_illegal_action():
    assert {state for state, _ in ILLEGAL} == set(Status.values)


def test_assist_actions_out_of_state(api, users, city, flow):
    """An assisting unit's sign-for on a closed ticket is a 409 too."""
    from shiyu.tickets import services

    ticket = flow.received()
    services.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=city.units["urban_management"],
                             assist_units=[city.units["housing"]])
    services.sign_for(actor=users.handler, ticket=ticket)
    services.resolve_ticket(actor=users.handler, ticket=ticket, reply="已办结")
    response = api("handler2").post(f"/api/tickets/{ticket.pk}/sign-for/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["current_state"] == "resolved"
    response = api("handler2").post(f"/api/tickets/{ticket.pk}/assist-report/", {"report": "迟到的报告"}, format="json")
    assert response.status_code == 409

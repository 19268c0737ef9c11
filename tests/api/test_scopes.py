"""Data scopes per role, on the list, the detail and the actions."""
import pytest

from shiyu.core.models import AuditEvent
from shiyu.tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(users, city, make_ticket):
    """here: in the gridworker's first grid (first subdistrict), led by urban_management;
    there: in the last subdistrict, led by housing; own: the citizen's own, in the last subdistrict."""
    far_grid = next(g for g in reversed(city.grids) if g.community.parent_id == city.subdistricts[-1].pk)
    here = services.dispatch_ticket(actor=users.dispatcher, ticket=make_ticket(grid=city.grids[0]),
                                    lead_unit=city.units["urban_management"])
    there = services.dispatch_ticket(actor=users.dispatcher, ticket=make_ticket(grid=far_grid),
                                     lead_unit=city.units["housing"])
    own = make_ticket(grid=far_grid, actor=users.citizen, channel="app")
    return {"here": here, "there": there, "own": own}


SCOPES = {
    "citizen": {"own"},
    "citizen2": set(),
    "operator": {"here", "there", "own"},
    "operator2": {"here", "there", "own"},
    "dispatcher": {"here", "there", "own"},
    "supervisor": {"here", "there", "own"},
    "leader": {"here", "there", "own"},
    "admin": {"here", "there", "own"},
    "handler": {"here"},  # urban_management: what it was assigned
    "handler2": {"there"},  # housing
    "subhandler": {"here"},  # the first subdistrict's office: its area
    "gridworker": {"here"},  # its grids
}


@pytest.mark.parametrize("username", SCOPES)
def test_list_and_detail_follow_the_scope(api, tickets, username):
    client = api(username)
    response = client.get("/api/tickets/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    names = {name for name, t in tickets.items() if t.pk in ids}
    assert names == SCOPES[username]
    for name, ticket in tickets.items():
        expected = 200 if name in SCOPES[username] else 404
        assert client.get(f"/api/tickets/{ticket.pk}/").status_code == expected
        assert client.get(f"/api/tickets/{ticket.code}/").status_code == expected


def test_subdistrict_office_sees_its_area_even_when_not_assigned(api, users, city, tickets):
    assert tickets["here"].lead_unit.key == "urban_management"
    assert api("subhandler").get(f"/api/tickets/{tickets['here'].code}/").json()["allowed_actions"] == ["attach"]


def test_actions_outside_the_scope_are_404_and_write_nothing(api, tickets):
    there = tickets["there"]
    before = AuditEvent.objects.filter(target_id=there.pk).count()
    for username, path, body in [("handler", "sign-for", {}), ("handler", "return", {"reason": "x"}),
                                 ("gridworker", "photos", {}), ("citizen", "reopen", {"reason": "x"})]:
        response = api(username).post(f"/api/tickets/{there.code}/{path}/", body, format="json")
        assert response.status_code == 404, (username, path)
        assert response.json()["code"] == "not_found"
    assert AuditEvent.objects.filter(target_id=there.pk).count() == before


def test_role_not_allowed_is_403(api, tickets):
    here = tickets["here"]
    cases = [("leader", "dispatch", {"lead_unit": "housing"}), ("handler", "close", {}),
             ("operator", "sign-for", {}), ("gridworker", "invalid", {"reason": "x"}),
             ("handler", "callback", {"rating": "satisfied", "resolved": True})]
    for username, path, body in cases:
        response = api(username).post(f"/api/tickets/{here.pk}/{path}/", body, format="json")
        assert response.status_code == 403, (username, path, response.json())
        assert response.json()["code"] == "forbidden"
    lat_long = dict(lat=30.0, long=120.0)
    response = api("leader").post("/api/tickets/", dict(channel="hotline", request_type="enquiry",
                                                       description="问", **lat_long), format="json")
    assert response.status_code == 403


def test_extension_decision_outside_the_scope(api, users, tickets):
    there = tickets["there"]
    services.sign_for(actor=users.handler2, ticket=there)
    extension = services.request_extension(actor=users.handler2, ticket=there, days=2, reason="等待")
    response = api("handler").post(f"/api/extensions/{extension.pk}/decide/", {"approve": True}, format="json")
    assert response.status_code == 404
    response = api("handler2").post(f"/api/extensions/{extension.pk}/decide/", {"approve": True}, format="json")
    assert response.status_code == 403

"""Data scopes per role and masking of personal data, enforced in the selectors."""
import pytest

from shiyu.core.models import AuditEvent
from shiyu.tickets import selectors
from shiyu.tickets import services as s


@pytest.fixture
def tickets(make_ticket, users, city):
    """One ticket in the first subdistrict (in the grid worker's grids) dispatched to
    urban management, one elsewhere dispatched to housing, one reported by a citizen."""
    first_sub = city.subdistricts[0]
    inside = [g for g in city.grids if g.community.parent_id == first_sub.pk]
    outside = [g for g in city.grids if g.community.parent.parent_id != first_sub.parent_id]
    here = make_ticket(grid=users.gridworker.grids.order_by("code").first())
    s.dispatch_ticket(actor=users.dispatcher, ticket=here, lead_unit=city.units["urban_management"])
    there = make_ticket(grid=outside[0])
    s.dispatch_ticket(actor=users.dispatcher, ticket=there, lead_unit=city.units["housing"])
    own = make_ticket(grid=inside[-1], actor=users.citizen, channel="app")
    return {"here": here, "there": there, "own": own}


def visible(user, tickets):
    ids = set(selectors.visible_tickets(user).values_list("pk", flat=True))
    return {name for name, t in tickets.items() if t.pk in ids}


@pytest.mark.parametrize("role, expected", [
    ("operator", {"here", "there", "own"}),
    ("dispatcher", {"here", "there", "own"}),
    ("supervisor", {"here", "there", "own"}),
    ("leader", {"here", "there", "own"}),
    ("admin", {"here", "there", "own"}),
    ("handler", {"here"}),          # its unit's tickets only
    ("handler2", {"there"}),
    ("subhandler", {"here", "own"}),  # everything in its own subdistrict
    ("gridworker", {"here"}),       # its grids
    ("citizen", {"own"}),
    ("citizen2", set()),
])
def test_each_role_sees_its_scope(role, expected, users, tickets):
    assert visible(getattr(users, role), tickets) == expected


def test_a_ticket_outside_the_scope_is_not_found(users, tickets):
    from shiyu.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.get_visible_ticket(users.handler2, tickets["here"].code)
    assert selectors.get_visible_ticket(users.handler, tickets["here"].code) == tickets["here"]


@pytest.mark.parametrize("role, masked", [
    ("operator", False),      # took the call (首接负责)
    ("operator2", True),
    ("supervisor", False),
    ("dispatcher", True),
    ("handler", True),
    ("admin", True),
    ("leader", True),
])
def test_contact_is_masked_except_for_the_receiving_operator_and_supervisors(role, masked, users, tickets):
    ticket = tickets["here"]
    user = getattr(users, role)
    before = AuditEvent.objects.filter(action="pii.read", actor=user).count()
    contact = selectors.reporter_contacts(user, [ticket])[ticket.pk]
    reads = AuditEvent.objects.filter(action="pii.read", actor=user).count() - before
    if masked:
        assert contact == {"name": "张*", "phone": "138****5678", "email": "", "masked": True} and reads == 0
    else:
        assert contact["phone"] == "13812345678" and contact["name"] == "张三" and reads == 1


def test_timeline_leaves_out_reads(users, tickets):
    ticket = tickets["here"]
    selectors.reporter_contacts(users.supervisor, [ticket])
    actions = [e.action for e in selectors.ticket_timeline(ticket)]
    assert actions == ["ticket.create", "ticket.dispatch"]

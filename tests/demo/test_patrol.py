"""The demo grid worker's patrol: their own reports, in their own grids, being handled."""
import pytest

from shiyu.core.models import AuditEvent
from shiyu.demo.patrol import EVENTS, seed_patrol_reports
from shiyu.tickets.models import Channel, Status

pytestmark = pytest.mark.django_db


def test_the_grid_worker_finds_their_reports_being_handled(users, client):
    reports = seed_patrol_reports(seed=3)
    assert len(reports) == len(EVENTS)
    own = set(users.gridworker.grids.values_list("pk", flat=True))
    for ticket in reports:
        assert ticket.channel == Channel.GRID and ticket.received_by == users.gridworker
        assert ticket.grid_id in own and ticket.lead_unit_id is not None
        assert ticket.status in {Status.DISPATCHED, Status.IN_PROGRESS}
        actions = list(AuditEvent.objects.filter(target_type="ticket", target_id=ticket.pk)
                       .order_by("at", "id").values_list("action", flat=True))
        assert actions[:3] == ["ticket.create", "ticket.route", "ticket.dispatch"]
    assert any(t.status == Status.IN_PROGRESS for t in reports)

    client.force_login(users.gridworker)
    page = client.get("/grid/tasks/").content.decode()
    assert all(t.code in page for t in reports)


def test_the_same_seed_gives_the_same_rounds(users):
    first = [(t.category.code, t.grid_id, round(t.lat, 6)) for t in seed_patrol_reports(seed=5)]
    from shiyu.tickets.models import Ticket

    Ticket.objects.filter(channel=Channel.GRID).delete()
    assert [(t.category.code, t.grid_id, round(t.lat, 6)) for t in seed_patrol_reports(seed=5)] == first

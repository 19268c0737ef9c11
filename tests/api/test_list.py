"""The ticket list: filters, ordering, pagination without a count, and no N+1."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shiyu.tickets import services
from shiyu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_filters(api, users, city, make_ticket, flow):
    far_grid = next(g for g in reversed(city.grids) if g.community.parent_id == city.subdistricts[-1].pk)
    received = make_ticket(title="井盖丢了", category=city.leaves[1])
    dispatched = flow.dispatched()
    enquiry = make_ticket(request_type="enquiry", channel="web", grid=far_grid, description="请问社保怎么办理？")
    housing = services.dispatch_ticket(actor=users.dispatcher, ticket=make_ticket(grid=far_grid),
                                       lead_unit=city.units["housing"])
    get = api("dispatcher").get
    assert set(ids(get("/api/tickets/?status=received"))) == {received.pk, enquiry.pk}
    assert set(ids(get("/api/tickets/?status=received,dispatched"))) == {received.pk, dispatched.pk, enquiry.pk,
                                                                          housing.pk}
    assert set(ids(get("/api/tickets/?status=received&status=dispatched"))) == {received.pk, dispatched.pk,
                                                                                 enquiry.pk, housing.pk}
    assert ids(get("/api/tickets/?channel=web")) == [enquiry.pk]
    assert ids(get("/api/tickets/?request_type=enquiry")) == [enquiry.pk]
    assert ids(get("/api/tickets/?lead_unit=housing")) == [housing.pk]
    assert set(ids(get(f"/api/tickets/?subdistrict={city.subdistricts[-1].code}"))) == {enquiry.pk, housing.pk}
    assert ids(get(f"/api/tickets/?category={city.leaves[1].code}")) == [received.pk]
    parent = city.leaves[0].parent.parent.code  # a first-level code includes its leaves
    expected = {t.pk for t in (received, dispatched, enquiry, housing) if t.category.code.startswith(parent)}
    assert dispatched.pk in expected
    assert set(ids(get(f"/api/tickets/?category={parent}"))) == expected
    assert ids(get("/api/tickets/?q=井盖")) == [received.pk]
    assert ids(get("/api/tickets/?q=社保")) == [enquiry.pk]


def test_created_range_and_overdue(api, users, city, make_ticket, flow):
    now = timezone.now()
    old = make_ticket(created_at=now - dt.timedelta(days=40))
    late = flow.dispatched()
    Ticket.objects.filter(pk=late.pk).update(resolve_due_at=now - dt.timedelta(hours=1))
    done = flow.closed()
    Ticket.objects.filter(pk=done.pk).update(resolve_due_at=now - dt.timedelta(hours=1))  # closed: not overdue
    get = api("supervisor").get
    since = (now - dt.timedelta(days=1)).isoformat()
    assert old.pk not in ids(get("/api/tickets/", {"created_after": since}))
    assert ids(get("/api/tickets/", {"created_before": since})) == [old.pk]
    assert ids(get("/api/tickets/", {"created_after": (now - dt.timedelta(days=50)).date().isoformat(),
                                     "created_before": since})) == [old.pk]
    assert ids(get("/api/tickets/?overdue=true")) == [late.pk]
    assert late.pk not in ids(get("/api/tickets/?overdue=false"))
    row = next(r for r in get("/api/tickets/").json()["results"] if r["id"] == late.pk)
    assert row["overdue"] is True
    detail = get(f"/api/tickets/{late.pk}/").json()
    assert detail["deadlines"]["overdue"] is True and detail["overdue"] is True


def test_ordering(api, make_ticket, flow):
    now = timezone.now()
    first = make_ticket(created_at=now - dt.timedelta(hours=3))
    second = make_ticket(created_at=now - dt.timedelta(hours=2))
    a, b = flow.dispatched(), flow.dispatched()
    Ticket.objects.filter(pk=a.pk).update(resolve_due_at=now + dt.timedelta(days=2))
    Ticket.objects.filter(pk=b.pk).update(resolve_due_at=now + dt.timedelta(days=1))
    get = api("dispatcher").get
    newest_first = ids(get("/api/tickets/"))
    assert newest_first.index(second.pk) < newest_first.index(first.pk)
    oldest_first = ids(get("/api/tickets/?ordering=created_at"))
    assert oldest_first[:2] == [first.pk, second.pk]
    assert ids(get("/api/tickets/?ordering=resolve_due_at"))[:2] == [b.pk, a.pk]  # no deadline: last
    assert ids(get("/api/tickets/?ordering=-resolve_due_at"))[:2] == [a.pk, b.pk]
    assert len(ids(get("/api/tickets/?ordering=accept_due_at"))) == 4


def test_pagination_without_count(api, make_ticket):
    made = [make_ticket().pk for _ in range(5)]
    get = api("operator").get
    page = get("/api/tickets/?limit=2").json()
    assert set(page) == {"next", "previous", "results"}  # no count
    assert page["previous"] is None and "offset=2" in page["next"]
    seen = [r["id"] for r in page["results"]]
    while page["next"]:
        page = get(page["next"]).json()
        seen += [r["id"] for r in page["results"]]
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    assert page["previous"] is not None
    assert len(get("/api/tickets/?limit=100000").json()["results"]) == 5  # capped at 200, not refused


def test_list_queries_do_not_grow_with_the_page(api, users, make_ticket, flow, caches_held):
    client = api("supervisor")  # sees contacts unmasked: the audit insert is one query too
    make_ticket(), flow.dispatched()
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/tickets/").status_code == 200
    for _ in range(8):
        flow.dispatched()
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/tickets/").json()["results"]) == 10
    assert len(many) == len(few)
    assert len(many) <= 4  # session/auth aside: the page (one joined query) and the audit insert

"""Grid worker pages: my grid (map data and counts), report an event, my tasks."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from shiyu.core.models import AuditEvent
from shiyu.tickets import services
from shiyu.tickets.models import Attachment, Ticket

PAGES = ["/grid/", "/grid/report/", "/grid/tasks/"]


def png(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def worker(client, users):
    client.force_login(users.gridworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the new strings are not translated yet
    return client


@pytest.fixture
def own_grids(users):
    return list(users.gridworker.grids.order_by("code"))


@pytest.fixture
def other_grid(city, own_grids):
    return next(grid for grid in reversed(city.grids) if grid not in own_grids)


def report(client, lat, long, **fields):
    data = {"description": "人行道井盖缺失，行人容易踩空。", "lat": lat, "long": long, "address": "", "category": ""}
    data.update(fields)
    return client.post("/grid/report/", data)


@pytest.mark.parametrize("path", PAGES)
def test_grid_pages_are_for_grid_workers_only(client, users, path):
    assert client.get(path).status_code == 302  # to the login page
    for other in (users.citizen, users.operator, users.handler):
        client.force_login(other)
        assert client.get(path).status_code == 403
    client.force_login(users.gridworker)
    assert client.get(path).status_code == 200


def test_my_grid_shows_each_grid_with_its_open_tickets(worker, make_ticket, own_grids, other_grid):
    inside = [make_ticket(grid=own_grids[0], title=f"井盖{i}") for i in range(2)]
    make_ticket(grid=other_grid, title="别处的事")
    page = worker.get("/grid/").content.decode()
    assert all(ticket.code in page for ticket in inside) and "别处的事" not in page
    assert all(f'data-grid="{grid.code}"' in page for grid in own_grids)
    features = worker.get("/grid/grids.geojson").json()["features"]
    assert {f["properties"]["code"]: f["properties"]["open"] for f in features} == {
        own_grids[0].code: 2, own_grids[1].code: 0, own_grids[2].code: 0}
    assert features[0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_a_report_from_the_grid_is_a_grid_ticket_with_its_photo(worker, users, city, own_grids):
    lat, long = city.point_in(own_grids[1])
    response = report(worker, lat, long, photo=png())
    assert response.status_code == 302 and response["Location"] == "/grid/tasks/"
    ticket = Ticket.objects.get(received_by=users.gridworker)
    assert (ticket.channel, ticket.grid, ticket.request_type) == ("grid", own_grids[1], "report")
    assert (ticket.lat, ticket.long) == (pytest.approx(lat), pytest.approx(long))
    assert Attachment.objects.filter(ticket=ticket, uploaded_by=users.gridworker).count() == 1
    assert AuditEvent.objects.filter(target_id=ticket.pk, action__in=["ticket.create", "ticket.attach"]).count() == 2
    assert ticket.code in worker.get("/grid/tasks/").content.decode()


def test_a_point_outside_the_workers_grids_is_refused_with_a_message(worker, city, other_grid):
    response = report(worker, *city.point_in(other_grid))
    assert response.status_code == 422
    assert "outside your grids" in response.content.decode()
    assert not Ticket.objects.filter(channel="grid").exists()


def test_a_grid_report_needs_its_point_and_a_description(worker):
    response = report(worker, "", "", description="")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="lat"' in page and 'data-field="description"' in page
    assert not Ticket.objects.filter(channel="grid").exists()


def test_a_bad_photo_leaves_no_ticket_behind(worker, city, own_grids, settings):
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    response = report(worker, *city.point_in(own_grids[0]), photo=fake)
    assert response.status_code == 422
    assert 'data-field="photo"' in response.content.decode()
    assert not Ticket.objects.filter(channel="grid").exists()
    assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


def test_tasks_have_deadline_badges_and_take_progress_photos(worker, users, make_ticket, own_grids):
    ticket = make_ticket(grid=own_grids[0])
    services.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=users.handler.unit)
    page = worker.get("/grid/tasks/").content.decode()
    assert f'data-ticket="{ticket.code}"' in page and 'data-deadline="on_time"' in page
    response = worker.post(f"/grid/tasks/{ticket.code}/photo/", {"photo": png()})
    assert response.status_code == 302
    assert ticket.attachments.count() == 1
    fake = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\nbroken", content_type="image/png")
    assert worker.post(f"/grid/tasks/{ticket.code}/photo/", {"photo": fake}).status_code == 422
    assert worker.post(f"/grid/tasks/{ticket.code}/photo/", {}).status_code == 400
    assert ticket.attachments.count() == 1


def test_no_progress_photo_outside_the_workers_scope(worker, make_ticket, other_grid):
    ticket = make_ticket(grid=other_grid)
    assert worker.post(f"/grid/tasks/{ticket.code}/photo/", {"photo": png()}).status_code == 404
    assert not ticket.attachments.exists()


@pytest.mark.parametrize("path", ["/grid/", "/grid/tasks/", "/grid/grids.geojson"])
def test_grid_pages_cost_the_same_queries_for_more_tickets(worker, make_ticket, own_grids, caches_held, path):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert worker.get(path).status_code == 200
        return len(captured)

    make_ticket(grid=own_grids[0])
    queries()  # the first request also loads the working calendar into this process
    few = queries()
    for grid in own_grids * 2:
        make_ticket(grid=grid)
    assert queries() == few

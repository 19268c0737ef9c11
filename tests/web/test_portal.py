"""The citizen portal: reporting without an account, tracking codes, rating once, the
public list of resolved tickets without personal data."""
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from shiyu.core.errors import NotFound
from shiyu.core.models import AuditEvent
from shiyu.tickets import services
from shiyu.tickets.models import Ticket
from shiyu.tickets.tracking import make_tracking_code, verify_tracking_code
from shiyu.web import pages
from shiyu.web.views import portal

PUBLIC = ["/portal/", "/portal/track/", "/portal/resolved/"]
REPLY = "已更换示范路1号门口的路灯，张三可拨13812345678反馈。"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()  # the rate limit counts in the cache, which outlives a test
    yield
    cache.clear()


@pytest.fixture
def english(client, db):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the new strings are not translated yet
    return client


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def report(client, meta=None, **fields):
    """Post the portal's report form; meta: the request's headers and peer (REMOTE_ADDR)."""
    data = {"description": "小区门口垃圾三天没人清运，气味很大。", "request_type": "complaint", "category": "",
            "lat": "", "long": "", "address": "", "reporter_name": "", "reporter_phone": ""}
    data.update(fields)
    return client.post("/portal/", data, **(meta or {}))


def replied(make_ticket, users, **fields) -> Ticket:
    ticket = make_ticket(**fields)
    services.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=users.handler.unit)
    services.sign_for(actor=users.handler, ticket=ticket)
    return services.resolve_ticket(actor=users.handler, ticket=ticket, reply=REPLY)


def tracked_url(ticket: Ticket) -> str:
    return f"/portal/track/{make_tracking_code(ticket.code)}/"


# ---------------------------------------------------------------- pages and navigation


@pytest.mark.parametrize("path", PUBLIC)
def test_portal_pages_are_public_and_offline(client, users, path):
    for user in (None, users.citizen, users.operator):
        if user:
            client.force_login(user)
        response = client.get(path)
        assert response.status_code == 200
        assert 'src="http' not in response.content.decode() and 'href="http' not in response.content.decode()


def test_my_reports_are_for_signed_in_citizens(client, users):
    assert client.get("/portal/mine/").status_code == 302
    client.force_login(users.operator)
    assert client.get("/portal/mine/").status_code == 403
    client.force_login(users.citizen)
    assert client.get("/portal/mine/").status_code == 200


def test_navigation_gives_residents_the_portal_and_grid_workers_their_pages(users):
    from django.contrib.auth.models import AnonymousUser

    names = lambda user: {page.url_name for page in pages.pages_for(user)}  # noqa: E731
    assert names(AnonymousUser()) == {"portal", "portal-track", "portal-resolved"}
    assert names(users.citizen) == {"home", "portal", "portal-track", "portal-resolved", "portal-mine"}
    assert {"grid", "grid-report", "grid-tasks"} <= names(users.gridworker)
    assert not names(users.gridworker) & {"portal", "portal-mine"}
    assert not names(users.operator) & {"portal", "grid"}


def test_the_area_map_is_the_citys_communities(client, city):
    collection = client.get("/portal/areas.geojson").json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == len({grid.community_id for grid in city.grids})


# ---------------------------------------------------------------- reporting


def test_anyone_can_report_with_a_point_and_gets_a_tracking_code(english, city):
    lat, long = city.point_in(city.grids[5])
    response = report(english, lat=lat, long=long, photo=png(), reporter_phone="13900002222")
    ticket = Ticket.objects.get(channel="web")
    tracking = make_tracking_code(ticket.code)
    assert response.status_code == 302 and response["Location"] == f"/portal/track/{tracking}/"
    assert (ticket.grid, ticket.reporter, ticket.received_by) == (city.grids[5], None, None)
    assert ticket.reporter_phone == "13900002222" and ticket.attachments.count() == 1
    page = english.get(response["Location"]).content.decode()
    assert tracking in page and "13900002222" not in page


def test_a_report_by_address_alone_is_taken_in(english):
    assert report(english, address="示范路8号").status_code == 302
    assert Ticket.objects.get(channel="web").address == "示范路8号"


def test_a_signed_in_citizen_reports_as_themselves_and_finds_it_in_my_reports(english, users, city):
    english.force_login(users.citizen)
    assert report(english, address="示范路8号").status_code == 302
    ticket = Ticket.objects.get(channel="web")
    assert ticket.reporter == users.citizen
    assert make_tracking_code(ticket.code) in english.get("/portal/mine/").content.decode()


def test_staff_on_the_portal_report_as_residents(english, users):
    english.force_login(users.handler)  # a role that may not enter tickets
    assert report(english, address="示范路8号").status_code == 302
    assert Ticket.objects.get(channel="web").received_by is None


@pytest.mark.parametrize("fields, status, field", [
    ({"description": ""}, 400, "description"),
    ({"description": "很" * 4001, "address": "示范路8号"}, 400, "description"),
    ({"address": ""}, 400, "address"),
    ({"address": "示范路8号", "reporter_phone": "call me"}, 400, "reporter_phone"),
    ({"lat": "39.9", "long": ""}, 400, "lat"),
    ({"lat": "nan", "long": "116.1"}, 400, "lat"),
    ({"lat": "10.0", "long": "10.0"}, 422, "lat"),  # far outside the city
    ({"address": "示范路8号", "request_type": "shout"}, 400, "request_type"),
])
def test_bad_reports_get_form_errors_and_no_ticket(english, fields, status, field):
    response = report(english, **fields)
    assert response.status_code == status
    assert f'data-field="{field}"' in response.content.decode()
    assert not Ticket.objects.filter(channel="web").exists()


def test_a_bad_photo_is_refused_and_leaves_no_ticket(english):
    fake = SimpleUploadedFile("photo.jpg", b"GIF89a....", content_type="image/jpeg")
    response = report(english, address="示范路8号", photo=fake)
    assert response.status_code == 422 and 'data-field="photo"' in response.content.decode()
    assert not Ticket.objects.filter(channel="web").exists()


def test_portal_posts_need_the_csrf_token(city):
    client = Client(enforce_csrf_checks=True)
    assert report(client, address="示范路8号").status_code == 403
    assert not Ticket.objects.filter(channel="web").exists()


def test_portal_posts_are_rate_limited(english, monkeypatch):
    monkeypatch.setattr(portal, "POSTS_PER_HOUR", 2)
    assert [report(english, address="示范路8号").status_code for _ in range(3)] == [302, 302, 429]
    assert Ticket.objects.filter(channel="web").count() == 2


def test_behind_a_trusted_proxy_each_resident_has_their_own_limit(english, monkeypatch, settings):
    monkeypatch.setattr(portal, "POSTS_PER_HOUR", 1)
    settings.SHIYU_TRUSTED_PROXIES = frozenset({"10.0.0.1"})

    def from_resident(address, forwarded_for=None):
        meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": forwarded_for or address}
        return report(english, meta, address="示范路8号").status_code

    assert [from_resident("192.0.2.7"), from_resident("192.0.2.8")] == [302, 302]
    assert from_resident("192.0.2.7") == 429
    # an address the resident wrote before the proxy's own is not believed
    assert from_resident("192.0.2.7", forwarded_for="198.51.100.1, 192.0.2.7") == 429


def test_an_untrusted_client_cannot_choose_its_address(english, monkeypatch):
    monkeypatch.setattr(portal, "POSTS_PER_HOUR", 1)
    codes = [report(english, {"HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}, address="示范路8号").status_code
             for n in range(2)]
    assert codes == [302, 429]


# ---------------------------------------------------------------- tracking codes


def test_tracking_codes_verify_and_forgeries_do_not(settings):
    tracking = make_tracking_code("260101ABCDEFGH")
    assert tracking.startswith("260101ABCDEFGH-") and len(tracking) == 21
    assert verify_tracking_code(tracking) == verify_tracking_code(f" {tracking.lower()} ") == "260101ABCDEFGH"
    forged = tracking[:-1] + ("0" if tracking[-1] != "0" else "1")
    assert verify_tracking_code(forged) is None
    assert verify_tracking_code("260101ABCDEFGH") is None and verify_tracking_code("") is None
    assert verify_tracking_code("260101ABCDEFGJ-" + tracking[-6:]) is None  # another ticket's signature
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a new key " * 5, [settings.SECRET_KEY]
    assert verify_tracking_code(tracking) == "260101ABCDEFGH"  # still valid after a key rotation


def test_follow_progress_finds_a_report_and_rejects_forged_codes(english, make_ticket):
    ticket = make_ticket()
    tracking = make_tracking_code(ticket.code)
    assert english.get("/portal/track/", {"code": tracking.lower()})["Location"] == f"/portal/track/{tracking}/"
    forged = ticket.code + "-AAAAAA"
    assert english.get("/portal/track/", {"code": forged}).status_code == 404
    assert english.get(f"/portal/track/{forged}/").status_code == 404
    assert english.get(f"/portal/track/{ticket.code}/").status_code == 404
    unknown = make_tracking_code("260101ZZZZZZZZ")  # well signed, no such ticket
    assert english.get(f"/portal/track/{unknown}/").status_code == 404


def test_the_public_timeline_shows_steps_not_people(english, users, make_ticket):
    ticket = replied(make_ticket, users)
    page = english.get(tracked_url(ticket)).content.decode()
    for private in ("张三", "13812345678", "示范路1号", users.operator.username, users.handler.username):
        assert private not in page
    assert "Report received" in page and "Answer given" in page and 'data-action="rate"' in page
    assert "已更换示范路*号门口的路灯" in page  # the reply, without the door number


# ---------------------------------------------------------------- rating


def test_a_resident_rates_the_answer_once(english, users, make_ticket):
    ticket = replied(make_ticket, users)
    url = tracked_url(ticket)
    response = english.post(url + "rate/", {"rating": "satisfied", "resolved": "yes"})
    assert response.status_code == 302 and response["Location"] == url
    ticket.refresh_from_db()
    assert (ticket.status, ticket.callback_rating, ticket.callback_resolved) == ("callback", "satisfied", True)
    event = AuditEvent.objects.get(target_id=ticket.pk, action="ticket.callback")
    assert event.actor is None and event.data == {"rating": "satisfied", "resolved": True, "by": "resident"}
    again = english.post(url + "rate/", {"rating": "unsatisfied", "resolved": "no"})
    assert again.status_code == 409
    ticket.refresh_from_db()
    assert ticket.callback_rating == "satisfied"
    assert 'data-action="rate"' not in english.get(url).content.decode()


def test_an_unsatisfied_resident_reopens_the_ticket(english, users, make_ticket):
    ticket = replied(make_ticket, users)
    english.post(tracked_url(ticket) + "rate/", {"rating": "unsatisfied", "resolved": "no"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.callback_rating, ticket.reopen_count) == ("in_progress", "unsatisfied", 1)


def test_no_rating_before_the_answer_nor_with_a_bad_form_or_code(english, make_ticket):
    ticket = make_ticket()
    url = tracked_url(ticket)
    assert english.post(url + "rate/", {"rating": "satisfied", "resolved": "yes"}).status_code == 409
    assert english.post(url + "rate/", {"rating": "great", "resolved": "yes"}).status_code == 400
    forged = f"/portal/track/{ticket.code}-AAAAAA/rate/"
    assert english.post(forged, {"rating": "satisfied", "resolved": "yes"}).status_code == 404
    assert english.get(url + "rate/").status_code == 405
    with pytest.raises(NotFound):
        services.record_resident_rating(tracking_code=ticket.code + "-AAAAAA", rating="satisfied", resolved=True)
    ticket.refresh_from_db()
    assert ticket.status == "received" and not ticket.callback_rating


# ---------------------------------------------------------------- the public list


def test_the_public_list_has_the_answer_and_no_personal_data(english, users, make_ticket, city):
    ticket = replied(make_ticket, users)
    make_ticket(title="还没答复的事")
    page = english.get("/portal/resolved/").content.decode()
    for private in ("张三", "13812345678", "示范路1号", ticket.code, "还没答复的事"):
        assert private not in page
    assert "138****5678" in page and city.grids[0].community.name in page and ticket.category.name in page


def test_the_public_list_pages_newest_first(english, users, make_ticket, monkeypatch):
    monkeypatch.setattr(portal, "PAGE_SIZE", 2)
    tickets = [replied(make_ticket, users, description=f"第{i}件事") for i in range(5)]
    seen, url = [], "/portal/resolved/"
    while url:
        response = english.get(url)
        seen.append(response.context["rows"])
        older = response.context["older"]
        url = f"/portal/resolved/?after={older}" if older else ""
    assert [len(rows) for rows in seen] == [2, 2, 1]
    assert seen[-1][0]["received"] == tickets[0].created_at


def test_the_public_list_costs_the_same_queries_for_more_tickets(english, users, make_ticket, caches_held):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert english.get("/portal/resolved/").status_code == 200
        return len(captured)

    replied(make_ticket, users)
    queries()  # the first request may fill this process's caches
    few = queries()
    for _ in range(6):
        replied(make_ticket, users)
    assert queries() == few

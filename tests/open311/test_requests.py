"""GET requests and requests/{id}: the spec's fields, filters, the status mapping,
and that a public read never shows personal data."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from shiyu.tickets import services as ts

from .conftest import BASE, assert_errors, children, parse_json, parse_xml

REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
                  "detailed_status", "detailed_status_label"]
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
PERSONAL = "13812345678"  # make_ticket's reporter phone
SECRET_TEXT = "我的电话13987654321，身份证110101199001011234，请联系我。"

pytestmark = pytest.mark.django_db


def listing(client, fmt="json", **params):
    response = client.get(BASE + f"requests.{fmt}", params)
    assert response.status_code == 200, response.content.decode()
    return response


def codes(client, **params) -> list[str]:
    return [row["service_request_id"] for row in parse_json(listing(client, **params))]


# ---------------------------------------------------------------- shape


def test_requests_json_fields(client, make_ticket):
    ticket = make_ticket()
    rows = parse_json(listing(client))
    (row,) = [r for r in rows if r["service_request_id"] == ticket.code]
    assert list(row) == REQUEST_FIELDS
    assert row["status"] == "open" and row["detailed_status"] == "received" and row["detailed_status_label"] == "已受理"
    assert row["service_code"] == ticket.category.code and row["service_name"] == ticket.category.name
    assert row["description"] == ticket.description
    assert row["address"] == "示范路1号"
    assert (row["lat"], row["long"]) == (ticket.lat, ticket.long)
    assert W3C.match(row["requested_datetime"]) and W3C.match(row["updated_datetime"])
    assert row["expected_datetime"] is None and row["agency_responsible"] is None  # not dispatched yet
    assert row["status_notes"] is None and row["zipcode"] is None and row["media_url"] is None
    assert row["service_notice"]


def test_requests_xml_fields(client, make_ticket):
    ticket = make_ticket()
    root = parse_xml(listing(client, "xml"))
    assert root.tag == "service_requests"
    assert {r.tag for r in root} == {"request"}
    (request,) = [r for r in root if r.findtext("service_request_id") == ticket.code]
    assert children(request) == REQUEST_FIELDS
    assert request.findtext("status") == "open"
    assert float(request.findtext("lat")) == ticket.lat
    assert W3C.match(request.findtext("requested_datetime"))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_request_detail(client, make_ticket, fmt):
    ticket = make_ticket()
    response = client.get(BASE + f"requests/{ticket.code}.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        (row,) = parse_json(response)
        assert list(row) == REQUEST_FIELDS and row["service_request_id"] == ticket.code
    else:
        root = parse_xml(response)
        assert root.tag == "service_requests" and len(root) == 1
        assert children(root[0]) == REQUEST_FIELDS
    lower = client.get(BASE + f"requests/{ticket.code.lower()}.{fmt}")  # codes are read case-blind
    assert lower.status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_is_404(client, fmt):
    assert_errors(client.get(BASE + f"requests/NOPE123.{fmt}"), 404, fmt)


def test_open311_request_round_trip(client, city, api_key):
    lat, long = city.point_in(city.grids[2])
    response = client.post(BASE + "requests.json", {
        "api_key": api_key, "service_code": "020101", "lat": lat, "long": long, "description": "夜里施工",
        "attribute[noise_time]": "night", "media_url": "https://img.example.cn/n.jpg", "first_name": "五",
        "last_name": "王", "phone": "13700001111", "email": "ww@example.cn", "device_id": "dev", "account_id": "a1"})
    code = parse_json(response)[0]["service_request_id"]
    detail = client.get(BASE + f"requests/{code}.json")
    (row,) = parse_json(detail)
    assert row["media_url"] == "https://img.example.cn/n.jpg"
    assert row["service_code"] == "020101" and row["description"] == "夜里施工"
    text = detail.content.decode()
    for private in ("王五", "13700001111", "ww@example.cn", "dev", "a1", "test client", "noise_time"):
        assert private not in text


# ---------------------------------------------------------------- personal data


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_public_reads_show_no_personal_data(client, make_ticket, users, city, fmt):
    ticket = make_ticket(description=SECRET_TEXT, address="幸福小区3栋 电话13811112222", reporter_email="zs@example.cn")
    ts.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=city.units["urban_management"])
    ts.sign_for(actor=users.handler, ticket=ticket)
    ts.resolve_ticket(actor=users.handler, ticket=ticket, reply="已联系张三（13812345678）并修复。")
    for response in (listing(client, fmt), client.get(BASE + f"requests/{ticket.code}.{fmt}"),
                     listing(client, fmt, service_request_id=ticket.code)):
        text = response.content.decode()
        assert ticket.code in text
        for private in (PERSONAL, "13987654321", "110101199001011234", "13811112222", "zs@example.cn",
                        "reporter", "张三"):
            assert private not in text
        assert "139****4321" in text and "110101********1234" in text and "138****5678" in text
        assert "已联系张*" in text  # the reporter's own name, typed into the reply, is masked too


# ---------------------------------------------------------------- status mapping


@pytest.fixture
def lifecycle(make_ticket, users, city):
    """One ticket in each state, keyed by the state."""
    unit = city.units["urban_management"]

    def dispatched():
        t = make_ticket()
        return ts.dispatch_ticket(actor=users.dispatcher, ticket=t, lead_unit=unit)

    def accepted():
        return ts.sign_for(actor=users.handler, ticket=dispatched())

    def resolved():
        return ts.resolve_ticket(actor=users.handler, ticket=accepted(), reply="路灯已更换。")

    def callback():
        return ts.record_callback(actor=users.operator, ticket=resolved(), rating="satisfied", resolved=True)

    target = make_ticket()
    tickets = {
        "received": make_ticket(),
        "dispatched": dispatched(),
        "accepted": accepted(),
        "in_progress": ts.start_work(actor=users.handler, ticket=accepted()),
        "returned": ts.return_ticket(actor=users.handler, ticket=dispatched(), reason="不属本单位"),
        "resolved": resolved(),
        "callback": callback(),
        "closed": ts.close_ticket(actor=users.operator, ticket=callback()),
        "merged": ts.merge_ticket(actor=users.operator, ticket=make_ticket(), into=target),
        "invalid": ts.mark_invalid(actor=users.operator, ticket=make_ticket(), reason="骚扰电话"),
    }
    for state, ticket in tickets.items():
        assert ticket.status == state
    return tickets, target


def test_status_mapping(client, lifecycle, city):
    tickets, target = lifecycle
    rows = {r["service_request_id"]: r for r in parse_json(listing(client))}
    expected = {"received": "open", "dispatched": "open", "accepted": "open", "in_progress": "open",
                "returned": "open", "resolved": "closed", "callback": "closed", "closed": "closed", "merged": "closed"}
    for state, spec_status in expected.items():
        row = rows[tickets[state].code]
        assert (row["status"], row["detailed_status"]) == (spec_status, state)
    for state in ("resolved", "callback", "closed"):
        assert rows[tickets[state].code]["status_notes"] == "路灯已更换。"
    for state in ("received", "dispatched", "accepted", "in_progress", "returned"):
        assert rows[tickets[state].code]["status_notes"] is None
    assert target.code in rows[tickets["merged"].code]["status_notes"]
    accepted = rows[tickets["accepted"].code]
    assert accepted["agency_responsible"] == city.units["urban_management"].name
    assert W3C.match(accepted["expected_datetime"])
    assert rows[tickets["returned"].code]["agency_responsible"] is None  # back with the dispatcher
    assert rows[tickets["received"].code]["detailed_status_label"] == "已受理"
    assert rows[tickets["closed"].code]["detailed_status_label"] == "已结案"


def test_agency_and_deadline(client, lifecycle, city):
    tickets, _target = lifecycle
    ticket = tickets["dispatched"]
    ticket.refresh_from_db()
    (row,) = parse_json(client.get(BASE + f"requests/{ticket.code}.json"))
    assert row["agency_responsible"] == city.units["urban_management"].name
    assert row["expected_datetime"] == timezone.localtime(ticket.resolve_due_at).isoformat(timespec="seconds")


def test_invalid_tickets_are_never_shown(client, lifecycle):
    tickets, _target = lifecycle
    invalid = tickets["invalid"].code
    assert invalid not in codes(client)
    assert codes(client, service_request_id=invalid) == []
    assert invalid not in listing(client, "xml").content.decode()
    assert_errors(client.get(BASE + f"requests/{invalid}.json"), 404)


def test_status_filter(client, lifecycle):
    tickets, _target = lifecycle
    open_codes, closed_codes = set(codes(client, status="open")), set(codes(client, status="closed"))
    assert {tickets[s].code for s in ("received", "dispatched", "accepted", "in_progress", "returned")} <= open_codes
    assert {tickets[s].code for s in ("resolved", "callback", "closed", "merged")} <= closed_codes
    assert not open_codes & closed_codes
    assert set(codes(client, status="open,closed")) == open_codes | closed_codes
    assert set(codes(client, status=["open", "closed"])) == open_codes | closed_codes


# ---------------------------------------------------------------- filters


def test_service_request_id_filter_overrides_the_rest(client, make_ticket, city):
    a, b, c = make_ticket(), make_ticket(), make_ticket()
    old = make_ticket(created_at=timezone.now() - dt.timedelta(days=400))
    found = codes(client, service_request_id=f"{a.code}, {c.code.lower()},{old.code},NOPE", status="closed",
                  service_code=city.leaves[5].code, start_date="2001-01-01T00:00:00Z")
    assert sorted(found) == sorted([a.code, c.code, old.code])
    assert b.code not in found


def test_service_code_filter(client, make_ticket, city):
    light, noise_leaf = city.leaves[0], next(c for c in city.leaves if c.code == "020101")
    a = make_ticket(category=light)
    b = make_ticket(category=noise_leaf)
    assert b.code not in codes(client, service_code=light.code) and a.code in codes(client, service_code=light.code)
    both = codes(client, service_code=f"{light.code},{noise_leaf.code}")
    assert {a.code, b.code} <= set(both)
    assert codes(client, service_code="999999") == []


def test_date_filters(client, make_ticket):
    now = timezone.now()
    recent = make_ticket(created_at=now - dt.timedelta(days=2))
    older = make_ticket(created_at=now - dt.timedelta(days=30))
    ancient = make_ticket(created_at=now - dt.timedelta(days=120))
    default = codes(client)  # the last 90 days
    assert recent.code in default and older.code in default and ancient.code not in default

    def w3c(moment):
        return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    window = codes(client, start_date=w3c(now - dt.timedelta(days=40)), end_date=w3c(now - dt.timedelta(days=10)))
    assert window == [older.code]
    since = codes(client, start_date=w3c(now - dt.timedelta(days=5)))
    assert recent.code in since and older.code not in since
    until = codes(client, end_date=w3c(now - dt.timedelta(days=100)))  # the 90 days before it
    assert until == [ancient.code]
    # an offset whose '+' arrived as a space, and a bare date
    local = timezone.localtime(now - dt.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%S")
    assert older.code in codes(client, start_date=local + " 08:00")
    assert recent.code in codes(client, start_date=timezone.localdate(now - dt.timedelta(days=3)).isoformat())


@pytest.mark.parametrize("params", [
    {"start_date": "yesterday"},
    {"start_date": "2024-05-01T08:00:00"},  # no time zone
    {"end_date": "2024-13-01T00:00:00Z"},
    {"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-06-01T00:00:00Z"},  # more than 90 days
    {"start_date": "2024-06-01T00:00:00Z", "end_date": "2024-05-01T00:00:00Z"},  # end before start
    {"status": "pending"},
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400(client, params, fmt):
    assert_errors(client.get(BASE + f"requests.{fmt}", params), 400, fmt)


def test_at_most_max_results_newest_first(client, make_ticket, monkeypatch):
    from shiyu.open311 import views

    monkeypatch.setattr(views, "MAX_RESULTS", 3)
    now = timezone.now()
    made = [make_ticket(created_at=now - dt.timedelta(hours=h)) for h in range(5)]
    assert codes(client) == [t.code for t in made[:3]]


def test_listing_is_one_query(client, lifecycle, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = parse_json(listing(client))
    assert len(rows) >= 10


def test_xml_stays_well_formed_with_control_characters(client, make_ticket):
    ticket = make_ticket(description="铃声\x07太吵 <b>&amp;</b>")  # entered on another channel
    root = parse_xml(client.get(BASE + f"requests/{ticket.code}.xml"))
    assert root.findtext("request/description") == "铃声太吵 <b>&amp;</b>"
    (row,) = parse_json(client.get(BASE + f"requests/{ticket.code}.json"))
    assert row["description"] == "铃声\x07太吵 <b>&amp;</b>"

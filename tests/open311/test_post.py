"""POST requests: the four body encodings, the stored ticket, and every refusal
(the spec's error list, the right status, and nothing written)."""
import json
import re
from urllib.parse import urlencode

import pytest
from django.db import connection

from shiyu.core.models import AuditEvent
from shiyu.tickets.models import Ticket

from .conftest import BASE, assert_errors, children, parse_json, parse_xml

FORM = "application/x-www-form-urlencoded"
NOISE = "020101"  # attributes: noise_time (required singlevaluelist), noise_source (optional singlevaluelist)
FOOD = "070101"  # purchase_time (datetime), evidence (multivaluelist)
WAGES = "040101"  # employer_name (string), owed_amount (number), worker_count (number)
LIGHT = "010101"  # no attributes; request types: complaint, help, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def point(city):
    return city.point_in(city.grids[3])


def form(api_key, point, **fields):
    lat, long = point
    data = {"api_key": api_key, "service_code": LIGHT, "lat": lat, "long": long,
            "description": "小区门口路灯坏了，晚上很黑。"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def post_form(client, data, fmt="json", **extra):
    body = data if isinstance(data, (str, bytes)) else urlencode(data, doseq=True)
    return client.post(f"{BASE}requests.{fmt}", data=body, content_type=extra.pop("content_type", FORM), **extra)


def created(response, fmt="json") -> Ticket:
    assert response.status_code == 201, response.content.decode()
    if fmt == "xml":
        root = parse_xml(response)
        assert root.tag == "service_requests"
        (request,) = root
        assert request.tag == "request"
        assert children(request) == ["service_request_id", "service_notice", "account_id"]
        code = request.findtext("service_request_id")
    else:
        (row,) = parse_json(response)
        assert list(row) == ["service_request_id", "service_notice", "account_id"]
        assert row["service_notice"]
        code = row["service_request_id"]
    return Ticket.objects.get(code=code)


class Unchanged:
    """Nothing written: no ticket, no audit event."""

    def __enter__(self):
        self.counts = Ticket.objects.count(), AuditEvent.objects.count()
        return self

    def __exit__(self, *exc):
        assert (Ticket.objects.count(), AuditEvent.objects.count()) == self.counts


# ---------------------------------------------------------------- accepted


def test_form_post_creates_a_ticket(client, api_key, point, city):
    data = form(api_key, point, first_name="三", last_name="张", phone="138 1234 5678", email="zs@example.cn",
                device_id="dev-1", account_id="acc-9", media_url="https://img.example.cn/1.jpg",
                jurisdiction_id="city.gov")
    response = post_form(client, data)
    ticket = created(response)
    assert parse_json(response)[0]["account_id"] == "acc-9"
    assert ticket.channel == "open311"
    assert ticket.category.code == LIGHT
    assert ticket.request_type == "complaint"  # the category's first typical request type
    assert ticket.status == "received"
    assert ticket.description == "小区门口路灯坏了，晚上很黑。"
    assert (ticket.lat, ticket.long) == point
    assert ticket.grid_id == city.grids[3].pk and ticket.subdistrict_id and ticket.district_id
    assert ticket.reporter_name == "张三"
    assert ticket.reporter_phone == "13812345678"
    assert ticket.reporter_email == "zs@example.cn"
    assert ticket.attributes == {"open311": {"client": "test client", "device_id": "dev-1", "account_id": "acc-9",
                                             "media_url": "https://img.example.cn/1.jpg"}}
    assert ticket.received_by is None and ticket.reporter is None
    assert AuditEvent.objects.filter(target_type="ticket", target_id=ticket.pk, action="ticket.create").exists()


def test_form_post_answers_xml(client, api_key, point):
    response = post_form(client, form(api_key, point), fmt="xml")
    ticket = created(response, "xml")
    root = parse_xml(response)
    assert root.findtext("request/account_id") in (None, "")
    assert ticket.channel == "open311"


def test_latin_names_keep_their_order(client, api_key, point):
    ticket = created(post_form(client, form(api_key, point, first_name="John", last_name="Smith")))
    assert ticket.reporter_name == "John Smith"


def test_form_attributes_and_multivaluelist(client, api_key, point):
    data = form(api_key, point, service_code=FOOD, **{
        "attribute[purchase_time]": "2024-05-01T12:30:00Z",
        "attribute[evidence][]": ["receipt", "photo", "receipt"]})
    ticket = created(post_form(client, data))
    assert ticket.attributes["purchase_time"] == "2024-05-01T20:30:00+08:00"
    assert ticket.attributes["evidence"] == ["receipt", "photo"]


def test_multipart_post(client, api_key, point):
    lat, long = point
    data = {"api_key": api_key, "service_code": NOISE, "lat": str(lat), "long": str(long),
            "description": "楼上半夜装修", "attribute[noise_time]": "night", "attribute[noise_source]": "renovation",
            "first_name": "四", "last_name": "李", "phone": "13900001111"}
    ticket = created(client.post(BASE + "requests.json", data=data))  # the test client sends multipart
    assert ticket.category.code == NOISE
    assert ticket.attributes["noise_time"] == "night" and ticket.attributes["noise_source"] == "renovation"
    assert ticket.reporter_name == "李四"


def test_json_post(client, api_key, point):
    lat, long = point
    body = {"api_key": api_key, "service_code": WAGES, "lat": lat, "long": long, "description": "老板拖欠三个月工资",
            "request_type": "help", "attribute": {"employer_name": "某某公司", "owed_amount": "12000.50",
                                                  "worker_count": 7}}
    ticket = created(client.post(BASE + "requests.json", data=json.dumps(body), content_type="application/json"))
    assert ticket.request_type == "help"
    assert ticket.attributes["employer_name"] == "某某公司"
    assert ticket.attributes["owed_amount"] == 12000.5
    assert ticket.attributes["worker_count"] == 7


def test_json_post_with_form_style_keys(client, api_key, point):
    body = form(api_key, point, service_code=FOOD, **{"attribute[evidence][]": ["sample", "medical"]})
    ticket = created(client.post(BASE + "requests.xml", data=json.dumps(body), content_type="application/json"),
                     "xml")
    assert ticket.attributes["evidence"] == ["sample", "medical"]


def test_xml_post(client, api_key, point):
    lat, long = point
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
    <service_request>
      <api_key>{api_key}</api_key><service_code>{FOOD}</service_code>
      <lat>{lat}</lat><long>{long}</long>
      <description>买到过期食品 &amp; 变质</description>
      <attributes>
        <attribute><code>evidence</code><value>receipt</value><value>photo</value></attribute>
        <purchase_time>2024-05-01T08:00:00+08:00</purchase_time>
      </attributes>
    </service_request>"""
    ticket = created(client.post(BASE + "requests.xml", data=body.encode(), content_type="text/xml"), "xml")
    assert ticket.description == "买到过期食品 & 变质"
    assert ticket.attributes["evidence"] == ["receipt", "photo"]
    assert ticket.attributes["purchase_time"] == "2024-05-01T08:00:00+08:00"


def test_xml_post_in_the_spec_namespace(client, api_key, point):
    lat, long = point
    body = (f'<service_request xmlns="http://wiki.open311.org/GeoReport_v2"><api_key>{api_key}</api_key>'
            f'<service_code>{NOISE}</service_code><lat>{lat}</lat><long>{long}</long>'
            f'<attributes><noise_time>all_day</noise_time></attributes></service_request>')
    ticket = created(client.post(BASE + "requests.json", data=body, content_type="application/xml; charset=utf-8"))
    assert ticket.attributes["noise_time"] == "all_day"


def test_address_string_alone_is_a_location(client, api_key):
    ticket = created(post_form(client, {"api_key": api_key, "service_code": LIGHT,
                                        "address_string": "示范路88号", "description": "路灯不亮"}))
    assert ticket.address == "示范路88号" and ticket.lat is None


def test_address_id_is_a_gazetteer_entry(client, api_key):
    from shiyu.geo.models import Gazetteer

    entry = Gazetteer.objects.select_related("unit").first()
    ticket = created(post_form(client, {"api_key": api_key, "service_code": LIGHT, "address_id": entry.pk}))
    assert ticket.address == f"{entry.unit.name}{entry.name}"
    assert ticket.attributes["open311"]["address_id"] == str(entry.pk)
    assert ticket.description == "路灯不亮"  # no description: the service's name stands for it


def test_post_writes_ticket_and_routing_in_one_transaction(client, api_key, point, django_assert_max_num_queries):
    created(post_form(client, form(api_key, point)))  # warm the snapshots and the routing tables
    with django_assert_max_num_queries(10) as captured:
        created(post_form(client, form(api_key, point, service_code=NOISE, **{"attribute[noise_time]": "day"})))
    sql = [q["sql"] for q in captured.captured_queries]
    joined = " ".join(sql)
    assert "open311_apikey" not in joined and "tickets_category" not in joined
    inserted = re.findall(r'INSERT INTO "(\w+)"', joined)
    # the ticket and its event; the routing decision and its event; the search for earlier
    # tickets it repeats or duplicates, left to the next sweep (nobody waits on the line)
    assert inserted == ["tickets_ticket", "core_auditevent", "routing_routingdecision", "core_auditevent",
                        "intake_pendingsimilarsearch"]
    if connection.vendor == "postgresql":  # all in one statement: one round trip
        assert sum("INSERT INTO" in statement for statement in sql) == 1


def _transactions_around_statements(client, data) -> tuple[int, list[int]]:
    """How deep in transactions the test runs, and how deep each write of the POST ran."""
    depths = []

    def watch(execute, sql, params, many, context):
        if re.search(r"\b(INSERT|UPDATE|DELETE)\b", sql):
            depths.append(len(connection.atomic_blocks))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        created(post_form(client, data))
    return len(connection.atomic_blocks), depths


def test_a_post_needs_no_transaction_around_its_one_statement(client, api_key, point):
    created(post_form(client, form(api_key, point)))  # warm the snapshots and the routing tables
    outside, depths = _transactions_around_statements(client, form(api_key, point))
    if connection.vendor == "postgresql":  # one statement is atomic by itself: no BEGIN, no COMMIT
        assert depths == [outside]
    else:  # one insert a row, in a transaction
        assert depths and all(depth > outside for depth in depths)


def test_dispatch_by_rule_keeps_the_post_in_one_transaction(client, api_key, point, settings):
    settings.SHIYU_AUTO_DISPATCH = True  # more writes may follow the ticket's
    created(post_form(client, form(api_key, point)))
    outside, depths = _transactions_around_statements(client, form(api_key, point))
    assert depths and all(depth > outside for depth in depths)


def test_the_sweep_finds_what_a_post_duplicates(client, api_key, point):
    from shiyu.deadlines.services import sweep
    from shiyu.intake.models import PendingSimilarSearch, SimilarTicket

    first = created(post_form(client, form(api_key, point)))
    second = created(post_form(client, form(api_key, point)))
    assert PendingSimilarSearch.objects.count() == 2 and not SimilarTicket.objects.exists()
    assert sweep().similar_searched == 2
    link = SimilarTicket.objects.get()
    assert (link.ticket, link.earlier, link.kind) == (second, first, "duplicate")
    assert not PendingSimilarSearch.objects.exists() and sweep().similar_searched == 0


# ---------------------------------------------------------------- refused


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_api_key_is_403(client, api_key, point, fmt):
    with Unchanged():
        descriptions = assert_errors(post_form(client, form(None, point), fmt), 403, fmt)
    assert "api_key" in descriptions[0]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_api_key_is_403(client, api_key, point, fmt):
    with Unchanged():
        assert_errors(post_form(client, form("not-a-key", point, description="x" * 5000), fmt), 403, fmt)


def test_inactive_api_key_is_403(client, api_key, point):
    from shiyu.open311.models import ApiKey

    created(post_form(client, form(api_key, point)))
    ApiKey.objects.filter(name="test client").update(active=False)
    from shiyu.open311 import catalog

    catalog.clear()  # another process would notice within catalog.TTL_SECONDS
    with Unchanged():
        assert_errors(post_form(client, form(api_key, point)), 403)


def test_unknown_keys_reload_the_snapshot_at_most_every_second(client, api_key, point, monkeypatch,
                                                               django_assert_num_queries):
    from shiyu.open311 import catalog
    from shiyu.open311.models import ApiKey

    created(post_form(client, form(api_key, point)))
    with django_assert_num_queries(0):  # a flood of wrong keys costs no query
        for number in range(5):
            assert_errors(post_form(client, form(f"guess-{number}", point)), 403)
    ApiKey.objects.bulk_create([ApiKey(name="second", key_hash=ApiKey.hash("second-key"))])  # no signal
    monkeypatch.setattr(catalog, "MISS_RELOAD_SECONDS", 0.0)  # as if a second had passed
    ticket = created(post_form(client, form("second-key", point)))
    assert ticket.attributes["open311"]["client"] == "second"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_service_code_is_400(client, api_key, point, fmt):
    with Unchanged():
        descriptions = assert_errors(post_form(client, form(api_key, point, service_code=None), fmt), 400, fmt)
    assert "service_code" in descriptions[0]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_is_404(client, api_key, point, fmt, city):
    with Unchanged():
        assert_errors(post_form(client, form(api_key, point, service_code="999999"), fmt), 404, fmt)
        assert_errors(post_form(client, form(api_key, point, service_code=city.leaves[0].parent.code), fmt), 404, fmt)


@pytest.mark.parametrize("fields, field", [
    ({"lat": None, "long": None}, "location"),
    ({"long": None}, "long"),
    ({"lat": None}, "lat"),
    ({"lat": "north", "long": "120.1"}, "lat"),
    ({"lat": "nan", "long": "inf"}, "lat"),
    ({"lat": "95", "long": "120"}, "lat"),
    ({"lat": "0.0", "long": "0.0"}, "lat"),  # outside the city
    ({"description": "坏" * 4001}, "description"),
    ({"address_string": "路" * 201}, "address_string"),
    ({"phone": "1" * 21}, "phone"),
    ({"phone": "call me maybe"}, "phone"),
    ({"email": "not-an-address"}, "email"),
    ({"email": "a" * 250 + "@example.cn"}, "email"),
    ({"first_name": "名" * 40, "last_name": "姓" * 40}, "last_name"),
    ({"request_type": "rant"}, "request_type"),
    ({"media_url": "javascript:alert(1)"}, "media_url"),
    ({"device_id": "d" * 200}, "device_id"),
    ({"address_id": "999999999", "lat": None, "long": None}, "address_id"),
])
def test_bad_fields_are_400(client, api_key, point, fields, field):
    with Unchanged():
        descriptions = assert_errors(post_form(client, form(api_key, point, **fields)), 400)
    assert any(d.startswith(field + ":") for d in descriptions), descriptions


def test_every_problem_is_listed_at_once(client, api_key, point):
    data = form(api_key, point, lat="x", description="坏" * 4001, phone="1" * 30, **{"attribute[nope]": "1"})
    with Unchanged():
        descriptions = assert_errors(post_form(client, data, "xml"), 400, "xml")
    assert {d.split(":")[0] for d in descriptions} >= {"lat", "description", "phone", "attribute[nope]"}


@pytest.mark.parametrize("service, attributes, field", [
    (NOISE, {}, "attribute[noise_time]"),  # required
    (NOISE, {"attribute[noise_time]": "  "}, "attribute[noise_time]"),  # blank is missing
    (NOISE, {"attribute[noise_time]": "midnight"}, "attribute[noise_time]"),  # not a key
    (NOISE, {"attribute[noise_time]": ["day", "night"]}, "attribute[noise_time]"),  # one value only
    (NOISE, {"attribute[noise_time]": "day", "attribute[colour]": "red"}, "attribute[colour]"),  # unknown code
    (WAGES, {"attribute[owed_amount]": "a lot"}, "attribute[owed_amount]"),
    (WAGES, {"attribute[worker_count]": "NaN"}, "attribute[worker_count]"),
    (FOOD, {"attribute[purchase_time]": "yesterday"}, "attribute[purchase_time]"),
    (FOOD, {"attribute[purchase_time]": "2024-05-01T12:00:00"}, "attribute[purchase_time]"),  # no zone
    (FOOD, {"attribute[evidence][]": ["receipt", "rumour"]}, "attribute[evidence]"),
    (WAGES, {"attribute[employer_name]": "公" * 501}, "attribute[employer_name]"),
])
def test_attribute_validation(client, api_key, point, service, attributes, field):
    with Unchanged():
        descriptions = assert_errors(post_form(client, form(api_key, point, service_code=service, **attributes)), 400)
    assert any(d.startswith(field + ":") for d in descriptions), descriptions


@pytest.mark.parametrize("body, content_type", [
    (b"api_key=k&service_code=010101&description=\xb7\xbe", FORM),  # GBK bytes, not UTF-8
    ("api_key=k&service_code=010101&description=%B7%BE", FORM),  # percent-encoded GBK
    ("api_key=k&service_code=010101", FORM + "; charset=gbk"),
    (b'{"api_key": "k", "description": "\xb7\xbe"}', "application/json"),
    ('{"api_key": "k", "service_code": ', "application/json"),  # truncated
    ('["api_key", "k"]', "application/json"),  # not an object
    ('{"api_key": "k", "service_code": {"a": 1}}', "application/json"),
    ('{"api_key": "k", "description": "a\\u0000b"}', "application/json"),  # NUL: PostgreSQL cannot store it
    ('{"api_key": "k", "description": "\\ud800"}', "application/json"),  # a lone surrogate
    ("<service_request><api_key>k</api_key>", "text/xml"),  # not well-formed
    ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r><api_key>&b;</api_key></r>',
     "application/xml"),  # entities: refused by defusedxml
    ('<r><api_key><x>k</x></api_key></r>', "text/xml"),  # a field with children
    (b"\x00\x01\x02", "application/octet-stream"),  # an unsupported type
])
def test_unreadable_bodies_are_400(client, api_key, body, content_type):
    with Unchanged():
        assert_errors(client.post(BASE + "requests.json", data=body, content_type=content_type), 400)


def test_malformed_multipart_is_400(client, api_key):
    body = b'--XX\r\nContent-Disposition: form-data; name="description"\r\n\r\n\xb7\xbe\r\n--XX--\r\n'
    with Unchanged():
        assert_errors(client.post(BASE + "requests.xml", data=body, content_type="multipart/form-data; boundary=XX"),
                      400, "xml")
        assert_errors(client.post(BASE + "requests.json", data=b"garbage",
                                  content_type="multipart/form-data; boundary="), 400)


def test_bad_json_values_with_a_valid_key_write_nothing(client, api_key, point):
    lat, long = point
    body = {"api_key": api_key, "service_code": LIGHT, "lat": lat, "long": long, "description": "bad\u0007bell"}
    with Unchanged():
        assert_errors(client.post(BASE + "requests.json", data=json.dumps(body), content_type="application/json"), 400)

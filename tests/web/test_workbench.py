"""The staff workbench pages through the Django client: who may open them, the loop
through their forms, bulk dispatch, refusals with their status, masking, and list
pages whose query count does not grow with their rows."""
import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shiyu.core.models import AuditEvent
from shiyu.deadlines.models import Escalation, Notification
from shiyu.tickets import services as sv
from shiyu.tickets.models import Extension, Status, Ticket
from tests.intake.conftest import model_file, text_for, with_model  # noqa: F401  (fixtures)
from tests.web.helpers import html, post

pytestmark = pytest.mark.django_db

ROLES = ["citizen", "operator", "dispatcher", "handler", "gridworker", "supervisor", "leader", "admin"]
PAGE_ROLES = {
    "/workbench/intake/": {"operator", "admin"},
    "/workbench/dispatch/": {"dispatcher", "admin"},
    "/workbench/inbox/": {"handler", "admin"},
    "/workbench/supervision/": {"supervisor", "admin"},
}
CALL = "小区门口的路灯坏了一个星期，晚上很黑。"



@pytest.fixture
def dispatched(users, city, make_ticket):
    def make(**fields):
        return sv.dispatch_ticket(actor=users.dispatcher, ticket=make_ticket(**fields),
                                  lead_unit=city.units["urban_management"])
    return make



def act(client, ticket, action, data=None, status=302):
    return post(client, f"/workbench/tickets/{ticket.code}/{action}/", data, status)


def call_form(city, **fields):
    lat, long = city.point_in(city.grids[0])
    data = dict(description=CALL, request_type="complaint", address="示范路1号", lat=lat, long=long,
                reporter_name="张三", reporter_phone="13812345678", category=city.leaves[0].code)
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


# ---------------------------------------------------------------- who may open what


@pytest.mark.parametrize("path", PAGE_ROLES)
def test_each_page_opens_for_its_roles_only(client, users, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    for username in ROLES:
        client.force_login(getattr(users, username))
        assert client.get(path).status_code == (200 if username in PAGE_ROLES[path] else 403), username


def test_pages_are_in_the_navigation_of_their_roles(as_user):
    page = html(as_user("dispatcher").get("/"))
    assert "/workbench/dispatch/" in page and "/workbench/intake/" not in page
    page = html(as_user("handler").get("/"))
    assert "/workbench/inbox/" in page and "/workbench/supervision/" not in page


def test_ticket_page_for_staff_who_can_see_the_ticket(client, users, as_user, dispatched):
    ticket = dispatched()
    path = f"/workbench/tickets/{ticket.code}/"
    assert client.get(path).status_code == 302
    for username in ["operator", "dispatcher", "handler", "supervisor", "leader", "admin"]:
        assert as_user(username).get(path).status_code == 200, username
    assert as_user("handler2").get(path).status_code == 404  # another unit's ticket
    assert as_user("citizen").get(path).status_code == 403  # residents have the portal
    assert as_user("operator").get(f"/workbench/tickets/{ticket.pk}/").status_code == 200


def test_pages_name_no_external_asset(as_user, dispatched):
    ticket = dispatched()
    client = as_user("admin")
    for path in [*PAGE_ROLES, f"/workbench/tickets/{ticket.code}/"]:
        assert not re.findall(r'(?:src|href|action)="(?:https?:)?//', html(client.get(path))), path


# ---------------------------------------------------------------- the loop


def test_the_loop_through_the_pages(as_user, city):
    client = as_user("operator")
    response = client.post("/workbench/intake/", call_form(city))
    assert response.status_code == 302
    ticket = Ticket.objects.order_by("-id").first()
    assert response.url == f"/workbench/intake/?taken={ticket.code}"
    page = html(client.get(response.url))
    assert f'href="/workbench/tickets/{ticket.code}/"' in page and ticket.status == Status.RECEIVED

    client = as_user("dispatcher")
    queue = html(client.get("/workbench/dispatch/"))
    row = re.search(rf'<tr data-code="{ticket.code}">.*?</tr>', queue, re.S).group(0)
    assert 'data-suggestion="urban_management"' in row and 'data-action="dispatch_suggested"' in row
    act(client, ticket, "dispatch", {"lead_unit": "urban_management", "next": "/workbench/dispatch/"})
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.lead_unit.key == "urban_management"

    client = as_user("handler")
    assert ticket.code in html(client.get("/workbench/inbox/"))
    page = html(client.get(f"/workbench/tickets/{ticket.code}/"))
    assert 'data-action="sign_for"' in page and 'data-action="resolve"' not in page
    act(client, ticket, "sign_for")
    act(client, ticket, "resolve", {"reply": "路灯已修复。"})
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.reply == "路灯已修复。"

    client = as_user("operator")
    act(client, ticket, "callback", {"rating": "satisfied", "resolved": "yes", "note": "满意"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.callback_rating, ticket.callback_resolved) == (Status.CALLBACK, "satisfied", True)
    response = act(client, ticket, "close")
    assert response.url == f"/workbench/tickets/{ticket.code}/"
    page = html(client.get(response.url))
    assert 'data-status="closed"' in page
    events = re.findall(r'data-event="([\w.]+)"', page)
    assert events == ["ticket.create", "ticket.route", "ticket.dispatch", "ticket.accept", "ticket.resolve",
                      "ticket.callback", "ticket.close"]


def test_intake_refuses_a_call_without_description_and_keeps_what_was_typed(as_user, city):
    before = Ticket.objects.count()
    response = as_user("operator").post("/workbench/intake/", call_form(city, description=""))
    assert response.status_code == 422
    assert Ticket.objects.count() == before
    assert "示范路1号" in html(response)  # the form comes back as it was sent


def test_intake_shows_the_services_field_errors(as_user, city):
    response = as_user("operator").post("/workbench/intake/", call_form(city, lat=None, long=None, address=""))
    assert response.status_code == 422
    assert 'data-error-status="422"' in html(response)


def test_enquiry_taken_in_and_answered_in_one_step(as_user, city):
    form = call_form(city, request_type="enquiry", category=None, lat=None, long=None, address="",
                     reply="办理时间为工作日9点至17点。", answer="1")
    response = as_user("operator").post("/workbench/intake/", form)
    assert response.status_code == 302
    ticket = Ticket.objects.order_by("-id").first()
    assert ticket.status == Status.CLOSED and ticket.reply.startswith("办理时间")


def test_answering_a_complaint_directly_takes_nothing_in(as_user, city):
    before = Ticket.objects.count()
    response = as_user("operator").post("/workbench/intake/", call_form(city, reply="好", answer="1"))
    assert response.status_code == 422  # only an enquiry is answered directly
    assert Ticket.objects.count() == before


def trained_leaf() -> str:
    from shiyu.demo.texts import TicketTextFactory
    from shiyu.tickets.reference import read_taxonomy

    return TicketTextFactory(read_taxonomy(), seed=11).leaf_codes[0]  # as tests/intake's model_file


def test_preview_while_typing(as_user, city, make_ticket, with_model, text_for):  # noqa: F811
    title, description = text_for(trained_leaf())
    earlier = make_ticket(description=description, title=title)  # the same phone: a repeat
    answered = make_ticket(description=description, title=title, reporter_phone="13900000000")
    Ticket.objects.filter(pk=answered.pk).update(status=Status.CLOSED, reply="已安排维修。",
                                                 resolved_at=timezone.now())
    client = as_user("operator")
    preview = html(client.post("/workbench/intake/preview/",
                               call_form(city, title=title, description=description, category="")))
    assert f'data-pick-category="{trained_leaf()}"' in preview and "%" in preview
    assert 'data-kind="repeat"' in preview and earlier.code in preview
    assert 'data-pick-answer="已安排维修。"' in preview
    assert "data-route" in preview and "data-place" in preview
    assert 'data-preview="empty"' in html(client.post("/workbench/intake/preview/", {"description": ""}))
    assert as_user("dispatcher").post("/workbench/intake/preview/", {"description": "x"}).status_code == 403


# ---------------------------------------------------------------- dispatch


def test_bulk_dispatch_sends_each_row_to_its_suggested_unit(as_user, users, city, make_ticket):
    first, second = make_ticket(), make_ticket(category=city.leaves[4])  # urban_management, housing
    taken = make_ticket()
    sv.dispatch_ticket(actor=users.dispatcher, ticket=taken, lead_unit=city.units["housing"])  # meanwhile
    response = as_user("dispatcher").post("/workbench/dispatch/bulk/", {
        "tickets": [first.code, second.code, taken.code], "list": "received"})
    assert response.status_code == 409
    page = html(response)
    assert f'data-failed="{taken.code}"' in page
    assert {t.lead_unit.key for t in Ticket.objects.filter(pk__in=[first.pk, second.pk])} == {
        "urban_management", "housing"}
    taken.refresh_from_db()
    assert taken.lead_unit.key == "housing" and taken.assignments.count() == 1  # left as it was


def test_bulk_dispatch_without_failures_goes_back_to_the_list(as_user, make_ticket):
    ticket = make_ticket()
    response = as_user("dispatcher").post("/workbench/dispatch/bulk/", {"tickets": [ticket.code],
                                                                        "list": "received"})
    assert response.status_code == 302 and response.url == "/workbench/dispatch/?list=received"
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED


def test_returned_tickets_show_the_reason_and_no_suggestion_back(as_user, users, dispatched):
    ticket = sv.return_ticket(actor=users.handler, ticket=dispatched(), reason="不属于本单位职责")
    page = html(as_user("dispatcher").get("/workbench/dispatch/?list=returned"))
    row = re.search(rf'<tr data-code="{ticket.code}">.*?</tr>', page, re.S).group(0)
    assert "不属于本单位职责" in row and 'data-suggestion=""' in row  # not back to the unit that returned it


def test_triage_rows_dispatch_with_the_best_guess(as_user, city, settings, with_model, text_for):  # noqa: F811
    settings.SHIYU_TRIAGE_THRESHOLD = 1.01  # never sure: every ticket waits for a person
    title, description = text_for(trained_leaf())
    as_user("operator").post("/workbench/intake/", call_form(city, category="", title=title,
                                                             description=description))
    ticket = Ticket.objects.order_by("-id").first()
    assert ticket.category_id is None
    client = as_user("dispatcher")
    page = html(client.get("/workbench/dispatch/?list=triage"))
    row = re.search(rf'<tr data-code="{ticket.code}">.*?</tr>', page, re.S).group(0)
    unit = re.search(r'name="lead_unit" value="([\w-]+)"', row).group(1)
    category = re.search(r'name="category" value="(\d+)"', row).group(1)
    assert category == trained_leaf()
    act(client, ticket, "dispatch", {"lead_unit": unit, "category": category})
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.category.code == category


# ---------------------------------------------------------------- refusals


def test_illegal_action_answers_409_and_leaves_the_ticket(as_user, make_ticket):
    ticket = make_ticket()
    events = AuditEvent.objects.filter(target_id=ticket.pk).exclude(action="pii.read").count()
    response = act(as_user("operator"), ticket, "close", status=409)
    assert 'data-error-status="409"' in html(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.RECEIVED
    assert AuditEvent.objects.filter(target_id=ticket.pk).exclude(action="pii.read").count() == events


def test_other_units_handler_gets_403_and_bad_input_422(as_user, dispatched):
    ticket = dispatched()
    act(as_user("subhandler"), ticket, "sign_for", status=403)  # sees it (its area), may not act for the lead unit
    act(as_user("handler"), ticket, "sign_for")
    response = act(as_user("handler"), ticket, "request_extension", {"days": "99", "reason": "等待配件"}, status=422)
    form = re.search(r'<form [^>]*id="act-request_extension".*?</form>', html(response), re.S).group(0)
    assert 'value="99"' in form and "errorlist" in form  # shown again as sent, with the field's error
    act(as_user("handler"), ticket, "resolve", {"reply": ""}, status=422)
    ticket.refresh_from_db()
    assert ticket.status == Status.ACCEPTED
    act(as_user("handler"), ticket, "no_such_action", status=404)


def test_return_and_extension_through_the_ticket_page(as_user, dispatched):
    ticket = dispatched()
    handler = as_user("handler")
    act(handler, ticket, "sign_for")
    act(handler, ticket, "request_extension", {"days": "3", "reason": "需采购灯具"})
    act(handler, ticket, "request_extension", {"days": "3", "reason": "再次"}, status=422)  # one at a time
    extension = Extension.objects.get(ticket=ticket)
    supervisor = as_user("supervisor")
    page = html(supervisor.get("/workbench/supervision/"))
    assert ticket.code in page and 'data-action="approve_extension"' in page
    response = act(supervisor, ticket, "decide_extension", {"extension": extension.pk, "approve": "yes",
                                                             "next": "/workbench/supervision/"})
    assert response.url == "/workbench/supervision/"
    extension.refresh_from_db()
    assert extension.state == Extension.State.APPROVED
    act(as_user("handler"), ticket, "return", {"reason": "不属于本单位职责"})
    ticket.refresh_from_db()
    assert ticket.status == Status.RETURNED and ticket.lead_unit is None


def test_merge_into_a_ticket_by_its_code(as_user, make_ticket):
    first, second = make_ticket(), make_ticket()
    client = as_user("operator")
    response = act(client, second, "merge", {"into": "NOSUCHCODE"}, status=422)
    assert 'data-error-status="422"' in html(response)
    act(client, second, "merge", {"into": first.code.lower(), "note": "同一盏路灯"})
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.duplicate_of_id == first.pk


def test_an_extension_is_decided_on_its_own_ticket_only(as_user, users, dispatched):
    one, other = dispatched(), dispatched()
    for ticket in (one, other):
        sv.sign_for(actor=users.handler, ticket=ticket)
    extension = sv.request_extension(actor=users.handler, ticket=one, days=2, reason="等待配件")
    act(as_user("supervisor"), other, "decide_extension", {"extension": extension.pk, "approve": "yes"}, status=404)
    extension.refresh_from_db()
    assert extension.state == Extension.State.PENDING


# ---------------------------------------------------------------- masking


def test_contact_is_masked_unless_the_role_needs_it(as_user, users, make_ticket):
    ticket = make_ticket()
    page = html(as_user("dispatcher").get(f"/workbench/tickets/{ticket.code}/"))
    assert "138****5678" in page and "13812345678" not in page and 'data-contact="masked"' in page
    assert not AuditEvent.objects.filter(action="pii.read", target_id=ticket.pk).exists()
    page = html(as_user("supervisor").get(f"/workbench/tickets/{ticket.code}/"))
    assert "13812345678" in page and 'data-contact="unmasked"' in page
    assert AuditEvent.objects.filter(action="pii.read", target_id=ticket.pk, actor=users.supervisor).exists()


# ---------------------------------------------------------------- lists


def test_inbox_by_deadline_with_filters(as_user, users, dispatched):
    late, early = dispatched(), dispatched()
    Ticket.objects.filter(pk=early.pk).update(resolve_due_at=late.resolve_due_at - dt.timedelta(days=1),
                                              deadline_state="overdue")
    sv.sign_for(actor=users.handler, ticket=late)
    client = as_user("handler")
    codes = re.findall(r'<tr data-code="(\w+)"', html(client.get("/workbench/inbox/")))
    assert codes.index(early.code) < codes.index(late.code)
    assert re.findall(r'<tr data-code="(\w+)"', html(client.get("/workbench/inbox/?colour=overdue"))) == [early.code]
    assert re.findall(r'<tr data-code="(\w+)"', html(client.get("/workbench/inbox/?status=accepted"))) == [late.code]
    assert early.code not in html(as_user("handler2").get("/workbench/inbox/"))


def test_inbox_pages_keep_the_filters(as_user, dispatched, monkeypatch):
    monkeypatch.setattr("shiyu.web.views.workbench.PER_PAGE", 2)
    codes = {dispatched().code for _ in range(3)}
    client = as_user("handler")
    first = html(client.get("/workbench/inbox/?status=dispatched"))
    assert 'href="?status=dispatched&amp;page=2"' in first
    second = html(client.get("/workbench/inbox/?status=dispatched&page=2"))
    shown = re.findall(r'<tr data-code="(\w+)"', first) + re.findall(r'<tr data-code="(\w+)"', second)
    assert set(shown) == codes and len(shown) == 3


def _queries(client, path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), html(response).count("<tr data-code=")


@pytest.mark.parametrize("path", ["/workbench/inbox/", "/workbench/dispatch/", "/workbench/dispatch/?list=returned",
                                  "/workbench/supervision/"])
def test_list_queries_do_not_grow_with_rows(as_user, users, city, make_ticket, dispatched, caches_held, path):
    username = {"inbox": "handler", "dispatch": "dispatcher", "supervision": "supervisor"}[path.split("/")[2]]

    def add_rows(count):
        for _ in range(count):
            make_ticket()
            ticket = dispatched()
            sv.sign_for(actor=users.handler, ticket=ticket)
            sv.request_extension(actor=users.handler, ticket=ticket, days=2, reason="等待配件")
            Ticket.objects.filter(pk=ticket.pk).update(resolve_due_at=timezone.now() - dt.timedelta(hours=1))
            Escalation.objects.create(ticket=ticket, unit=ticket.lead_unit, level=1, due_at=timezone.now())
            sv.return_ticket(actor=users.handler, ticket=dispatched(), reason="不属于本单位职责")

    client = as_user(username)
    add_rows(2)
    _queries(client, path)  # builds the per-process copies
    few, rows = _queries(client, path)
    add_rows(4)
    assert _queries(client, path) == (few, rows + 4 * (2 if "supervision" in path else 1))


def test_notifications_listed_and_marked_read(as_user, users, dispatched):
    ticket = dispatched()
    note = Notification.objects.create(unit=users.handler.unit, kind=Notification.Kind.DUE_SOON, ticket=ticket,
                                       text="工单即将到期")
    client = as_user("handler")
    assert "工单即将到期" in html(client.get("/workbench/inbox/"))
    response = client.post(f"/workbench/notifications/{note.pk}/read/", {"next": "/workbench/inbox/"})
    assert response.status_code == 302 and response.url == "/workbench/inbox/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert "工单即将到期" not in html(client.get("/workbench/inbox/"))

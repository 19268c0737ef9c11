"""The hot-issue and proactive-task pages through the Django client: who may open them,
the hot-issue list as an htmx partial, a task opened from a hot issue and carried
through accept and complete (or cancelled) with its audit events, refusals with their
status and nothing changed, and the handler's scope."""
import datetime as dt
import html as htmllib
import re

import pytest
from django.utils import timezone

from shiyu.core.models import AuditEvent
from shiyu.geo.models import AdminUnit
from shiyu.proactive import services
from shiyu.proactive.models import ProactiveTask
from tests.proactive.conftest import _fresh_state, opened, plant_tickets, unit  # noqa: F401  (fixtures)
from tests.web.helpers import audit_actions, buttons, html, post

pytestmark = pytest.mark.django_db

ROLES = ["citizen", "operator", "dispatcher", "handler", "gridworker", "supervisor", "leader", "admin"]
HOT, HOT_LIST, TASKS, OPEN = "/workbench/hot-issues/", "/workbench/hot-issues/list/", "/workbench/proactive/", \
    "/workbench/proactive/open/"
PAGE_ROLES = {
    HOT: {"supervisor", "leader", "dispatcher", "admin"},
    HOT_LIST: {"supervisor", "leader", "dispatcher", "admin"},
    TASKS: {"supervisor", "handler", "admin"},
    OPEN: {"supervisor", "admin"},
}
State = ProactiveTask.State


def act(client, task, action, data=None, status=302):
    return post(client, f"/workbench/proactive/{task.pk}/{action}/", data, status)


def events(task) -> list[str]:
    return audit_actions("proactive_task", task.pk)



def form_values(form: str) -> dict[str, str]:
    """The prefilled inputs of a rendered form (name -> value)."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and name[1] != "csrfmiddlewaretoken":
            values[name[1]] = htmllib.unescape(value[1]) if value else ""
    return values


# ---------------------------------------------------------------- who may open what


@pytest.mark.parametrize("path", PAGE_ROLES)
def test_pages_open_for_their_roles_only(client, users, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    for username in ROLES:
        client.force_login(getattr(users, username))
        assert client.get(path).status_code == (200 if username in PAGE_ROLES[path] else 403), username


def test_pages_in_the_navigation(as_user):
    page = html(as_user("dispatcher").get("/"))
    assert f'href="{HOT}"' in page and f'href="{TASKS}"' not in page
    page = html(as_user("handler").get("/"))
    assert f'href="{TASKS}"' in page and f'href="{HOT}"' not in page
    page = html(as_user("supervisor").get("/"))
    assert f'href="{TASKS}"' in page and f'href="{HOT}"' in page


# ---------------------------------------------------------------- hot issues


def test_the_page_paints_first_and_loads_the_list_as_a_partial(as_user, plant_tickets):
    same = plant_tickets()
    client = as_user("supervisor")
    page = html(client.get(HOT, {"days": "30"}))
    assert 'hx-get="/workbench/hot-issues/list/?days=30"' in page and 'hx-trigger="load"' in page
    assert "data-loading" in page and "data-hot-issue" not in page  # nothing clustered yet

    partial = client.get(HOT_LIST, {"days": "30"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = html(partial)
    assert "<html" not in body
    row = re.search(r'<tr data-hot-issue="1">.*?</tr>', body, re.S).group(0)
    assert 'data-size="3"' in row and 'data-reporters="3"' in row
    for ticket in same:
        assert f'href="/workbench/tickets/{ticket.code}/"' in row
    assert 'data-action="open_task"' in row
    # Read-only for leaders and dispatchers.
    body = html(as_user("leader").get(HOT_LIST))
    assert 'data-hot-issue="1"' in body and "open_task" not in buttons(body)
    assert "open_task" not in buttons(html(as_user("dispatcher").get(HOT_LIST)))


@pytest.mark.parametrize("query", [{"month": "2025-13"}, {"month": "March"}, {"month": "2999-01"}, {"days": "9"}])
def test_a_bad_period_is_400_with_its_field(as_user, query):
    client = as_user("supervisor")
    for path in (HOT, HOT_LIST):
        response = client.get(path, query)
        assert response.status_code == 400, path
        field = next(iter(query))
        assert f'data-field-error="{field}"' in html(response)
    assert "hx-get" not in html(client.get(HOT, query))  # the list is not asked for


def test_a_month(as_user, plant_tickets):
    plant_tickets()
    client = as_user("supervisor")
    body = html(client.get(HOT_LIST, {"month": "2020-02"}))
    assert "2020-02-01 – 2020-02-29" in body and "data-empty" in body
    month = timezone.localdate().strftime("%Y-%m")
    assert 'data-hot-issue="1"' in html(client.get(HOT_LIST, {"month": month}))


def test_one_area(as_user, plant_tickets, city):
    plant_tickets()  # in the first grid
    here = city.grids[0].community.parent
    elsewhere = AdminUnit.objects.filter(level="subdistrict").exclude(pk=here.pk).first()
    client = as_user("supervisor")
    assert 'data-hot-issue="1"' in html(client.get(HOT_LIST, {"area": here.pk}))
    assert 'data-hot-issue="1"' in html(client.get(HOT_LIST, {"area": here.parent.pk}))  # its district
    assert "data-empty" in html(client.get(HOT_LIST, {"area": elsewhere.pk}))
    assert client.get(HOT_LIST, {"area": city.grids[0].community.pk}).status_code == 400  # not a choice


# ---------------------------------------------------------------- from a hot issue to a done task


def test_open_from_a_hot_issue_accept_complete(as_user, plant_tickets, users):
    same = plant_tickets()
    client = as_user("supervisor")
    body = html(client.get(HOT_LIST))
    form = re.search(r'<tr data-hot-issue="1">.*?(<form.*?</form>)', body, re.S).group(1)
    values = form_values(form)
    assert {"title", "working_days", "due_date", "place", "tickets", "heat"} <= set(values)
    assert values["working_days"] == str(services.DEFAULT_WORKING_DAYS)
    assert "搅拌站" in values["title"] and sorted(map(int, values["tickets"].split(","))) == sorted(t.pk for t in same)

    response = client.post(OPEN, {**values, "unit": "urban_management", "working_days": "5", "note": "请现场核查"})
    assert response.status_code == 302
    task = ProactiveTask.objects.get()
    assert response.url == f"/workbench/proactive/{task.pk}/"
    assert task.unit.key == "urban_management" and task.state == State.OPEN and task.note == "请现场核查"
    assert set(task.tickets.all()) == set(same) and task.heat == pytest.approx(float(values["heat"]))
    assert AuditEvent.objects.get(target_type="proactive_task", target_id=task.pk).data["working_days"] == 5
    page = html(client.get(response.url))
    assert 'class="success"' in page and buttons(page) == {"cancel"} and 'data-event="proactive.open"' in page
    assert 'data-deadline="on_time"' in page

    client = as_user("handler")
    page = html(client.get(TASKS))
    assert f'<tr data-task="{task.pk}">' in page
    page = html(client.get(f"/workbench/proactive/{task.pk}/"))
    assert buttons(page) == {"accept"} and f'href="/workbench/tickets/{same[0].code}/"' not in page  # not dispatched
    act(client, task, "accept")
    task.refresh_from_db()
    assert task.state == State.ACCEPTED and task.accepted_by == users.handler
    assert buttons(html(client.get(f"/workbench/proactive/{task.pk}/"))) == {"complete"}
    act(client, task, "complete", {"note": "已约谈开发商，夜间停工"})
    task.refresh_from_db()
    assert task.state == State.DONE and task.finishing_note == "已约谈开发商，夜间停工"
    assert events(task) == ["proactive.open", "proactive.accept", "proactive.complete"]
    done = AuditEvent.objects.get(target_type="proactive_task", target_id=task.pk, action="proactive.complete")
    assert done.actor == users.handler and done.from_state == "accepted" and done.to_state == "done"
    page = html(client.get(f"/workbench/proactive/{task.pk}/"))
    assert not buttons(page) and "data-read-only" in page and "data-deadline" not in page


def test_open_with_a_deadline_date(as_user, plant_tickets):
    plant_tickets()
    client = as_user("admin")
    due = timezone.localdate() + dt.timedelta(days=21)
    response = client.post(OPEN, {"title": "搅拌站噪音", "unit": "housing", "working_days": "",
                                  "due_date": due.isoformat()})
    assert response.status_code == 302
    task = ProactiveTask.objects.get()
    assert timezone.localdate(task.due_at) <= due and (due - timezone.localdate(task.due_at)).days <= 3
    assert task.unit.key == "housing"


@pytest.mark.parametrize("data,field", [
    ({"unit": ""}, "unit"),
    ({"unit": "no_such_unit"}, "unit"),
    ({"title": ""}, "title"),
    ({"working_days": "99"}, "working_days"),
    ({"due_date": "2001-01-01"}, "due_date"),
    ({"tickets": "abc"}, "tickets"),
    ({"tickets": "999999999"}, "tickets"),
])
def test_bad_task_input_is_422_with_its_field(as_user, data, field):
    sent = {"title": "搅拌站噪音", "unit": "urban_management", "working_days": "5", **data}
    response = as_user("supervisor").post(OPEN, sent)
    assert response.status_code == 422
    page = html(response)
    assert 'data-error-status="422"' in page and "errorlist" in page
    assert re.search(rf'<[^>]*name="{field}"', page)  # the form again, as sent
    assert not ProactiveTask.objects.exists()


def test_only_supervisors_open(as_user):
    for who in ["leader", "dispatcher", "handler"]:
        assert as_user(who).post(OPEN, {"title": "t", "unit": "urban_management"}).status_code == 403, who
    assert not ProactiveTask.objects.exists()


def test_cancel_by_a_supervisor(as_user, opened):
    task = opened()
    act(as_user("handler"), task, "cancel", status=403)  # the unit may not cancel
    act(as_user("supervisor"), task, "cancel", {"note": "已由街道处理"})
    task.refresh_from_db()
    assert task.state == State.CANCELLED and task.finishing_note == "已由街道处理"
    assert events(task) == ["proactive.open", "proactive.cancel"]
    page = html(as_user("supervisor").get(f"/workbench/proactive/{task.pk}/"))
    assert not buttons(page) and 'data-event="proactive.cancel"' in page


def test_illegal_action_is_409_and_changes_nothing(as_user, opened):
    task = opened()
    response = act(as_user("handler"), task, "complete", {"note": "直接办结"}, status=409)
    assert 'data-error-status="409"' in html(response)
    act(as_user("supervisor"), task, "cancel")
    act(as_user("handler"), task, "accept", status=409)
    act(as_user("supervisor"), task, "cancel", status=409)
    task.refresh_from_db()
    assert task.state == State.CANCELLED and events(task) == ["proactive.open", "proactive.cancel"]


def test_refusals_and_bad_input_on_a_task(as_user, opened):
    task = opened()
    act(as_user("supervisor"), task, "accept", status=403)  # the unit's staff accept
    act(as_user("handler"), task, "explode", status=404)
    assert as_user("handler").get(f"/workbench/proactive/{task.pk}/accept/").status_code == 405
    act(as_user("handler"), task, "accept")
    response = act(as_user("handler"), task, "complete", {"note": "  "}, status=422)
    form = re.search(r'<form[^>]*id="act-complete".*?</form>', html(response), re.S).group(0)
    assert "errorlist" in form
    task.refresh_from_db()
    assert task.state == State.ACCEPTED and events(task) == ["proactive.open", "proactive.accept"]


def test_handlers_see_their_own_units_tasks_only(as_user, opened, city):
    mine = opened()
    other = opened(unit=city.units["housing"], title="另一个单位的任务")
    page = html(as_user("handler").get(TASKS))
    assert f'data-task="{mine.pk}"' in page and f'data-task="{other.pk}"' not in page
    assert as_user("handler").get(f"/workbench/proactive/{other.pk}/").status_code == 404
    act(as_user("handler"), other, "accept", status=404)
    page = html(as_user("handler2").get(TASKS))
    assert f'data-task="{other.pk}"' in page and f'data-task="{mine.pk}"' not in page
    page = html(as_user("supervisor").get(TASKS))
    assert f'data-task="{mine.pk}"' in page and f'data-task="{other.pk}"' in page
    other.refresh_from_db()
    assert other.state == State.OPEN


def test_list_filters_and_deadline_colours(as_user, opened, users):
    late = opened(at=timezone.now() - dt.timedelta(days=30))  # 2 working days, long past
    fresh = opened(at=timezone.now(), working_days=20)
    client = as_user("supervisor")
    page = html(client.get(TASKS))
    late_row = re.search(rf'<tr data-task="{late.pk}">.*?</tr>', page, re.S).group(0)
    fresh_row = re.search(rf'<tr data-task="{fresh.pk}">.*?</tr>', page, re.S).group(0)
    assert 'data-deadline="overdue"' in late_row and 'data-deadline="on_time"' in fresh_row
    assert 'data-state="open"' in late_row
    services.cancel_task(actor=users.supervisor, task=late)
    assert f'data-task="{late.pk}"' not in html(client.get(TASKS, {"state": "live"}))
    assert f'data-task="{late.pk}"' in html(client.get(TASKS, {"state": "cancelled"}))
    assert client.get(TASKS, {"state": "nonsense"}).status_code == 200


def test_no_external_asset(as_user, opened):
    task = opened()
    client = as_user("admin")
    for path in [HOT, HOT_LIST, TASKS, OPEN, f"/workbench/proactive/{task.pk}/"]:
        assert not re.findall(r'(?:src|href|action)="(?:https?:)?//', html(client.get(path))), path

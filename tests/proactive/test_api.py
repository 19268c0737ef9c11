"""The staff API of hot issues and proactive tasks end to end; errors are never a 500."""
import pytest

from shiyu.proactive.models import ProactiveTask

from tests.api_helpers import error_body, ok_body

pytestmark = pytest.mark.django_db
HOT, TASKS = "/api/hotspots/", "/api/proactive-tasks/"



def test_from_a_hot_issue_to_a_done_task(api, plant_tickets):
    same = plant_tickets()
    found = ok_body(api("supervisor").get(HOT, {"top": 5}))
    (issue,) = found["hotspots"]
    assert set(issue["ids"]) == {t.pk for t in same} and issue["reporters"] == 3 and found["area"] is None
    assert found["until"] and found["since"] and found["warnings"] == []

    body = {"unit": "urban_management", "title": issue["title"], "place": issue["place"], "tickets": issue["ids"],
            "heat": issue["heat"], "note": "请现场核查", "working_days": 3}
    task = ok_body(api("supervisor").post(TASKS, body, format="json"), 201)
    assert task["state"] == "open" and task["unit"]["key"] == "urban_management"
    assert sorted(t["id"] for t in task["tickets"]) == sorted(issue["ids"]) and task["deadline_state"] == "on_time"
    assert task["allowed_actions"] == ["cancel"] and task["created_by"] == "supervisor"

    url = f"{TASKS}{task['id']}/"
    assert ok_body(api("handler").get(url))["allowed_actions"] == ["accept"]
    accepted = ok_body(api("handler").post(f"{url}accept/", format="json"))
    assert accepted["state"] == "accepted" and accepted["accepted_by"] == "handler"
    done = ok_body(api("handler").post(f"{url}complete/", {"note": "已约谈开发商"}, format="json"))
    assert done["state"] == "done" and done["finishing_note"] == "已约谈开发商" and done["allowed_actions"] == []
    conflict = error_body(api("supervisor").post(f"{url}cancel/", {}, format="json"), 409, "illegal_transition")
    assert conflict["current_state"] == "done" and conflict["allowed_actions"] == []

    assert [t["id"] for t in ok_body(api("handler").get(TASKS, {"state": "done"}))["results"]] == [task["id"]]
    assert ok_body(api("handler").get(TASKS, {"state": "open"}))["results"] == []


def test_hotspots_are_for_city_wide_roles(api):
    for who in ("supervisor", "leader", "dispatcher", "admin"):
        ok_body(api(who).get(HOT))
    for who in ("handler", "operator", "citizen", "gridworker"):
        error_body(api(who).get(HOT), 403, "forbidden")
    error_body(api().get(HOT), 401)


@pytest.mark.parametrize("query, field", [
    ({"since": "2025-02-30"}, "since"), ({"until": "yesterday"}, "until"), ({"top": "0"}, "top"),
    ({"top": "many"}, "top"), ({"top": "51"}, "top"), ({"area": "nowhere"}, "area"),
    ({"since": "2025-03-02", "until": "2025-03-01"}, "since"),
    ({"since": "2023-01-01", "until": "2025-01-01"}, "since"),
])
def test_bad_hotspot_queries_are_400_with_the_field(api, query, field):
    body = error_body(api("supervisor").get(HOT, query), 400, "invalid")
    assert field in body["fields"]


def test_an_area_and_a_period(api, plant_tickets, city):
    plant_tickets()
    district = city.grids[0].community.parent.parent
    found = ok_body(api("leader").get(HOT, {"area": district.code, "since": "2020-01-01", "until": "2020-01-31"}))
    assert found["hotspots"] == [] and found["area"] == district.code and found["since"] == "2020-01-01"


def test_who_may_open_accept_and_cancel(api, opened, users):
    body = {"unit": "urban_management", "title": "搅拌站噪音"}
    for who in ("handler", "leader", "dispatcher", "operator"):
        error_body(api(who).post(TASKS, body, format="json"), 403, "forbidden")
    task = opened()
    url = f"{TASKS}{task.pk}/"
    error_body(api("handler2").post(f"{url}accept/", format="json"), 404)  # another unit's task is not in its scope
    error_body(api("supervisor").post(f"{url}accept/", format="json"), 403, "forbidden")
    error_body(api("handler").post(f"{url}cancel/", {}, format="json"), 403, "forbidden")
    conflict = error_body(api("handler").post(f"{url}complete/", {"note": "办完"}, format="json"), 409)
    assert conflict["current_state"] == "open" and conflict["allowed_actions"] == ["accept"]
    cancelled = ok_body(api("supervisor").post(f"{url}cancel/", {"note": "街道已处理"}, format="json"))
    assert cancelled["state"] == "cancelled"


@pytest.mark.parametrize("body, field, status", [
    ({"title": "t"}, "unit", 400),
    ({"unit": "nowhere", "title": "t"}, "unit", 400),
    ({"unit": "urban_management"}, "title", 400),
    ({"unit": "urban_management", "title": "x" * 101}, "title", 400),
    ({"unit": "urban_management", "title": "t", "working_days": 0}, "working_days", 400),
    ({"unit": "urban_management", "title": "t", "working_days": "ten"}, "working_days", 400),
    ({"unit": "urban_management", "title": "t", "tickets": [999999999]}, "tickets", 400),
    ({"unit": "urban_management", "title": "t", "tickets": "1,2"}, "tickets", 400),
    ({"unit": "urban_management", "title": "   "}, "title", 400),
    ({"unit": "urban_management", "title": "t", "heat": -1}, "heat", 400),
])
def test_bad_task_input_names_the_field(api, body, field, status):
    error = error_body(api("supervisor").post(TASKS, body, format="json"), status)
    assert field in error["fields"]
    assert not ProactiveTask.objects.exists()


def test_an_inactive_unit_is_422(api, city):
    unit = city.units["housing"]
    unit.active = False
    unit.save()
    error = error_body(api("supervisor").post(TASKS, {"unit": "housing", "title": "t"}, format="json"), 422, "invalid")
    assert "unit" in error["fields"]


def test_complete_needs_a_note_and_bad_ids_are_404(api, opened, users):
    from shiyu.proactive.services import accept_task

    task = accept_task(actor=users.handler, task=opened())
    assert "note" in error_body(api("handler").post(f"{TASKS}{task.pk}/complete/", {}, format="json"), 400)["fields"]
    error_body(api("handler").get(f"{TASKS}99999999/"), 404)
    error_body(api("handler").get(f"{TASKS}{'9' * 30}/"), 404)
    error_body(api("handler").post(f"{TASKS}{task.pk}/complete/", "not json", content_type="application/json"), 400)


def test_the_list_is_scoped(api, opened, city):
    mine, theirs = opened(), opened(unit=city.units["housing"])
    assert [t["id"] for t in ok_body(api("handler").get(TASKS))["results"]] == [mine.pk]
    assert {t["id"] for t in ok_body(api("leader").get(TASKS))["results"]} == {mine.pk, theirs.pk}
    assert [t["id"] for t in ok_body(api("leader").get(TASKS, {"unit": "housing"}))["results"]] == [theirs.pk]
    assert ok_body(api("citizen").get(TASKS))["results"] == []
    error_body(api("leader").get(TASKS, {"state": "late"}), 400)
    error_body(api("handler").get(f"{TASKS}{theirs.pk}/"), 404)

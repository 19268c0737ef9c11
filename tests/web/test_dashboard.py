"""The command dashboard (综治中心): who sees it, and that its JSON counts right."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from shiyu.metrics import core
from shiyu.risk.models import RiskAlert
from shiyu.tickets.models import Status, Ticket
from shiyu.web.dashboard import city_rates
from shiyu.web.models import DashboardFigure

DATA = ["/dashboard/data/grids.geojson", "/dashboard/data/grid-counts/", "/dashboard/data/volume/",
        "/dashboard/data/categories/", "/dashboard/data/rates/", "/dashboard/data/alerts/",
        "/dashboard/data/hot-issues/"]


@pytest.fixture
def signed_in(client, users):
    def as_user(username):
        client.force_login(getattr(users, username))
        return client
    return as_user


def _days_ago(days: int, hour: int = 10) -> dt.datetime:
    """`hour` o'clock local time, `days` local days before today."""
    today = timezone.localdate()
    return dt.datetime.combine(today - dt.timedelta(days=days), dt.time(hour), timezone.get_current_timezone())


@pytest.mark.parametrize("username", ["supervisor", "leader", "admin"])
def test_dashboard_for_supervisors_leaders_and_admins(signed_in, username):
    response = signed_in(username).get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    for element in ("map", "chart-volume", "chart-category", "rates"):
        assert f'id="{element}"' in html
    assert "/dashboard/" in re.findall(r'<nav>.*?</nav>', html, re.S)[0]


@pytest.mark.parametrize("username", ["handler", "citizen", "operator", "dispatcher", "gridworker"])
def test_dashboard_refused_to_other_roles(signed_in, username):
    client = signed_in(username)
    assert client.get("/dashboard/").status_code == 403
    for path in DATA:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "detail" in response.json()


def test_anonymous_is_sent_to_login_and_gets_no_data(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for path in DATA:
        assert client.get(path).status_code == 403, path


def test_page_names_no_external_url(signed_in):
    html = signed_in("supervisor").get("/dashboard/").content.decode()
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)
    assert "http://" not in html and "https://" not in html


def test_grids_are_a_feature_collection(signed_in, city):
    collection = signed_in("leader").get("/dashboard/data/grids.geojson").json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == len(city.grids)
    feature = collection["features"][0]
    assert feature["type"] == "Feature" and feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert {"id", "code", "name"} <= set(feature["properties"])
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and all(len(point) == 2 for point in ring)


def test_open_and_overdue_per_grid(signed_in, make_ticket, city):
    first, second = city.grids[0], city.grids[1]
    late = make_ticket(grid=first)
    make_ticket(grid=first)
    make_ticket(grid=second)
    closed = make_ticket(grid=second)
    Ticket.objects.filter(pk=late.pk).update(resolve_due_at=timezone.now() - dt.timedelta(hours=1))
    Ticket.objects.filter(pk=closed.pk).update(status=Status.CLOSED, resolve_due_at=timezone.now()
                                               - dt.timedelta(hours=1))
    counts = signed_in("supervisor").get("/dashboard/data/grid-counts/").json()
    assert counts["open"] == {str(first.pk): 2, str(second.pk): 1}
    assert counts["overdue"] == {str(first.pk): 1}


def test_daily_volume_counts_local_days(signed_in, make_ticket):
    for days, hour in ((0, 9), (1, 0), (1, 23), (29, 12), (30, 12)):
        ticket = make_ticket()
        Ticket.objects.filter(pk=ticket.pk).update(created_at=_days_ago(days, hour))
    client = signed_in("leader")
    month = client.get("/dashboard/data/volume/", {"days": 30}).json()
    assert len(month["days"]) == len(month["counts"]) == 30
    assert month["days"][-1] == timezone.localdate().isoformat()
    assert month["counts"][-1] == 1 and month["counts"][-2] == 2 and month["counts"][0] == 1
    assert sum(month["counts"]) == 4  # the one 30 days ago is outside
    quarter = client.get("/dashboard/data/volume/", {"days": 90}).json()
    assert len(quarter["counts"]) == 90 and sum(quarter["counts"]) == 5


def test_category_split_by_top_level(signed_in, make_ticket, city):
    leaves = {}
    for leaf in city.leaves:
        leaves.setdefault(leaf.code[:2], leaf)
    (first_top, first_leaf), (second_top, second_leaf) = list(leaves.items())[:2]
    for category in (first_leaf, first_leaf, second_leaf, None):
        make_ticket(category=category)
    old = make_ticket(category=second_leaf)
    Ticket.objects.filter(pk=old.pk).update(created_at=_days_ago(45))
    client = signed_in("admin")
    split = client.get("/dashboard/data/categories/", {"days": 30}).json()["categories"]
    assert [(row["code"], row["count"]) for row in split] == [(first_top, 2), (None, 1), (second_top, 1)]
    assert split[0]["name"] == first_leaf.parent.parent.name
    quarter = client.get("/dashboard/data/categories/", {"days": 90}).json()["categories"]
    assert {row["code"]: row["count"] for row in quarter}[second_top] == 2


def test_rates_are_the_metrics_ranking_stored_once(signed_in, make_ticket, django_assert_max_num_queries):
    make_ticket()
    client = signed_in("leader")
    rates = client.get("/dashboard/data/rates/", {"kind": "district"}).json()
    month = core.month_label(core.month_of_datetime(timezone.now(), "Asia/Shanghai"))
    assert rates["month"] == month and rates["kind"] == "district"
    assert rates["city"]["received"] == sum(row["received"] for row in rates["rows"]) >= 1
    assert set(rates["city"]) >= {"response_rate", "resolution_rate", "satisfaction_rate"}
    assert DashboardFigure.objects.filter(key=f"ranking:{month}").exists()
    with django_assert_max_num_queries(4):  # stored: read, not counted again
        again = client.get("/dashboard/data/rates/", {"kind": "district"}).json()
    assert again["rows"] == rates["rows"]


def test_city_rates_sum_the_districts():
    rows = [dict.fromkeys(core.MEASURES, 0) | {"dispatched": 10, "on_time": 9, "called_back": 4, "resolved": 3,
                                               "satisfied": 2, "basically_satisfied": 1},
            dict.fromkeys(core.MEASURES, 0) | {"dispatched": 10, "on_time": 10, "called_back": 1, "resolved": 1,
                                               "satisfied": 1}]
    rates = city_rates(rows, basically_satisfied_factor=0.8)
    assert rates["response_rate"] == 0.95
    assert rates["resolution_rate"] == 0.8
    assert rates["satisfaction_rate"] == pytest.approx((3 + 0.8) / 5)
    assert city_rates([], 0.8)["response_rate"] is None


def test_last_month_on_request_and_refresh_by_the_sweep(signed_in, settings):
    from shiyu.deadlines.services import sweep

    now = timezone.now()
    this_month = core.month_of_datetime(now, "Asia/Shanghai")
    current, last = core.month_label(this_month), core.month_label(this_month - 1)
    assert signed_in("supervisor").get("/dashboard/data/rates/", {"month": last}).json()["month"] == last
    sweep(now)
    stored = dict(DashboardFigure.objects.values_list("key", "computed_at"))
    assert set(stored) == {f"ranking:{last}", f"ranking:{current}", "hot-issues"}
    settings.SHIYU_DASHBOARD_REFRESH_SECONDS = 600
    sweep(now + dt.timedelta(minutes=1))  # still fresh: not counted again
    assert dict(DashboardFigure.objects.values_list("key", "computed_at")) == stored
    sweep(now + dt.timedelta(minutes=11))
    again = dict(DashboardFigure.objects.values_list("key", "computed_at"))
    assert again[f"ranking:{current}"] > stored[f"ranking:{current}"]
    assert again["hot-issues"] > stored["hot-issues"]


def test_hot_issues_of_the_last_day(signed_in, make_ticket):
    from shiyu.proactive.selectors import hot_issues

    for number in range(4):
        make_ticket(title="小区门口积水严重", description=f"示范小区门口积水严重，行人无法通过。{number}",
                    reporter_phone=f"1381234{number:04d}")
    figures = signed_in("leader").get("/dashboard/data/hot-issues/").json()
    now = timezone.now()
    expected = hot_issues(now - dt.timedelta(hours=24), now, top=10)
    assert figures["hours"] == 24 and figures["tickets"] == expected.rows == 4 and expected.issues
    assert [(issue["title"], issue["size"], issue["reporters"]) for issue in figures["issues"]] == [
        (issue.title, len(issue.ids), issue.reporters) for issue in expected.issues]


def test_open_alerts_by_level(signed_in, city):
    for number, (level, status) in enumerate([("red", "open"), ("red", "acknowledged"), ("blue", "open"),
                                              ("orange", "resolved")]):
        RiskAlert.objects.create(kind="spike", key=f"test-{number}", level=level, status=status,
                                 reason=f"reason {number}", subdistrict=city.subdistricts[0])
    figures = signed_in("supervisor").get("/dashboard/data/alerts/").json()
    assert [(row["level"], row["count"]) for row in figures["levels"]] == [
        ("red", 2), ("orange", 0), ("yellow", 0), ("blue", 1)]
    assert sorted(alert["reason"] for alert in figures["alerts"]) == ["reason 0", "reason 1", "reason 2"]
    assert figures["alerts"][0]["subdistrict"] == city.subdistricts[0].name


def test_rates_say_when_the_analytics_copy_is_not_made(signed_in, settings, tmp_path):
    settings.SHIYU_METRICS_SOURCE = "analytics"
    settings.SHIYU_ANALYTICS_DIR = tmp_path / "analytics"
    response = signed_in("leader").get("/dashboard/data/rates/")
    assert response.status_code == 503 and response.json()["code"] == "not_ready"

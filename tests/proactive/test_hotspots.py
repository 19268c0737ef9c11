"""Hot issues over tickets (selectors.hot_issues) and in the monthly priority problem."""
import datetime as dt

import pytest
from django.utils import timezone

from shiyu.proactive.selectors import hot_issues

pytestmark = pytest.mark.django_db


def window():
    now = timezone.now()
    return now - dt.timedelta(days=1), now + dt.timedelta(minutes=1)


def test_tickets_on_one_problem_at_one_place_make_a_hot_issue(plant_tickets, city):
    same = plant_tickets()
    found = hot_issues(*window())
    (issue,) = found.issues  # the other tickets have one reporter each: not hot
    assert set(issue.ids) == {t.pk for t in same} and issue.reporters == 3 and issue.rank == 1
    assert "丽发新城" in issue.place and issue.title in {t.title for t in same}
    assert issue.start == min(t.created_at for t in same) and issue.end == max(t.created_at for t in same)


def test_one_reporter_many_tickets_is_not_hot(make_ticket):
    for i in range(3):
        make_ticket(title="丽发新城搅拌站噪音扰民", description=f"第{i + 1}次反映搅拌站噪音。", reporter_phone="13900000009")
    assert hot_issues(*window()).issues == []
    assert len(hot_issues(*window(), min_reporters=1).issues) == 1


def test_the_period_and_the_area(plant_tickets, city):
    same = plant_tickets()
    since, until = window()
    assert hot_issues(since - dt.timedelta(days=30), since).issues == []
    district = city.grids[0].community.parent.parent
    other = next(g for g in city.grids if g.community.parent.parent_id != district.pk)
    assert [set(i.ids) for i in hot_issues(since, until, district).issues] == [{t.pk for t in same}]
    assert hot_issues(since, until, other.community.parent.parent).issues == []
    assert len(hot_issues(since, until, city.grids[0].community).issues) == 1


def test_invalid_tickets_do_not_count(plant_tickets, users):
    from shiyu.tickets.services import mark_invalid

    same = plant_tickets()
    mark_invalid(actor=users.operator, ticket=same[0], reason="测试")
    (issue,) = hot_issues(*window()).issues
    assert set(issue.ids) == {same[1].pk, same[2].pk}


def test_the_answer_is_cached_until_a_ticket_comes(plant_tickets, make_ticket, django_assert_max_num_queries):
    plant_tickets()
    since, until = window()
    first = hot_issues(since, until)
    with django_assert_max_num_queries(1):  # the stamp only
        assert hot_issues(since, until).issues == first.issues
    make_ticket(title="丽发新城搅拌站又开工了", description="丽发新城小区旁的搅拌站今晚又在轰鸣，噪音扰民。",
                reporter_phone="13900000042")
    assert len(hot_issues(since, until).issues[0].ids) == 4


def test_a_truncated_period_warns_each_reader_in_their_language(plant_tickets, monkeypatch):
    from django.utils import translation

    from shiyu.proactive import selectors

    plant_tickets()
    monkeypatch.setattr(selectors, "MAX_TICKETS", 2)
    hot_issues(*window())  # computed once, then read from the cache
    with translation.override("zh-hans"):
        assert [str(w) for w in hot_issues(*window()).warnings] == ["本期只聚类最新的 2 件工单"]
    with translation.override("en"):
        assert [str(w) for w in hot_issues(*window()).warnings] == [
            "only the newest 2 tickets of the period are clustered"]


def test_a_crowded_subdistrict_warns_in_the_readers_language(plant_tickets, monkeypatch):
    from django.utils import translation

    from shiyu.nlp import hotspots

    plant_tickets()
    monkeypatch.setattr(hotspots, "MAX_MESSAGES", 2)
    with translation.override("en"):
        warnings = [str(w) for w in hot_issues(*window()).warnings]
    assert warnings and all(w.startswith("only the newest 2 of the ") for w in warnings)
    with translation.override("zh-hans"):
        assert all(str(w).startswith("本期该街道") for w in hot_issues(*window()).warnings)


def test_the_monthly_priority_problem_lists_the_months_hot_issues(plant_tickets):
    from shiyu.metrics import core
    from shiyu.metrics.selectors import priority_problems

    same = plant_tickets()
    month = core.month_of_datetime(timezone.now(), "Asia/Shanghai")
    problems = priority_problems(month)
    assert {"month", "min_tickets", "most", "fastest"} <= set(problems)
    (issue,) = problems["hot_issues"]
    assert set(issue["ids"]) == {t.pk for t in same} and issue["rank"] == 1 and issue["reporters"] == 3

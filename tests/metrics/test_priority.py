"""每月一题: second-level category x subdistrict pairs, by count and by growth."""
import numpy as np
import pytest

from shiyu.metrics import core
from shiyu.metrics.selectors import priority_problems

pytestmark = pytest.mark.django_db
MAY = core.parse_month("2025-05")


@pytest.fixture
def leaves(city):
    """Three leaves under three different second-level categories."""
    first_by_parent = {}
    for leaf in city.leaves:
        first_by_parent.setdefault(leaf.parent_id, leaf)
    return list(first_by_parent.values())[:3]


def file(ticket, sub, leaf, month, count):
    return [ticket(sub, created=f"{month}-{day % 28 + 1:02d} 10:00", category=leaf, lead=None)
            for day in range(count)]


def test_most_and_fastest_pairs_with_their_tickets(settings, ticket, place, leaves):
    """a/s1: 1 -> 6 (growth 5); b/s2: 6 -> 8 (growth 1/3); c/s3: 1 -> 3 (growth 2, but
    under the 5 tickets a pair needs to count as growing); d: a/s2 7 -> 2, falling."""
    settings.SHIYU_PRIORITY_MIN_TICKETS = 5
    settings.SHIYU_PRIORITY_TICKETS = 4
    a, b, c = leaves
    file(ticket, place.s1, a, "2025-04", 1)
    may_a_s1 = file(ticket, place.s1, a, "2025-05", 6)
    file(ticket, place.s2, b, "2025-04", 6)
    file(ticket, place.s2, b, "2025-05", 8)
    file(ticket, place.s3, c, "2025-04", 1)
    file(ticket, place.s3, c, "2025-05", 3)
    file(ticket, place.s2, a, "2025-04", 7)
    file(ticket, place.s2, a, "2025-05", 2)
    ticket(place.s1, created="2025-05-20 10:00", category=a, lead=None, status="invalid")  # counts nowhere

    problems = priority_problems(MAY)
    summary = lambda pairs: [(p["category"].pk, p["subdistrict"].pk, p["tickets_count"], p["previous_count"])
                             for p in pairs]
    assert summary(problems["most"]) == [
        (b.parent_id, place.s2.pk, 8, 6), (a.parent_id, place.s1.pk, 6, 1), (c.parent_id, place.s3.pk, 3, 1),
        (a.parent_id, place.s2.pk, 2, 7)]
    assert summary(problems["fastest"]) == [(a.parent_id, place.s1.pk, 6, 1), (b.parent_id, place.s2.pk, 8, 6)]
    top = problems["fastest"][0]
    assert top["growth"] == 5.0 and top["district"] == place.s1.parent
    newest = sorted(may_a_s1, key=lambda t: (t.created_at, t.pk), reverse=True)[:4]
    assert [t.pk for t in top["tickets"]] == [t.pk for t in newest]


def test_ties_and_the_top_limit():
    category = [3, 1, 2, 1]
    subdistrict = [1, 2, 1, 1]
    current = [5, 5, 5, 9]
    previous = [0, 0, 4, 9]
    most, fastest = core.priority_pairs(*map(np.array, (category, subdistrict, current, previous)),
                                        min_tickets=5, top=3)
    assert most == [3, 1, 2]  # 9 first, then the 5s by category id
    assert fastest == [1, 0, 2]  # growth 5, 5 (category 1 before 3), then 0.25; 9 -> 9 did not grow

"""A ranking a person can check, its change from last month, the bottom group and
the governance flag (治理类街乡镇)."""
import pytest

from shiyu.metrics import core
from shiyu.metrics.selectors import monthly_ranking

from .conftest import at

pytestmark = pytest.mark.django_db
AS_OF = at("2025-08-01 00:00")


def by_unit(month: str, kind: str = "subdistrict") -> dict[int, dict]:
    ranking = monthly_ranking(core.parse_month(month), source="database", as_of=AS_OF)
    return {r["unit_id"]: r for r in ranking.rows(kind)}


def test_ranking_by_score_then_callbacks_then_id(simple, place):
    """April, every ticket signed for on time (response 1):
    s1: 2 satisfied and resolved       -> 100.0
    s3: 1 satisfied and resolved       -> 100.0 (a tie: s1 has more callbacks)
    s2: 1 satisfied, 1 basically       -> 100 x (0.1 + 0.45 + 0.45 x 0.9) = 95.5
    s4: no tickets                     -> no score, no rank, listed last.
    March: s2 100.0 first; s1 one unsatisfied and unresolved, 10.0 second; s3 none."""
    simple(place.s1, "2025-04")
    simple(place.s1, "2025-04")
    simple(place.s3, "2025-04")
    simple(place.s2, "2025-04")
    simple(place.s2, "2025-04", rating="basically_satisfied")
    simple(place.s2, "2025-03")
    simple(place.s1, "2025-03", rating="unsatisfied", resolved=False)

    ranking = monthly_ranking(core.parse_month("2025-04"), source="database", as_of=AS_OF)
    rows = ranking.rows("subdistrict")
    assert [(r["unit_id"], r["rank"], r["score"]) for r in rows] == [
        (place.s1.pk, 1, 100.0), (place.s3.pk, 2, 100.0), (place.s2.pk, 3, 95.5), (place.s4.pk, None, None)]
    assert {r["ranked_units"] for r in rows} == {3}
    changes = {r["unit_id"]: (r["rank_change"], r["score_change"]) for r in rows}
    assert changes == {place.s1.pk: (1, 90.0), place.s2.pk: (-2, -4.5), place.s3.pk: (None, None),
                       place.s4.pk: (None, None)}
    # 10% of 3 ranked units, rounded up: the last one.
    assert [r["unit_id"] for r in rows if r["bottom"]] == [place.s2.pk]


def test_bottom_three_months_running_flags_governance(settings, simple, place):
    """Bottom group of one. s4 is last in May, June and July: flagged in July, not before.
    s3 is last in April only, then recovers."""
    settings.SHIYU_BOTTOM_GROUP = "1"
    simple(place.s3, "2025-04", rating="unsatisfied", resolved=False)
    simple(place.s4, "2025-04")
    for month in ("2025-05", "2025-06", "2025-07"):
        simple(place.s3, month)
        simple(place.s4, month, rating="unsatisfied", resolved=False)
    may, june, july = by_unit("2025-05"), by_unit("2025-06"), by_unit("2025-07")
    assert [may[place.s4.pk]["bottom_months"], june[place.s4.pk]["bottom_months"],
            july[place.s4.pk]["bottom_months"]] == [1, 2, 3]
    assert [m[place.s4.pk]["governance"] for m in (may, june, july)] == [False, False, True]
    assert not any(m[place.s3.pk]["bottom"] or m[place.s3.pk]["governance"] for m in (may, june, july))


def test_bottom_group_as_a_share(settings):
    rules = core.Definitions(bottom_group="10%")
    assert [rules.bottom_size(n) for n in (1, 9, 10, 11, 60)] == [1, 1, 1, 2, 6]
    assert core.Definitions(bottom_group="5").bottom_size(3) == 3
    with pytest.raises(ValueError):
        core.Definitions(bottom_group="0")
    with pytest.raises(ValueError):
        core.Definitions(weights={"response": 1, "speed": 1})

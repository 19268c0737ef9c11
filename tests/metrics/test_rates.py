"""The three rates on an example worked out by hand (March 2025, subdistrict s1,
every ticket led by urban_management)."""
import datetime as dt

import pytest

from shiyu.metrics import core
from shiyu.metrics.selectors import monthly_ranking

from .conftest import at

pytestmark = pytest.mark.django_db
MARCH = core.parse_month("2025-03")
AS_OF = at("2025-05-01 00:00")


def row(ranking, kind, unit_id):
    return next(r for r in ranking.rows(kind) if r["unit_id"] == unit_id)


@pytest.fixture
def example(ticket, place):
    """received in March: t1 t2 t3 t4 t7; dispatched in March: t1 t2 t3 t4, signed for on
    time: t1 t4; called back in March: t1 (satisfied, resolved), t2 (basically, resolved),
    t5 (unsatisfied, not resolved); deadline in March and missed: t2 (late), t3 (no reply)."""
    ticket(created="2025-03-02 09:30", dispatched="2025-03-02 10:00", accept_due="2025-03-02 12:00",
           accepted="2025-03-02 11:00", resolve_due="2025-03-09 18:00", resolved="2025-03-08 10:00",
           callback="2025-03-10 10:00", rating="satisfied", callback_resolved=True)  # t1
    ticket(created="2025-03-03 09:30", dispatched="2025-03-03 10:00", accept_due="2025-03-03 12:00",
           accepted="2025-03-03 13:00", resolve_due="2025-03-10 18:00", resolved="2025-03-11 10:00",
           callback="2025-03-12 10:00", rating="basically_satisfied", callback_resolved=True)  # t2, late twice
    ticket(created="2025-03-05 09:30", dispatched="2025-03-05 10:00", accept_due="2025-03-05 12:00",
           resolve_due="2025-03-14 18:00", status="dispatched")  # t3: never signed for, never replied
    # t4: dispatched at 23:30 on 31 March local time (15:30 UTC): March; called back in April.
    ticket(created="2025-03-31 23:00", dispatched="2025-03-31 23:30", accept_due="2025-04-01 10:00",
           accepted="2025-04-01 09:00", resolve_due="2025-04-09 18:00", resolved="2025-04-01 18:00",
           callback="2025-04-02 10:00", rating="unsatisfied", callback_resolved=False)
    # t5: a February ticket called back at 00:10 on 1 March local time (still 28 February in UTC).
    ticket(created="2025-02-27 09:00", dispatched="2025-02-27 09:10", accept_due="2025-02-27 11:00",
           accepted="2025-02-27 10:00", resolve_due="2025-03-07 18:00", resolved="2025-02-28 10:00",
           callback="2025-03-01 00:10", rating="unsatisfied", callback_resolved=False)
    # t6: merged as a duplicate: counts nowhere, whatever its times.
    ticket(created="2025-03-02 09:00", dispatched="2025-03-02 10:00", accept_due="2025-03-02 12:00",
           accepted="2025-03-02 13:00", resolve_due="2025-03-09 18:00", callback="2025-03-10 10:00",
           rating="unsatisfied", callback_resolved=False, status="merged")
    # t7: an enquiry answered on the phone: received, never dispatched.
    ticket(created="2025-03-15 10:00", lead=None, status="closed")


def test_subdistrict_rates_by_hand(example, place):
    r = row(monthly_ranking(MARCH, source="database", as_of=AS_OF), "subdistrict", place.s1.pk)
    assert (r["received"], r["dispatched"], r["on_time"]) == (5, 4, 2)
    assert (r["called_back"], r["resolved"], r["satisfied"], r["basically_satisfied"]) == (3, 2, 1, 1)
    assert r["overdue"] == 2
    assert r["response_rate"] == 0.5
    assert r["resolution_rate"] == pytest.approx(2 / 3)
    assert r["satisfaction_rate"] == pytest.approx((1 + 0.8 * 1) / 3)  # 0.6
    # 100 x (0.1 x 0.5 + 0.45 x 2/3 + 0.45 x 0.6) / (0.1 + 0.45 + 0.45)
    assert r["score"] == pytest.approx(62.0)
    assert r["per_10k"] == pytest.approx(5 * 10_000 / place.s1.population, abs=1e-4)
    assert r["punctuality_rate"] is None and r["summoned"] == 0


def test_the_same_tickets_count_for_the_district_and_the_lead_department(example, place, city):
    ranking = monthly_ranking(MARCH, source="database", as_of=AS_OF)
    district = row(ranking, "district", place.s1.parent_id)
    assert (district["received"], district["dispatched"], district["called_back"]) == (5, 4, 3)
    department = row(ranking, "department", city.units["urban_management"].pk)
    # By lead unit: t7 had none; the rest as for the subdistrict. No population.
    assert (department["received"], department["dispatched"], department["on_time"]) == (4, 4, 2)
    assert department["called_back"] == 3 and department["score"] == pytest.approx(62.0)
    assert department["per_10k"] is None


def test_a_sign_for_still_inside_its_time_waits(ticket, place):
    ticket(created="2025-03-20 10:00", dispatched="2025-03-20 11:00", accept_due="2025-03-20 13:00",
           status="dispatched")
    before = row(monthly_ranking(MARCH, source="database", as_of=at("2025-03-20 12:00")), "subdistrict",
                 place.s1.pk)
    after = row(monthly_ranking(MARCH, source="database", as_of=at("2025-03-20 13:01")), "subdistrict",
                place.s1.pk)
    assert (before["dispatched"], after["dispatched"], after["on_time"]) == (0, 1, 0)


def test_a_returned_ticket_counts_for_the_unit_that_leads_it_now(ticket, place, city):
    """Returned by housing, then dispatched to urban_management: only the latter counts."""
    from shiyu.tickets.models import Assignment

    returned = ticket(created="2025-03-02 09:00", lead="urban_management", dispatched="2025-03-03 10:00",
                      accept_due="2025-03-03 12:00", accepted="2025-03-03 11:00", status="accepted")
    Assignment.objects.create(ticket=returned, unit=city.units["housing"], role="lead", state="returned",
                              dispatched_at=at("2025-03-02 09:30"))
    ranking = monthly_ranking(MARCH, source="database", as_of=AS_OF)
    assert row(ranking, "department", city.units["urban_management"].pk)["dispatched"] == 1
    assert row(ranking, "department", city.units["housing"].pk)["dispatched"] == 0


def test_basically_satisfied_factor_and_weights_are_settings(settings, simple, place):
    settings.SHIYU_BASICALLY_SATISFIED_FACTOR = 0.5
    settings.SHIYU_SCORE_WEIGHTS = {"response": 0, "resolution": 0, "satisfaction": 1, "punctuality": 0}
    simple(place.s1, "2025-03", rating="satisfied")
    simple(place.s1, "2025-03", rating="basically_satisfied")
    r = row(monthly_ranking(MARCH, source="database", as_of=AS_OF), "subdistrict", place.s1.pk)
    assert r["satisfaction_rate"] == 0.75 and r["score"] == 75.0


def test_summons_punctuality_counts_for_summoned_departments_only(users, simple, place, city):
    """urban_management: summoned twice in March, reported on time once -> 0.5, weight 0.1
    beside the three rates; housing, never summoned, is scored on the three rates."""
    from shiyu.summons.services import report_on_site, whistle

    start = at("2025-03-03 09:00")
    urban, housing = city.units["urban_management"], city.units["housing"]
    for minutes in (10, 60):  # 30 minutes to report
        summons = whistle(actor=users.subhandler, units=[urban], place="示范路1号", reason="联合执法", now=start)
        report_on_site(actor=users.handler, call=summons.calls.get(unit=urban),
                       now=start + dt.timedelta(minutes=minutes))
    simple(place.s1, "2025-03", lead="urban_management")
    simple(place.s1, "2025-03", lead="housing")
    ranking = monthly_ranking(MARCH, source="database", as_of=AS_OF)
    summoned = row(ranking, "department", urban.pk)
    assert (summoned["summoned"], summoned["reported_on_time"]) == (2, 1)
    assert summoned["punctuality_rate"] == 0.5
    assert summoned["score"] == pytest.approx(100 * (0.1 + 0.45 + 0.45 + 0.1 * 0.5) / 1.1)
    assert row(ranking, "department", housing.pk)["score"] == 100.0

"""Who sees which summons, and punctuality() on a hand-computed example."""
import datetime as dt

import pytest
from django.utils import timezone

from shiyu.core.errors import NotFound
from shiyu.org.models import HandlingUnit
from shiyu.summons import services as sv
from shiyu.summons.selectors import get_visible_summons, punctuality, visible_summonses

from .conftest import T0, minutes

pytestmark = pytest.mark.django_db


def test_scopes_per_role(users, depts, whistled, other_office_handler):
    from shiyu.core.models import User

    ours = whistled(units=[depts.urban])
    theirs = sv.whistle(actor=other_office_handler, units=[depts.housing], place="某处", reason="需要到场", now=T0)
    district = HandlingUnit.objects.get(kind=HandlingUnit.Kind.DISTRICT, area=users.subhandler.unit.area.parent)
    district_handler = User.objects.create_user("districthandler", role="handler", unit=district)

    def seen(user):
        return set(visible_summonses(user).values_list("pk", flat=True))

    assert seen(users.subhandler) == {ours.pk}
    assert seen(other_office_handler) == {theirs.pk}
    assert seen(users.handler) == {ours.pk}  # summoned to ours only
    assert seen(users.handler2) == {theirs.pk}
    same_district = other_office_handler.unit.area.parent_id == district.area_id
    assert seen(district_handler) == {ours.pk} | ({theirs.pk} if same_district else set())
    for role in ("supervisor", "leader", "admin"):
        assert seen(getattr(users, role)) == {ours.pk, theirs.pk}
    for role in ("operator", "dispatcher", "gridworker", "citizen"):
        assert seen(getattr(users, role)) == set()
    with pytest.raises(NotFound):
        get_visible_summons(users.handler2, ours.pk)
    assert get_visible_summons(users.handler, ours.pk) == ours


def test_punctuality_on_a_hand_computed_example(users, depts, whistled, call_of):
    """A week from three days ago (so that one summons can still be pending now):

    s1 (day 0, 30 min): urban on time (rated 4), housing late at +45 after the sweep
        marked it missing (rated 2), transport missing
    s2 (day 1, 10 min): urban late at +11 before any sweep (rated 3), housing on time (rated 5)
    s3 (now, 30 min): urban not due yet, so counted only as summoned
    before (day -1) and at the window's end (day 7, excluded): not counted
    urban:     summoned 3, on time 1, late 1, missing 0, mean (4+3)/2 = 3.5
    housing:   summoned 2, on time 1, late 1, missing 0, mean (2+5)/2 = 3.5
    transport: summoned 1, missing 1, no rating"""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=3)

    def at(days=0, mins=0):
        return start + dt.timedelta(days=days, minutes=mins)

    s1 = whistled(at=at())
    sv.report_on_site(actor=users.handler, call=call_of(s1, depts.urban), now=at(mins=20))
    sv.sweep_summons(now=at(mins=40))
    sv.report_on_site(actor=users.handler2, call=call_of(s1, depts.housing), now=at(mins=45))

    s2 = whistled(units=[depts.urban, depts.housing], at=at(days=1), minutes=10)
    sv.report_on_site(actor=users.handler, call=call_of(s2, depts.urban), now=at(days=1, mins=11))
    sv.report_on_site(actor=users.handler2, call=call_of(s2, depts.housing), now=at(days=1, mins=3))
    for summons, unit, rating in ((s1, depts.urban, 4), (s1, depts.housing, 2), (s2, depts.urban, 3),
                                  (s2, depts.housing, 5)):
        sv.rate_response(actor=users.subhandler, call=call_of(summons, unit), rating=rating)

    whistled(units=[depts.urban], at=timezone.now())
    whistled(at=at(days=-1))
    whistled(at=at(days=7))

    assert punctuality(at(), at(days=7)) == {
        depts.urban.pk: {"summoned": 3, "reported_on_time": 1, "late": 1, "missing": 0, "mean_rating": 3.5},
        depts.housing.pk: {"summoned": 2, "reported_on_time": 1, "late": 1, "missing": 0, "mean_rating": 3.5},
        depts.transport.pk: {"summoned": 1, "reported_on_time": 0, "late": 0, "missing": 1, "mean_rating": None},
    }


def test_punctuality_counts_a_missed_deadline_before_the_sweep(depts, whistled):
    whistled(units=[depts.urban])  # at T0, long past, and never swept
    assert punctuality(T0, minutes(60))[depts.urban.pk]["missing"] == 1
    assert punctuality(minutes(60), minutes(120)) == {}

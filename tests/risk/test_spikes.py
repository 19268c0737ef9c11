"""The spike signal over the platform's tickets: per subdistrict x top-level category,
today's count so far against a threshold set once a day, and yesterday's complete count."""
import datetime as dt

import pytest

from shiyu.risk.models import RiskAlert, Signal
from shiyu.risk.selectors import daily_counts
from shiyu.workcal import SHANGHAI

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 10)  # a Wednesday
NOON = dt.datetime(2026, 6, 10, 12, tzinfo=SHANGHAI)


@pytest.fixture
def day_of(make_ticket, city):
    """day_of(day, count, leaf=0, grid=0): `count` tickets received that day (from 9:00)."""
    def make(day, count, leaf=0, grid=0):
        start = dt.datetime.combine(day, dt.time(9), tzinfo=SHANGHAI)
        return [make_ticket(grid=city.grids[grid], category=city.leaves[leaf],
                            created_at=start + dt.timedelta(minutes=10 * i)) for i in range(count)]
    return make


@pytest.fixture
def usual(day_of):
    """Five weeks of three tickets a day (two at weekends) in one series, up to yesterday."""
    for back in range(1, 36):
        day = TODAY - dt.timedelta(days=back)
        day_of(day, 2 if day.weekday() >= 5 else 3)


def spikes():
    return list(RiskAlert.objects.filter(kind=Signal.SPIKE))


def test_the_daily_counts_are_per_subdistrict_and_top_level_category(day_of, city):
    day_of(TODAY - dt.timedelta(days=2), 3)
    day_of(TODAY - dt.timedelta(days=1), 2, leaf=1)  # another leaf of the same top-level category
    other = next(i for i, leaf in enumerate(city.leaves) if leaf.code[:2] != city.leaves[0].code[:2])
    day_of(TODAY - dt.timedelta(days=1), 4, leaf=other)
    counts = daily_counts(TODAY - dt.timedelta(days=3), 3)
    subdistrict = city.grids[0].community.parent_id
    top = city.leaves[0].parent.parent_id
    assert list(counts[(subdistrict, top)]) == [0, 3, 2]
    assert list(counts[(subdistrict, city.leaves[other].parent.parent_id)]) == [0, 0, 4]


def test_a_spike_today_alerts_before_the_day_ends_and_once(usual, day_of, scan, city):
    assert scan(NOON).raised == 0
    spike = day_of(TODAY, 20)
    day_of(TODAY, 3, leaf=len(city.leaves) - 1)  # a usual count elsewhere
    result = scan(NOON + dt.timedelta(hours=3))
    [alert] = spikes()
    assert result.raised == 1
    assert alert.level == "yellow" and alert.key.endswith(TODAY.isoformat())
    assert set(alert.tickets.values_list("pk", flat=True)) == {t.pk for t in spike}
    assert alert.subdistrict_id == city.grids[0].community.parent_id
    assert "20" in alert.reason
    more = day_of(TODAY, 1)[0]
    assert scan(more.created_at + dt.timedelta(minutes=5)).updated == 1  # the same alert gains the new ticket
    RiskAlert.objects.update(status="resolved")
    day_of(TODAY, 2)
    assert scan(NOON + dt.timedelta(hours=8)).raised == 0  # resolved: that day's spike is not raised again


def test_yesterdays_spike_is_found_in_the_morning(usual, day_of, scan):
    yesterday = TODAY - dt.timedelta(days=1)
    day_of(yesterday, 25)
    scan(NOON)
    [alert] = spikes()
    assert alert.key.endswith(yesterday.isoformat())


def test_a_usual_day_and_a_short_history_raise_nothing(day_of, scan):
    for back in range(1, 15):  # two weeks of data: too little to judge
        day_of(TODAY - dt.timedelta(days=back), 3)
    day_of(TODAY, 30)
    assert scan(NOON + dt.timedelta(hours=6)).raised == 0
    assert spikes() == []


def test_a_muted_series_raises_nothing(usual, day_of, scan, users, city):
    from shiyu.risk import services

    services.mute(actor=users.supervisor, kind=Signal.SPIKE, subdistrict=city.grids[0].community.parent,
                  category=city.leaves[0].parent.parent, reason="节前集中反映，已知", now=NOON)
    day_of(TODAY, 20)
    result = scan(NOON + dt.timedelta(hours=3))
    assert result.raised == 0 and result.muted == 1

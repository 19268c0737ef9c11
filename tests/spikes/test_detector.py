"""The spike detector on synthetic series: weekdays and drift are not spikes, zeros and
short histories give no false alarm, a clear spike alerts."""
import datetime as dt

import numpy as np
import pytest

from shiyu import spikes

MONDAY = dt.date(2026, 1, 5)
RULES = spikes.Rules()


def test_a_clear_spike_alerts_and_an_ordinary_day_does_not():
    rng = np.random.default_rng(1)
    history = rng.poisson(20, 84)
    base = spikes.baseline(history, MONDAY)
    assert 17 < base.expected[0] < 23
    assert 30 < base.threshold[0] <= 60  # 3 x 20 is a spike; 30 is an ordinary busy day
    assert base.p_value([80])[0] < RULES.p_alert < base.p_value([30])[0]


def test_the_weekday_pattern_is_not_a_spike():
    """Mondays bring the weekend's calls; Saturdays are quiet. 60 is a usual Monday but
    six times a usual Saturday."""
    history = np.tile([60, 40, 40, 40, 40, 10, 10], 12)  # ends on a Sunday: the next day is a Monday
    monday = spikes.baseline(history, MONDAY)
    assert 55 < monday.expected[0] < 65
    assert 60 < monday.threshold[0]
    saturday = spikes.baseline(history[:-2], MONDAY)  # ends on a Friday
    assert 8 < saturday.expected[0] < 13
    assert 60 >= saturday.threshold[0]


def test_a_rising_trend_is_followed():
    """The level grew by half over twelve weeks: today's usual count is the recent one."""
    rng = np.random.default_rng(2)
    means = np.linspace(20, 30, 84)
    base = spikes.baseline(rng.poisson(means), MONDAY)
    assert 26 < base.expected[0] < 34
    assert base.threshold[0] > 45  # a day at 1.5 x the old level is no spike


def test_zeros_and_sparse_series_do_not_alarm_on_a_few_tickets():
    zeros = spikes.baseline(np.zeros(84), MONDAY)
    assert zeros.expected[0] < 0.1
    assert zeros.threshold[0] == RULES.min_count  # 0 -> 2 is no spike; 0 -> 5 is
    rng = np.random.default_rng(3)
    sparse = spikes.baseline(rng.poisson(0.3, 84), MONDAY)
    assert sparse.threshold[0] >= RULES.min_count
    assert sparse.p_value([2])[0] > RULES.p_alert


def test_days_lost_to_zero_do_not_lower_the_baseline():
    rng = np.random.default_rng(4)
    history = rng.poisson(30, 84)
    gaps = history.copy()
    gaps[[-1, -3, -9]] = 0  # three days without data in the last two weeks
    assert spikes.baseline(gaps, MONDAY).expected[0] == pytest.approx(spikes.baseline(history, MONDAY).expected[0],
                                                                     rel=0.1)


def test_an_earlier_spike_does_not_hide_the_next():
    rng = np.random.default_rng(5)
    history = rng.poisson(20, 84)
    history[-10] = 120
    base = spikes.baseline(history, MONDAY)
    assert base.expected[0] < 24
    assert base.threshold[0] <= 60


def test_a_short_history_gives_no_verdict():
    assert spikes.baseline(np.full(RULES.min_history - 1, 5), MONDAY) is None
    assert spikes.baseline(np.full(RULES.min_history, 5), MONDAY) is not None


def test_many_series_at_once_each_against_its_own_history():
    rng = np.random.default_rng(6)
    history = np.stack([rng.poisson(2, 84), rng.poisson(50, 84), np.zeros(84)])
    base = spikes.baseline(history, MONDAY)
    assert base.expected.shape == base.threshold.shape == (3,)
    assert base.threshold[0] < base.threshold[1]
    assert (np.array([4, 60, 0]) < base.threshold).all()
    assert (np.array([30, 200, 9]) >= base.threshold).all()


def test_spike_free_poisson_series_rarely_alarm():
    """Under one false alert per 1,000 days on plain weekday-patterned series."""
    rng = np.random.default_rng(7)
    pattern = np.array([1.3, 1, 1, 1, 1, 0.5, 0.5])
    levels = np.exp(rng.uniform(np.log(1), np.log(100), 200))
    counts = rng.poisson(levels[:, None] * np.tile(pattern, 24)[None, :])
    alerts = 0
    for day in range(84, counts.shape[1]):
        base = spikes.baseline(counts[:, day - 84:day], MONDAY + dt.timedelta(days=day - 84))
        alerts += int((counts[:, day] >= base.threshold).sum())
    assert alerts / (200 * (counts.shape[1] - 84)) < 1 / 1000


def _spring_festival_series(rng, days_off):
    """84 days ending on the day before the first working day after a week off at a
    third of the usual 40 a day; the weekends worked (调休) are as busy as weekdays."""
    last = dt.date(2026, 2, 23)  # 2026's Spring Festival: 15-23 February off
    first = last - dt.timedelta(days=83)
    week = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5])
    means = np.array([40 * week[(first + dt.timedelta(days=i)).weekday()] for i in range(84)])
    for i in range(84):
        day = first + dt.timedelta(days=i)
        if day in days_off:
            means[i] = 40 / 3
        elif day in {dt.date(2026, 2, 14), dt.date(2026, 2, 28)}:
            means[i] = 40
    return rng.poisson(means), first


SPRING_FESTIVAL = {dt.date(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)}
WORKED_WEEKENDS = {dt.date(2026, 2, 14), dt.date(2026, 2, 28)}


def test_a_holiday_week_does_not_lower_the_level_after_it():
    """Without the calendar the week off lowers the level, and an ordinary first
    working day after 春节 (a usual 40 tickets, a little more) would alert; with it, it does not."""
    history, first = _spring_festival_series(np.random.default_rng(5), SPRING_FESTIVAL)
    blind = spikes.baseline(history, first)
    aware = spikes.baseline(history, first, holidays=SPRING_FESTIVAL, workdays=WORKED_WEEKENDS)
    assert 36 < aware.expected[0] < 44 and aware.threshold[0] > 60
    assert blind.expected[0] < aware.expected[0] - 5


def test_a_holiday_is_expected_from_the_days_off_before_it_and_a_worked_weekend_as_a_weekday():
    history, first = _spring_festival_series(np.random.default_rng(6), SPRING_FESTIVAL)
    calendar = {"holidays": SPRING_FESTIVAL, "workdays": WORKED_WEEKENDS}
    before_saturday_worked = history[:-10]  # ends on Friday 13 February
    assert 36 < spikes.baseline(before_saturday_worked, first, **calendar).expected[0] < 44
    assert spikes.baseline(before_saturday_worked, first).expected[0] < 25  # blind: a quiet Saturday
    # Tuesday 17 February, off: two days off known, at a third of the usual 40
    assert 10 < spikes.baseline(history[:-7], first, **calendar).expected[0] < 18
    # Sunday 15 February, the first day off: none known yet, so like a weekend day (20)
    assert 16 < spikes.baseline(history[:-9], first, **calendar).expected[0] < 24


def test_the_first_working_days_after_a_long_holiday_allow_for_the_calls_that_waited():
    history, first = _spring_festival_series(np.random.default_rng(7), SPRING_FESTIVAL)
    calendar = {"holidays": SPRING_FESTIVAL, "workdays": WORKED_WEEKENDS}
    without = spikes.Rules(catch_up=0.0)

    def extra_spread(counts):
        return (spikes.baseline(counts, first, **calendar).dispersion[0]
                - spikes.baseline(counts, first, without, **calendar).dispersion[0])

    assert extra_spread(history) == pytest.approx(RULES.catch_up ** 2)  # Tuesday 24 February
    assert extra_spread(history[:-20]) == 0  # Wednesday 4 February, an ordinary day
    assert 36 < spikes.baseline(history, first, **calendar).expected[0] < 44

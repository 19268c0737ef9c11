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

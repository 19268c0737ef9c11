"""Spikes: a day whose count is far above what the series' own history predicts.

Plain Python over numpy and scipy, no Django: the risk scan feeds it the daily ticket
counts of every subdistrict x top-level category, bench/spikes.py generated series.

Use
---
    rules = Rules()
    base = baseline(history, first_day, rules)   # history: (series, days) counts up to yesterday
    alerts = today_counts >= base.threshold      # the smallest count that is a spike, per series
    base.p_value(today_counts)                   # how unlikely each count is under the history

`history` holds the same consecutive days for every series, oldest first, `first_day`
the date of its first column; the day judged is the day after the last column.

How the expected count is made
------------------------------
Counts of 12345 tickets depend on the weekday (fewer at weekends), drift with the
seasons and trends, and are overdispersed: a day has its weather, its news. So

    expected = level x weekday factor

* weekday factor: the weekday's share over the last `history_days` (12 weeks), shrunk
  towards 1 by `weekday_prior` pseudo-tickets, so that a series of a few tickets a week
  does not learn a weekday pattern from noise;
* level: the weekday-adjusted mean of the last `level_days` (2 weeks): recent enough to
  follow seasons and trends (a 40 % seasonal swing moves the level by ~5 % in the week
  the window lags), long enough to be steady;
* outliers (earlier spikes, bursts; zeros where several tickets were expected: a day
  lost) are left out: the first fit leaves out each week's busiest day, so a spike in
  the history cannot lift the fit enough to pass for ordinary; then the days far above
  that fit (`outlier_z` spreads) are left out and the fit redone, three times.

How unlikely a count is
-----------------------
The count is taken as negative binomial with the expected mean and variance
`e + alpha e^2`. alpha adds up the series' own overdispersion (moments of the kept days
against their week's level, so that drift over the weeks is not taken for daily noise),
`drift`^2 for the week's change of level that no history foresees, and the relative
uncertainty of the expected count itself (few days, few tickets: a wider allowance).
A count is a spike when

    P(X >= count) < p_alert   and   count >= min_count   and   count >= min_ratio x expected

`min_count` keeps 0 -> 2 from alerting; `min_ratio` keeps a large series' statistically
clear but small rise (200 -> 260) for the trend reports rather than for an alert.
bench/spikes.py measures it; the README gives the figures.

With fewer than `min_history` days known there is no verdict (baseline() returns None).

Holidays
--------
Given the statutory calendar (`holidays`: days off, weekend days inside a holiday
included; `workdays`: weekend days worked, 调休), those days are left out of the fit:
a week of 春节 would otherwise lower the level and the first working days after it
would alert everywhere. A day judged that is a holiday is expected from the holidays in
the history (the earlier days of a long holiday, or the last holiday), pulled towards a
weekend day; a worked weekend day as a working day (the mean of Monday to Friday). The
first CATCH_UP_DAYS working days after three days off or more get a wider spread
(`catch_up`): the calls that waited come then.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from scipy import stats

WEEK = 7


@dataclass(frozen=True)
class Rules:
    history_days: int = 84  # weekday profile and overdispersion: 12 weeks
    level_days: int = 14  # the current level: 2 weeks
    min_history: int = 28  # fewer days known: no verdict
    p_alert: float = 3e-4  # a count this unlikely under the history is a spike
    min_count: int = 5  # fewer tickets in a day are never a spike
    min_ratio: float = 1.5  # nor less than this many times the expected count
    weekday_prior: float = 20.0  # pseudo-tickets pulling each weekday factor towards 1
    outlier_z: float = 4.0  # history days this many spreads above the fit are left out
    min_dispersion: float = 0.01  # counts of people are never quite Poisson
    drift: float = 0.08  # relative change of the level in a week that no history foresees
    catch_up: float = 0.15  # relative spread of the first working days after a long holiday


@dataclass(frozen=True)
class Baseline:
    """What the history predicts for the next day, per series."""

    expected: np.ndarray  # mean count
    dispersion: np.ndarray  # alpha of the negative binomial, uncertainty of the mean included
    threshold: np.ndarray  # the smallest count that is a spike (int)

    def p_value(self, counts) -> np.ndarray:
        """P(X >= count) under the prediction, per series."""
        return _survival(np.asarray(counts, dtype=float) - 1, self.expected, self.dispersion)


def weekdays(first_day: dt.date, days: int) -> np.ndarray:
    return (first_day.weekday() + np.arange(days)) % WEEK


WORKING_WEEK, WEEKEND = (0, 1, 2, 3, 4), (5, 6)
CATCH_UP_DAYS = 3


def baseline(history, first_day: dt.date, rules: Rules = Rules(), *, holidays: Collection[dt.date] = (),
             workdays: Collection[dt.date] = ()) -> Baseline | None:
    """The prediction for the day after the history's last column; None when too short.
    holidays, workdays: the statutory calendar's days off and worked weekend days."""
    history = np.atleast_2d(np.asarray(history, dtype=float))
    if history.shape[1] < rules.min_history:
        return None
    skip = max(0, history.shape[1] - rules.history_days)
    history = history[:, skip:]
    start = first_day + dt.timedelta(days=skip)
    days = weekdays(start, history.shape[1])
    dates = [start + dt.timedelta(days=i) for i in range(history.shape[1])]
    ordinary = np.array([day not in holidays and day not in workdays for day in dates])
    kept, alpha = _without_weekly_maxima(history) & ordinary, np.full(len(history), 0.1)
    rows = np.arange(len(history))[:, None]
    for _ in range(3):  # each time without the outliers the last fit showed
        factors = _weekday_factors(history, days, kept, rules)
        adjusted = np.where(kept, factors[rows, days], 0.0)
        fitted = _weekly_levels(history, adjusted, kept) * factors[rows, days]
        kept = ~_outliers(history, fitted, alpha, rules) & ordinary
        alpha = _overdispersion(history, fitted, kept, rules)
    factors = _weekday_factors(history, days, kept, rules)
    adjusted = np.where(kept, factors[rows, days], 0.0)
    recent = slice(-rules.level_days, None)
    level_tickets = np.where(kept, history, 0.0)[:, recent].sum(1)
    # Half a ticket over the window: a series that has been all zeros still expects a little.
    level = (level_tickets + 0.5) / np.maximum(adjusted[:, recent].sum(1), 1.0)
    judged = start + dt.timedelta(days=history.shape[1])
    if judged in holidays:
        on_holiday = np.array([day in holidays for day in dates])
        factor, factor_tickets, factor_days = _holiday_factor(history, level, on_holiday, factors, rules)
    else:  # a worked weekend day is taken as a working day
        on = np.isin(days, WORKING_WEEK if judged in workdays else [judged.weekday()])
        factor = factors[:, np.unique(days[on])].mean(1)
        factor_tickets = np.where(kept[:, on], history[:, on], 0.0).sum(1) + rules.weekday_prior
        factor_days = kept[:, on].sum(1)
    expected = level * factor
    # Relative variance of the expected count: of the level (from its tickets and days) and
    # of the day's factor (from its tickets, the prior's, and days); after a long holiday,
    # the calls that waited.
    catch_up = rules.catch_up ** 2 if _after_long_holiday(judged, holidays, workdays) else 0.0
    dispersion = (alpha + rules.drift ** 2 + catch_up
                  + 1 / np.maximum(level_tickets, 1.0) + alpha / np.maximum(kept[:, recent].sum(1), 1)
                  + 1 / factor_tickets + alpha / np.maximum(factor_days, 1))
    return Baseline(expected, dispersion, _threshold(expected, dispersion, rules))


def _holiday_factor(history, level, on_holiday, factors, rules: Rules):
    """A holiday's count relative to the current level, learnt from the holidays in the
    history (the earlier days of a long holiday, or the last holiday), pulled towards the
    weekend's factor by `weekday_prior` pseudo-tickets. Returns (factor, its tickets, its days)."""
    tickets = history[:, on_holiday].sum(1)
    weekend = factors[:, list(WEEKEND)].mean(1)
    factor = (tickets + rules.weekday_prior * weekend) / (level * on_holiday.sum() + rules.weekday_prior)
    return factor, tickets + rules.weekday_prior, on_holiday.sum()


def _after_long_holiday(day: dt.date, holidays: Collection[dt.date], workdays: Collection[dt.date]) -> bool:
    """One of the first CATCH_UP_DAYS working days after three days off or more, a holiday
    among them."""
    def off(d: dt.date) -> bool:
        return d in holidays or (d.weekday() >= 5 and d not in workdays)

    if off(day):
        return False
    back, working = day - dt.timedelta(days=1), 1
    while not off(back):
        working += 1
        if working > CATCH_UP_DAYS:
            return False
        back -= dt.timedelta(days=1)
    run, holiday = 0, False
    while off(back):
        run, holiday = run + 1, holiday or back in holidays
        back -= dt.timedelta(days=1)
    return run >= 3 and holiday


def _without_weekly_maxima(history: np.ndarray) -> np.ndarray:
    """The first fit leaves out each week's busiest day: a spike must not lift the fit
    it is judged against so much that it passes for an ordinary day."""
    kept = np.ones_like(history, dtype=bool)
    for end in range(history.shape[1], 0, -WEEK):
        start = max(0, end - WEEK)
        kept[np.arange(len(history)), start + history[:, start:end].argmax(1)] = False
    return kept


def _weekday_factors(history: np.ndarray, days: np.ndarray, kept: np.ndarray, rules: Rules) -> np.ndarray:
    """Per series and weekday: that weekday's count relative to the mean day."""
    counts = np.where(kept, history, 0.0)
    mean = counts.sum(1) / np.maximum(kept.sum(1), 1)
    factors = np.empty((history.shape[0], WEEK))
    for weekday in range(WEEK):
        on = days == weekday
        tickets, known = counts[:, on].sum(1), kept[:, on].sum(1)
        factors[:, weekday] = (tickets + rules.weekday_prior) / (known * mean + rules.weekday_prior)
    return factors


def _weekly_levels(history: np.ndarray, adjusted: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Each day's local level: the weekday-adjusted mean of its week (weeks counted back
    from the last day), so that drift over the weeks is not taken for daily noise."""
    levels = np.empty_like(history)
    for end in range(history.shape[1], 0, -WEEK):
        week = slice(max(0, end - WEEK), end)
        tickets = np.where(kept[:, week], history[:, week], 0.0).sum(1)
        levels[:, week] = ((tickets + 0.5) / np.maximum(adjusted[:, week].sum(1), 1.0))[:, None]
    return levels


def _outliers(history: np.ndarray, fitted: np.ndarray, alpha: np.ndarray, rules: Rules) -> np.ndarray:
    """Days far above the fit (earlier spikes, bursts) and zeros where several tickets were
    expected (a day lost, not a quiet day)."""
    spread = np.sqrt(fitted * (1 + alpha[:, None] * fitted))
    return (history > fitted + rules.outlier_z * spread + 2) | ((history == 0) & (fitted >= rules.min_count))


def _overdispersion(history: np.ndarray, fitted: np.ndarray, kept: np.ndarray, rules: Rules) -> np.ndarray:
    """Method of moments over the days kept: the variance beyond Poisson, relative to the
    squared mean. The weekly levels were fitted to the same days, which hides a seventh
    of the variance."""
    excess = np.where(kept, (history - fitted) ** 2 - fitted, 0.0).sum(1)
    scale = np.where(kept, fitted ** 2, 0.0).sum(1)
    return np.clip(excess / np.maximum(scale, 1e-9) * WEEK / (WEEK - 1), rules.min_dispersion, 1.0)


def _survival(below: np.ndarray, mean: np.ndarray, dispersion: np.ndarray) -> np.ndarray:
    """P(X > below) for X negative binomial with that mean and dispersion."""
    size = 1 / dispersion
    return stats.nbinom.sf(below, size, size / (size + mean))


def _threshold(expected: np.ndarray, dispersion: np.ndarray, rules: Rules) -> np.ndarray:
    size = 1 / dispersion
    # isf(p) is the count k with P(X > k) <= p: k + 1 tickets or more are that unlikely.
    by_chance = stats.nbinom.isf(rules.p_alert, size, size / (size + expected)) + 1
    return np.maximum.reduce([by_chance, np.full_like(expected, rules.min_count),
                              np.ceil(rules.min_ratio * expected)]).astype(int)

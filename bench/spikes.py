"""Benchmark: the spike detector (shiyu.spikes) on generated daily-count series.

    .venv/bin/python bench/spikes.py [--series 600] [--seeds 1,2,3,4,5] [--max-dispersion 0.05]
                                     [--rules p_alert=3e-4,...]

Each series is one area x category as the platform counts it: a level drawn
log-uniformly from 0.2 to 200 tickets a day, a weekday pattern (quieter weekends, a
busier Monday), a yearly season (up to +-40 %), a linear trend (up to +-30 % a year), a
slow random drift of the level (3 % a week), overdispersion (gamma-Poisson, alpha drawn
from 0 to --max-dispersion: 0.05 is a day-to-day spread of up to 22 % beyond chance at
large counts) and days lost to zero (1 %). After 12 weeks of warm-up the detector judges
every day of a year, each against the days before it, as the risk scan does once a day.

Holidays as the statutory calendar has them (chinese_calendar's 2025 and 2026): a day
off brings 30-80 % of an average day (per series), a worked weekend day (调休) an
ordinary working day's count, and the three working days after a holiday of three days
or more 100-130 % (the calls that waited). The detector is given the calendar, as the
risk scan is; `control_blind` runs the spike-free series without it, and
`holiday_weeks` counts the alerts from a holiday's first day to a week after its last
and on worked weekends.

Spikes: on 1 day in 60 (at random, so also in the history of later days) the day's
expected count is multiplied by 2, 3 or 5 before the day's noise is drawn; "3x" means
three times the count that series would usually have on that weekday in that season.
Below some level three times the usual count cannot be told from chance at under one
false alert per 1,000 days, by this or any detector: at 5 tickets a day a 3x day brings
15 +- 4, while fewer than 1 false alert in 1,000 days needs a threshold near 14, so
half such spikes fall below it. The target is stated for series whose usual level (mean
over the judged year) is at least LEVEL_FLOOR tickets a day; every level band is reported.

Printed: ONE JSON object; per multiplier and seed precision, recall and false alerts
per 1,000 spike-free series-days, overall and by level band; `control` runs the same
series without spikes.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shiyu import spikes  # noqa: E402
from shiyu.workcal import package_schedule  # noqa: E402

WARMUP, DAYS = spikes.Rules.history_days, 365
SPIKE_EVERY = 60
MULTIPLIERS = (2.0, 3.0, 5.0)
BANDS = [(0, 1), (1, 3), (3, 10), (10, 30), (30, 100), (100, float("inf"))]  # mean tickets a day
LEVEL_FLOOR = 30
FIRST_DAY = dt.date(2025, 1, 6)


def generate(rng: np.random.Generator, series: int, days: int):
    """(expected counts, mean level) per series: the rate before noise and spikes."""
    level = np.exp(rng.uniform(np.log(0.2), np.log(200), series))
    week = np.ones((series, 7))
    week += rng.normal(0, 0.05, (series, 7))
    week[:, 0] *= rng.uniform(1.0, 1.3, series)  # Monday: the weekend's calls
    week[:, 5:] *= rng.uniform(0.35, 1.0, (series, 1))  # Saturday, Sunday
    week /= week.mean(1, keepdims=True)
    t = np.arange(days)
    season = 1 + rng.uniform(0, 0.4, (series, 1)) * np.sin(2 * np.pi * t / 365 + rng.uniform(0, 2 * np.pi, (series, 1)))
    trend = np.exp(rng.uniform(-0.3, 0.3, (series, 1)) * t / 365)
    steps = rng.normal(0, 0.03, (series, days // 7 + 1)).cumsum(1)
    drift = np.exp(np.repeat(steps, 7, axis=1)[:, :days])
    day_factor = week[:, spikes.weekdays(FIRST_DAY, days)]
    off, worked, after = calendar_masks(days)
    day_factor[:, off] = rng.uniform(0.3, 0.8, (series, 1))
    day_factor[:, worked] = week[:, :5].mean(1, keepdims=True)
    day_factor[:, after] *= rng.uniform(1.0, 1.3, (series, 1))
    rate = level[:, None] * day_factor * season * trend * drift
    return rate, rate[:, WARMUP:].mean(1)


def calendar() -> dict:
    schedule = package_schedule()
    return {"holidays": schedule.holidays, "workdays": schedule.workdays}


def calendar_masks(days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per day: off (a holiday), worked (a weekend day worked), after (the first three
    working days after three days off or more)."""
    known = calendar()
    dates = [FIRST_DAY + dt.timedelta(days=i) for i in range(days)]
    off = np.array([d in known["holidays"] for d in dates])
    worked = np.array([d in known["workdays"] for d in dates])
    after = np.zeros(days, dtype=bool)
    run = 0
    for i in range(days):
        if off[i]:
            run += 1
            continue
        if run >= 3:
            working = [j for j in range(i, days) if worked[j] or (not off[j] and dates[j].weekday() < 5)][:3]
            after[working] = True
        run = 0
    return off, worked, after


def holiday_weeks(days: int) -> np.ndarray:
    """Days from a holiday's first day to a week after its last, and worked weekend days."""
    off, worked, _after = calendar_masks(days)
    near = off.copy()
    for i in np.flatnonzero(off):
        near[i:i + 8] = True
    return near | worked


def draw(rng: np.random.Generator, rate: np.ndarray, multiplier: float, max_dispersion: float):
    """(counts, spike mask): overdispersed counts with injected spikes."""
    spiked = np.zeros(rate.shape, dtype=bool)
    if multiplier > 1:
        spiked[:, WARMUP:] = rng.random((rate.shape[0], rate.shape[1] - WARMUP)) < 1 / SPIKE_EVERY
    alpha = rng.uniform(0, max_dispersion, (rate.shape[0], 1))
    shape = 1 / np.maximum(alpha, 1e-6)
    mean = rate * np.where(spiked, multiplier, 1.0) * rng.gamma(shape, 1 / shape, rate.shape)
    counts = rng.poisson(mean)
    counts[rng.random(rate.shape) < 0.01] = 0
    return counts, spiked


def detect(counts: np.ndarray, rules: spikes.Rules, known: dict) -> np.ndarray:
    alerts = np.zeros(counts.shape, dtype=bool)
    for day in range(WARMUP, counts.shape[1]):
        start = max(0, day - rules.history_days)
        base = spikes.baseline(counts[:, start:day], FIRST_DAY + dt.timedelta(days=start), rules, **known)
        alerts[:, day] = counts[:, day] >= base.threshold
    return alerts


def score(alerts: np.ndarray, spiked: np.ndarray, levels: np.ndarray) -> dict:
    def figures(rows, days=slice(WARMUP, None)) -> dict:
        a, s = alerts[rows][:, days], spiked[rows][:, days]
        hits, false = int((a & s).sum()), int((a & ~s).sum())
        return {"series": int(rows.sum()), "spikes": int(s.sum()), "hits": hits, "false_alerts": false,
                "precision": round(hits / (hits + false), 4) if hits + false else None,
                "recall": round(hits / s.sum(), 4) if s.sum() else None,
                "false_per_1000": round(1000 * false / max((~s).sum(), 1), 3)}

    result = {"all": figures(np.ones(len(levels), dtype=bool)),
              f"level>={LEVEL_FLOOR}": figures(levels >= LEVEL_FLOOR)}
    result["bands"] = {_band(low, high): figures((levels >= low) & (levels < high)) for low, high in BANDS}
    near = holiday_weeks(alerts.shape[1])
    near[:WARMUP] = False
    result["holiday_weeks"] = figures(np.ones(len(levels), dtype=bool), near)
    return result


def run(seed: int, series: int, max_dispersion: float, rules: spikes.Rules) -> dict:
    rng = np.random.default_rng(seed)
    rate, levels = generate(rng, series, WARMUP + DAYS)
    out, known = {}, calendar()
    for multiplier in (1.0, *MULTIPLIERS):
        counts, spiked = draw(np.random.default_rng([seed, int(multiplier * 10)]), rate, multiplier, max_dispersion)
        out["control" if multiplier == 1 else f"{multiplier:g}x"] = score(detect(counts, rules, known), spiked, levels)
        if multiplier == 1:
            out["control_blind"] = score(detect(counts, rules, {}), spiked, levels)
    return out


def _band(low: float, high: float) -> str:
    return f"{low:g}+" if high == float("inf") else f"{low:g}-{high:g}"


def _summary(runs: dict, key: str, group: str) -> dict:
    figures = [run[key][group] if group in run[key] else run[key]["bands"][group] for run in runs.values()]
    fields = ("precision", "recall", "false_per_1000")
    return {f: [x[f] for x in figures] for f in fields}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=600, help="series per seed")
    parser.add_argument("--max-dispersion", type=float, default=0.05, help="overdispersion drawn from 0 to this")
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--rules", default="", help="overrides, e.g. p_alert=1e-4,min_ratio=1.5")
    args = parser.parse_args()
    overrides = dict(item.split("=") for item in args.rules.split(",") if item)
    rules = spikes.Rules(**{k: type(getattr(spikes.Rules, k))(v) for k, v in overrides.items()})
    started = time.perf_counter()
    runs = {seed: run(seed, args.series, args.max_dispersion, rules) for seed in map(int, args.seeds.split(","))}
    groups = ["all", f"level>={LEVEL_FLOOR}", "holiday_weeks", *[_band(low, high) for low, high in BANDS]]
    print(json.dumps({
        "benchmark": "spikes", "series_per_seed": args.series, "days_judged": DAYS, "spike_every_days": SPIKE_EVERY,
        "max_dispersion": args.max_dispersion,
        "level_floor": LEVEL_FLOOR, "rules": dataclasses.asdict(rules),
        "summary": {key: {group: _summary(runs, key, group) for group in groups}
                    for key in ("control", "control_blind", *[f"{m:g}x" for m in MULTIPLIERS])},
        "seeds": runs, "seconds": round(time.perf_counter() - started, 1)}, ensure_ascii=False))


if __name__ == "__main__":
    main()

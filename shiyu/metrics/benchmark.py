"""`shiyu bench ranking`: N tickets over 12 months straight into the analytics copy's
Parquet layout, then the monthly ranking of every unit timed on it.

The tickets are drawn with numpy, month by month (a month of Beijing, ~2 million,
fits in a few hundred MB), over the demo city's plan (6 districts, 60 subdistricts
with their populations) and its 24 departments and 6 enterprises, with the demo's
mixes: 3 % merged or invalid, 15 % answered without dispatch, 45 % of the rest led by
the local subdistrict office, lateness and ratings that vary by unit so that the
ranking has something to rank, and the last days' tickets still open. Each month's
columns go through core.analytics_columns and analytics.write_partition, the same
code the real copy is written with.

Timed, best and median of --repeat runs (the machine is shared; the median is the
figure to quote; cpu_seconds, all threads' CPU time, shows what other work took away): `seconds`, the ranking of all units of all kinds for the last
full month, with last month's change and the governance streak (what the API
answers); `all_months_seconds`, every month of the year at once. Both read the
Parquet files afresh with DuckDB (analytics.fine_counts) and rank with core.

Generation and each ranking run in their own child processes, so `peak_rss_mib` is
the ranking's own peak resident memory and `generate_peak_rss_mib` the generator's.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import resource
import shutil
import statistics
import time
from pathlib import Path

import duckdb
import numpy as np

from . import core
from .analytics import fine_counts, partition_path, write_partition

TZ = "Asia/Shanghai"
MONTHS = 12
HOUR_US = 3600 * core.MICROSECONDS
DAY_US = 24 * HOUR_US
MONTH_VOLUME = (1.02, 0.86, 0.97, 0.98, 1.0, 1.08, 1.14, 1.12, 1.02, 0.94, 1.0, 1.06)  # as shiyu.demo.tickets
DEPARTMENTS, ENTERPRISES = 24, 6
P_VOID, P_DIRECT, P_LOCAL_OFFICE = 0.03, 0.15, 0.45
P_ACCEPT_LATE, P_NEVER_SIGNED = 0.08, 0.004
P_RESOLVE_LATE, P_HARD_CASE, P_CALLBACK = 0.07, 0.02, 0.92
RATING_SHARE = (0.80, 0.12, 0.08)
P_RESOLVED_BY_RATING = (0.97, 0.75, 0.15)
CATEGORIES = 300


# ---------------------------------------------------------------- the city


def bench_city(seed: int) -> dict:
    """Unit ids and populations: districts 1.., subdistricts 101.., departments and
    enterprises 1001.., subdistrict offices 2001.. (they lead, but are ranked as their
    subdistrict)."""
    from shiyu.geo.citygen import generate_city

    plan = generate_city(seed=seed)
    districts = [u for u in plan.units if u.level == "district"]
    subdistricts = [u for u in plan.units if u.level == "subdistrict"]
    district_id = {u.code: 1 + i for i, u in enumerate(districts)}
    return {
        "districts": [(district_id[u.code], u.name, u.code, u.population) for u in districts],
        "subdistricts": [(101 + i, u.name, u.code, u.population) for i, u in enumerate(subdistricts)],
        "subdistrict_district": np.array([district_id[u.parent_code] for u in subdistricts], dtype=np.int64),
        "departments": [(1001 + i, f"部门{i + 1}", f"department-{i + 1}", None) for i in range(DEPARTMENTS)],
        "enterprises": [(1001 + DEPARTMENTS + i, f"企业{i + 1}", f"enterprise-{i + 1}", None)
                        for i in range(ENTERPRISES)],
    }


def directory(city: dict) -> dict[str, core.Units]:
    return {"district": core.Units.of("district", city["districts"]),
            "subdistrict": core.Units.of("subdistrict", city["subdistricts"]),
            "department": core.Units.of("department", city["departments"]),
            "enterprise": core.Units.of("enterprise", city["enterprises"])}


# ---------------------------------------------------------------- tickets


def _zipf(n: int, s: float = 1.0) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** s
    return weights / weights.sum()


def year_to(last: int) -> list[int]:
    return list(range(last - MONTHS + 1, last + 1))


def now_after(last: int) -> int:
    """"Now" for the simulation and the ranking: the first moment after month `last`."""
    return core.to_microseconds(core.month_start(last + 1, TZ))


def generate(root: Path, tickets: int, seed: int, last: int, city: dict) -> None:
    """`tickets` over the 12 months up to `last` (a month index), one Parquet file per
    month of receipt; the last days' tickets are still open."""
    rng = np.random.default_rng(seed)
    months = year_to(last)
    volume = np.array([MONTH_VOLUME[m % 12] for m in months])
    per_month = rng.multinomial(tickets, volume / volume.sum())
    as_of = now_after(last)
    quality = _unit_quality(rng, city)
    con = duckdb.connect()
    first_id = 1
    for month, count in zip(months, per_month):
        raw = _month(rng, month, int(count), first_id, as_of, city, quality)
        write_partition(partition_path(root, month), core.analytics_columns(raw, TZ), con)
        first_id += int(count)


def _unit_quality(rng: np.random.Generator, city: dict) -> dict[str, np.ndarray]:
    """How well each unit works (0 = average): lateness and ratings shift with it."""
    return {"subdistrict": rng.normal(0, 0.5, len(city["subdistricts"])),
            "lead": rng.normal(0, 0.5, DEPARTMENTS + ENTERPRISES + len(city["subdistricts"]))}


def _month(rng, month: int, n: int, first_id: int, as_of: int, city: dict, quality: dict) -> dict[str, np.ndarray]:
    start, stop = (core.to_microseconds(t) for t in core.month_bounds(month, month, TZ))
    created = np.sort(rng.integers(start, min(stop, as_of), n))
    population = np.array([u[3] for u in city["subdistricts"]], dtype=float)
    sub = rng.choice(len(population), n, p=population / population.sum())
    void = rng.random(n) < P_VOID
    dispatched_ticket = ~void & (rng.random(n) >= P_DIRECT)
    # The lead: the subdistrict's own office, or a department or enterprise (the commonest most often).
    handlers = DEPARTMENTS + ENTERPRISES
    local = rng.random(n) < P_LOCAL_OFFICE
    lead_slot = np.where(local, handlers + sub, rng.choice(handlers, n, p=_zipf(handlers, 0.8)))
    lead_id = np.where(lead_slot < handlers, 1001 + lead_slot, 2001 + lead_slot - handlers)
    # Lateness and ratings: worse for a weaker lead unit or subdistrict.
    weakness = np.exp(-(quality["lead"][lead_slot] + quality["subdistrict"][sub]))

    dispatched = created + (rng.lognormal(np.log(20), 1.0, n) * 60 * core.MICROSECONDS).astype(np.int64)
    accept_due = dispatched + 2 * HOUR_US
    late = rng.random(n) < P_ACCEPT_LATE * weakness
    accepted = np.where(late, accept_due + (rng.lognormal(np.log(2.5), 1.0, n) * HOUR_US).astype(np.int64),
                        dispatched + (rng.random(n) * 2 * HOUR_US).astype(np.int64))
    accepted = np.where(rng.random(n) < P_NEVER_SIGNED, core.NULL_TIME, accepted)

    resolve_due = dispatched + 9 * DAY_US
    draw = rng.random(n)
    hard, late_reply = draw < P_HARD_CASE, draw < (P_HARD_CASE + P_RESOLVE_LATE * weakness)
    resolved = np.select(
        [hard, late_reply],
        [resolve_due + ((10 + 50 * rng.random(n)) * DAY_US).astype(np.int64),
         resolve_due + (rng.lognormal(np.log(1.5), 0.9, n) * DAY_US).astype(np.int64)],
        dispatched + ((0.1 + 0.9 * rng.random(n)) * 9 * DAY_US).astype(np.int64))
    resolved = np.maximum(resolved, accepted + HOUR_US)  # replied after signing for

    unsatisfied = np.minimum(RATING_SHARE[2] * weakness, 0.6)
    basic = RATING_SHARE[1] * np.sqrt(weakness)
    draw = rng.random(n)
    rating = np.where(draw < unsatisfied, 3, np.where(draw < unsatisfied + basic, 2, 1))
    callback_resolved = rng.random(n) < np.array(P_RESOLVED_BY_RATING)[rating - 1]

    # What has not happened by `as_of` has not happened; each step needs the one before.
    dispatched_now = dispatched_ticket & (dispatched <= as_of)
    accepted = np.where(dispatched_now & (accepted != core.NULL_TIME) & (accepted <= as_of), accepted,
                        core.NULL_TIME)
    resolved = np.where((accepted != core.NULL_TIME) & (resolved <= as_of), resolved, core.NULL_TIME)
    callback = resolved + ((4 + 68 * rng.random(n)) * HOUR_US).astype(np.int64)
    called = (resolved != core.NULL_TIME) & (callback <= as_of) & (rng.random(n) < P_CALLBACK)
    return {
        "id": np.arange(first_id, first_id + n, dtype=np.int64), "created_at": created,
        "dispatched_at": np.where(dispatched_now, dispatched, core.NULL_TIME), "accepted_at": accepted,
        "accept_due_at": np.where(dispatched_now, accept_due, core.NULL_TIME), "resolved_at": resolved,
        "resolve_due_at": np.where(dispatched_now, resolve_due, core.NULL_TIME),
        "callback_at": np.where(called, callback, core.NULL_TIME),
        "district_id": city["subdistrict_district"][sub], "subdistrict_id": 101 + sub,
        "lead_unit_id": np.where(dispatched_now, lead_id, core.NULL_ID),
        "category_id": 1 + rng.choice(CATEGORIES, n, p=_zipf(CATEGORIES)),
        "rating": np.where(called, rating, 0), "callback_resolved": callback_resolved, "void": void,
    }


# ---------------------------------------------------------------- timing


def rank_months(root: Path, months: list[int], ranked: list[int], units: dict[str, core.Units],
                as_of: int) -> int:
    """What the API does for a ranking, from the copy: count, rank, make every row."""
    rules = core.Definitions()
    kinds = core.rank_all(fine_counts(months, as_of, root), units, months, rules)
    return sum(len(kinds[kind].rows(month, rules)) for kind in kinds for month in ranked)


def _timed(root, months, ranked, units, as_of, repeat) -> dict:
    runs, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        rows = rank_months(root, months, ranked, units, as_of)
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return {"median": statistics.median(runs), "best": min(runs), "cpu": statistics.median(cpu), "rows": rows}


def _in_child(function, *args):
    """Run function(*args) in a forked process; its result and that process's peak RSS."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)

    def run():
        result = function(*args)
        child.send((result, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))

    process = context.Process(target=run)
    process.start()
    result, peak = parent.recv()
    process.join()
    return result, round(peak, 1)


def run_one(tickets: int, root: Path, seed: int, last: int, repeat: int, keep: bool) -> dict:
    city = bench_city(seed)
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    _, generate_peak = _in_child(generate, root, tickets, seed, last, city)
    generate_seconds = time.perf_counter() - started
    rules, year, as_of, units = core.Definitions(), year_to(last), now_after(last), directory(city)
    (one, rss), (every, rss_all) = (
        _in_child(_timed, root, rules.window(last), [last], units, as_of, repeat),
        _in_child(_timed, root, year, year, units, as_of, repeat))
    size = sum(p.stat().st_size for p in root.rglob("*.parquet"))
    if not keep:
        shutil.rmtree(root, ignore_errors=True)
    return {
        "benchmark": "ranking", "tickets": tickets, "seconds": round(one["median"], 3),
        "tickets_per_second": round(tickets / one["median"]), "seconds_best": round(one["best"], 3),
        "cpu_seconds": round(one["cpu"], 3), "month": core.month_label(last), "rows": one["rows"],
        "all_months_seconds": round(every["median"], 3), "all_months_seconds_best": round(every["best"], 3),
        "all_months_cpu_seconds": round(every["cpu"], 3),
        "all_months_rows": every["rows"], "repeat": repeat, "peak_rss_mib": max(rss, rss_all),
        "generate_seconds": round(generate_seconds, 1), "generate_peak_rss_mib": generate_peak,
        "parquet_mib": round(size / 2**20, 1), "units": {k: len(v.ids) for k, v in units.items()},
        "cores": os.cpu_count(), "duckdb": duckdb.__version__, "path": str(root) if keep else None,
    }


def main(counts: list[int], *, root: Path, seed: int, month: int, repeat: int, keep: bool, as_json: bool) -> int:
    """Generate and time each count in turn; `month` is the month ranked (the year ends with it)."""
    results = []
    for tickets in counts:
        result = run_one(tickets, root / f"{tickets}", seed, month, repeat, keep)
        results.append(result)
        print(json.dumps(result) if as_json else (
            f"{tickets:>12,} tickets: one month ranked in {result['seconds']:.3f} s "
            f"(best {result['seconds_best']:.3f}), all 12 months in {result['all_months_seconds']:.3f} s; "
            f"peak RSS {result['peak_rss_mib']} MiB; Parquet {result['parquet_mib']} MiB"), flush=True)
    if len(results) > 1 and as_json:
        growth = [{k: r[k] for k in ("tickets", "seconds", "all_months_seconds", "peak_rss_mib")} for r in results]
        print(json.dumps({**{k: results[-1][k] for k in ("benchmark", "tickets", "seconds", "tickets_per_second")},
                          "growth": growth}))
    return 0

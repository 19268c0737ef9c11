"""The three rates, the composite score, the rankings and the monthly priority
problem: the arithmetic, in numpy, knowing nothing of Django.

Two back-ends count tickets: the platform's own database through the ORM
(selectors.database_counts, SQLite or PostgreSQL) and the analytics copy through
DuckDB over Parquet (analytics.fine_counts). Both only count, and both answer in the
same shape: for each PART below, one row per (district_id, subdistrict_id,
lead_unit_id, month) with that part's counts. Everything from there on (which unit
a count belongs to, the rates, the score, the ranks, the bottom group and the
governance flag) is computed here, once, so the two back-ends cannot disagree on
anything but the counting, which tests/metrics compares on the same tickets.

Definitions (the README's "The three rates" quotes them)
-------------------------------------------------------
Months are calendar months in the city's time zone (settings.TIME_ZONE). Tickets
merged as duplicates or marked invalid count nowhere.

* received: tickets received (created) in the month.
* dispatched: tickets whose (latest) dispatch to a lead unit was in the month, once
  the sign-for question is settled: signed for, or the sign-for deadline passed
  before `as_of`. A ticket still inside its sign-for time is left out until then.
* on_time: of those, signed for at or before the sign-for deadline (签收及时).
* response rate (响应率) = on_time / dispatched.
* called_back: tickets whose callback (回访) was in the month. A ticket reopened after
  an unsatisfied callback and called back again counts once, in the month of its
  latest callback, with the latest answer.
* resolution rate (解决率) = tickets the resident called resolved / called_back.
* satisfaction rate (满意率) = (satisfied + 0.8 x basically satisfied) / called_back;
  the 0.8 is SHIYU_BASICALLY_SATISFIED_FACTOR.
* overdue: tickets whose resolution deadline fell in the month and that were replied
  after it, or not replied and the deadline passed before `as_of`.
* per 10,000 residents: received / population x 10,000 (districts and subdistricts;
  departments have no population).
* punctuality (吹哨报到, departments and enterprises only): reports on time / times
  summoned in the month, from shiyu.summons; counted only for units summoned.

Attribution: districts and subdistricts by where the problem is (the ticket's
district and subdistrict), whoever handles it; departments and public-service
enterprises by the ticket's lead unit (主办) at the time of the count. Assisting
units (协办) are not scored on the resident's answer, which is about the lead
unit's reply. A unit that returned a ticket (退单) is not charged for it: the
ticket counts for the unit it was dispatched to next (in the demo, six returns in
ten are the dispatcher's wrong unit).

Composite score = 100 x sum(weight x rate) / sum(weight), over the unit's rates
(SHIYU_SCORE_WEIGHTS; punctuality only where the unit was summoned). A unit is
ranked in a month only when it had both a dispatched and a called-back ticket;
otherwise it has no score and no rank. Within each kind (district, subdistrict,
department, enterprise), ranks are 1..n by score, highest first; ties go to the unit
with more callbacks (the surer figure), then to the lower unit id, so every rank is
unique and the same each time. Scores are rounded to 6 decimals before ranking, so
the last bit of a float never decides a tie.

Change from last month: rank_change = last month's rank - this month's (positive:
moved up), score_change = score - last month's score; None when either month is
unranked. Bottom group: the last N ranked units, N = SHIYU_BOTTOM_GROUP ("10%" of
the ranked units rounded up, at least one; or a plain count such as "5"). A unit in
the bottom group for SHIYU_GOVERNANCE_MONTHS (3) months running is flagged for
governance (治理类街乡镇 for subdistricts).
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np

KINDS = ("district", "subdistrict", "department", "enterprise")
# Which ticket column places a ticket with a unit of each kind.
KIND_KEY = {"district": "district_id", "subdistrict": "subdistrict_id", "department": "lead_unit_id",
            "enterprise": "lead_unit_id"}
KEYS = ("district_id", "subdistrict_id", "lead_unit_id", "month")
# What each back-end counts, per (district, subdistrict, lead unit, month of the event).
PARTS = {
    "received": ("received",),
    "dispatch": ("dispatched", "on_time"),
    "callback": ("called_back", "resolved", "satisfied", "basically_satisfied"),
    "overdue": ("overdue",),
}
MEASURES = tuple(m for measures in PARTS.values() for m in measures)
SUMMONS_MEASURES = ("summoned", "reported_on_time")
COMPONENTS = ("response", "resolution", "satisfaction", "punctuality")

# Ratings as small integers in the analytics copy.
RATING_CODES = {"satisfied": 1, "basically_satisfied": 2, "unsatisfied": 3}
# Sign-for states in the analytics copy.
SIGNED_ON_TIME, SIGNED_LATE, UNSIGNED = 1, 2, 3
# Null markers in numpy columns (Parquet stores real NULLs).
NULL_ID = -1
NULL_TIME = np.iinfo(np.int64).min
NULL_MONTH = -1

MICROSECONDS = 1_000_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_FIRST_YEAR, _LAST_YEAR = 2000, 2100


# ---------------------------------------------------------------- months


def month_index(year: int, month: int) -> int:
    """Months since January 2000: one small integer per calendar month."""
    return (year - _FIRST_YEAR) * 12 + month - 1


def parse_month(text: str) -> int:
    """'2026-10' -> its month index; ValueError for anything else."""
    year, sep, month = text.partition("-")
    if not (sep and len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit()):
        raise ValueError(f"not a YYYY-MM month: {text!r}")
    if not (_FIRST_YEAR <= int(year) < _LAST_YEAR and 1 <= int(month) <= 12):
        raise ValueError(f"month out of range: {text!r}")
    return month_index(int(year), int(month))


def month_label(index: int) -> str:
    year, month = divmod(index, 12)
    return f"{_FIRST_YEAR + year:04d}-{month + 1:02d}"


def month_of_datetime(value: dt.datetime, tz: str) -> int:
    local = value.astimezone(ZoneInfo(tz))
    return month_index(local.year, local.month)


def month_start(index: int, tz: str) -> dt.datetime:
    """Local midnight of the month's first day, as an aware datetime."""
    year, month = divmod(index, 12)
    return dt.datetime(_FIRST_YEAR + year, month + 1, 1, tzinfo=ZoneInfo(tz))


def month_bounds(first: int, last: int, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """[start of `first`, start of the month after `last`) in UTC."""
    return (month_start(first, tz).astimezone(dt.timezone.utc),
            month_start(last + 1, tz).astimezone(dt.timezone.utc))


@cache
def _month_starts_us(tz: str) -> np.ndarray:
    count = (_LAST_YEAR - _FIRST_YEAR) * 12 + 1
    return np.array([(month_start(i, tz) - _EPOCH) // dt.timedelta(microseconds=1) for i in range(count)],
                    dtype=np.int64)


def months_of(times_us: np.ndarray, tz: str) -> np.ndarray:
    """The month index of each time (microseconds since the epoch, UTC), NULL_MONTH for
    NULL_TIME or a time outside 2000-2099."""
    starts = _month_starts_us(tz)
    index = np.searchsorted(starts, times_us, side="right") - 1
    outside = (index < 0) | (index >= len(starts) - 1) | (times_us == NULL_TIME)
    return np.where(outside, NULL_MONTH, index).astype(np.int16)


def to_microseconds(value: dt.datetime | None) -> int:
    return NULL_TIME if value is None else (value - _EPOCH) // dt.timedelta(microseconds=1)


# ---------------------------------------------------------------- the analytics copy's columns


def analytics_columns(raw: Mapping[str, np.ndarray], tz: str) -> dict[str, np.ndarray]:
    """The analytics copy's row for each ticket, from the ticket's own columns.

    `raw` holds id, created_at, dispatched_at, accepted_at, accept_due_at, resolved_at,
    resolve_due_at, callback_at (int64 microseconds, NULL_TIME for none), district_id,
    subdistrict_id, lead_unit_id, category_id (NULL_ID for none), rating (RATING_CODES,
    0 for none), callback_resolved (bool) and void (merged or invalid).

    What depends only on the ticket is settled here, so the ranking query reads small
    columns: each event's month (NULL_MONTH where the event does not count), the
    sign-for state and whether the reply was late. What depends on `as_of` keeps its
    deadline, only on the few rows still open (accept_due_open, reply_due_open)."""
    live = ~raw["void"]
    dispatched = (live & (raw["lead_unit_id"] != NULL_ID) & (raw["accept_due_at"] != NULL_TIME)
                  & (raw["dispatched_at"] != NULL_TIME))
    signed = raw["accepted_at"] != NULL_TIME
    called = live & (raw["rating"] > 0) & (raw["callback_at"] != NULL_TIME)
    due = live & (raw["resolve_due_at"] != NULL_TIME)
    replied = raw["resolved_at"] != NULL_TIME

    def month_where(mask, times):
        return np.where(mask, months_of(times, tz), NULL_MONTH).astype(np.int16)

    return {
        "id": raw["id"].astype(np.int64),
        "created_at": raw["created_at"].astype(np.int64),
        "district_id": raw["district_id"].astype(np.int32),
        "subdistrict_id": raw["subdistrict_id"].astype(np.int32),
        "lead_unit_id": raw["lead_unit_id"].astype(np.int32),
        "category_id": raw["category_id"].astype(np.int32),
        "created_month": month_where(live, raw["created_at"]),
        "dispatch_month": month_where(dispatched, raw["dispatched_at"]),
        "accept_state": np.where(signed, np.where(raw["accepted_at"] <= raw["accept_due_at"], SIGNED_ON_TIME,
                                                  SIGNED_LATE), UNSIGNED).astype(np.int8),
        "accept_due_open": np.where(dispatched & ~signed, raw["accept_due_at"], NULL_TIME),
        "callback_month": month_where(called, raw["callback_at"]),
        "rating": np.where(called, raw["rating"], 0).astype(np.int8),
        "callback_resolved": called & raw["callback_resolved"].astype(bool),
        "due_month": month_where(due, raw["resolve_due_at"]),
        "reply_late": due & replied & (raw["resolved_at"] > raw["resolve_due_at"]),
        "reply_due_open": np.where(due & ~replied, raw["resolve_due_at"], NULL_TIME),
    }


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class Definitions:
    weights: Mapping[str, float] = field(default_factory=lambda: {
        "response": 0.1, "resolution": 0.45, "satisfaction": 0.45, "punctuality": 0.1})
    basically_satisfied_factor: float = 0.8
    bottom_group: str = "10%"
    governance_months: int = 3

    def __post_init__(self):
        unknown = set(self.weights) - set(COMPONENTS)
        if unknown or any(w < 0 for w in self.weights.values()) or not any(
                self.weights.get(c, 0) for c in COMPONENTS[:3]):
            raise ValueError(f"SHIYU_SCORE_WEIGHTS: weights >= 0 for {COMPONENTS}, not all zero: {self.weights}")
        if self.governance_months < 1:
            raise ValueError("SHIYU_GOVERNANCE_MONTHS must be at least 1")
        self.bottom_size(1)  # fails early on a malformed SHIYU_BOTTOM_GROUP

    def bottom_size(self, ranked: int) -> int:
        """How many of `ranked` units make the bottom group."""
        text = str(self.bottom_group).strip()
        if text.endswith("%"):
            share = float(text[:-1]) / 100
            if not 0 < share <= 1:
                raise ValueError(f"SHIYU_BOTTOM_GROUP: a share in (0%, 100%], not {text!r}")
            size = math.ceil(round(share * ranked, 9))
        else:
            size = int(text)
            if size < 1:
                raise ValueError(f"SHIYU_BOTTOM_GROUP: at least 1, not {text!r}")
        return min(max(size, 1), ranked)

    def window(self, month: int) -> list[int]:
        """The months a ranking of `month` needs: the governance streak's, and at least
        last month for the change."""
        return list(range(month - max(self.governance_months, 2) + 1, month + 1))

    def as_dict(self) -> dict:
        return {"weights": {c: self.weights.get(c, 0.0) for c in COMPONENTS},
                "basically_satisfied_factor": self.basically_satisfied_factor,
                "bottom_group": str(self.bottom_group), "governance_months": self.governance_months}


# ---------------------------------------------------------------- units and counts


@dataclass(frozen=True)
class Units:
    """The units of one kind, in a fixed order: ids, names, codes, populations (NaN
    where a population does not apply)."""

    kind: str
    ids: np.ndarray
    names: list[str]
    codes: list[str]
    population: np.ndarray

    @classmethod
    def of(cls, kind: str, rows: Iterable[tuple[int, str, str, float | None]]) -> Units:
        rows = sorted(rows)
        return cls(kind, np.array([r[0] for r in rows], dtype=np.int64), [r[1] for r in rows],
                   [r[2] for r in rows], np.array([np.nan if r[3] is None else r[3] for r in rows], dtype=float))

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Each id's row in this table, -1 where the id is not a unit of this kind."""
        if not len(self.ids):
            return np.full(len(ids), -1)
        where = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        return np.where(self.ids[where] == ids, where, -1)


def empty_part(part: str) -> dict[str, np.ndarray]:
    return {name: np.zeros(0, dtype=np.int64) for name in (*KEYS, *PARTS[part])}


def rollup(fine: Mapping[str, Mapping[str, np.ndarray]], units: Units, months: list[int]) -> dict[str, np.ndarray]:
    """The back-end's fine counts summed per unit of one kind and month:
    {measure: int64 array (units, months)}."""
    shape = (len(units.ids), len(months))
    table = {m: np.zeros(shape, dtype=np.int64) for m in (*MEASURES, *SUMMONS_MEASURES)}
    for part, measures in PARTS.items():
        rows = fine[part]
        unit = units.positions(np.asarray(rows[KIND_KEY[units.kind]], dtype=np.int64))
        month = np.asarray(rows["month"], dtype=np.int64) - months[0]
        keep = (unit >= 0) & (month >= 0) & (month < len(months))
        for measure in measures:
            np.add.at(table[measure], (unit[keep], month[keep]), np.asarray(rows[measure], dtype=np.int64)[keep])
    return table


def add_summons(table: dict[str, np.ndarray], units: Units, month_position: int,
                punctuality: Mapping[int, Mapping[str, int]]) -> None:
    """Put one month's summons figures (shiyu.summons.selectors.punctuality) in the table."""
    for unit_id, figures in punctuality.items():
        row = units.positions(np.array([unit_id]))[0]
        if row >= 0:
            for measure in SUMMONS_MEASURES:
                table[measure][row, month_position] = figures[measure]


# ---------------------------------------------------------------- rates, score, ranks


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)


def rates(table: Mapping[str, np.ndarray], definitions: Definitions) -> dict[str, np.ndarray]:
    satisfied_points = table["satisfied"] + definitions.basically_satisfied_factor * table["basically_satisfied"]
    return {
        "response": _ratio(table["on_time"], table["dispatched"]),
        "resolution": _ratio(table["resolved"], table["called_back"]),
        "satisfaction": _ratio(satisfied_points, table["called_back"]),
        "punctuality": _ratio(table["reported_on_time"], table["summoned"]),
    }


def scores(table: Mapping[str, np.ndarray], unit_rates: Mapping[str, np.ndarray],
           definitions: Definitions) -> np.ndarray:
    """0-100, NaN where the unit is not ranked (no dispatched or no called-back ticket)."""
    weights = definitions.weights
    summoned = table["summoned"] > 0
    points = sum(weights.get(c, 0.0) * np.nan_to_num(unit_rates[c]) for c in COMPONENTS[:3])
    points = points + np.where(summoned, weights.get("punctuality", 0.0) * np.nan_to_num(unit_rates["punctuality"]), 0)
    weight = sum(weights.get(c, 0.0) for c in COMPONENTS[:3]) + np.where(summoned, weights.get("punctuality", 0.0), 0)
    ranked = (table["dispatched"] > 0) & (table["called_back"] > 0)
    return np.where(ranked, np.round(100 * points / weight, 6), np.nan)


def ranks(score: np.ndarray, called_back: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """1..n within each month (column), 0 for units without a score."""
    out = np.zeros(score.shape, dtype=np.int64)
    for month in range(score.shape[1]):
        column = score[:, month]
        ranked = ~np.isnan(column)
        # lexsort: the last key sorts first. Unranked units go last and get no rank.
        order = np.lexsort((ids, -called_back[:, month], np.where(ranked, -column, np.inf)))
        count = int(ranked.sum())
        out[order[:count], month] = np.arange(1, count + 1)
    return out


@dataclass
class KindRanking:
    """One kind's units over the window's months: counts, rates, scores, ranks, flags."""

    units: Units
    months: list[int]
    table: dict[str, np.ndarray]
    rates: dict[str, np.ndarray]
    score: np.ndarray
    rank: np.ndarray
    ranked: np.ndarray  # ranked units per month
    bottom: np.ndarray
    bottom_streak: np.ndarray

    def rows(self, month: int, definitions: Definitions) -> list[dict]:
        """The month's rows, ranked units by rank, then the unranked by id."""
        j = self.months.index(month)
        order = sorted(range(len(self.units.ids)), key=lambda i: (self.rank[i, j] == 0, self.rank[i, j], i))
        return [self._row(i, j, definitions) for i in order]

    def _row(self, i: int, j: int, definitions: Definitions) -> dict:
        table, population = self.table, self.units.population[i]
        ranked, had_last = self.rank[i, j] > 0, j > 0 and self.rank[i, j - 1] > 0
        received = int(table["received"][i, j])
        return {
            "kind": self.units.kind,
            "unit_id": int(self.units.ids[i]), "name": self.units.names[i], "code": self.units.codes[i],
            "month": month_label(self.months[j]),
            **{m: int(table[m][i, j]) for m in (*MEASURES, *SUMMONS_MEASURES)},
            "per_10k": None if np.isnan(population) or population <= 0 else round(received * 10_000 / population, 4),
            **{f"{c}_rate": _number(self.rates[c][i, j]) for c in COMPONENTS},
            "score": _number(self.score[i, j]),
            "rank": int(self.rank[i, j]) if ranked else None,
            "ranked_units": int(self.ranked[j]),
            "rank_change": int(self.rank[i, j - 1] - self.rank[i, j]) if ranked and had_last else None,
            "score_change": round(float(self.score[i, j] - self.score[i, j - 1]), 6) if ranked and had_last else None,
            "bottom": bool(self.bottom[i, j]),
            "bottom_months": int(self.bottom_streak[i, j]),
            "governance": bool(self.bottom_streak[i, j] >= definitions.governance_months),
        }


def _number(value) -> float | None:
    return None if np.isnan(value) else round(float(value), 6)


def rank_kind(table: dict[str, np.ndarray], units: Units, months: list[int],
              definitions: Definitions) -> KindRanking:
    unit_rates = rates(table, definitions)
    score = scores(table, unit_rates, definitions)
    rank = ranks(score, table["called_back"], units.ids)
    ranked = (rank > 0).sum(axis=0)
    cutoff = ranked - np.array([definitions.bottom_size(int(n)) if n else 0 for n in ranked])
    bottom = (rank > 0) & (rank > cutoff[None, :])
    streak = np.zeros(rank.shape, dtype=np.int64)
    for j in range(len(months)):
        streak[:, j] = np.where(bottom[:, j], (streak[:, j - 1] if j else 0) + 1, 0)
    return KindRanking(units, months, table, unit_rates, score, rank, ranked, bottom, streak)


def rank_all(fine: Mapping[str, Mapping[str, np.ndarray]], directory: Mapping[str, Units], months: list[int],
             definitions: Definitions, punctuality: Mapping[int, Mapping[int, Mapping[str, int]]] | None = None,
             ) -> dict[str, KindRanking]:
    """Every kind's ranking over `months` from one back-end's fine counts.
    `punctuality`: {month: shiyu.summons punctuality figures} for the summoned kinds."""
    out = {}
    for kind, units in directory.items():
        table = rollup(fine, units, months)
        if kind in ("department", "enterprise"):
            for j, month in enumerate(months):
                add_summons(table, units, j, (punctuality or {}).get(month, {}))
        out[kind] = rank_kind(table, units, months, definitions)
    return out


# ---------------------------------------------------------------- monthly priority problem


def priority_pairs(category: np.ndarray, subdistrict: np.ndarray, current: np.ndarray, previous: np.ndarray,
                   *, min_tickets: int, top: int) -> tuple[list[int], list[int]]:
    """每月一题: which (category, subdistrict) pairs to put first, as positions in the
    arrays given. `most`: the most tickets this month. `fastest`: the fastest growth
    over last month, growth = (current - previous) / max(previous, 1), among pairs with
    at least `min_tickets` this month (so 1 -> 3 is not a trend) that grew. Ties: more
    tickets first, then the lower category id, then the lower subdistrict id."""
    growth = (current - previous) / np.maximum(previous, 1)
    candidates = np.flatnonzero(current > 0)
    most = sorted(candidates, key=lambda i: (-current[i], category[i], subdistrict[i]))[:top]
    rising = [i for i in candidates if current[i] >= min_tickets and current[i] > previous[i]]
    fastest = sorted(rising, key=lambda i: (-growth[i], -current[i], category[i], subdistrict[i]))[:top]
    return [int(i) for i in most], [int(i) for i in fastest]

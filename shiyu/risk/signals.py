"""The signals: each a small function that reads what is new since the last scan and
returns candidate alerts. services.scan_risks raises them (or updates the open alert
with the same kind and key, or drops them when muted).

Reasons are written in the city's language (settings.LANGUAGE_CODE) when the scan
runs: they are stored text, read by supervisors later. Phone numbers appear masked."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from shiyu import spikes
from shiyu.core.pii import mask_phone
from shiyu.deadlines.models import Escalation
from shiyu.deadlines.selectors import current_schedule
from shiyu.geo.models import AdminUnit
from shiyu.intake.engine import phone_key
from shiyu.intake.models import SimilarTicket
from shiyu.tickets.models import Category, Ticket

from . import selectors
from .models import SEVERITY, DangerWord, Level, Signal

TITLE_SHOWN = 40  # characters of a ticket's title quoted in a reason


@dataclass
class Candidate:
    kind: str
    key: str
    level: str
    reason: str
    ticket_ids: set[int] = field(default_factory=set)
    subdistrict_id: int | None = None
    category_id: int | None = None
    # True: the key names one occurrence (a series on a day) that the scan sees again at
    # each run; once its alert is resolved it is not raised again.
    once: bool = False


def _title(ticket: Ticket) -> str:
    return ticket.title[:TITLE_SHOWN]


def _top_category_ids() -> dict[int, int]:
    """Each category's top-level ancestor (the alert's category)."""
    parents = dict(Category.objects.values_list("pk", "parent_id"))

    def top(pk: int) -> int:
        while parents.get(pk):
            pk = parents[pk]
        return pk

    return {pk: top(pk) for pk in parents}


def _reporter(ticket: Ticket) -> str:
    """Who reported it, as a key: the phone's hash (never the number), else the account."""
    key = phone_key(ticket.reporter_phone)
    if key != -1:
        return f"phone:{key}"
    return f"user:{ticket.reporter_id}" if ticket.reporter_id else f"ticket:{ticket.pk}"


# ---------------------------------------------------------------- a. repeat reporter


def repeat_reporters(links: list[SimilarTicket], now: dt.datetime) -> list[Candidate]:
    """A reporter whose tickets of the last SHIYU_REPEAT_DAYS hold SHIYU_RISK_REPEATS or
    more repeats (links the intake found to their own earlier tickets, not dismissed)."""
    phones = {link.ticket.reporter_phone for link in links
              if link.kind == SimilarTicket.Kind.REPEAT and link.ticket.reporter_phone}
    tops, minimum = _top_category_ids(), settings.SHIYU_RISK_REPEATS
    since = now - dt.timedelta(days=settings.SHIYU_REPEAT_DAYS)
    candidates = []
    for phone in sorted(phones):
        tickets = {t.pk: t for t in Ticket.objects.filter(reporter_phone=phone, created_at__gte=since)}
        pairs = list(SimilarTicket.objects.filter(kind=SimilarTicket.Kind.REPEAT, ticket_id__in=tickets)
                     .exclude(state=SimilarTicket.State.DISMISSED).values_list("ticket_id", "earlier_id"))
        repeats = {ticket_id for ticket_id, _earlier in pairs}
        if len(repeats) < minimum:
            continue
        latest = tickets[max(repeats, key=lambda pk: tickets[pk].created_at)]
        reason = _("The same caller (%(phone)s) has raised it %(n)d times in %(days)d days: %(title)s") % {
            "phone": mask_phone(phone), "n": len(repeats) + 1, "days": settings.SHIYU_REPEAT_DAYS,
            "title": _title(latest)}
        candidates.append(Candidate(
            Signal.REPEAT_REPORTER, _reporter(latest), Level.ORANGE if len(repeats) >= 2 * minimum else Level.YELLOW,
            reason, {pk for pair in pairs for pk in pair}, latest.subdistrict_id, tops.get(latest.category_id)))
    return candidates


# ---------------------------------------------------------------- b. collective complaint


def collective_complaints(links: list[SimilarTicket], now: dt.datetime) -> list[Candidate]:
    """群体性: an issue (its first ticket and the tickets found to duplicate it in
    SHIYU_DUPLICATE_DAYS) raised by SHIYU_RISK_REPORTERS or more distinct reporters."""
    roots = {_root(link.earlier_id) for link in links if link.kind == SimilarTicket.Kind.DUPLICATE}
    tops, minimum = _top_category_ids(), settings.SHIYU_RISK_REPORTERS
    since = now - dt.timedelta(days=settings.SHIYU_DUPLICATE_DAYS)
    candidates = []
    for root in sorted(roots):
        duplicates = (SimilarTicket.objects.filter(earlier_id=root, kind=SimilarTicket.Kind.DUPLICATE,
                                                   ticket__created_at__gte=since)
                      .exclude(state=SimilarTicket.State.DISMISSED).values_list("ticket_id", flat=True))
        tickets = list(Ticket.objects.filter(pk__in=[root, *duplicates]))
        reporters = {_reporter(t) for t in tickets}
        if len(reporters) < minimum:
            continue
        first = next(t for t in tickets if t.pk == root)
        reason = _("%(n)d different callers raised the same issue within %(days)d days: %(title)s (%(address)s)") % {
            "n": len(reporters), "days": settings.SHIYU_DUPLICATE_DAYS, "title": _title(first),
            "address": first.address or first.code}
        candidates.append(Candidate(
            Signal.COLLECTIVE, f"ticket:{root}", Level.RED if len(reporters) >= 2 * minimum else Level.ORANGE,
            reason, {t.pk for t in tickets}, first.subdistrict_id, tops.get(first.category_id)))
    return candidates


def _root(ticket_id: int) -> int:
    """The issue's first ticket: an earlier ticket that itself duplicates another leads there."""
    earlier = (SimilarTicket.objects.filter(ticket_id=ticket_id, kind=SimilarTicket.Kind.DUPLICATE)
               .exclude(state=SimilarTicket.State.DISMISSED).order_by("earlier_id")
               .values_list("earlier_id", flat=True).first())
    return earlier or ticket_id


# ---------------------------------------------------------------- c. danger words


def danger_matcher() -> tuple[re.Pattern | None, dict[str, str]]:
    """One pattern for all active words (longest first, so 进京上访 wins over 上访) and each word's level."""
    words = dict(DangerWord.objects.filter(active=True).values_list("word", "level"))
    if not words:
        return None, {}
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))), words


def danger_words(tickets: list[Ticket]) -> list[Candidate]:
    """A ticket whose title or text holds a danger word; the level is the most serious
    word's. Keyed by reporter, so one person's calls gather in one open alert."""
    pattern, levels = danger_matcher()
    if pattern is None:
        return []
    tops, candidates = _top_category_ids(), []
    for ticket in tickets:
        found = sorted(set(pattern.findall(f"{ticket.title}\n{ticket.description}")))
        if not found:
            continue
        level = max((levels[w] for w in found), key=lambda lv: SEVERITY[lv])
        reason = _("Words of danger (%(words)s): %(title)s") % {"words": "、".join(found), "title": _title(ticket)}
        candidates.append(Candidate(Signal.DANGER_WORDS, _reporter(ticket), level, reason, {ticket.pk},
                                    ticket.subdistrict_id, tops.get(ticket.category_id)))
    return candidates


# ---------------------------------------------------------------- d. overdue in risky categories


def risky_category_ids() -> set[int]:
    codes = tuple(settings.SHIYU_RISK_CATEGORIES)
    if not codes:
        return set()
    return {pk for pk, code in Category.objects.values_list("pk", "code") if code.startswith(codes)}


def overdue_risky(escalations: list[Escalation]) -> list[Candidate]:
    """A ticket of a risky category (SHIYU_RISK_CATEGORIES) escalated for a missed
    deadline: orange, red from its second missed deadline."""
    risky, tops = risky_category_ids(), _top_category_ids()
    candidates = []
    for escalation in escalations:
        ticket = escalation.ticket
        if ticket.category_id not in risky:
            continue
        reason = _("Ticket %(code)s of a risky category (%(category)s) is overdue, escalation %(level)d: %(title)s") % {
            "code": ticket.code, "category": ticket.category.name, "level": escalation.level,
            "title": _title(ticket)}
        candidates.append(Candidate(Signal.OVERDUE_RISKY, f"ticket:{ticket.pk}",
                                    Level.RED if escalation.level >= 2 else Level.ORANGE, reason, {ticket.pk},
                                    ticket.subdistrict_id, tops.get(ticket.category_id)))
    return candidates


# ---------------------------------------------------------------- e. spikes


def spike_thresholds(today: dt.date) -> tuple[dict[str, list[float]], list[Candidate]]:
    """Once a day: each series' spike threshold for `today` from the days before it, and
    the spikes of yesterday, now complete. Series are subdistrict x top-level category;
    the holiday table (deadlines' calendar) tells holidays and worked weekends."""
    first_known = selectors.first_ticket_day()
    rules = spikes.Rules()
    if first_known is None:
        return {}, []
    first = max(first_known, today - dt.timedelta(days=rules.history_days + 1))
    days = (today - first).days
    series = selectors.daily_counts(first, days)
    if not series or days < rules.min_history + 1:
        return {}, []
    keys = list(series)
    counts = [series[key] for key in keys]
    schedule = current_schedule()  # holidays are left out of the fit (see shiyu.spikes)
    calendar = {"holidays": schedule.holidays, "workdays": schedule.workdays}
    ahead = spikes.baseline([c[1:] for c in counts], first + dt.timedelta(days=1), rules, **calendar)
    behind = spikes.baseline([c[:-1] for c in counts], first, rules, **calendar)
    thresholds = {_series_key(key): [int(ahead.threshold[i]), round(float(ahead.expected[i]), 2)]
                  for i, key in enumerate(keys)}
    yesterday = today - dt.timedelta(days=1)
    candidates = [_spike(key, int(c[-1]), float(behind.expected[i]), yesterday)
                  for i, (key, c) in enumerate(zip(keys, counts)) if c[-1] >= behind.threshold[i]]
    return thresholds, candidates


def spikes_today(thresholds: dict[str, list[float]], today: dt.date) -> list[Candidate]:
    """Series whose count so far today already reaches today's threshold: a lower bound of
    the day's count, so the spike is certain before the day ends."""
    start = selectors.day_start(today)
    return [_spike(key, n, thresholds[_series_key(key)][1], today)
            for key, n in selectors.counts_between(start, start + dt.timedelta(days=1)).items()
            if _series_key(key) in thresholds and n >= thresholds[_series_key(key)][0]]


def _spike(key: tuple[int, int], count: int, expected: float, day: dt.date) -> Candidate:
    subdistrict_id, category_id = key
    start = selectors.day_start(day)
    ratio = count / max(expected, 0.1)
    reason = _("%(area)s, %(category)s: %(count)d tickets on %(day)s where about %(expected).1f were expected "
               "(%(ratio).1f times)") % {
        "area": AdminUnit.objects.get(pk=subdistrict_id).name, "category": Category.objects.get(pk=category_id).name,
        "count": count, "day": day.isoformat(), "expected": expected, "ratio": ratio}
    return Candidate(Signal.SPIKE, f"{_series_key(key)}:{day.isoformat()}",
                     Level.YELLOW if ratio >= 3 else Level.BLUE, reason,
                     set(selectors.series_tickets(subdistrict_id, category_id, start, start + dt.timedelta(days=1))),
                     subdistrict_id, category_id, once=True)


def _series_key(key: tuple[int, int]) -> str:
    return f"{key[0]}:{key[1]}"


# ---------------------------------------------------------------- what is new since the last scan


def new_tickets(after_id: int, settled_before: dt.datetime, limit: int) -> list[Ticket]:
    return _settled(Ticket.objects.filter(pk__gt=after_id).order_by("pk")[:limit], "created_at", settled_before)


def new_links(after_id: int, settled_before: dt.datetime, limit: int) -> list[SimilarTicket]:
    links = SimilarTicket.objects.filter(pk__gt=after_id).select_related("ticket").order_by("pk")[:limit]
    return _settled(links, "found_at", settled_before)


def new_escalations(after_id: int, limit: int) -> list[Escalation]:
    """Only the sweep writes escalations, in the transaction the scan runs in: all are settled."""
    return list(Escalation.objects.filter(pk__gt=after_id).select_related("ticket__category").order_by("pk")[:limit])


def _settled(rows, stamp: str, settled_before: dt.datetime) -> list:
    """Rows in id order up to the first one younger than `settled_before`. A row's id is
    taken when its transaction writes it, not when it commits: a younger row may still
    have an uncommitted neighbour with a lower id, which reading past it would skip."""
    rows = list(rows)
    young = next((i for i, row in enumerate(rows) if getattr(row, stamp) >= settled_before), len(rows))
    return rows[:young]

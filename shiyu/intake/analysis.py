"""Reading a ticket before it is written: category suggestions, repeats and
duplicates, suggested answers. Reads only; the services write what it found.

The same functions serve the operator's form while typing (the check API) and the
intake itself, so what the operator was shown is what the ticket records."""
from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from shiyu.nlp import similar
from shiyu.tickets.models import Category, Ticket

from . import engine
from .engine import UNINDEXED_STATES, phone_key

log = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_000
RADIUS_CANDIDATES = 15  # text matches looked at before the distance filter
# What intake shows and stores of an earlier ticket (not its long description).
BRIEF_FIELDS = ("id", "code", "title", "status", "category", "created_at", "lat", "long")


@dataclass(frozen=True)
class CategoryGuess:
    category: Category
    probability: float


@dataclass
class CategoryAdvice:
    guesses: list[CategoryGuess] = field(default_factory=list)
    model_version: str = ""
    confident: bool = False  # the best guess may be applied without a person

    @property
    def best(self) -> CategoryGuess | None:
        return self.guesses[0] if self.guesses else None


@dataclass(frozen=True)
class SimilarFound:
    ticket: Ticket
    kind: str  # SimilarTicket.Kind
    score: float
    distance_m: float | None = None


def advise_category(text: str, k: int = 3) -> CategoryAdvice:
    """The classifier's top k leaf categories; empty without a model or for text that
    says nothing. `confident` when the best reaches SHIYU_TRIAGE_THRESHOLD."""
    model = engine.classifier.get()
    if model is None:
        return CategoryAdvice()
    try:
        suggestions = model.suggest(text, k=k)
    except Exception:  # a model that breaks on some text must not stop intake; say so in the log
        log.exception("the category model failed on a text of %d characters", len(text))
        return CategoryAdvice()
    leaves = Category.objects.in_bulk([s.label for s in suggestions], field_name="code")
    guesses = [CategoryGuess(leaves[s.label], s.probability) for s in suggestions
               if s.label in leaves and leaves[s.label].active and leaves[s.label].is_leaf]
    confident = bool(guesses) and guesses[0].probability >= settings.SHIYU_TRIAGE_THRESHOLD
    return CategoryAdvice(guesses, model.metadata.get("version", ""), confident)


def find_similar(*, text: str, phone: str = "", community_id: int | None = None,
                 lat: float | None = None, long: float | None = None,
                 at: dt.datetime | None = None, exclude_ids=()) -> list[SimilarFound]:
    """Earlier tickets this one repeats (same phone, SHIYU_REPEAT_DAYS) or duplicates
    (another reporter, same community or within SHIYU_DUPLICATE_RADIUS_M, in
    SHIYU_DUPLICATE_DAYS), best first; a ticket found both ways counts as a repeat."""
    at = at or timezone.now()
    key = phone_key(phone)
    window = dict(exclude_ids=exclude_ids, until=at.timestamp())
    repeats = dict(k=5, min_score=similar.REPEAT_MIN_SCORE, key=key, since=_ago(at, settings.SHIYU_REPEAT_DAYS),
                   **window)
    duplicates = dict(min_score=similar.DUPLICATE_MIN_SCORE, exclude_key=key if key != -1 else None,
                      since=_ago(at, settings.SHIYU_DUPLICATE_DAYS), **window)
    searches = {}
    if key != -1:
        searches["repeat"] = repeats
    if community_id is not None:
        searches["duplicate"] = dict(duplicates, k=5, group=community_id)
    if lat is not None and long is not None:
        searches["nearby"] = dict(duplicates, k=RADIUS_CANDIDATES)
    if not searches:
        return []
    results = dict(zip(searches, engine.recent_tickets.search(text, *searches.values())))
    found: dict[int, tuple[str, float]] = {}
    for kind in ("repeat", "duplicate"):
        for match in results.get(kind, ()):
            found.setdefault(match.id, (kind, match.score))
    return _resolve(found, results.get("nearby", []), lat, long)


def _ago(at: dt.datetime, days: int) -> float:
    return (at - dt.timedelta(days=days)).timestamp()


def _resolve(found: dict[int, tuple[str, float]], nearby, lat, long) -> list[SimilarFound]:
    """The tickets behind the matches, still valid, with the nearby ones kept only
    when they are within the radius."""
    ids = set(found) | {m.id for m in nearby}
    tickets = (Ticket.objects.exclude(status__in=UNINDEXED_STATES)
               .only(*BRIEF_FIELDS).select_related("category").in_bulk(ids))
    results = []
    for ticket_id, (kind, score) in found.items():
        if ticket_id in tickets:
            ticket = tickets[ticket_id]
            results.append(SimilarFound(ticket, kind, score, _distance(ticket, lat, long)))
    for match in nearby:
        ticket = tickets.get(match.id)
        if ticket is None or match.id in found:
            continue
        distance = _distance(ticket, lat, long)
        if distance is not None and distance <= settings.SHIYU_DUPLICATE_RADIUS_M:
            results.append(SimilarFound(ticket, "duplicate", match.score, distance))
    return sorted(results, key=lambda r: (r.kind != "repeat", -r.score))


def _distance(ticket: Ticket, lat, long) -> float | None:
    """Metres between two points on the sphere (haversine)."""
    if None in (ticket.lat, ticket.long, lat, long):
        return None
    p1, p2 = math.radians(lat), math.radians(ticket.lat)
    dp, dl = p2 - p1, math.radians(ticket.long - long)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def suggest_answers(text: str, k: int = 5) -> list[tuple[Ticket, float]]:
    """The k replied tickets most like this text, with their similarity, best first."""
    [matches] = engine.replied_tickets.search(text, dict(k=k, min_score=similar.ANSWER_MIN_SCORE))
    tickets = Ticket.objects.select_related("category").in_bulk([m.id for m in matches])
    return [(tickets[m.id], m.score) for m in matches if m.id in tickets and tickets[m.id].reply]

"""The language tools of intake, one copy per process.

The classifier is read from SHIYU_CLASSIFIER_MODEL when first needed and read again
when the file changes (checked every few seconds), so a model trained with `shiyu
classifier train --from-db` reaches running web workers without a restart. A missing
or corrupt model is logged once and means "no suggestion": intake never fails for it.

Two text indexes: recent tickets (repeats and duplicates) and replied tickets
(suggested answers). Each is filled from the database on first use and then kept
current by reading only what changed since its last look; it is rebuilt once a day so
that tickets leaving the window leave the index too."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from shiyu.core.versioned import VersionedCache
from shiyu.nlp.similar import Match, TextIndex
from shiyu.tickets.models import Status, Ticket

log = logging.getLogger(__name__)

RECHECK_SECONDS = 5.0
REBUILD_SECONDS = 24 * 3600
REPLY_LAG_SECONDS = 60
REPLY_REFRESH_SECONDS = 30
# Not worth finding again: a merged ticket lives on in its target, an invalid one is noise.
UNINDEXED_STATES = (Status.MERGED, Status.INVALID)
REPLIED_STATES = (Status.RESOLVED, Status.CALLBACK, Status.CLOSED)


def ticket_text(title: str, description: str) -> str:
    """What the tools read of a ticket: the title unless the description starts with it."""
    title, description = (title or "").strip(), (description or "").strip()
    return description if not title or description.startswith(title) else f"{title}。{description}"


def phone_key(phone: str) -> int:
    """A stable 56-bit number for a phone, so the index never holds the phone itself."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if not digits:
        return -1
    return int.from_bytes(hashlib.blake2b(digits.encode(), digest_size=7).digest(), "big")


def _model_file_stamp() -> tuple | None:
    """Which model file is there now (a new one is written beside it and renamed in)."""
    path = Path(settings.SHIYU_CLASSIFIER_MODEL)
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path), stat.st_mtime_ns, stat.st_size


def _load_model():
    """The model intake reads, or None: no file, or one that cannot be used (logged)."""
    # Imported here: scikit-learn takes a second to import, and a process that never
    # sees a model file (a worker, a command) need not pay for it.
    from shiyu.nlp.classifier import Classifier, ModelError

    path = Path(settings.SHIYU_CLASSIFIER_MODEL)
    if not path.exists():
        return None
    try:
        return Classifier.load(path)
    except ModelError as exc:
        log.warning("category suggestions are off: %s", exc)
        return None


class _ModelFile:
    def __init__(self):
        self._cache = VersionedCache(_load_model, _model_file_stamp)

    def get(self):
        return self._cache.get(RECHECK_SECONDS)

    def forget(self) -> None:
        self._cache.forget()


class _TicketIndex:
    """A TextIndex over a set of tickets, synchronised from the database under a lock
    (gunicorn's threads share it)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._index: TextIndex | None = None
        self._built_at = 0.0

    def _rows(self, tickets):
        return tickets.values_list("id", "title", "description", "community_id", "reporter_phone",
                                   "created_at").iterator(chunk_size=5000)

    def _add(self, rows) -> None:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 5000:
                self._add_batch(batch)
                batch = []
        if batch:
            self._add_batch(batch)

    def _add_batch(self, batch) -> None:
        self._index.add([r[0] for r in batch], [ticket_text(r[1], r[2]) for r in batch],
                        groups=[r[3] if r[3] is not None else -1 for r in batch],
                        keys=[phone_key(r[4]) for r in batch],
                        times=[r[5].timestamp() for r in batch])

    def search(self, text: str, *filter_sets: dict) -> list[list[Match]]:
        """One query per set of filters (TextIndex.query's keywords), after one look at
        what changed in the database."""
        with self._lock:
            if self._index is None or time.monotonic() - self._built_at > REBUILD_SECONDS:
                self._index = TextIndex()
                self._built_at = time.monotonic()
                self._build()
                self._index.compact()  # weighs bigrams by their rarity from the start
            else:
                self._refresh()
            return [self._index.query(text, **filters) for filters in filter_sets]

    def forget(self) -> None:
        with self._lock:
            self._index = None


class _RecentTickets(_TicketIndex):
    # Ids are handed out before commit, so a ticket with a lower id can become visible
    # after a higher one: each look re-reads the ids of the last LAG_IDS tickets and
    # adds those it has not seen.
    LAG_IDS = 64

    def _build(self) -> None:
        since = timezone.now() - dt.timedelta(days=settings.SHIYU_SIMILAR_WINDOW_DAYS)
        self._last_id = Ticket.objects.aggregate(last=Max("id"))["last"] or 0
        self._seen_ids = set(range(self._last_id - self.LAG_IDS + 1, self._last_id + 1))
        self._add(self._rows(Ticket.objects.filter(created_at__gte=since, id__lte=self._last_id)
                             .exclude(status__in=UNINDEXED_STATES).order_by()))

    def _refresh(self) -> None:
        floor = self._last_id - self.LAG_IDS
        ids = [i for i in Ticket.objects.filter(id__gt=floor).order_by().values_list("id", flat=True)
               if i not in self._seen_ids]
        if not ids:
            return
        self._add(self._rows(Ticket.objects.filter(id__in=ids).order_by()))
        self._last_id = max(self._last_id, *ids)
        self._seen_ids = {i for i in self._seen_ids | set(ids) if i > self._last_id - self.LAG_IDS}


class _RepliedTickets(_TicketIndex):
    """Suggested answers need not be up to the second: finding the newly replied
    tickets reads the whole table (resolved_at has no index, which would slow every
    write), so it happens at most every REPLY_REFRESH_SECONDS."""

    def _replied(self):
        return Ticket.objects.filter(status__in=REPLIED_STATES, resolved_at__isnull=False).exclude(reply="")

    def _build(self) -> None:
        self._seen = timezone.now()
        self._refreshed = time.monotonic()
        newest = self._replied().order_by("-resolved_at")[:settings.SHIYU_ANSWER_INDEX_MAX]
        self._add(self._rows(newest))

    def _refresh(self) -> None:
        if time.monotonic() - self._refreshed < REPLY_REFRESH_SECONDS:
            return
        # With a margin for transactions that committed late; a ticket seen twice is
        # simply replaced (TextIndex keys by id).
        now = timezone.now()
        self._add(self._rows(self._replied().filter(resolved_at__gte=self._seen).order_by()))
        self._seen, self._refreshed = now - dt.timedelta(seconds=REPLY_LAG_SECONDS), time.monotonic()


classifier = _ModelFile()
recent_tickets = _RecentTickets()
replied_tickets = _RepliedTickets()


def forget_all() -> None:
    """Drop every cached tool (tests, and after a bulk import)."""
    for holder in (classifier, recent_tickets, replied_tickets):
        holder.forget()

"""Similar-text search over short Chinese texts: repeats, duplicates and suggested answers.

Use
---
    tickets = TextIndex()    # recent tickets: add each as it arrives
    tickets.add([ticket_id], [title + "\\n" + description], groups=[community_id],
                keys=[phone_hash], times=[created_epoch])
    repeats = tickets.query(text, key=phone_hash, since=now - 30 * DAY, exclude_ids=[ticket_id],
                            min_score=REPEAT_MIN_SCORE)
    duplicates = tickets.query(text, group=community_id, since=now - 7 * DAY, exclude_key=phone_hash,
                               exclude_ids=[ticket_id], min_score=DUPLICATE_MIN_SCORE)
    resolved = TextIndex()   # the same class over resolved tickets; replies are looked up by id
    suggestions = resolved.query(text, k=5, min_score=ANSWER_MIN_SCORE)

What a score means
------------------
A text becomes the bag of its character bigrams (two adjacent letters, digits or Chinese
characters; punctuation and spaces break the text into runs).  A bigram weighs

    w(t) = (1 + ln count(t)) * idf(t),    idf(t) = ln((1 + N) / (1 + df(t))) + 1

with N and df(t) counted over the index's own documents, so words that thousands of tickets
share ("小区", "扰民", "反映") count little and names of places, firms and objects count much;
a bigram said three times counts about twice (this separated the check set better than plain
sets).  The score of two texts is the cosine of their weight vectors:

    score(a, b) = sum(w_a(t) * w_b(t)) / (|w_a| * |w_b|)

It lies in [0, 1]: 1 means the same bigrams (the same words, perhaps in another order); 0 means
not one shared bigram.  On the labelled check set (tests/fixtures/nlp/duplicate_pairs.json)
pairs judged "the same matter" score 0.08-1 (median 0.31; near-copies 0.9-1, the same
problem told by another resident mostly 0.14-0.5), pairs judged different 0-0.22 (median
0.03; the same kind of problem at another place mostly 0.03-0.13).  Rough reading: >= 0.5
nearly the same text; 0.15-0.5 usually the same matter in other words; 0.05-0.15 the same
topic; < 0.05 unrelated.  See REPEAT_MIN_SCORE, DUPLICATE_MIN_SCORE and ANSWER_MIN_SCORE.
Scores depend on the index's document frequencies: compare them within one index.

Why this design
---------------
One sparse structure serves the three uses: repeats (same reporter, usually near-copies),
duplicates (other residents describe the same problem in their own words: low Jaccard, so
MinHash/LSH with a useful band setting misses them, but they share the rare bigrams of the
place and the object) and suggested answers (topical similarity).  Bigrams need no word
segmenter, are exact integers (two code points packed in 42 bits: no hash collisions) and are
computed with numpy for a whole batch at once.

Storage (about 9 bytes per distinct bigram of a document, numpy arrays only):
- a forward index: for each document its term ids (int32) and counts (uint8), for exact scores;
- postings: for each term the rows that contain it, sorted by row = by arrival, so the end of
  each list holds the most recent tickets;
- per-row metadata (id, group, key, time, norm, alive) and sorted copies for the filters.

Documents added since the last compaction live in small per-term arrays (the "delta"); when the
delta grows past a share of the index, compact() rebuilds postings, idf and norms in one
vectorised pass.  idf is frozen between compactions so that a text scores exactly 1 with its
own copy whenever it was added.

Query: when the filters (key, or group and time) leave few rows, every one of them is scored
exactly.  Otherwise the query's terms are read rarest first, each for at most its `tail_cap`
most recent rows, until `postings_budget` rows were read; the `rescore` best rows by this
partial score then get their exact score from the forward index.  A generic text ("噪音扰民")
thus costs a few bounded slices, and the search leans to recent tickets: an older one that
shares only common bigrams with the query can be missed (bench/similar.py measures how often
the result differs from scoring every document).  Equal scores rank the most recent first.

Why not MinHash/LSH (datasketch): its buckets find near-copies (Jaccard >= ~0.5) but not the
same complaint in other words (of the check set's duplicate pairs from other reporters only
16% reach a bigram Jaccard of 0.5, median 0.12; of the repeats 47%), it gives no graded score
for suggested answers, and its Python objects per band and document would not fit a million
tickets in the memory asked for.
"""
from __future__ import annotations

import itertools
import threading
import unicodedata
from array import array
from dataclasses import dataclass

import numpy as np
from scipy import sparse

# Thresholds, chosen on the labelled check set (tests/fixtures/nlp/duplicate_pairs.json: 248
# pairs from hot_messages.csv; bench/similar.py prints precision and recall per threshold).
# Rule: the lowest multiple of 0.05 whose precision on that kind of pair is at least 0.95.
# Repeats (same reporter, 106 pairs): 0.15 gives precision 0.985, recall 0.956.
REPEAT_MIN_SCORE = 0.15
# Duplicates (other reporters, 142 pairs): the rule gives 0.10 (precision 0.958), but the
# platform compares a ticket with the other tickets of its own community, and there the
# hardest negatives of the check set (another problem at the same place) score 0.12-0.22;
# one step up, 0.15 gives precision 0.983, recall 0.855.
DUPLICATE_MIN_SCORE = 0.15
# Suggested answers: the highest threshold that keeps every suggestion judged "same matter"
# in the hand-judged sample (tests/fixtures/nlp/answer_sample.json; the lowest scored 0.074).
ANSWER_MIN_SCORE = 0.07

# Longer texts are cut: tickets are short, and a pasted document must not cost a query more
# than a long ticket does.
MAX_TEXT_CHARS = 3000

_KEY_SHIFT = 21  # code points fit in 21 bits: a bigram key is (first << 21) | second
_DOC_SHIFT = 2 * _KEY_SHIFT
_KEY_MASK = (1 << _DOC_SHIFT) - 1
_FEATURE_CHUNK = 20_000  # texts featurised per numpy pass in bulk adds


@dataclass(frozen=True)
class Match:
    """A similar document: its id and a score in [0, 1], higher = more similar (module doc)."""

    id: int
    score: float


def _char_tables() -> tuple[np.ndarray, np.ndarray]:
    """Lookup tables over all code points: the character after NFKC and lower-casing (when that
    is one character: full-width letters and punctuation, compatibility ideographs), and
    whether it is a word character (letter, digit, CJK ideograph).

    Mapping code points with a table costs nothing per text, where unicodedata.normalize
    would double the time of a bulk load."""
    points = [p for p in range(1, 0x10000) if not 0xD800 <= p < 0xE000]  # no NUL, no surrogates
    normals = unicodedata.normalize("NFKC", "\0".join(map(chr, points))).lower().split("\0")
    single = [(p, ord(n)) for p, n in zip(points, normals) if len(n) == 1]
    folded = np.arange(0x110000, dtype=np.uint32)
    folded[[p for p, _ in single]] = [n for _, n in single]
    is_word = np.zeros(0x110000, dtype=bool)
    is_word[points] = [chr(p).isalnum() for p in points]
    is_word[0x20000:0x323B0] = True  # CJK extension planes B-H
    return folded, is_word


_FOLDED, _WORD_CHAR = _char_tables()


def _clean(text) -> str:
    """Cut to MAX_TEXT_CHARS; non-text -> ''; "\0" is the separator of a batch.  Excel exports
    of hotline records spell a carriage return "_x000D_": its bigrams would make every such
    record look alike."""
    if not isinstance(text, str):
        return ""
    return text[:MAX_TEXT_CHARS].replace("\0", " ").replace("_x000D_", " ").replace("_x000d_", " ")


def _bigram_keys(texts: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(position of the text in `texts`, bigram key, count) triples, unique per text and key,
    sorted by text then key."""
    joined = "\0".join(_clean(t) for t in texts) + "\0"
    points = _FOLDED[np.frombuffer(joined.encode("utf-32-le", "replace"), dtype=np.uint32)]
    is_word = _WORD_CHAR[points]
    starts = np.flatnonzero(is_word[:-1] & is_word[1:])
    # "\0" separates the texts and is no word character, so no bigram spans two texts.
    text_of = np.cumsum(points == 0)[starts]
    keys = (points[starts].astype(np.int64) << _KEY_SHIFT) | points[starts + 1]
    packed, counts = np.unique((text_of << _DOC_SHIFT) | keys, return_counts=True)
    return packed >> _DOC_SHIFT, packed & _KEY_MASK, np.minimum(counts, 255).astype(np.uint8)


def _tf_weight(counts: np.ndarray) -> np.ndarray:
    """Sublinear term frequency: a bigram said three times counts about twice, not three times."""
    return 1.0 + np.log(counts, dtype=np.float32)


def _idf(df: np.ndarray | int, n_docs: int):
    return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0


class _Buffer:
    """A growable 1-D numpy array (amortised O(1) append)."""

    def __init__(self, dtype, values=()):
        self.data = np.asarray(values, dtype=dtype)
        self.size = len(self.data)

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=self.data.dtype)
        end = self.size + len(values)
        if end > len(self.data):
            # Grow by a quarter: the forward index of a million tickets is hundreds of MB.
            grown = np.empty(max(end, len(self.data) + len(self.data) // 4, 1024), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : end] = values
        self.size = end

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.size]

    def replace(self, values) -> None:
        self.data = np.ascontiguousarray(values, dtype=self.data.dtype)
        self.size = len(self.data)


class _Vocabulary:
    """Bigram key -> dense term id (int32).

    Sorted arrays hold the bulk; keys first seen in small adds go to a dict until merge(), so
    adding one ticket does not copy the arrays."""

    BULK = 1000  # more new keys than this are merged into the arrays at once

    def __init__(self):
        self.sorted_keys = np.empty(0, dtype=np.int64)
        self.sorted_ids = np.empty(0, dtype=np.int32)
        self.recent: dict[int, int] = {}
        self.size = 0

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Term ids of `keys`, -1 for keys never seen."""
        ids = np.full(len(keys), -1, dtype=np.int32)
        if len(self.sorted_keys):
            pos = np.minimum(np.searchsorted(self.sorted_keys, keys), len(self.sorted_keys) - 1)
            found = self.sorted_keys[pos] == keys
            ids[found] = self.sorted_ids[pos[found]]
        if self.recent:
            for i in np.flatnonzero(ids < 0):
                ids[i] = self.recent.get(int(keys[i]), -1)
        return ids

    def assign(self, keys: np.ndarray) -> np.ndarray:
        """Term ids of `keys`, creating ids for new keys."""
        ids = self.lookup(keys)
        unknown = ids < 0
        if not unknown.any():
            return ids
        new_keys = np.unique(keys[unknown])
        new_ids = np.arange(self.size, self.size + len(new_keys), dtype=np.int32)
        self.size += len(new_keys)
        if len(new_keys) > self.BULK:
            self._insert(new_keys, new_ids)
        else:
            self.recent.update(zip(new_keys.tolist(), new_ids.tolist()))
        ids[unknown] = new_ids[np.searchsorted(new_keys, keys[unknown])]
        return ids

    def merge(self) -> None:
        if self.recent:
            keys = np.fromiter(self.recent.keys(), dtype=np.int64, count=len(self.recent))
            ids = np.fromiter(self.recent.values(), dtype=np.int32, count=len(self.recent))
            order = np.argsort(keys)
            self.recent = {}
            self._insert(keys[order], ids[order])

    def _insert(self, keys: np.ndarray, ids: np.ndarray) -> None:
        at = np.searchsorted(self.sorted_keys, keys)
        self.sorted_keys = np.insert(self.sorted_keys, at, keys)
        self.sorted_ids = np.insert(self.sorted_ids, at, ids)


@dataclass
class _Query:
    terms: np.ndarray  # sorted term ids of the query that the vocabulary knows
    weights: np.ndarray  # query weight * idf of those terms: times a document's weight, a dot term
    norm: float  # over all query bigrams, known or not


@dataclass
class _Filters:
    group: int | None = None
    key: int | None = None
    exclude_key: int | None = None
    since: float | None = None
    until: float | None = None
    exclude_rows: np.ndarray | None = None

    @property
    def by_time(self) -> bool:
        return self.since is not None or self.until is not None

    @property
    def empty(self) -> bool:
        return (self.group is None and self.key is None and self.exclude_key is None and not self.by_time
                and (self.exclude_rows is None or not len(self.exclude_rows)))


class _SortedColumn:
    """Rows of the compacted part sorted by one column (then by time), for range look-ups."""

    def __init__(self, values: np.ndarray, times: np.ndarray | None = None):
        order = np.lexsort((times, values)) if times is not None else np.argsort(values, kind="stable")
        self.rows = order.astype(np.int32)
        self.values = values[self.rows]
        self.times = times[self.rows] if times is not None else None

    def rows_equal(self, value, since=None, until=None) -> np.ndarray:
        lo, hi = np.searchsorted(self.values, value, "left"), np.searchsorted(self.values, value, "right")
        if self.times is not None:
            lo, hi = self._time_bounds(self.times[lo:hi], since, until, lo)
        return self.rows[lo:hi]

    def rows_between(self, since=None, until=None) -> np.ndarray:
        lo, hi = self._time_bounds(self.values, since, until, 0)
        return self.rows[lo:hi]

    @staticmethod
    def _time_bounds(times, since, until, offset):
        lo = np.searchsorted(times, since, "left") if since is not None else 0
        hi = np.searchsorted(times, until, "right") if until is not None else len(times)
        return offset + lo, offset + hi


class TextIndex:
    """In-memory index of short Chinese texts with per-document metadata for filtering.

    Thread-safe (one lock).  Parameters:
      postings_budget  postings read per unfiltered query at most (bounds its cost)
      tail_cap         most recent rows read from one common term's postings
      exact_limit      filters leaving at most this many rows are scored exhaustively
      rescore          candidates re-scored exactly after the postings pass
      delta_rows       compact when rows added or removed since the last compaction exceed
                       max(delta_rows, delta_share * len(index)); until the first compaction
                       every bigram weighs the same (there are no document frequencies yet)
    """

    def __init__(self, *, postings_budget: int = 60_000, tail_cap: int = 5_000, exact_limit: int = 3_000,
                 rescore: int = 1_500, delta_rows: int = 1_000, delta_share: float = 0.05):
        self.postings_budget = postings_budget
        self.tail_cap = tail_cap
        self.exact_limit = exact_limit
        self.rescore = rescore
        self.delta_rows = delta_rows
        self.delta_share = delta_share
        self._lock = threading.RLock()
        self._vocab = _Vocabulary()
        # Per row (a row is one version of a document; replacing an id adds a row).
        self._ids = _Buffer(np.int64)
        self._groups = _Buffer(np.int32)
        self._keys = _Buffer(np.int64)
        self._times = _Buffer(np.float64)
        self._norms = _Buffer(np.float32)
        self._alive = _Buffer(bool)
        self._row_start = _Buffer(np.int64, [0])  # forward index: terms of row r are
        self._row_terms = _Buffer(np.int32)  # _row_terms[_row_start[r]:_row_start[r + 1]]
        self._row_counts = _Buffer(np.uint8)  # and how often each occurs (capped at 255)
        self._live_count = 0
        self._dead_count = 0
        # The compacted part: rows [0, _main_rows) and their postings.
        self._main_rows = 0
        self._idf = np.empty(0, dtype=np.float32)  # frozen at compaction, per term id
        self._idf_unseen = float(_idf(0, 0))  # idf of terms unknown at the last compaction
        self._post_start = np.zeros(1, dtype=np.int64)
        self._post_rows = np.empty(0, dtype=np.int32)
        self._by_id = _SortedColumn(np.empty(0, dtype=np.int64))
        self._by_key = _SortedColumn(np.empty(0, dtype=np.int64))
        self._by_group = _SortedColumn(np.empty(0, dtype=np.int32), np.empty(0))
        self._by_time = _SortedColumn(np.empty(0))
        # Rows added since: per-term row arrays and an id -> row map.
        self._delta_postings: dict[int, array] = {}
        self._delta_ids: dict[int, int] = {}
        self._weight_table = np.zeros(0, dtype=np.float64)  # see _query_weights
        self._partial = np.zeros(0, dtype=np.float32)  # see _partial_scores
        self._weight_table_terms = np.empty(0, dtype=np.int32)

    def __len__(self) -> int:
        return self._live_count

    # ----------------------------------------------------------------- writing

    def add(self, ids, texts, *, groups=None, keys=None, times=None) -> None:
        """Add documents; an id already present is replaced.  `texts` may be any iterable
        (it is read in chunks, so a generator keeps a bulk load lean); groups and keys are
        ints (-1 unknown), times epoch seconds (NaN unknown)."""
        if isinstance(texts, str):
            raise TypeError("texts must be an iterable of str, not one str")
        ids = np.asarray(ids, dtype=np.int64).ravel()
        n = len(ids)
        groups = self._column(groups, n, np.int32, -1)
        keys = self._column(keys, n, np.int64, -1)
        times = self._column(times, n, np.float64, np.nan)
        if n == 0:
            return
        with self._lock:
            first_row = self._ids.size
            self._append_rows(ids, texts)
            self._kill_rows(self._rows_of_ids(ids))
            self._ids.extend(ids)
            self._groups.extend(groups)
            self._keys.extend(keys)
            self._times.extend(times)
            self._alive.extend(np.ones(n, dtype=bool))
            self._live_count += n
            self._keep_last_of_repeated_ids(ids, first_row)
            if self._delta_is_large():
                self.compact()
            else:
                self._index_delta(first_row)

    def remove(self, ids) -> None:
        """Remove documents by id; unknown ids are ignored."""
        ids = np.asarray(ids, dtype=np.int64).ravel()
        with self._lock:
            self._kill_rows(self._rows_of_ids(ids))
            if self._delta_is_large():
                self.compact()

    def compact(self) -> None:
        """Fold added rows into the postings, drop removed rows, refresh idf and norms.

        add() and remove() call it when the delta grows large; the platform may also call it
        from a periodic job.  Takes seconds at a million documents and blocks queries meanwhile."""
        with self._lock:
            self._drop_dead_rows()
            self._vocab.merge()
            self._refresh_idf_and_norms()
            self._build_postings()
            self._build_sorted_columns()

    @staticmethod
    def _column(values, n, dtype, missing) -> np.ndarray:
        if values is None:
            return np.full(n, missing, dtype=dtype)
        column = np.asarray(values, dtype=dtype).ravel()
        if len(column) != n:
            raise ValueError("groups, keys and times need one value per id")
        return column

    def _append_rows(self, ids: np.ndarray, texts) -> None:
        """Append the forward index and norms of `texts` (add() appends the metadata).

        All chunks are featurised before anything is appended, so a failure leaves the index
        as it was, and a bulk load grows the forward arrays once."""
        terms, occurrences, lengths, norms = [], [], [], []
        texts = iter(texts)
        for start in range(0, len(ids), _FEATURE_CHUNK):
            size = min(_FEATURE_CHUNK, len(ids) - start)
            chunk = list(itertools.islice(texts, size))
            if len(chunk) != size:
                raise ValueError("fewer texts than ids")
            text_of, keys, counts = _bigram_keys(chunk)
            terms.append(self._vocab.assign(keys))
            occurrences.append(counts)
            lengths.append(np.bincount(text_of, minlength=size))
            weights = _tf_weight(counts) * self._term_idf(terms[-1])
            norms.append(np.sqrt(np.bincount(text_of, weights=weights**2, minlength=size)))
        self._row_terms.extend(np.concatenate(terms))
        self._row_counts.extend(np.concatenate(occurrences))
        self._row_start.extend(self._row_start.view[-1] + np.cumsum(np.concatenate(lengths)))
        self._norms.extend(np.concatenate(norms))

    def _keep_last_of_repeated_ids(self, ids: np.ndarray, first_row: int) -> None:
        """Within one add(), a repeated id keeps its last text."""
        unique, last_from_end = np.unique(ids[::-1], return_index=True)
        if len(unique) < len(ids):
            keep = np.zeros(len(ids), dtype=bool)
            keep[len(ids) - 1 - last_from_end] = True
            self._kill_rows(first_row + np.flatnonzero(~keep))

    def _delta_is_large(self) -> bool:
        changed = self._ids.size - self._main_rows + self._dead_count
        return changed > max(self.delta_rows, self.delta_share * self._live_count)

    def _index_delta(self, first_row: int) -> None:
        """Postings and id map for rows [first_row, end) until the next compaction."""
        rows = np.arange(first_row, self._ids.size, dtype=np.int32)
        for row in rows[self._alive.view[first_row:]]:
            self._delta_ids[int(self._ids.data[row])] = int(row)
        starts = self._row_start.view
        terms = self._row_terms.view[starts[first_row]:]
        owners = np.repeat(rows, np.diff(starts[first_row:]))
        if not len(terms):
            return
        order = np.argsort(terms, kind="stable")
        terms, owners = terms[order], owners[order]
        bounds = np.flatnonzero(np.diff(terms)) + 1
        for term, chunk in zip(terms[np.r_[0, bounds]].tolist(), np.split(owners, bounds)):
            self._delta_postings.setdefault(term, array("i")).frombytes(chunk.tobytes())

    def _rows_of_ids(self, ids: np.ndarray) -> np.ndarray:
        """Live rows holding these ids."""
        rows = []
        by_id = self._by_id
        if len(by_id.values):
            pos = np.minimum(np.searchsorted(by_id.values, ids), len(by_id.values) - 1)
            rows.append(by_id.rows[pos[by_id.values[pos] == ids]])
        if self._delta_ids:
            rows.append(np.array([self._delta_ids[i] for i in ids.tolist() if i in self._delta_ids], dtype=np.int64))
        rows = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
        return rows[self._alive.view[rows]] if len(rows) else rows

    def _kill_rows(self, rows: np.ndarray) -> None:
        rows = np.unique(rows)
        rows = rows[self._alive.view[rows]]
        self._alive.data[rows] = False
        self._live_count -= len(rows)
        self._dead_count += len(rows)
        for row in rows[rows >= self._main_rows].tolist():
            self._delta_ids.pop(int(self._ids.data[row]), None)

    def _drop_dead_rows(self) -> None:
        keep = self._alive.view.copy()
        if keep.all():
            return
        lengths = np.diff(self._row_start.view)
        kept_terms = np.repeat(keep, lengths)
        self._row_terms.replace(self._row_terms.view[kept_terms])
        self._row_counts.replace(self._row_counts.view[kept_terms])
        self._row_start.replace(np.r_[0, np.cumsum(lengths[keep])])
        for column in (self._ids, self._groups, self._keys, self._times, self._norms, self._alive):
            column.replace(column.view[keep])
        self._dead_count = 0

    def _refresh_idf_and_norms(self) -> None:
        terms, starts = self._row_terms.view, self._row_start.view
        n_rows = self._ids.size
        df = np.bincount(terms, minlength=self._vocab.size)
        self._idf = _idf(df, n_rows).astype(np.float32)
        self._idf_unseen = float(_idf(0, n_rows))
        idf = self._idf.astype(np.float64)
        norms = np.empty(n_rows, dtype=np.float32)
        step = 100_000  # rows per pass: keeps the float64 temporaries small
        for lo in range(0, n_rows, step):
            hi = min(lo + step, n_rows)
            span = slice(starts[lo], starts[hi])
            weights = _tf_weight(self._row_counts.view[span]) * idf[terms[span]]
            sums = np.r_[0.0, np.cumsum(weights**2)]
            norms[lo:hi] = np.sqrt(sums[starts[lo + 1:hi + 1] - starts[lo]] - sums[starts[lo:hi] - starts[lo]])
        self._norms.replace(norms)

    def _build_postings(self) -> None:
        """Transpose the forward index (rows x terms) into postings (terms x rows)."""
        self._post_rows = np.empty(0, dtype=np.int32)  # free the old lists first
        terms, starts = self._row_terms.view, self._row_start.view
        index_type = np.int32 if len(terms) < 2**31 else np.int64
        rows_by_terms = sparse.csr_matrix((np.ones(len(terms), dtype=bool), terms, starts.astype(index_type)),
                                          shape=(self._ids.size, self._vocab.size))
        terms_by_rows = rows_by_terms.tocsc()  # row ids come out sorted within each term
        self._post_start = terms_by_rows.indptr.astype(np.int64)
        self._post_rows = terms_by_rows.indices.astype(np.int32, copy=False)
        self._main_rows = self._ids.size
        self._delta_postings = {}
        self._delta_ids = {}

    def _build_sorted_columns(self) -> None:
        times = self._times.view
        self._by_id = _SortedColumn(self._ids.view)
        self._by_key = _SortedColumn(self._keys.view)
        self._by_group = _SortedColumn(self._groups.view, times)
        self._by_time = _SortedColumn(times)

    def _term_idf(self, terms: np.ndarray) -> np.ndarray:
        """Frozen idf of term ids; terms new since the last compaction weigh as never seen."""
        known = (terms >= 0) & (terms < len(self._idf))
        idf = np.full(len(terms), self._idf_unseen, dtype=np.float64)
        idf[known] = self._idf[terms[known]]
        return idf

    # ----------------------------------------------------------------- reading

    def query(self, text, *, k: int = 10, min_score: float = 0.0, group=None, key=None, exclude_key=None,
              since=None, until=None, exclude_ids=(), exhaustive: bool = False) -> list[Match]:
        """The k documents most similar to `text` that pass every filter, best first.

        group / key: only documents with this group / key (unknown, -1, never matches);
        exclude_key: not those with this key; since / until: time within [since, until];
        exclude_ids: not these ids.  Only scores > 0 and >= min_score are returned.
        exhaustive=True scores every row (slow): a yardstick for the pruned search."""
        if k <= 0:
            return []
        with self._lock:
            prepared = self._prepare(text)
            if prepared is None:
                return []
            excluded = self._rows_of_ids(np.asarray(exclude_ids, dtype=np.int64).ravel())
            filters = _Filters(group, key, exclude_key, since, until, excluded)
            if exhaustive:
                return self._exhaustive(prepared, filters, k, min_score)
            rows = self._few_rows_by_filters(filters)
            if rows is not None:
                rows = rows[self._passes(rows, filters)]
            else:
                rows = self._candidates(prepared, filters, max(self.rescore, k))
            scores = self._exact_scores(rows, prepared)
            return self._best(rows, scores, k, min_score)

    def memory_bytes(self) -> int:
        """Bytes held by the index's arrays (Python objects of the delta not counted)."""
        arrays = [self._idf, self._post_start, self._post_rows, self._vocab.sorted_keys, self._vocab.sorted_ids,
                  self._weight_table, self._partial]
        arrays += [column.data for column in (self._ids, self._groups, self._keys, self._times, self._norms,
                                              self._alive, self._row_start, self._row_terms, self._row_counts)]
        for column in (self._by_id, self._by_key, self._by_group, self._by_time):
            arrays += [column.rows, column.values] + ([column.times] if column.times is not None else [])
        return sum(a.nbytes for a in arrays)

    def similarity(self, a, b) -> float:
        """The score of two texts under this index's idf."""
        with self._lock:
            return _cosine(a, b, lambda keys: self._term_idf(self._vocab.lookup(keys)))

    def _prepare(self, text) -> _Query | None:
        _, keys, counts = _bigram_keys([text])
        if not len(keys):
            return None
        terms = self._vocab.lookup(keys)
        idf = self._term_idf(terms)
        weights = _tf_weight(counts) * idf
        known = terms >= 0
        if not known.any():  # no document has any of its bigrams
            return None
        order = np.argsort(terms[known])
        return _Query(terms[known][order], (weights * idf)[known][order], float(np.sqrt((weights**2).sum())))

    def _few_rows_by_filters(self, filters: _Filters) -> np.ndarray | None:
        """Rows that the selective filters allow, if they are few enough to score them all.

        Of key, group (+ time) and time alone, the narrowest look-up wins; _passes() then
        applies every filter to those rows."""
        options = []
        if filters.key is not None:
            options.append((self._by_key.rows_equal(filters.key), self._keys.view, filters.key))
        if filters.group is not None:
            options.append((self._by_group.rows_equal(filters.group, filters.since, filters.until),
                            self._groups.view, filters.group))
        if filters.by_time and not options:
            options.append((self._by_time.rows_between(filters.since, filters.until), None, None))
        if not options:
            return None
        main_rows, column, value = min(options, key=lambda option: len(option[0]))
        delta_rows = np.arange(self._main_rows, self._ids.size)
        if column is not None:
            delta_rows = delta_rows[column[self._main_rows:] == value]
        if len(main_rows) + len(delta_rows) > self.exact_limit:
            return None
        return np.concatenate([main_rows, delta_rows])

    def _passes(self, rows: np.ndarray, filters: _Filters) -> np.ndarray:
        """Mask of rows that are alive and pass every filter."""
        ok = self._alive.view[rows].copy()
        if filters.group is not None:
            ok &= (self._groups.view[rows] == filters.group) & (filters.group != -1)
        if filters.key is not None:
            ok &= (self._keys.view[rows] == filters.key) & (filters.key != -1)
        if filters.exclude_key is not None and filters.exclude_key != -1:
            ok &= self._keys.view[rows] != filters.exclude_key
        if filters.by_time:
            times = self._times.view[rows]
            if filters.since is not None:
                ok &= times >= filters.since
            if filters.until is not None:
                ok &= times <= filters.until
        if filters.exclude_rows is not None and len(filters.exclude_rows):
            ok &= ~np.isin(rows, filters.exclude_rows)
        return ok

    def _candidates(self, query: _Query, filters: _Filters, limit: int) -> np.ndarray:
        """Rows worth an exact score: the `limit` best by a partial score over the cheapest postings."""
        partial = self._partial_scores()
        touched, spent = [], 0
        try:
            for term, weight in self._terms_rarest_first(query):
                for rows in self._postings_tail(term):
                    partial[rows] += weight  # rows are unique within one term: no np.add.at needed
                    touched.append(rows)
                    spent += len(rows)
                if spent >= self.postings_budget:
                    break
            if not touched:
                return np.empty(0, dtype=np.int64)
            rows, scores = self._distinct(np.concatenate(touched), partial)
        finally:
            if touched:
                partial[np.concatenate(touched)] = 0
        if self._dead_count or not filters.empty:
            keep = self._passes(rows, filters)
            rows, scores = rows[keep], scores[keep]
        return rows[_top(scores / np.maximum(self._norms.view[rows], 1e-9), rows, limit)]

    def _partial_scores(self) -> np.ndarray:
        """A zeroed float per row, reused by every query (under the lock) and zeroed again by
        _candidates: a fresh array per query costs a page fault per 4 KB on first touch."""
        if len(self._partial) < self._ids.size:
            self._partial = np.zeros(self._ids.size + self._ids.size // 4, dtype=np.float32)
        return self._partial

    @staticmethod
    def _distinct(rows: np.ndarray, partial: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row of `rows` once, with its partial score; costs O(len(rows)), where
        np.unique would sort and np.flatnonzero(partial) would scan every row of the index."""
        if len(rows) >= 2**24:  # float32 positions would no longer be exact
            rows = np.unique(rows)
            return rows, partial[rows]
        scores = partial[rows]
        positions = np.arange(len(rows), dtype=np.float32)
        partial[rows] = positions  # of repeated rows one write wins, whichever: it alone matches
        first = partial[rows] == positions
        return rows[first], scores[first]

    def _terms_rarest_first(self, query: _Query):
        main = query.terms < len(self._post_start) - 1
        df = np.zeros(len(query.terms), dtype=np.int64)
        df[main] = self._post_start[query.terms[main] + 1] - self._post_start[query.terms[main]]
        if self._delta_postings:
            df += [len(self._delta_postings.get(term, ())) for term in query.terms.tolist()]
        order = np.argsort(df, kind="stable")
        return zip(query.terms[order].tolist(), query.weights[order].tolist())

    def _postings_tail(self, term: int) -> list[np.ndarray]:
        """The tail_cap most recent rows of one term: its delta rows, then compacted ones."""
        tails = []
        delta = self._delta_postings.get(term)
        if delta is not None:
            tails.append(np.array(delta[-self.tail_cap:], dtype=np.int32))
        room = self.tail_cap - sum(len(tail) for tail in tails)
        if term < len(self._post_start) - 1 and room > 0:
            lo, hi = self._post_start[term], self._post_start[term + 1]
            tails.append(self._post_rows[max(lo, hi - room):hi])
        return tails

    def _exact_scores(self, rows: np.ndarray, query: _Query) -> np.ndarray:
        """Cosine of the query with each row, from the forward index."""
        if not len(rows) or not len(query.terms):
            return np.zeros(len(rows))
        starts = self._row_start.data[rows]
        lengths = self._row_start.data[rows + 1] - starts
        ends = np.cumsum(lengths)
        offsets = np.arange(ends[-1]) + np.repeat(starts - (ends - lengths), lengths)
        weights = self._query_weights(query)[self._row_terms.data[offsets]]
        hit = np.flatnonzero(weights)  # the few entries that share a term with the query
        products = weights[hit] * _tf_weight(self._row_counts.data[offsets[hit]])
        owner = np.searchsorted(ends, hit, "right")
        dots = np.bincount(owner, weights=products, minlength=len(rows))
        norms = self._norms.view[rows].astype(np.float64) * query.norm
        return np.divide(dots, norms, out=np.zeros(len(rows)), where=norms > 0)

    def _query_weights(self, query: _Query) -> np.ndarray:
        """A table over all term ids holding the query's weights, zero elsewhere.

        One table is kept and reused (under the lock): looking a document's terms up in it is
        several times faster than searching the query's sorted terms."""
        if len(self._weight_table) < self._vocab.size:
            self._weight_table = np.zeros(self._vocab.size + self._vocab.size // 4, dtype=np.float64)
        self._weight_table[self._weight_table_terms] = 0
        self._weight_table[query.terms] = query.weights
        self._weight_table_terms = query.terms
        return self._weight_table

    def _exhaustive(self, query: _Query, filters: _Filters, k: int, min_score: float) -> list[Match]:
        best_rows, best_scores = [], []
        for lo in range(0, self._ids.size, 100_000):  # bounded temporaries
            rows = np.arange(lo, min(lo + 100_000, self._ids.size))
            rows = rows[self._passes(rows, filters)]
            scores = self._exact_scores(rows, query)
            top = _top(scores, rows, k)  # the tie rule of _best
            best_rows.append(rows[top])
            best_scores.append(scores[top])
        return self._best(np.concatenate(best_rows), np.concatenate(best_scores), k, min_score)

    def _best(self, rows: np.ndarray, scores: np.ndarray, k: int, min_score: float) -> list[Match]:
        scores = np.minimum(scores, 1.0)  # float rounding can exceed 1 by an ulp
        keep = (scores > 0) & (scores >= min_score)
        rows, scores = rows[keep], scores[keep]
        top = _top(scores, rows, k)  # a partition first: sorting every candidate costs more
        rows, scores = rows[top], scores[top]
        order = np.lexsort((-rows, -scores))  # ties: the most recent first
        ids = self._ids.view[rows[order]]
        return [Match(int(i), round(float(s), 6)) for i, s in zip(ids, scores[order])]


def _top(values: np.ndarray, rows: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the `limit` highest values; among equal values those of the most recent
    (highest) rows, as in the final ranking, so that many equal texts do not crowd out the
    newest."""
    if len(values) <= limit:
        return np.arange(len(values))
    cutoff = np.partition(values, len(values) - limit)[len(values) - limit]
    above = np.flatnonzero(values > cutoff)
    tied = np.flatnonzero(values == cutoff)
    tied = tied[np.argsort(rows[tied])[len(tied) - (limit - len(above)):]]
    return np.concatenate([above, tied])


def _cosine(a, b, idf_of) -> float:
    """Score of two texts, given a function from bigram keys to their idf."""
    _, keys_a, counts_a = _bigram_keys([a])
    _, keys_b, counts_b = _bigram_keys([b])
    if not len(keys_a) or not len(keys_b):
        return 0.0
    weights_a = _tf_weight(counts_a) * idf_of(keys_a)
    weights_b = _tf_weight(counts_b) * idf_of(keys_b)
    shared_a = np.isin(keys_a, keys_b, assume_unique=True)
    shared_b = np.isin(keys_b, keys_a, assume_unique=True)  # keys are sorted: same order
    dot = (weights_a[shared_a] * weights_b[shared_b]).sum()
    score = dot / np.sqrt((weights_a**2).sum() * (weights_b**2).sum())
    return round(float(min(score, 1.0)), 6)


def similarity(a, b, index: TextIndex | None = None) -> float:
    """The score TextIndex uses (module doc), for explanations and tests.

    With an index, bigrams weigh their idf in that index, exactly as its queries do; without
    one, every bigram weighs the same (what an empty index does)."""
    if index is not None:
        return index.similarity(a, b)
    return _cosine(a, b, lambda keys: np.ones(len(keys)))

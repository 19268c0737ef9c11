"""Chinese text classifier: suggests categories for a citizen's message.

Features, each TF-IDF with sublinear term frequency and its own L2 norm:
  words  jieba words of the first WORD_CHARS characters (segmentation is the cost
         that bounds prediction speed; words further in add nothing measurable),
  body   character unigrams and bigrams of the first MAX_CHARS characters,
  head   character bigrams of the first HEAD_CHARS characters: messages start with
         their title, which says more about the category than the body does.
Model: NB-SVM (Wang & Manning 2012): one linear SVM per label on features scaled by
their naive-Bayes log-count ratio. The scaling folds into the weights, so prediction
is one sparse product. Probabilities: softmax of the SVM scores with one temperature
fitted on a stratified hold-out (temperature scaling, Guo et al. 2017).

On the TipDM 2020 messages (5-fold CV, near-duplicates kept in one fold) this beats
TF-IDF + linear SVM by about two points of macro-F1; see bench/classifier.py.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold, train_test_split
from sklearn.svm import LinearSVC

from shiyu.nlp.text import is_meaningful, normalize, tokens

MAX_CHARS = 3000
WORD_CHARS = 200
HEAD_CHARS = 25
# Weights are one float32 per (label, feature): the feature budget shrinks as labels
# grow so that 150 labels still give a model file well under 50 MB.
COEF_BUDGET = 6_000_000
MAX_FEATURES = 400_000
FEATURE_SHARES = {"words": 0.3, "body": 0.6, "head": 0.1}
ROW_BUDGET = 300_000
MIN_ROWS = 3000

FORMAT_NAME = "shiyu-text-classifier"
# Bump when features or file layout change: old files then fail to load loudly.
FORMAT_VERSION = 1
MAX_HEADER_BYTES = 4 * 1024 * 1024
DUPLICATE_SIMILARITY = 0.8

DEFAULT_PARAMS = {"C": 1.0, "alpha": 1.0, "min_df": 1, "seed": 0, "n_jobs": 2}

_NOT_WORD = re.compile(r"[\W_]+")
_UNICODE_SIZE = 0x110000
# Bigram ids stay below 2**41 (0x110001 * 0x110000), leaving the high bits for a row number.
_ID_BITS = 41
_ID_MASK = np.uint64(2**_ID_BITS - 1)


class ModelError(Exception):
    """A model file that cannot be used: missing, corrupt, truncated, or of another version."""


class DataError(Exception):
    """Training or evaluation data that cannot be used, with what is wrong with it."""


@dataclass(frozen=True)
class Suggestion:
    label: str
    probability: float


@dataclass(frozen=True)
class _Doc:
    chars: str  # letters and digits only, as the training texts were written
    words: list[str]


def _prepare(text: str) -> _Doc:
    # Cut before normalising too, so a 50,000-character paste costs no more than a letter.
    normalized = normalize(text[: 2 * MAX_CHARS])[:MAX_CHARS]
    return _Doc(chars=_NOT_WORD.sub("", normalized), words=tokens(normalized[:WORD_CHARS]))


def _prepare_all(texts, progress=None) -> list[_Doc]:
    docs = []
    for i, text in enumerate(texts):
        docs.append(_prepare(text))
        if progress and (i % 500 == 0 or i == len(texts) - 1):
            progress("segment", i + 1, len(texts))
    return docs


# ---------------------------------------------------------------- features

def _tfidf(rows: np.ndarray, cols: np.ndarray, n_features: int, idf: np.ndarray):
    """Sublinear TF-IDF (rows, cols, values), L2-normalised per row, from occurrence pairs."""
    keys, counts = np.unique(rows.astype(np.int64) * n_features + cols, return_counts=True)
    return _tfidf_from_counts(keys // n_features, keys % n_features, counts, idf)


def _tfidf_from_counts(rows, cols, counts, idf: np.ndarray):
    """The same from distinct (row, column) pairs sorted by row."""
    values = ((1 + np.log(counts)) * idf[cols]).astype(np.float32)
    norms = np.sqrt(np.bincount(rows, weights=values * values))
    values /= np.where(norms > 0, norms, 1)[rows]
    return rows, cols, values


def _idf(document_frequency: np.ndarray, n_docs: int) -> np.ndarray:
    return (np.log((1 + n_docs) / (1 + document_frequency)) + 1).astype(np.float32)


def _keep_frequent(document_frequency: np.ndarray, min_df: int, max_features: int) -> np.ndarray:
    """Indices of the features to keep, most frequent first; ties keep their order."""
    frequent = np.flatnonzero(document_frequency >= min_df)
    order = np.argsort(-document_frequency[frequent], kind="stable")
    return np.sort(frequent[order[:max_features]])


class _CharNgrams:
    """Character n-grams as integer ids (code points), vectorised with numpy.

    sklearn's char analyzer builds every n-gram as a Python string and looks each up
    in a dict, which alone would cost half of the prediction-time budget.
    """

    def __init__(self, orders: tuple[int, ...], max_chars: int, ids=None, idf=None):
        self.orders, self.max_chars, self.ids, self.idf = orders, max_chars, ids, idf

    def _ngram_ids(self, text: str) -> np.ndarray:
        codes = np.frombuffer(text[: self.max_chars].encode("utf-32-le"), dtype="<u4").astype(np.uint64)
        parts = []
        if 1 in self.orders:
            parts.append(codes)
        if 2 in self.orders and len(codes) > 1:
            # Offset by one code point so that no bigram id equals a unigram id.
            parts.append((codes[:-1] + 1) * _UNICODE_SIZE + codes[1:])
        return np.concatenate(parts) if parts else codes[:0]

    def fit(self, docs: list[_Doc], *, min_df: int, max_features: int) -> "_CharNgrams":
        per_doc = [np.unique(self._ngram_ids(doc.chars)) for doc in docs]
        ids, df = np.unique(np.concatenate(per_doc), return_counts=True)
        keep = _keep_frequent(df, min_df, max_features)
        self.ids, self.idf = ids[keep], _idf(df[keep], len(docs))
        return self

    def transform(self, docs: list[_Doc]):
        per_doc = [self._ngram_ids(doc.chars) for doc in docs]
        rows = np.repeat(np.arange(len(docs), dtype=np.uint64), [len(ids) for ids in per_doc])
        # One sort counts the n-grams of every document and orders the vocabulary look-ups.
        keys, counts = np.unique((rows << _ID_BITS) | np.concatenate([np.zeros(0, np.uint64), *per_doc]),
                                 return_counts=True)
        ids, rows = keys & _ID_MASK, (keys >> _ID_BITS).astype(np.int64)
        cols = np.searchsorted(self.ids, ids).clip(max=max(len(self.ids) - 1, 0))
        known = self.ids[cols] == ids if len(self.ids) else np.zeros(len(ids), bool)
        return _tfidf_from_counts(rows[known], cols[known], counts[known], self.idf)


class _Words:
    """jieba words; tokens longer than 20 characters are URLs or digit runs, not words."""

    MAX_WORD = 20

    def __init__(self, vocabulary: list[str] | None = None, idf=None):
        self.vocabulary = vocabulary
        self.index = {word: i for i, word in enumerate(vocabulary or ())}
        self.idf = idf

    def fit(self, docs: list[_Doc], *, min_df: int, max_features: int) -> "_Words":
        df: dict[str, int] = {}
        for doc in docs:
            for word in set(doc.words):
                if len(word) <= self.MAX_WORD:
                    df[word] = df.get(word, 0) + 1
        words = sorted(df)
        frequency = np.array([df[w] for w in words], dtype=np.int64)
        keep = _keep_frequent(frequency, min_df, max_features)
        self.vocabulary = [words[i] for i in keep]
        self.index = {word: i for i, word in enumerate(self.vocabulary)}
        self.idf = _idf(frequency[keep], len(docs))
        return self

    def transform(self, docs: list[_Doc]):
        rows, cols = [], []
        for row, doc in enumerate(docs):
            for word in doc.words:
                col = self.index.get(word)
                if col is not None:
                    rows.append(row)
                    cols.append(col)
        return _tfidf(np.array(rows, np.int64), np.array(cols, np.int64), len(self.idf), self.idf)


def _new_feature_blocks():
    return {"words": _Words(), "body": _CharNgrams((1, 2), MAX_CHARS), "head": _CharNgrams((2,), HEAD_CHARS)}


def _fit_features(docs: list[_Doc], n_labels: int, min_df: int) -> dict:
    total = min(MAX_FEATURES, COEF_BUDGET // n_labels)
    blocks = _new_feature_blocks()
    for name, block in blocks.items():
        block.fit(docs, min_df=min_df, max_features=int(total * FEATURE_SHARES[name]))
    return blocks


def _transform(blocks: dict, docs: list[_Doc]) -> sp.csr_matrix:
    """The blocks side by side as one matrix, built once: scipy's per-matrix overhead
    would otherwise dominate a single suggestion."""
    rows, cols, values, offset = [], [], [], 0
    for block in blocks.values():
        block_rows, block_cols, block_values = block.transform(docs)
        rows.append(block_rows)
        cols.append(block_cols + offset)
        values.append(block_values)
        offset += len(block.idf)
    rows = np.concatenate(rows)
    order = np.argsort(rows, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(docs)))])
    return sp.csr_matrix((np.concatenate(values)[order], np.concatenate(cols)[order], indptr),
                         shape=(len(docs), offset))


# ---------------------------------------------------------------- model

def _rows_for_label(y: np.ndarray, k: int, n_labels: int, seed: int) -> np.ndarray:
    """All texts of label k and, with many labels, a random sample of the others.

    One-vs-rest costs one SVM per label over every text: 150 labels x 50,000 texts
    would take minutes. Sampling the negatives bounds the total work at ROW_BUDGET
    rows; with few labels (TipDM: 7) nothing is sampled.
    """
    positives, negatives = np.flatnonzero(y == k), np.flatnonzero(y != k)
    room = max(max(MIN_ROWS, ROW_BUDGET // n_labels) - len(positives), len(positives))
    if len(negatives) > room:
        negatives = np.random.default_rng([seed, k]).choice(negatives, room, replace=False)
    return np.sort(np.concatenate([positives, negatives]))


def _fit_nbsvm(X: sp.csr_matrix, y: np.ndarray, n_labels: int, params: dict, progress=None):
    """One-vs-rest linear SVMs on NB-scaled features; returns (weights, intercepts)."""
    present = X.copy()
    present.data[:] = 1
    one_hot = sp.csr_matrix((np.ones(len(y)), (y, np.arange(len(y)))), shape=(n_labels, len(y)))
    in_label = (one_hot @ present).tocsr()
    in_all = np.asarray(present.sum(axis=0)).ravel()
    alpha = params["alpha"]

    def fit_one(k):
        p = alpha + in_label[k].toarray().ravel()
        q = alpha + in_all - (p - alpha)
        ratio = (np.log(p / p.sum()) - np.log(q / q.sum())).astype(np.float32)
        rows = _rows_for_label(y, k, n_labels, params["seed"])
        scaled = X[rows]
        scaled.data *= ratio[scaled.indices]
        svm = LinearSVC(C=params["C"], class_weight="balanced", random_state=params["seed"])
        svm.fit(scaled, y[rows] == k)
        return svm.coef_[0] * ratio, svm.intercept_[0]

    weights = np.zeros((n_labels, X.shape[1]), np.float32)
    intercepts = np.zeros(n_labels, np.float32)
    # liblinear releases the GIL: threads share X instead of copying it to processes.
    with ThreadPoolExecutor(max_workers=max(1, params["n_jobs"])) as pool:
        for k, (w, b) in enumerate(pool.map(fit_one, range(n_labels))):
            weights[k], intercepts[k] = w, b
            if progress:
                progress("fit", k + 1, n_labels)
    return weights, intercepts


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    return z / z.sum(axis=1, keepdims=True)


def _fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    def negative_log_likelihood(log_t):
        z = scores / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -log_p[np.arange(len(y)), y].mean()

    return math.exp(minimize_scalar(negative_log_likelihood, bounds=(-5, 3), method="bounded").x)


def expected_calibration_error(probabilities: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Mean |accuracy - confidence| of the top label over equal-width confidence bins."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == y
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    gap = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            gap += members.sum() * abs(correct[members].mean() - confidence[members].mean())
    return float(gap / max(len(y), 1))


def _calibrate(X, y, n_labels, params, progress=None) -> tuple[float, dict]:
    """Temperature from a stratified 20% hold-out; 1.0 when the data are too few to hold out.

    The vocabulary and idf were fitted on all documents (they use no labels), so the
    hold-out figures are a hair optimistic; the temperature does not notice.
    """
    counts = np.bincount(y, minlength=n_labels)
    if len(y) < 10 * n_labels or counts.min() < 2:
        return 1.0, {}
    fit_rows, held_rows = train_test_split(
        np.arange(len(y)), test_size=0.2, stratify=y, random_state=params["seed"])
    weights, intercepts = _fit_nbsvm(X[fit_rows], y[fit_rows], n_labels, params, progress)
    scores = X[held_rows] @ weights.T + intercepts
    temperature = _fit_temperature(scores, y[held_rows])
    probabilities = _softmax(scores, temperature)
    predicted = probabilities.argmax(axis=1)
    _, _, f1, _ = precision_recall_fscore_support(y[held_rows], predicted, average="macro", zero_division=0)
    return temperature, {
        "holdout_n": int(len(held_rows)),
        "holdout_accuracy": round(float((predicted == y[held_rows]).mean()), 4),
        "holdout_macro_f1": round(float(f1), 4),
        "holdout_ece": round(expected_calibration_error(probabilities, y[held_rows]), 4),
        "temperature": round(temperature, 4),
    }


# ---------------------------------------------------------------- classifier

def _library_versions() -> dict:
    return {"shiyu_model_format": FORMAT_VERSION, "sklearn": version("scikit-learn"),
            "jieba": version("jieba"), "numpy": np.__version__}


class Classifier:
    """A trained model. Build it with `train` or `Classifier.load`."""

    def __init__(self, labels, blocks, weights, intercepts, temperature, metadata):
        self.labels: list[str] = list(labels)
        self.metadata: dict = metadata
        self._blocks = blocks
        self._weights = np.ascontiguousarray(weights)  # features x labels: the product reads rows
        self._intercepts = intercepts
        self._temperature = float(temperature)

    def _probabilities(self, docs: list[_Doc]) -> np.ndarray:
        scores = _transform(self._blocks, docs) @ self._weights + self._intercepts
        return _softmax(np.asarray(scores, dtype=np.float64), self._temperature)

    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        """The k likeliest labels, likeliest first; [] for text no model can judge."""
        return self.suggest_many([text], k)[0]

    def suggest_many(self, texts: list[str], k: int = 3) -> list[list[Suggestion]]:
        meaningful = [i for i, text in enumerate(texts) if is_meaningful(text)]
        answers: list[list[Suggestion]] = [[] for _ in texts]
        if not meaningful or k <= 0:
            return answers
        probabilities = self._probabilities([_prepare(texts[i]) for i in meaningful])
        top = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
        for row, i in enumerate(meaningful):
            answers[i] = [Suggestion(self.labels[j], float(probabilities[row, j])) for j in top[row]]
        return answers

    def _arrays(self) -> dict:
        words = self._blocks["words"]
        return {
            "weights": self._weights, "intercepts": self._intercepts,
            "temperature": np.array(self._temperature),
            # Words contain no whitespace (tokens drops it), so newline-joined bytes suffice.
            "words": np.frombuffer("\n".join(words.vocabulary).encode("utf-8"), dtype=np.uint8),
            "words_idf": words.idf,
            "body_ids": self._blocks["body"].ids, "body_idf": self._blocks["body"].idf,
            "head_ids": self._blocks["head"].ids, "head_idf": self._blocks["head"].idf,
        }

    def save(self, path) -> None:
        """A JSON header line, then the arrays as .npz (no pickle: loading runs no code)."""
        payload = io.BytesIO()
        np.savez_compressed(payload, **self._arrays())
        payload = payload.getvalue()
        header = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "labels": self.labels,
                  **self.metadata, "payload": {"bytes": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}}
        temporary = f"{path}.tmp{os.getpid()}"
        with open(temporary, "wb") as f:
            f.write(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n")
            f.write(payload)
        os.replace(temporary, path)

    @classmethod
    def load(cls, path) -> "Classifier":
        header, payload = _read_model_file(path)
        try:
            with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
                arrays = dict(arrays)
            words = arrays["words"].tobytes().decode("utf-8")
            blocks = _new_feature_blocks()
            blocks["words"] = _Words(words.split("\n") if words else [], arrays["words_idf"])
            for name in ("body", "head"):
                blocks[name].ids, blocks[name].idf = arrays[f"{name}_ids"], arrays[f"{name}_idf"]
            metadata = {key: header[key] for key in ("trained_at", "libraries", "params", "metrics") if key in header}
            model = cls(header["labels"], blocks, arrays["weights"], arrays["intercepts"],
                        arrays["temperature"], metadata)
        except (KeyError, ValueError, UnicodeDecodeError, OSError, zipfile.BadZipFile) as error:
            raise ModelError(f"{path}: damaged model payload ({error})") from None
        if model._weights.shape != (sum(len(b.idf) for b in blocks.values()), len(model.labels)):
            raise ModelError(f"{path}: damaged model payload (weights do not match labels and features)")
        return model


def _read_model_file(path) -> tuple[dict, bytes]:
    try:
        with open(path, "rb") as f:
            first_line = f.readline(MAX_HEADER_BYTES)
            payload = f.read()
    except OSError as error:
        raise ModelError(f"cannot read model {path}: {error.strerror or error}") from None
    try:
        header = json.loads(first_line)
        if not isinstance(header, dict):
            raise ValueError
    except ValueError:
        raise ModelError(f"{path} is not a Shiyu classifier model file") from None
    if header.get("format") != FORMAT_NAME:
        raise ModelError(f"{path} is not a Shiyu classifier model file")
    _check_versions(path, header)
    expected = header.get("payload", {})
    if len(payload) != expected.get("bytes"):
        raise ModelError(f"{path} is truncated or damaged: {len(payload)} of {expected.get('bytes')} payload bytes")
    if hashlib.sha256(payload).hexdigest() != expected.get("sha256"):
        raise ModelError(f"{path} is damaged: checksum mismatch")
    return header, payload


def _check_versions(path, header: dict) -> None:
    """Format and jieba must match: another jieba cuts words differently, so the
    learnt word weights would silently stop matching. sklearn and numpy are recorded
    but not required to match: the file holds plain arrays, no pickled objects."""
    if header.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{path} has model format version {header.get('format_version')}; this Shiyu "
                         f"reads version {FORMAT_VERSION}: train the model again")
    trained_with = header.get("libraries", {}).get("jieba")
    if trained_with != version("jieba"):
        raise ModelError(f"{path} was trained with jieba {trained_with}; installed is {version('jieba')}: "
                         "train the model again")


# ---------------------------------------------------------------- training

def _check_training_data(texts, labels) -> tuple[list[str], list[str]]:
    texts, labels = list(texts), [str(label) for label in labels]
    if len(texts) != len(labels):
        raise DataError(f"{len(texts)} texts but {len(labels)} labels")
    if not texts:
        raise DataError("no training texts")
    if len(set(labels)) < 2:
        raise DataError("only one label in the data: a classifier needs at least two")
    return texts, labels


def _params(overrides: dict) -> dict:
    unknown = set(overrides) - set(DEFAULT_PARAMS)
    if unknown:
        raise TypeError(f"unknown training parameters: {', '.join(sorted(unknown))}")
    return {**DEFAULT_PARAMS, **overrides}


def _fit(docs: list[_Doc], labels: list[str], params: dict, progress=None) -> Classifier:
    label_set = sorted(set(labels))
    y = np.searchsorted(np.array(label_set), np.array(labels))
    blocks = _fit_features(docs, len(label_set), params["min_df"])
    X = _transform(blocks, docs)
    temperature, metrics = _calibrate(X, y, len(label_set), params, progress)
    weights, intercepts = _fit_nbsvm(X, y, len(label_set), params, progress)
    metadata = {
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "libraries": _library_versions(),
        "params": params,
        "metrics": {"n": len(docs), "support": dict(zip(label_set, map(int, np.bincount(y)))),
                    "features": int(X.shape[1]), **metrics},
    }
    return Classifier(label_set, blocks, weights.T, intercepts, temperature, metadata)


def train(texts, labels, *, progress=None, **params) -> Classifier:
    """Fit a classifier. progress, if given, is called as progress(stage, done, total)."""
    texts, labels = _check_training_data(texts, labels)
    params = _params(params)
    started = time.perf_counter()
    model = _fit(_prepare_all(texts, progress), labels, params, progress)
    model.metadata["metrics"]["train_seconds"] = round(time.perf_counter() - started, 2)
    return model


# ---------------------------------------------------------------- evaluation

def _scores(true: list[str], predicted: list[str | None]) -> dict:
    classes = sorted(set(true))
    predicted = [label if label is not None else "" for label in predicted]
    precision, recall, f1, support = precision_recall_fscore_support(
        true, predicted, labels=classes, zero_division=0)
    return {
        "macro_f1": round(float(np.mean(f1)), 4),
        "accuracy": round(float(np.mean([a == b for a, b in zip(true, predicted)])), 4),
        "per_class": {label: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                              "f1": round(float(f), 4), "support": int(s)}
                      for label, p, r, f, s in zip(classes, precision, recall, f1, support)},
    }


def evaluate(model: Classifier, texts, labels) -> dict:
    """Scores over the labels present in `labels`; a text the model declines counts as wrong."""
    texts, labels = list(texts), [str(label) for label in labels]
    if len(texts) != len(labels) or not texts:
        raise DataError(f"{len(texts)} texts and {len(labels)} labels: need as many of each, at least one")
    started = time.perf_counter()
    suggestions = model.suggest_many(texts, k=1)
    seconds = time.perf_counter() - started
    predicted = [s[0].label if s else None for s in suggestions]
    return {**_scores(labels, predicted), "n": len(texts),
            "docs_per_second": round(len(texts) / max(seconds, 1e-9), 1)}


def duplicate_groups(texts, similarity: float = DUPLICATE_SIMILARITY) -> np.ndarray:
    """A group id per text; texts whose character-trigram TF-IDF cosine reaches
    `similarity` (reposts, copies with a line changed) share a group, transitively."""
    chars = [_NOT_WORD.sub("", normalize(text[: 2 * MAX_CHARS])) for text in texts]
    distinct, first_group = np.unique(np.array(chars, dtype=object), return_inverse=True)
    vectors = TfidfVectorizer(analyzer="char", ngram_range=(3, 3), sublinear_tf=True,
                              dtype=np.float32).fit_transform(distinct)
    links = []
    for start in range(0, vectors.shape[0], 1000):
        block = (vectors[start:start + 1000] @ vectors.T).tocoo()
        close = block.data >= similarity
        links.append((block.row[close] + start, block.col[close]))
    rows = np.concatenate([r for r, _ in links])
    cols = np.concatenate([c for _, c in links])
    graph = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(distinct),) * 2)
    return connected_components(graph, directed=False)[1][first_group]


def cross_validate(texts, labels, *, folds=5, seed=0, progress=None, group_duplicates=True, **params) -> dict:
    """Stratified k-fold figures. Near-duplicate texts share a fold unless
    group_duplicates=False: otherwise a repost in the test fold is graded against its
    twin in the training folds and the figures come out optimistic."""
    texts, labels = _check_training_data(texts, labels)
    params = {**_params(params), "seed": seed}
    smallest = min(labels.count(label) for label in set(labels))
    if folds < 2 or smallest < folds:
        raise DataError(f"{folds}-fold cross-validation needs at least {max(folds, 2)} texts of each label; "
                        f"the rarest label has {smallest}")
    docs = _prepare_all(texts, progress)
    groups = duplicate_groups(texts) if group_duplicates else np.arange(len(texts))
    label_set = sorted(set(labels))
    y = np.searchsorted(np.array(label_set), np.array(labels))
    out_of_fold = np.zeros((len(texts), len(label_set)))
    fold_scores, train_seconds = [], []
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (fit_rows, test_rows) in enumerate(splitter.split(docs, y, groups)):
        started = time.perf_counter()
        model = _fit([docs[i] for i in fit_rows], [labels[i] for i in fit_rows], params)
        train_seconds.append(time.perf_counter() - started)
        columns = np.searchsorted(np.array(label_set), np.array(model.labels))
        out_of_fold[np.ix_(test_rows, columns)] = model._probabilities([docs[i] for i in test_rows])
        predicted = [label_set[j] for j in out_of_fold[test_rows].argmax(axis=1)]
        fold_scores.append(_scores([labels[i] for i in test_rows], predicted))
        if progress:
            progress("cross-validate", fold + 1, folds)
    pooled = _scores(labels, [label_set[j] for j in out_of_fold.argmax(axis=1)])
    return {
        "folds": folds, "seed": seed, "n": len(texts),
        "macro_f1": _spread([s["macro_f1"] for s in fold_scores]),
        "accuracy": _spread([s["accuracy"] for s in fold_scores]),
        "ece": round(expected_calibration_error(out_of_fold, y), 4),
        "per_class": pooled["per_class"],
        "duplicates": {"grouped": group_duplicates, "similarity": DUPLICATE_SIMILARITY if group_duplicates else None,
                       "texts_with_a_twin": int((np.bincount(groups)[groups] > 1).sum())},
        "train_seconds_per_fold": round(float(np.mean(train_seconds)), 2),
    }


def _spread(values: list[float]) -> dict:
    return {"mean": round(float(np.mean(values)), 4), "std": round(float(np.std(values)), 4),
            "per_fold": values}


# ---------------------------------------------------------------- data

def read_csv(path, *, text_col: str = "text", label_col: str = "label") -> tuple[list[str], list[str]]:
    """Texts and labels from a UTF-8 CSV with a header row; rows missing either are skipped."""
    texts, labels = [], []
    line = 0
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            columns = reader.fieldnames
            if not columns:
                raise DataError(f"{path} is empty: expected a header row with columns {text_col},{label_col}")
            missing = [c for c in (text_col, label_col) if c not in columns]
            if missing:
                raise DataError(f"{path} has no column {', '.join(missing)} (columns: {', '.join(columns)}); "
                                "name the columns with --text-col/--label-col")
            for row in reader:
                line = reader.line_num
                text, label = (row[text_col] or "").strip(), (row[label_col] or "").strip()
                if text and label:
                    texts.append(text)
                    labels.append(label)
    except UnicodeDecodeError:
        raise DataError(f"{path} is not UTF-8 text (near line {line + 1}); save it as UTF-8") from None
    except csv.Error as error:
        raise DataError(f"{path}, line {line + 1}: {error}") from None
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror or error}") from None
    if not texts:
        raise DataError(f"{path} has no rows with both {text_col} and {label_col}")
    if len(set(labels)) < 2:
        raise DataError(f"{path} has only one label ({labels[0]}): a classifier needs at least two")
    return texts, labels

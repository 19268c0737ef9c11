"""Chinese text normalisation and word segmentation shared by the nlp package.

Segmentation is jieba's: its dictionary and its most-probable path through the word
graph, without the HMM pass that guesses out-of-vocabulary words (names, places) at
extra cost and that the consumers here (classifier, duplicates, clustering) do not
need. `_cut_run` computes that path in one loop instead of jieba's generator-based
get_DAG + calc: the output is identical (tests/nlp/test_text.py checks it against
jieba.lcut(text, HMM=False)) and it takes half the time, which decides how many
messages per second the classifier can take.
"""
from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata

import jieba

# Excel exports of hotline records spell a carriage return as the literal "_x000D_".
_EXCEL_CR = re.compile(r"_x000d_", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
# jieba 0.42's own patterns: runs it segments, and ASCII letters or digits it glues together.
_JIEBA_RUN = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")
_ASCII_ALNUM = re.compile(r"[a-zA-Z0-9]")

_jieba_ready = False
_jieba_lock = threading.Lock()


def _dictionary() -> jieba.Tokenizer:
    """jieba's tokenizer, initialised once per process without its chatter on stderr."""
    global _jieba_ready
    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return jieba.dt


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, one space between runs."""
    text = unicodedata.normalize("NFKC", text)
    text = _EXCEL_CR.sub(" ", text).lower()
    return _WHITESPACE.sub(" ", text).strip()


def _cut_run(run: str, frequency: dict, log_total: float) -> list[str]:
    """jieba's best path through one run: from the end backwards, each position takes the
    dictionary word starting there that maximises the summed log frequency to the end
    (ties go to the longer word, as in jieba's max over (score, end) tuples)."""
    n = len(run)
    best = [0.0] * (n + 1)
    word_end = list(range(1, n + 2))
    for start in range(n - 1, -1, -1):
        top = None
        end, fragment = start + 1, run[start]
        while fragment in frequency:  # the dictionary also holds every word's prefixes, at 0
            count = frequency[fragment]
            if count:
                score = math.log(count) - log_total + best[end]
                if top is None or score >= top:
                    top, word_end[start] = score, end
            if end >= n:
                break
            end += 1
            fragment = run[start:end]
        best[start] = top if top is not None else -log_total + best[start + 1]
    words, ascii_run, start = [], "", 0
    while start < n:
        word = run[start:word_end[start]]
        if len(word) == 1 and _ASCII_ALNUM.match(word):
            ascii_run += word
        else:
            if ascii_run:
                words.append(ascii_run)
                ascii_run = ""
            words.append(word)
        start = word_end[start]
    if ascii_run:
        words.append(ascii_run)
    return words


def tokens(text: str) -> list[str]:
    """The words of `text` after `normalize`, without whitespace and punctuation."""
    dictionary = _dictionary()
    # Read on every call: jieba.add_word and load_userdict change both.
    frequency, log_total = dictionary.FREQ, math.log(dictionary.total)
    words = []
    for i, part in enumerate(_JIEBA_RUN.split(normalize(text))):
        if i % 2:  # split() with a group puts the matched runs at odd positions
            words.extend(w for w in _cut_run(part, frequency, log_total) if _LETTER_OR_DIGIT.search(w))
        else:
            words.extend(ch for ch in part if ch.isalnum())  # jieba yields these one by one
    return words


def is_meaningful(text: str) -> bool:
    """False for what no model can judge: not a str, empty, one character, punctuation only."""
    if not isinstance(text, str):
        return False
    letters = 0
    for ch in text:
        if ch.isalnum():
            letters += 1
            if letters >= 2:
                return True
    return False

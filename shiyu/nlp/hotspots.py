"""Hot issues (热点问题): messages about the same issue at the same place in the same period.

Use
---
    found = find_hot_issues(messages, top=10)     # messages: Message(id, user, title, body, created, likes ...)
    for issue in found.issues:                      # ranked, hottest first
        issue.rank, issue.heat, issue.title, issue.place, issue.start, issue.end, issue.ids
    found.warnings                                  # repeated ids dropped, rows without a date ...

What a hot issue is
-------------------
Each message becomes one vector of three TF-IDF blocks (sublinear counts; each block of unit
length, weighted, then the whole row of unit length):
  words   jieba words of the title (twice: it names the problem) and of the body's first
          BODY_CHARS characters, without those in more than MAX_DF of the messages;
  chars   character bigrams of the same text, which catch what segmentation splits apart
          (丽发新城 is cut differently in different texts), same pruning;
  places  character bigrams of the place names found in the text (`places_in`: names ending in
          小区, 花园, 路, 村 ... or tagged ns by jieba) and of the caller's place hint.
PLACE_WEIGHT 0.5 lets a shared place add at most 0.25 / 2.25 = 0.11 of similarity: it tells the
same problem here from the same problem elsewhere (mahjong noise in forty compounds) but never
makes one issue alone (at weight 1 the place alone joined unrelated tickets of one community).
The distance is 1 - cosine, and 1 for two messages more than WINDOW_DAYS apart (a problem that
comes back next year is a new issue; one can still last longer when its messages follow one
another) or naming different districts.

The messages are then clustered (`METHODS`) and each cluster is a hot issue, singletons
included: one message is an issue of one (the caller filters by `min_reporters`). Its heat:

    heat = (reporters + SUPPORT_WEIGHT * ln(1 + support)) * 0.5 ** (age_days / HALF_LIFE_DAYS)

reporters are distinct users (an anonymous message is its own); support is the sum of likes minus
dislikes (at least 0 a message); age is counted from the issue's last message to the newest
message in the data (not to the clock, so the same data always ranks the same). One resident who
writes counts more than one who clicks "like": two thousand likes weigh as much as eight more
reporters. Undated issues count as current. Title: the title of the message most similar to the
others. Place: the district most of its messages name, and the longest name that at least half as
many of its messages mention as the most mentioned one (伊景园滨河苑 rather than 滨河苑).

Choice of method and threshold (`.venv/bin/python bench/hotspots.py --sweep`)
-----------------------------------------------------------------------------
The threshold is not fitted to the labelled clusters but to the separately labelled pairs of
tests/fixtures/nlp/duplicate_pairs.json, by the rule shiyu.nlp.similar uses: the largest multiple
of 0.05 at which "distance below t" has a precision of 0.95 at least on those pairs. That is 0.80
(precision 0.964, recall 0.964; at 0.85, 0.944). At 0.80, on the 4,326 messages of
../shared/data/tipdm2020/hot_messages.csv against the 370 hand-labelled messages of
tests/fixtures/hotspots/labels.csv (53 issues of 2 to 60 messages, 60 of one), 2 cores:
  method    seconds  issues  purity  inverse purity
  average     5.5    3,129   0.984   0.884   agglomerative, average linkage: chosen
  dbscan      4.3    2,907   0.914   0.951   DBSCAN, min_samples 2
  graph       5.6    2,918   0.922   0.930   components of the mutual 10-nearest-neighbour graph
DBSCAN with min_samples 2 is single linkage: one message that mentions two problems of a compound
chains them into one issue, and past the threshold it collapses (purity 0.81 at 0.85, 0.27 at
0.90); the graph method chains less but as steeply. Average linkage merges whole groups only when
they are close on average: its purity stays above 0.90 up to 0.90, and a mixed issue is the worse
error (a proactive task would be sent for two problems). What it misses are long and varied
threads without a place name (the P2P lender 58车贷: 15 messages in five issues).
"""
from __future__ import annotations

import csv
import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import DBSCAN
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as unit_rows

from shiyu.workcal import SHANGHAI

from .text import normalize, tokens

METHODS = ("average", "dbscan", "graph")
DEFAULT_METHOD = "average"
# Distance (1 - weighted cosine) below which messages join: see the module doc.
DISTANCE_THRESHOLD = 0.8
# graph: each message links to its GRAPH_NEIGHBOURS nearest neighbours that also have it among theirs.
GRAPH_NEIGHBOURS = 10
WINDOW_DAYS = 90
BODY_CHARS = 200
PLACE_CHARS = 150  # where in the body places are looked for: the place comes first in a message
# Words and bigrams in more than MAX_DF of the messages (and in more than COMMON_MIN, so that a
# small set keeps its shared words) tell no issue from another: 噪音, 扰民, 小区. Leaving them
# out also makes the similarity product cheaper.
MAX_DF, COMMON_MIN = 0.1, 50
# The distance matrix is dense: 8,000 messages take 256 MB, and the linkage as much again. More
# are cut to the newest (with a warning): a city's period and area should hold fewer.
MAX_MESSAGES = 8000
_ROWS_AT_ONCE = 1024
WORD_WEIGHT, CHAR_WEIGHT, PLACE_WEIGHT = 1.0, 1.0, 0.5
SUPPORT_WEIGHT = 1.0
HALF_LIFE_DAYS = 90.0
TITLE_MAX = 40
CSV_COLUMNS = ("id", "user", "title", "created", "body", "likes", "dislikes")


class DataError(Exception):
    """Input that cannot be read as messages, with what is wrong with it."""


@dataclass(frozen=True)
class Message:
    id: int | str
    title: str = ""
    body: str = ""
    user: str = ""  # who wrote it (a reporter's phone, a pseudonym): reporters are counted by it
    created: datetime | None = None
    likes: int = 0
    dislikes: int = 0
    place: str = ""  # a place the caller knows (a ticket's community), weighed with those in the text
    # Messages of different regions are never one issue (a ticket's subdistrict): each region is
    # clustered on its own, which keeps the dense distance matrix small at city scale.
    region: int | str | None = None


@dataclass(frozen=True)
class HotIssue:
    rank: int
    heat: float
    title: str
    place: str
    start: datetime | None
    end: datetime | None
    ids: list
    reporters: int
    likes: int

    def as_dict(self) -> dict:
        """JSON-ready: times as ISO 8601."""
        return {"rank": self.rank, "heat": self.heat, "title": self.title, "place": self.place,
                "start": self.start and self.start.isoformat(), "end": self.end and self.end.isoformat(),
                "ids": list(self.ids), "size": len(self.ids), "reporters": self.reporters, "likes": self.likes}


@dataclass
class HotSpots:
    issues: list[HotIssue]
    rows: int  # messages clustered, after dropping repeated ids
    warnings: list[str] = field(default_factory=list)  # in English, for the command line
    # Regions with more than MAX_MESSAGES messages: region -> (clustered, had), for callers
    # that word the warning in their own language.
    truncated: dict = field(default_factory=dict)


# ---------------------------------------------------------------- places

# The publisher masked districts and counties as A3区, A7县, K9县; the city itself is A市.
_DISTRICT = re.compile(r"[A-Z]\d{1,2}[区县]")
_CITY = re.compile(r"[A-Z]\d{0,2}市|西地省")
# Endings of place names, longest first so that "小区" wins over "区".
PLACE_SUFFIXES = tuple(sorted((
    "小区", "社区", "花园", "家园", "公寓", "大厦", "广场", "新城", "新村", "城", "苑", "园", "湾", "庭", "邸", "郡",
    "墅", "村", "组", "镇", "乡", "街道", "街", "路", "大道", "巷", "桥", "隧道", "站", "小学", "中学", "学校",
    "大学", "学院", "幼儿园", "医院", "公园", "市场", "商城", "安置区", "片区", "工业园", "岛", "山庄", "公馆",
    "国际", "宿舍", "大院",
), key=len, reverse=True))
_SUFFIX_SET = frozenset(PLACE_SUFFIXES)
# A suffix alone, or with a word that says nothing of where: too vague to be a place.
_GENERIC_PLACES = frozenset({
    "小区", "社区", "城区", "花园", "家园", "广场", "新城", "新村", "街道", "马路", "道路", "公路", "小学", "中学",
    "学校", "大学", "学院", "幼儿园", "医院", "公园", "市场", "片区", "安置区", "本小区", "该小区", "居民区",
    "居住区", "住宅小区", "老小区", "农村", "地铁站", "公交站", "车站", "高铁站", "加油站", "垃圾站", "搅拌站",
    "新校园", "校园", "乐园", "菜园", "庄园", "果园", "法院", "电站", "变电站",
})
# Words that end like a place name and are none: a name never ends with them.
_NOT_PLACES = ("线路", "出路", "思路", "进城", "全城", "跑路", "套路", "走路", "上路", "过路", "网站", "进站", "到站")
# Where a name stops on its left: function words, verbs and quantities that open a clause.
_STOP_WORDS = frozenset("是否 关于 反映 投诉 举报 咨询 建议 希望 请求 要求 附近 旁边 周边 对面 门口 位于 地处 "
                        "我们 居住 住在 本人 业主 居民 部分 很多 许多 几个 大部分 所有 整个 距离 进入 政府".split())
_STOP_CHARS = frozenset("的在和与及对给把被将从到了是有请向为由于旁边我你他她这那该各如系望去要建让使叫买卖住进往至近"
                        "等并且而或但说问找看每个里内外前后靠临离上成受")
# jieba's tags of words that may be part of a name (nouns, place and organisation names, letters)
_NAME_TAGS = frozenset({"n", "nr", "ns", "nt", "nz", "ng", "nrt", "j", "eng", "s", "zg"})
_FUNCTION_TAGS = frozenset({"p", "c", "u", "uj", "ul", "uz", "ug", "uv", "r", "d", "m", "q", "y", "e"})
_RUN = re.compile(r"[^\W_]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+$")
_MAX_PLACE_CHARS = 10


def district_in(text: str) -> str:
    """The first masked district or county named ("A3区"), or ""."""
    match = _DISTRICT.search(unicodedata.normalize("NFKC", text))
    return match.group() if match else ""


def clauses(text: str) -> list[list[str]]:
    """The words (text.tokens) of each run of letters and digits in `text`, the city and
    district codes cut out: punctuation and those codes end a place name."""
    text = _CITY.sub(" ", _DISTRICT.sub(" ", unicodedata.normalize("NFKC", text)))
    return [tokens(run) for run in _RUN.findall(text)]


def places_in(text: str) -> list[str]:
    return _places(clauses(text))


def _places(runs: list[list[str]]) -> list[str]:
    """Names of compounds, roads, villages, schools ... in order, without repeats and without
    those inside a longer one found: each a word ending in a place suffix (or tagged ns by
    jieba), extended to the left over the words of the name (jieba cuts an unknown name into
    pieces: 伊/景园/滨河/苑) until a word that cannot be part of one (a verb, a function word,
    another place). A bare suffix takes the whole place before it (魅力之城 + 小区); a name of
    fewer than three characters takes the word before it whatever its tag (劳动 + 东路)."""
    found: list[str] = []
    for words in runs:
        tagged = [(word, _tag(word)) for word in words]
        starts: dict[int, int] = {}  # where the name ending at each word starts
        for end, (word, tag) in enumerate(tagged):
            if not _names_place(word, tag):
                continue
            start, length, bare = end, len(word), word in _SUFFIX_SET
            while start > 0 and length + len(words[start - 1]) <= _MAX_PLACE_CHARS:
                before = start - 1
                if bare and before in starts and not words[before].endswith(word):  # 伊景园 + 滨河 + 苑
                    whole = sum(map(len, words[starts[before]:start]))
                    if length + whole > _MAX_PLACE_CHARS:
                        break
                    start, length = starts[before], length + whole
                    continue
                if not (_part_of_name(*tagged[before]) or length < 3 and _may_open_name(words[before])):
                    break
                start, length = before, length + len(words[before])
            starts[end] = start
            name = "".join(words[start:end + 1])
            if name not in _GENERIC_PLACES and not name.endswith(_NOT_PLACES) and len(name) >= 3 and name not in found:
                found.append(name)
    return [name for name in found if not any(name != other and name in other for other in found)]


def _tag(word: str) -> str:
    """jieba's part-of-speech tag of a dictionary word, as jieba.posseg gives it without HMM."""
    if _ASCII_WORD.match(word):
        return "eng"
    return _tags().get(word, "x")


@functools.cache
def _tags() -> dict[str, str]:
    from jieba import posseg  # loads the tag table (0.5 s): only when places are looked for

    return posseg.dt.word_tag_tab


def _names_place(word: str, tag: str) -> bool:
    """Whether a place name may end with `word`: a place suffix (a vague one only bare: 小区,
    not 居民区), or a word jieba tags as a place name."""
    if word.endswith(PLACE_SUFFIXES):
        return word in _SUFFIX_SET or word not in _GENERIC_PLACES
    return tag == "ns" and len(word) > 1


def _may_open_name(word: str) -> bool:
    """Whether `word` may stand before a name too short to be one alone (东路 -> 劳动东路)."""
    return word not in _STOP_WORDS and word not in _STOP_CHARS and not word.endswith(PLACE_SUFFIXES)


def _part_of_name(word: str, flag: str) -> bool:
    if word in _STOP_WORDS or word.endswith(PLACE_SUFFIXES) or not word[0].isalnum():
        return False
    if len(word) == 1:  # jieba cuts an unknown name into characters with arbitrary tags
        return word == "之" or word not in _STOP_CHARS and flag not in _FUNCTION_TAGS
    return flag in _NAME_TAGS


# ---------------------------------------------------------------- features


@dataclass
class Prepared:
    """What the features and distances are computed from (`prepare`): the text read once."""

    messages: list[Message]
    words: list[list[str]]  # the title's words twice, then the body's
    texts: list[str]  # the same text, letters and digits in runs, for the character bigrams
    places: list[list[str]]  # the caller's hint too
    districts: list[str]
    days: np.ndarray  # days since the epoch, NaN without a date


def prepare(messages: list[Message]) -> Prepared:
    words, texts, places, districts = [], [], [], []
    for m in messages:
        title, head = clauses(m.title), clauses(m.body[:PLACE_CHARS])
        rest = clauses(m.body[PLACE_CHARS:BODY_CHARS])
        title_words = [w for run in title for w in run]
        words.append(title_words * 2 + [w for run in head + rest for w in run])
        texts.append(" ".join(["".join(run) for run in title] * 2 + ["".join(run) for run in head + rest]))
        districts.append(district_in(m.title + " " + m.body[:PLACE_CHARS]) or district_in(m.place))
        places.append(_places(title + head) + ([m.place] if m.place else []))
    days = np.array([m.created.timestamp() / 86400 if m.created else np.nan for m in messages])
    return Prepared(messages, words, texts, places, districts, days)


def _block(documents: list, **options) -> sparse.csr_matrix:
    vectorizer = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, lowercase=False, **options)
    try:
        return vectorizer.fit_transform(documents)
    except ValueError:  # not one term in any document (empty titles and bodies)
        return sparse.csr_matrix((len(documents), 0), dtype=np.float32)


def features(prepared: Prepared) -> sparse.csr_matrix:
    """One row per message, unit length (module doc)."""
    common = max(int(MAX_DF * len(prepared.messages)), COMMON_MIN)
    words = _block(prepared.words, analyzer=_itself, max_df=common)
    chars = _block(prepared.texts, analyzer="char_wb", ngram_range=(2, 2), max_df=common)
    places = _block([" ".join(normalize(name) for name in names) for names in prepared.places],
                    analyzer="char_wb", ngram_range=(2, 2))
    blocks = [weight * unit_rows(block) for weight, block in ((WORD_WEIGHT, words), (CHAR_WEIGHT, chars),
                                                               (PLACE_WEIGHT, places)) if block.shape[1]]
    if not blocks:  # not one letter in any message
        return sparse.csr_matrix((len(prepared.messages), 1), dtype=np.float32)
    return unit_rows(sparse.hstack(blocks, format="csr"))


def _itself(document):
    return document


def distances(prepared: Prepared, vectors: sparse.csr_matrix) -> np.ndarray:
    """1 - cosine (a dense n x n float32 matrix); 1 for pairs more than WINDOW_DAYS apart and for
    pairs that name different districts (an undated message, or one naming none, keeps its cosine)."""
    distance = (vectors @ vectors.T).toarray()
    np.clip(distance, 0.0, 1.0, out=distance)
    np.subtract(1.0, distance, out=distance)
    days = prepared.days.astype(np.float32)
    codes = np.unique(prepared.districts, return_inverse=True)[1]
    named = np.array([bool(d) for d in prepared.districts])
    for start in range(0, len(days), _ROWS_AT_ONCE):  # in slices: one n x n mask would double the memory
        rows = slice(start, start + _ROWS_AT_ONCE)
        apart = np.abs(days[rows, None] - days[None, :]) > WINDOW_DAYS  # NaN compares False
        apart |= named[rows, None] & named[None, :] & (codes[rows, None] != codes[None, :])
        distance[rows][apart] = 1.0
    np.fill_diagonal(distance, 0.0)
    return distance


# ---------------------------------------------------------------- clustering


def cluster(distance: np.ndarray, method: str = DEFAULT_METHOD,
            threshold: float = DISTANCE_THRESHOLD) -> np.ndarray:
    """A cluster number per message, from the pairwise `distance` matrix."""
    n = distance.shape[0]
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    if method == "average":
        condensed = distance[np.triu_indices(n, 1)].astype(np.float64)
        return fcluster(linkage(condensed, method="average"), t=threshold, criterion="distance") - 1
    if method == "dbscan":
        # min_samples 2: a pair is already an issue. Each message DBSCAN calls noise is an issue of one.
        labels = DBSCAN(eps=threshold, min_samples=2, metric="precomputed").fit_predict(distance)
        noise = labels < 0
        labels[noise] = labels.max() + 1 + np.arange(noise.sum())
        return labels
    if method == "graph":
        k = min(GRAPH_NEIGHBOURS, n - 1)
        nearest = np.argpartition(distance, k, axis=1)[:, :k + 1]
        chosen = np.zeros_like(distance, dtype=bool)
        np.put_along_axis(chosen, nearest, True, axis=1)
        return _components(chosen & chosen.T & (distance < threshold))
    raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")


def _components(links: np.ndarray) -> np.ndarray:
    return connected_components(sparse.csr_matrix(links), directed=False)[1]


# ---------------------------------------------------------------- hot issues


def find_hot_issues(messages: Iterable[Message], *, top: int | None = None, min_reporters: int = 1,
                    method: str = DEFAULT_METHOD, threshold: float = DISTANCE_THRESHOLD) -> HotSpots:
    """Hot issues among `messages`, hottest first (module doc). A repeated id keeps its first
    message. `top`: at most that many; `min_reporters`: only issues raised by that many people."""
    messages, warnings = _distinct(messages)
    undated = sum(m.created is None for m in messages)
    if undated:
        warnings.append(f"messages without a date (their issues count as current): {undated}")
    dated = [m.created.timestamp() / 86400 for m in messages if m.created]
    newest = max(dated) if dated else math.nan  # one clock for every region's heat
    issues, clustered, truncated = [], 0, {}
    for region in _regions(messages):
        if len(region) > MAX_MESSAGES:
            warnings.append(f"only the newest {MAX_MESSAGES} messages of a region are clustered, of {len(region)}")
            truncated[region[0].region] = (MAX_MESSAGES, len(region))
            region = sorted(region, key=lambda m: (m.created is None, -(m.created.timestamp() if m.created else 0)))
            region = region[:MAX_MESSAGES]
        clustered += len(region)
        issues += _cluster_issues(region, method, threshold, newest)
    issues = [issue for issue in issues if issue.reporters >= min_reporters]
    issues.sort(key=lambda issue: (-issue.heat, -len(issue.ids), str(issue.ids[0])))
    ranked = [replace(issue, rank=rank) for rank, issue in enumerate(issues[:top] if top else issues, start=1)]
    return HotSpots(ranked, clustered, warnings, truncated)


def _regions(messages: list[Message]) -> list[list[Message]]:
    """The messages by region, in the order each region first appears."""
    regions: dict = {}
    for message in messages:
        regions.setdefault(message.region, []).append(message)
    return list(regions.values())


def _cluster_issues(messages: list[Message], method: str, threshold: float, newest: float) -> list[HotIssue]:
    prepared = prepare(messages)
    vectors = features(prepared)
    labels = cluster(distances(prepared, vectors), method, threshold)
    order = np.argsort(labels, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(labels[order])) + 1)
    return [_issue(prepared, vectors, rows, newest) for rows in groups]


def _distinct(messages: Iterable[Message]) -> tuple[list[Message], list[str]]:
    """The first message of each id; a warning says how many repeats were dropped."""
    seen, kept, dropped = set(), [], 0
    for message in messages:
        if message.id in seen:
            dropped += 1
        else:
            seen.add(message.id)
            kept.append(message)
    warning = f"messages with a repeated id dropped (the first of each id is kept): {dropped}"
    return kept, [warning] if dropped else []


def _issue(prepared: Prepared, vectors: sparse.csr_matrix, rows: np.ndarray, newest: float) -> HotIssue:
    members = [prepared.messages[i] for i in rows]
    dated = [m.created for m in members if m.created]
    reporters = len({m.user or ("anonymous", m.id) for m in members})  # an anonymous message is its own
    support = sum(max(m.likes - m.dislikes, 0) for m in members)
    age = max(newest - np.nanmax(prepared.days[rows]), 0.0) if dated and math.isfinite(newest) else 0.0
    heat = (reporters + SUPPORT_WEIGHT * math.log1p(support)) * 0.5 ** (age / HALF_LIFE_DAYS)
    order = sorted(range(len(members)), key=lambda i: (np.nan_to_num(prepared.days[rows[i]], nan=np.inf),
                                                       str(members[i].id)))
    return HotIssue(rank=0, heat=round(float(heat), 3), title=_title(members, vectors[rows]),
                    place=_place(prepared, rows), start=min(dated, default=None), end=max(dated, default=None),
                    ids=[members[i].id for i in order], reporters=reporters, likes=sum(m.likes for m in members))


def _title(members: list[Message], vectors: sparse.csr_matrix) -> str:
    """The title of the medoid: the message most similar to all the others."""
    centrality = np.asarray((vectors @ vectors.sum(axis=0).T)).ravel()
    titles = [(m.title.strip() or m.body.strip()) for m in members]
    best = max(range(len(members)), key=lambda i: (bool(titles[i]), centrality[i], -i))
    title = " ".join(titles[best].split())
    return title if len(title) <= TITLE_MAX else title[:TITLE_MAX - 1] + "…"


def _place(prepared: Prepared, rows: np.ndarray) -> str:
    """The district most of the messages name, and their place: of the names that at least
    half as many messages mention (in a longer name too) as the most mentioned one, and two
    at least, the longest ("伊景园滨河苑" rather than "滨河苑"). The callers' hints count as names."""
    names = [set(prepared.places[i]) for i in rows]
    candidates = set().union(*names)
    mentions = {c: sum(any(c in name for name in message) for message in names) for c in candidates}
    least = max(max(mentions.values(), default=0) / 2, min(2, len(rows)))
    place = max((c for c in candidates if mentions[c] >= least), key=lambda c: (len(c), mentions[c], c), default="")
    districts = Counter(prepared.districts[i] for i in rows if prepared.districts[i])
    district = max(districts, key=lambda d: (districts[d], d)) if districts else ""
    return place if place.startswith(district) else district + place


# ---------------------------------------------------------------- CSV


_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                 "%Y-%m-%d")


def parse_time(value: str) -> datetime | None:
    """'2019/2/28 11:25:05' or ISO 8601; a time without a zone is Asia/Shanghai's. None if unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
        for form in _TIME_FORMATS:
            try:
                moment = datetime.strptime(value, form)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def read_csv(path) -> tuple[list[Message], list[str]]:
    """Messages of a CSV with the columns id,user,title,created,body,likes,dislikes (UTF-8,
    with or without BOM), and warnings about rows it could only partly read. Raises DataError
    when the file cannot be read as such a CSV."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f, strict=True)  # a stray quote is an error, not a merged row
            if reader.fieldnames is None:
                raise DataError(f"{path} is empty: the first row must name the columns {','.join(CSV_COLUMNS)}")
            missing = [c for c in CSV_COLUMNS if c not in reader.fieldnames]
            if missing:
                raise DataError(f"{path}: not a CSV with the columns {','.join(CSV_COLUMNS)} "
                                f"(missing: {','.join(missing)})")
            rows = list(reader)
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    except csv.Error as error:
        raise DataError(f"{path}: broken CSV: {error}") from None
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror or error}") from None
    return _messages(rows)


def _messages(rows: list[dict]) -> tuple[list[Message], list[str]]:
    messages, no_id, bad_date, bad_count = [], 0, 0, 0
    for row in rows:
        key = (row.get("id") or "").strip()
        if not key:
            no_id += 1
            continue
        created = parse_time(row.get("created") or "")
        bad_date += created is None and bool((row.get("created") or "").strip())
        likes, dislikes = _count(row.get("likes")), _count(row.get("dislikes"))
        bad_count += likes is None or dislikes is None
        messages.append(Message(id=int(key) if key.isdigit() else key, user=(row.get("user") or "").strip(),
                                title=row.get("title") or "", body=row.get("body") or "", created=created,
                                likes=likes or 0, dislikes=dislikes or 0))
    counts = (("rows without an id skipped", no_id), ("rows with an unreadable date, kept without one", bad_date),
              ("rows with unreadable likes or dislikes, counted as 0", bad_count))
    warnings = [f"{text}: {n}" for text, n in counts if n]
    return messages, warnings


def _count(value) -> int | None:
    """A non-negative whole number; '' is 0; None when unreadable."""
    value = (value or "").strip()
    if not value:
        return 0
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number >= 0 else None

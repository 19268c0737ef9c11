"""Where an address is, read from the city's own place names. Plain Python, no Django.

An AddressParser is built once from PlaceEntry rows: every district, subdistrict and
community, and every road and place of the gazetteer, each tied to the administrative
unit it lies in and that unit's ancestors. parse() then:

1. finds the names in the text, left to right, the longest name at each position
   (正向最大匹配), through an index keyed by a name's first two characters, so a
   position costs one dict lookup;
2. picks the reading most names agree with. Two names agree when their units lie on
   one line of the tree (嘉水街道 and 春堡社区 inside it). The candidate that most other
   names agree with wins, then the deeper one, then one read by its full name; so a
   road found in two subdistricts is settled by the district named before it;
3. reports the deepest unit it is sure of. When candidates tie, it is only as sure as
   what they share (人民路 in two subdistricts of one district: that district).

Administrative names are also found without their suffix (嘉水 for 嘉水街道, 西城 for
西城区), and an estate without 小区, but only where no other name reads the same. Such a
name alone is weak evidence (嘉水 may be part of another word); backed by another name it
counts in full. Roads are found only by their full names: without 路 or 街 what is left
(人民, 解放, 建设) is part of too many other words.

Nothing here raises for bad text: anything that is not a string, or names no place,
gives a result without a unit."""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

KINDS = ("city", "district", "subdistrict", "community", "road", "place")
# Suffixes a name may be written without, longest first within a kind.
SUFFIXES = {
    "city": ("市",),
    "district": ("新区", "区", "县", "市"),
    "subdistrict": ("街道办事处", "街道", "镇", "乡"),
    "community": ("社区", "村"),
    "place": ("小区",),
}
MIN_NAME_CHARS = 2
# An address is short (Ticket.address holds 200 characters); reading no further bounds
# the work for whatever else is sent.
MAX_TEXT_CHARS = 500
MAX_SPANS = 16

HIGH, LOW, NONE = "high", "low", "none"


@dataclass(frozen=True)
class PlaceEntry:
    name: str
    kind: str  # one of KINDS
    unit: Hashable  # the administrative unit (code or id) the name is, or lies in
    parents: tuple[Hashable, ...] = ()  # that unit's ancestors, top first
    chain: tuple[Hashable, ...] = field(init=False, repr=False, compare=False)  # parents and unit

    def __post_init__(self):
        object.__setattr__(self, "chain", (*self.parents, self.unit))  # compared often: made once


@dataclass(frozen=True)
class Span:
    """A name found in the text; start and end index the text as given."""

    start: int
    end: int
    text: str  # the name as found (white space inside it left out)
    kind: str
    alias: bool  # found without its suffix
    used: bool  # agrees with the place read
    unit: Hashable | None  # the unit it stands for, when the place read settles it

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "kind": self.kind,
                "alias": self.alias, "used": self.used, "unit": self.unit}


@dataclass(frozen=True)
class ParsedAddress:
    chain: tuple[Hashable, ...] = ()  # the units the address is in, top first
    spans: tuple[Span, ...] = ()
    ambiguous: bool = False  # several places fit as well: chain is what they share
    conflicting: bool = False  # a name found contradicts the place read
    weak: bool = False  # the place rests on one name found without its suffix

    @property
    def unit(self) -> Hashable | None:
        """The deepest unit read."""
        return self.chain[-1] if self.chain else None

    @property
    def trusted(self) -> bool:
        """Safe to act on: a unit read, not from one suffix-less name, no name against it."""
        return bool(self.chain) and not self.weak and not self.conflicting

    @property
    def confidence(self) -> str:
        if not self.chain:
            return NONE
        return HIGH if self.trusted and not self.ambiguous else LOW


@dataclass(frozen=True)
class _Name:
    text: str
    entries: tuple[PlaceEntry, ...]
    alias: bool


@dataclass(frozen=True)
class _Found:
    start: int  # in the compacted text
    name: _Name


def _on_one_line(a: tuple, b: tuple) -> bool:
    """One unit chain lies within the other (a unit and its ancestor, or the same unit)."""
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def _shared_prefix(chains: Iterable[tuple]) -> tuple:
    chains = list(chains)
    first = chains[0]
    length = len(first)
    for chain in chains[1:]:
        length = min(length, len(chain))
        while first[:length] != chain[:length]:
            length -= 1
    return first[:length]


def _stem(name: str, kind: str) -> str | None:
    for suffix in SUFFIXES.get(kind, ()):
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_NAME_CHARS:
            return name[: -len(suffix)]
    return None


class AddressParser:
    def __init__(self, entries: Iterable[PlaceEntry]):
        full: dict[str, list[PlaceEntry]] = {}
        for entry in entries:
            if entry.kind not in KINDS:
                raise ValueError(f"unknown kind {entry.kind!r} for {entry.name!r}")
            if len(entry.name) >= MIN_NAME_CHARS:
                full.setdefault(entry.name, []).append(entry)
        names = [_Name(text, tuple(found), False) for text, found in full.items()]
        names += self._aliases(full)
        self._by_prefix: dict[str, list[_Name]] = {}
        for name in names:
            self._by_prefix.setdefault(name.text[:2], []).append(name)
        for group in self._by_prefix.values():
            group.sort(key=lambda n: len(n.text), reverse=True)

    @staticmethod
    def _aliases(full: dict[str, list[PlaceEntry]]) -> list[_Name]:
        """Suffix-less names that read one unit only and are no full name themselves."""
        stems: dict[str, list[PlaceEntry]] = {}
        for entries in full.values():
            for entry in entries:
                stem = _stem(entry.name, entry.kind)
                if stem is not None:
                    stems.setdefault(stem, []).append(entry)
        return [_Name(stem, tuple(entries), True) for stem, entries in stems.items()
                if stem not in full and len({e.unit for e in entries}) == 1]

    def parse(self, text) -> ParsedAddress:
        if not isinstance(text, str):
            return ParsedAddress()
        text = text[:MAX_TEXT_CHARS]
        compact = "".join(text.split())  # 西城区 嘉水街道 and 嘉水 街道 alike
        positions = range(len(text)) if len(compact) == len(text) else self._positions(text)
        found = self._find(compact)
        if not found:
            return ParsedAddress()
        chain, ambiguous = self._read(found)
        agreeing = [any(_on_one_line(chain, e.chain) for e in f.name.entries) for f in found]
        used = [f for f, agrees in zip(found, agreeing) if agrees]
        return ParsedAddress(
            chain, tuple(self._span(f, chain, positions) for f in found), ambiguous,
            conflicting=any(not agrees and not f.name.alias for f, agrees in zip(found, agreeing)),
            weak=len(used) == 1 and used[0].name.alias)

    @staticmethod
    def _positions(text: str) -> list[int]:
        """Where each character of the text without white space stood in the text."""
        return [i for i, ch in enumerate(text) if not ch.isspace()]

    def _find(self, text: str) -> list[_Found]:
        found: list[_Found] = []
        i, end = 0, len(text) - 1
        while i < end and len(found) < MAX_SPANS:
            for name in self._by_prefix.get(text[i:i + 2], ()):
                if text.startswith(name.text, i):
                    found.append(_Found(i, name))
                    i += len(name.text)
                    break
            else:
                i += 1
        return found

    @staticmethod
    def _read(found: list[_Found]) -> tuple[tuple, bool]:
        """The chain most names agree with (see the module's docstring), and whether
        several readings tied for it."""
        best_key, best = None, []
        for f in found:
            for entry in f.name.entries:
                support = sum(1 for other in found if other is not f
                              and any(_on_one_line(entry.chain, e.chain) for e in other.name.entries))
                key = (support, len(entry.chain), not f.name.alias)
                if best_key is None or key > best_key:
                    best_key, best = key, [entry]
                elif key == best_key:
                    best.append(entry)
        return _shared_prefix(e.chain for e in best), len({e.chain for e in best}) > 1

    @staticmethod
    def _span(f: _Found, chain: tuple, positions) -> Span:
        agreeing = [e for e in f.name.entries if _on_one_line(chain, e.chain)]
        units = {e.unit for e in agreeing}
        start, end = positions[f.start], positions[f.start + len(f.name.text) - 1] + 1
        return Span(start, end, f.name.text, (agreeing or f.name.entries)[0].kind, f.name.alias, bool(agreeing),
                    units.pop() if len(units) == 1 else None)

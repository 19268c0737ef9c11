"""The city's administrative units and place names, kept in memory once per process:
the unit tree (names, levels, ancestors) and an AddressParser over every unit name and
the gazetteer, for placing tickets that come without coordinates.

Both are rebuilt with the geo version, like the grid index (locate.py). Changes to the
units and the gazetteer bump it too: the receivers below connect when this module is
imported, which the apps that read addresses do when they start (routing.apps)."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shiyu.core.versioned import VersionedCache

from . import locate
from .address import AddressParser, ParsedAddress, PlaceEntry
from .locate import Location, stored_grid_version
from .models import AdminUnit, Gazetteer
from .services import bump_grid_version

# How deep a unit lies in the tree: the deeper, the more specific (routing rules).
LEVEL_DEPTH = {AdminUnit.Level.CITY: 1, AdminUnit.Level.DISTRICT: 2, AdminUnit.Level.SUBDISTRICT: 3,
               AdminUnit.Level.COMMUNITY: 4}


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    level: str
    chain: tuple[int, ...]  # ids from the top of the tree down to this unit


class Places:
    """The unit tree and the address parser built from it."""

    def __init__(self):
        rows = list(AdminUnit.objects.values_list("id", "name", "level", "parent_id"))
        parents = {pk: parent for pk, _name, _level, parent in rows}
        self.units = {pk: Unit(pk, name, level, _chain(pk, parents)) for pk, name, level, _parent in rows}
        entries = [PlaceEntry(u.name, u.level, u.id, u.chain[:-1]) for u in self.units.values()]
        entries += [PlaceEntry(name, kind, unit_id, self.units[unit_id].chain[:-1])
                    for name, kind, unit_id in Gazetteer.objects.values_list("name", "kind", "unit_id")]
        self.parser = AddressParser(entries)
        self._locations = {pk: self._location(unit) for pk, unit in self.units.items()}

    def location(self, unit_id) -> Location | None:
        """The community, subdistrict and district that a unit is or lies in (no grid);
        None for the city itself or an unknown id."""
        return self._locations.get(unit_id)

    def _location(self, unit: Unit) -> Location | None:
        by_level = {self.units[pk].level: pk for pk in unit.chain}
        if AdminUnit.Level.DISTRICT not in by_level:
            return None
        return Location(None, by_level.get(AdminUnit.Level.COMMUNITY), by_level.get(AdminUnit.Level.SUBDISTRICT),
                        by_level[AdminUnit.Level.DISTRICT])


def _chain(pk: int, parents: dict[int, int | None]) -> tuple[int, ...]:
    chain = [pk]
    while (parent := parents.get(chain[-1])) is not None and parent not in chain:  # a cycle would be bad data
        chain.append(parent)
    return tuple(reversed(chain))


_places = VersionedCache(Places, stored_grid_version)


def places() -> Places:
    return _places.get(locate.RECHECK_SECONDS)


def forget_places() -> None:
    """Drop this process's copy (tests, after changes that bump no version)."""
    _places.forget()


def parse_address(text) -> ParsedAddress:
    return places().parser.parse(text)


def place_from_address(address) -> Location | None:
    """Where the address says the ticket is, for tickets without coordinates: only what
    the address settles (a district at least), never a guess on one suffix-less name or
    against a name that contradicts it. grid_id is None: grids come from coordinates."""
    tree = places()
    parsed = tree.parser.parse(address)
    return tree.location(parsed.unit) if parsed.trusted else None


@receiver([post_save, post_delete], sender=AdminUnit)
@receiver([post_save, post_delete], sender=Gazetteer)
def places_changed(**_kwargs) -> None:
    bump_grid_version()
    transaction.on_commit(forget_places)  # this process at once; the others at their next check

"""locate(lat, long) -> the grid and its units, from one in-process STRtree.

The index is built on first use and rebuilt when the grids change: every change bumps
GridVersion, and each process compares its copy's version at most every few seconds,
so a grid edited in the admin reaches all web workers without a restart
(shiyu.core.versioned.VersionedCache)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from shiyu.core.versioned import VersionedCache

from .index import GridIndex
from .models import AdminUnit, Grid, GridVersion

RECHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Location:
    # A grid is known only from coordinates: a place read from an address has none,
    # and perhaps no community either when the address names only a subdistrict.
    grid_id: int | None
    community_id: int | None
    subdistrict_id: int | None
    district_id: int | None


class _Located:
    def __init__(self):
        units = dict(AdminUnit.objects.values_list("id", "parent_id"))
        rows = list(Grid.objects.values_list("id", "community_id", "boundary_wkt").order_by("id"))
        self.locations: list[Location] = []
        for grid_id, community_id, _wkt in rows:
            subdistrict_id = units.get(community_id)
            self.locations.append(Location(grid_id, community_id, subdistrict_id, units.get(subdistrict_id)))
        polygons = shapely.from_wkt([wkt for *_, wkt in rows]) if rows else []
        self.index = GridIndex(list(range(len(rows))), polygons)


def stored_grid_version() -> int:
    return GridVersion.objects.values_list("version", flat=True).first() or 0


_located = VersionedCache(_Located, stored_grid_version)


def locate(lat: float, long: float) -> Location | None:
    located = _located.get(RECHECK_SECONDS)
    position = located.index.locate(long, lat)
    return None if position is None else located.locations[position]


def locate_many(lats, longs) -> list[Location | None]:
    located = _located.get(RECHECK_SECONDS)
    positions = located.index.locate_many(np.asarray(longs, dtype=float), np.asarray(lats, dtype=float))
    return [None if p < 0 else located.locations[p] for p in positions.tolist()]


def forget_index() -> None:
    """Drop this process's index (tests and the demo generator call it after bulk changes)."""
    _located.forget()

"""locate(lat, long) -> the grid and its units, from one in-process STRtree.

The index is built on first use and rebuilt when the grids change: every change bumps
GridVersion, and each process compares its copy's version at most every few seconds,
so a grid edited in the admin reaches all web workers without a restart."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely

from .index import GridIndex
from .models import AdminUnit, Grid, GridVersion

RECHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Location:
    grid_id: int
    community_id: int
    subdistrict_id: int | None
    district_id: int | None


class _Located:
    def __init__(self, version: int):
        self.version = version
        self.checked_at = time.monotonic()
        units = dict(AdminUnit.objects.values_list("id", "parent_id"))
        rows = list(Grid.objects.values_list("id", "community_id", "boundary_wkt").order_by("id"))
        self.locations: list[Location] = []
        for grid_id, community_id, _wkt in rows:
            subdistrict_id = units.get(community_id)
            self.locations.append(Location(grid_id, community_id, subdistrict_id, units.get(subdistrict_id)))
        polygons = shapely.from_wkt([wkt for *_, wkt in rows]) if rows else []
        self.index = GridIndex(list(range(len(rows))), polygons)


_lock = threading.Lock()
_current: _Located | None = None


def _stored_version() -> int:
    return GridVersion.objects.values_list("version", flat=True).first() or 0


def _located() -> _Located:
    global _current
    current = _current
    if current is not None and time.monotonic() - current.checked_at < RECHECK_SECONDS:
        return current
    version = _stored_version()
    with _lock:
        if _current is None or _current.version != version:
            _current = _Located(version)
        else:
            _current.checked_at = time.monotonic()
        return _current


def locate(lat: float, long: float) -> Location | None:
    located = _located()
    position = located.index.locate(long, lat)
    return None if position is None else located.locations[position]


def locate_many(lats, longs) -> list[Location | None]:
    located = _located()
    positions = located.index.locate_many(np.asarray(longs, dtype=float), np.asarray(lats, dtype=float))
    return [None if p < 0 else located.locations[p] for p in positions.tolist()]


def forget_index() -> None:
    """Drop this process's index (tests and the demo generator call it after bulk changes)."""
    global _current
    with _lock:
        _current = None

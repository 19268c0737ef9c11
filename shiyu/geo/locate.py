"""locate(lat, long) -> the grid and its units, from one in-process STRtree.

The index is built on first use and rebuilt when the grids change: every change bumps
GridVersion, and each process compares its copy's version at most every few seconds,
so a grid edited in the admin reaches all web workers without a restart.
VersionedCache is that pattern on its own, for other per-process copies of the
database (the address parser, the routing rules)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import shapely

from .index import GridIndex
from .models import AdminUnit, Grid, GridVersion

RECHECK_SECONDS = 5.0

T = TypeVar("T")


@dataclass(frozen=True)
class Location:
    # A grid is known only from coordinates: a place read from an address has none,
    # and perhaps no community either when the address names only a subdistrict.
    grid_id: int | None
    community_id: int | None
    subdistrict_id: int | None
    district_id: int | None


class VersionedCache(Generic[T]):
    """One value per process, built on first use and rebuilt when a version stored in
    the database moves. Reading the version costs a query, so it is compared at most
    every `recheck_seconds` (given per call, so that tests can set it to 0)."""

    def __init__(self, build: Callable[[], T], stored_version: Callable[[], Hashable]):
        self._build = build
        self._stored_version = stored_version
        self._lock = threading.Lock()
        self._current: tuple[Hashable, float, T] | None = None  # (version, checked at, value)

    def get(self, recheck_seconds: float) -> T:
        current = self._current
        if current is not None and time.monotonic() - current[1] < recheck_seconds:
            return current[2]
        version = self._stored_version()
        with self._lock:
            if self._current is None or self._current[0] != version:
                self._current = (version, time.monotonic(), self._build())
            else:
                self._current = (version, time.monotonic(), self._current[2])
            return self._current[2]

    def forget(self) -> None:
        with self._lock:
            self._current = None


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

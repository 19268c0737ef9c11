"""A per-process copy of something kept in the database (the grid index, the address
parser, the routing rules, the holiday table, the category model), rebuilt when a
version of it moves. Every web process keeps its own, so an edit in the admin reaches
all of them within a few seconds without a restart."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


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

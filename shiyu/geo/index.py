"""Point-in-grid lookup: which 网格 covers a longitude/latitude?

``GridIndex`` answers exactly what a brute-force scan would answer (the
first geometry, in input order, that *covers* the point: boundaries count),
but without creating a shapely Point per query point, which alone costs
more than the whole lookup.

How:

* The bounding box of all geometries is divided into a raster of square
  cells (power-of-two size, aligned to a multiple of it, so the cell of a
  point is computed with little or no rounding).
* Every cell that any geometry's boundary passes through, or comes within a
  tiny margin of, is *mixed*. All other cells lie wholly inside or wholly
  outside each geometry, so the answer is the same everywhere in them: it is
  computed once, at the cell's centre, and stored in the table.
* A mixed cell keeps the list of geometries that touch it (found with the
  STRtree, exact predicate), in input order. Points falling in mixed cells
  are tested exactly with ``shapely.intersects_xy`` against the candidates,
  first candidate first, which also settles ties (a point on a shared edge
  belongs to the earliest geometry covering it).

The margin (a millionth of a cell) is far larger than the rounding in
``(x - origin) / cell``, so a point whose computed cell is off by rounding is
still inside the cell's margin, where the table's answer holds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["GridIndex"]

# Table values: >= 0 is a geometry position; EMPTY means no geometry covers
# the cell; MIXED_BASE - k means "mixed, candidates in row k".
EMPTY = -1
MIXED_BASE = -2

# A millionth of a cell: margin around each cell inside which the table's
# classification is still guaranteed.
CELL_MARGIN = 1e-6


class GridIndex:
    """Exact, vectorised point location over a fixed set of geometries.

    ``keys[i]`` is returned for a point covered by ``polygons[i]``; when
    several geometries cover a point (shared edges and vertices), the one
    earliest in the input sequence wins, in both ``locate`` and
    ``locate_many``.

    ``cells_per_geometry`` and ``max_cells`` size the lookup raster (4 bytes
    a cell): more cells mean fewer exact tests per query and a slower build.

    The geometries are prepared in place (``shapely.prepare``), which only
    adds a cache to them.
    """

    def __init__(
        self,
        keys: Sequence[int],
        polygons: Sequence[BaseGeometry],
        *,
        cells_per_geometry: int = 512,
        max_cells: int = 1 << 22,
    ):
        self._keys = np.asarray(keys, dtype=np.int64).reshape(-1)
        geoms = np.empty(len(polygons), dtype=object)
        geoms[:] = list(polygons)
        if len(self._keys) != len(geoms):
            raise ValueError(f"{len(self._keys)} keys for {len(geoms)} polygons")
        if not all(isinstance(g, BaseGeometry) for g in geoms):
            raise TypeError("polygons must be shapely geometries")
        self._geoms = geoms
        self._key_list = self._keys.tolist()
        shapely.prepare(geoms)  # prepared geometries make intersects_xy fast
        self.tree = shapely.STRtree(geoms)

        live = ~shapely.is_empty(geoms)
        if not live.any():
            self._bounds = None
            return
        self._bounds = tuple(float(b) for b in shapely.total_bounds(geoms[live]))
        self._choose_raster(int(live.sum()), cells_per_geometry, max_cells)
        mixed = self._mark_mixed_cells()
        self._table = np.empty(self._nx * self._ny, dtype=np.int32)
        self._fill_uniform_cells(~mixed)
        self._fill_mixed_cells(np.flatnonzero(mixed))

    # ------------------------------------------------------------------ build

    def _choose_raster(self, n: int, cells_per_geometry: int, max_cells: int) -> None:
        minx, miny, maxx, maxy = self._bounds
        width, height = maxx - minx, maxy - miny
        target = max(1, min(n * cells_per_geometry, max_cells))
        if width > 0 and height > 0:
            size = math.sqrt(width * height / target)
        else:
            size = max(width, height) / target or 1.0
        size = 2.0 ** math.ceil(math.log2(size))
        while True:
            ox, oy = math.floor(minx / size) * size, math.floor(miny / size) * size
            nx = int((maxx - ox) // size) + 1
            ny = int((maxy - oy) // size) + 1
            if nx * ny <= max_cells:
                break
            size *= 2.0
        self._size, self._ox, self._oy, self._nx, self._ny = size, ox, oy, nx, ny
        # The margin must also dwarf the rounding of coordinates far from 0.
        ulp = math.ulp(max(abs(minx), abs(maxx), abs(miny), abs(maxy), size))
        self._margin = max(CELL_MARGIN, 1024 * ulp / size)  # in cells

    def _segments(self) -> np.ndarray:
        """All boundary segments (x0, y0, x1, y1) of all geometries.

        Polygons contribute their rings, lines themselves, points a
        zero-length segment: together, everywhere the covering set can change.
        """
        parts = shapely.get_parts(self._geoms)
        while (multi := shapely.get_type_id(parts) >= shapely.GeometryType.MULTIPOINT).any():
            parts = np.concatenate([parts[~multi], shapely.get_parts(parts[multi])])  # nested collections
        parts = parts[~shapely.is_empty(parts)]
        kinds = shapely.get_type_id(parts)
        polygons = kinds == shapely.GeometryType.POLYGON
        lines = np.concatenate([shapely.get_rings(parts[polygons]), parts[(kinds == 1) | (kinds == 2)]])
        coords, which = shapely.get_coordinates(lines, return_index=True)
        same_line = which[1:] == which[:-1]
        segs = [np.hstack([coords[:-1][same_line], coords[1:][same_line]])]
        points = shapely.get_coordinates(parts[kinds == shapely.GeometryType.POINT])
        segs.append(np.hstack([points, points]))
        return np.vstack(segs)

    def _mark_mixed_cells(self) -> np.ndarray:
        """Boolean per cell: does any boundary come within the margin of it?

        Each segment is cut into pieces at most half a cell long; a piece's
        bounding box, widened by the margin, then spans at most 2x2 cells,
        all of which are marked. That over-marks a little near corners,
        which only costs a few exact tests; it never under-marks.
        """
        s = self._segments()
        u0, u1 = (s[:, 0] - self._ox) / self._size, (s[:, 2] - self._ox) / self._size
        v0, v1 = (s[:, 1] - self._oy) / self._size, (s[:, 3] - self._oy) / self._size
        pieces = np.maximum(1, np.ceil(2 * np.maximum(abs(u1 - u0), abs(v1 - v0)))).astype(np.int64)
        seg = np.repeat(np.arange(len(s)), pieces)
        first = np.repeat(np.cumsum(pieces) - pieces, pieces)
        step = np.arange(len(seg)) - first
        ta, tb = step / pieces[seg], (step + 1) / pieces[seg]
        du, dv = u1 - u0, v1 - v0
        ua, ub = u0[seg] + du[seg] * ta, u0[seg] + du[seg] * tb
        va, vb = v0[seg] + dv[seg] * ta, v0[seg] + dv[seg] * tb
        m = self._margin
        col_lo = np.clip(np.floor(np.minimum(ua, ub) - m), 0, self._nx - 1).astype(np.int64)
        col_hi = np.clip(np.floor(np.maximum(ua, ub) + m), 0, self._nx - 1).astype(np.int64)
        row_lo = np.clip(np.floor(np.minimum(va, vb) - m), 0, self._ny - 1).astype(np.int64)
        row_hi = np.clip(np.floor(np.maximum(va, vb) + m), 0, self._ny - 1).astype(np.int64)
        mixed = np.zeros(self._nx * self._ny, dtype=bool)
        for rows in (row_lo, row_hi):
            for cols in (col_lo, col_hi):
                mixed[rows * self._nx + cols] = True
        return mixed

    def _cell_centres(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows, cols = np.divmod(cells, self._nx)
        return self._ox + (cols + 0.5) * self._size, self._oy + (rows + 0.5) * self._size

    def _fill_uniform_cells(self, uniform: np.ndarray) -> None:
        """Answer every boundary-free cell by testing one point per run.

        Neighbouring boundary-free cells in a row have the same answer (no
        boundary separates them), so one exact lookup per run of them is
        enough.
        """
        cells = np.flatnonzero(uniform)
        if len(cells) == 0:
            return
        starts = np.ones(len(cells), dtype=bool)
        starts[1:] = (np.diff(cells) != 1) | (cells[1:] % self._nx == 0)
        run_first = cells[starts]
        x, y = self._cell_centres(run_first)
        answers = self._first_covering(shapely.points(x, y))
        run_lengths = np.diff(np.append(np.flatnonzero(starts), len(cells)))
        self._table[cells] = np.repeat(answers, run_lengths)

    def _first_covering(self, points: np.ndarray) -> np.ndarray:
        """Exact: position of the first geometry covering each point, or EMPTY."""
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        out = np.full(len(points), EMPTY, dtype=np.int32)
        order = np.lexsort((geom_idx, point_idx))  # by point, then input order
        point_idx, geom_idx = point_idx[order], geom_idx[order]
        first = np.ones(len(point_idx), dtype=bool)
        first[1:] = point_idx[1:] != point_idx[:-1]
        out[point_idx[first]] = geom_idx[first]
        return out

    def _fill_mixed_cells(self, cells: np.ndarray) -> None:
        """Give each mixed cell its ordered list of candidate geometries."""
        if len(cells) == 0:
            self._cand_ptr = np.zeros(1, dtype=np.int64)
            self._cand = np.zeros(0, dtype=np.int64)
            return
        rows, cols = np.divmod(cells, self._nx)
        pad = self._margin * self._size
        x0 = self._ox + cols * self._size - pad
        y0 = self._oy + rows * self._size - pad
        boxes = shapely.box(x0, y0, x0 + self._size + 2 * pad, y0 + self._size + 2 * pad)
        cell_idx, geom_idx = self.tree.query(boxes, predicate="intersects")
        order = np.lexsort((geom_idx, cell_idx))  # by cell, then input order
        cell_idx, geom_idx = cell_idx[order], geom_idx[order]
        counts = np.bincount(cell_idx, minlength=len(cells))
        self._cand_ptr = np.concatenate([[0], np.cumsum(counts)])
        self._cand = geom_idx.astype(np.int64)
        # A marked cell that no geometry actually touches is simply empty.
        self._table[cells] = np.where(counts > 0, MIXED_BASE - np.arange(len(cells)), EMPTY)

    # ----------------------------------------------------------------- query

    def __len__(self) -> int:
        return len(self._keys)

    def locate(self, lon: float, lat: float) -> int | None:
        """Key of the geometry covering (lon, lat), or None."""
        lon, lat = float(lon), float(lat)
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ValueError("coordinates must be finite")
        if self._bounds is None:
            return None
        minx, miny, maxx, maxy = self._bounds
        if not (minx <= lon <= maxx and miny <= lat <= maxy):
            return None
        col = min(max(math.floor((lon - self._ox) / self._size), 0), self._nx - 1)
        row = min(max(math.floor((lat - self._oy) / self._size), 0), self._ny - 1)
        value = int(self._table[row * self._nx + col])
        if value >= 0:
            return self._key_list[value]
        if value == EMPTY:
            return None
        k = MIXED_BASE - value
        for g in self._cand[self._cand_ptr[k] : self._cand_ptr[k + 1]].tolist():
            if shapely.intersects_xy(self._geoms[g], lon, lat):
                return self._key_list[g]
        return None

    def locate_many(self, lons, lats) -> np.ndarray:
        """Vectorised locate: an int64 array of keys, -1 where no geometry covers.

        Inputs are broadcast together; the result has their shape.
        """
        x, y = np.broadcast_arrays(np.asarray(lons, dtype=np.float64), np.asarray(lats, dtype=np.float64))
        shape = x.shape
        x, y = x.ravel(), y.ravel()
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise ValueError("coordinates must be finite")
        out = np.full(x.shape, -1, dtype=np.int64)
        if self._bounds is None or len(x) == 0:
            return out.reshape(shape)
        positions = self._positions(x, y)
        found = positions >= 0
        out[found] = self._keys[positions[found]]
        return out.reshape(shape)

    def _positions(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Position of the first covering geometry for each point, or -1."""
        minx, miny, maxx, maxy = self._bounds
        inside = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        xi, yi = x[inside], y[inside]
        col = np.clip(np.floor((xi - self._ox) / self._size), 0, self._nx - 1).astype(np.int64)
        row = np.clip(np.floor((yi - self._oy) / self._size), 0, self._ny - 1).astype(np.int64)
        value = self._table[row * self._nx + col].astype(np.int64)

        positions = np.full(len(x), -1, dtype=np.int64)
        positions[inside] = np.maximum(value, -1)  # uniform cells answered
        mixed = np.flatnonzero(value <= MIXED_BASE)
        if len(mixed) == 0:
            return positions
        # Exact tests, one candidate round at a time, candidates in input
        # order: a point is settled by its first hit, so ties go to the
        # earliest geometry and most points need a single test.
        k = MIXED_BASE - value[mixed]
        pending = inside[mixed]  # indices into x/y
        next_cand = self._cand_ptr[k]
        end = self._cand_ptr[k + 1]
        while len(pending):
            g = self._cand[next_cand]
            hit = shapely.intersects_xy(self._geoms[g], x[pending], y[pending])
            positions[pending[hit]] = g[hit]
            next_cand += 1
            keep = ~hit & (next_cand < end)
            pending, next_cand, end = pending[keep], next_cand[keep], end[keep]
        return positions

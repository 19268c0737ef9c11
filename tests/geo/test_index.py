"""shiyu.geo.index.GridIndex against a brute-force scan.

Plain pytest, no database."""
import math

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from shiyu.geo.citygen import generate_city
from shiyu.geo.index import GridIndex


def brute_force(polygons, keys, x, y) -> np.ndarray:
    """Key of the first polygon (input order) covering each point, -1 if none."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    out = np.full(len(x), -1, dtype=np.int64)
    open_ = np.ones(len(x), dtype=bool)
    for key, polygon in zip(keys, polygons):
        minx, miny, maxx, maxy = polygon.bounds
        near = np.flatnonzero(open_ & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        hit = near[shapely.covers(polygon, shapely.points(x[near], y[near]))]
        out[hit] = key
        open_[hit] = False
    return out


def check_against_brute_force(index, polygons, keys, x, y):
    expected = brute_force(polygons, keys, x, y)
    got = index.locate_many(x, y)
    assert got.dtype == np.int64 and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    singles = [index.locate(a, b) for a, b in zip(x.tolist(), y.tolist())]
    np.testing.assert_array_equal([-1 if s is None else s for s in singles], expected)
    return expected


def random_points(bounds, n, rng, pad=0.05):
    minx, miny, maxx, maxy = bounds
    dx, dy = (maxx - minx) * pad, (maxy - miny) * pad
    return rng.uniform(minx - dx, maxx + dx, n), rng.uniform(miny - dy, maxy + dy, n)


def boundary_points(polygons, rng, n):
    """Vertices shared by several polygons, vertices in general, then points
    on (or within rounding of) edges; also returns how many are vertices."""
    coords, which = shapely.get_coordinates(shapely.boundary(polygons), return_index=True)
    uniq, counts = np.unique(coords, axis=0, return_counts=True)
    shared = uniq[counts > 2]  # closing vertices are counted twice per ring
    pick = lambda a, k: a[rng.choice(len(a), size=min(k, len(a)), replace=False)]
    same = which[1:] == which[:-1]
    starts, ends = coords[:-1][same], coords[1:][same]
    t = rng.uniform(0, 1, (len(starts), 1))
    on_edges = starts + t * (ends - starts)
    mids = (starts + ends) / 2
    vertices = np.vstack([pick(shared, n), pick(coords, n)])
    pts = np.vstack([vertices, pick(on_edges, n), pick(mids, n)])
    return pts[:, 0], pts[:, 1], len(vertices)


@pytest.fixture(scope="module")
def small_city():
    plan = generate_city(seed=5, districts=2, subdistricts=6, communities=30, grids=150)
    polygons = [g.polygon for g in plan.grids]
    keys = [int(g.code) for g in plan.grids]
    return plan, polygons, keys


@pytest.fixture(scope="module")
def full_city():
    plan = generate_city()
    polygons = [g.polygon for g in plan.grids]
    keys = list(range(10_000, 10_000 + len(polygons)))
    return plan, polygons, keys, GridIndex(keys, polygons)


def test_len(small_city):
    _, polygons, keys = small_city
    assert len(GridIndex(keys, polygons)) == 150


def test_random_points_match_brute_force(small_city):
    plan, polygons, keys = small_city
    index = GridIndex(keys, polygons)
    x, y = random_points(plan.boundary.bounds, 5000, np.random.default_rng(1))
    expected = check_against_brute_force(index, polygons, keys, x, y)
    assert 0.3 < (expected >= 0).mean() < 0.95  # both inside and outside were tried


def test_points_on_shared_edges_and_vertices(small_city):
    _, polygons, keys = small_city
    index = GridIndex(keys, polygons)
    x, y, vertices = boundary_points(polygons, np.random.default_rng(2), 1500)
    expected = check_against_brute_force(index, polygons, keys, x, y)
    assert (expected[:vertices] >= 0).all()  # a vertex is covered by its own grid at least


def test_ties_go_to_the_earliest_polygon_even_when_shuffled(small_city):
    _, polygons, keys = small_city
    order = np.random.default_rng(3).permutation(len(polygons))
    polygons = [polygons[i] for i in order]
    keys = [keys[i] for i in order]
    index = GridIndex(keys, polygons)
    x, y, _ = boundary_points(polygons, np.random.default_rng(4), 1000)
    check_against_brute_force(index, polygons, keys, x, y)


@pytest.mark.parametrize("cells_per_geometry,max_cells", [(1, 1 << 22), (4, 64), (4096, 1 << 20)])
def test_any_raster_resolution_is_exact(small_city, cells_per_geometry, max_cells):
    plan, polygons, keys = small_city
    index = GridIndex(keys, polygons, cells_per_geometry=cells_per_geometry, max_cells=max_cells)
    rng = np.random.default_rng(5)
    x, y = random_points(plan.boundary.bounds, 3000, rng)
    bx, by, _ = boundary_points(polygons, rng, 300)
    check_against_brute_force(index, polygons, keys, np.r_[x, bx], np.r_[y, by])


def test_points_on_raster_lines(small_city):
    """Coordinates on multiples of 2**-16 fall on cell edges of any raster
    whose (power-of-two) cell size is coarser."""
    plan, polygons, keys = small_city
    index = GridIndex(keys, polygons)
    x, y = random_points(plan.boundary.bounds, 3000, np.random.default_rng(6))
    step = 2.0**-16
    x, y = np.round(x / step) * step, np.round(y / step) * step
    check_against_brute_force(index, polygons, keys, x, y)


def test_full_city_matches_brute_force(full_city):
    plan, polygons, keys, index = full_city
    rng = np.random.default_rng(7)
    x, y = random_points(plan.boundary.bounds, 5000, rng)
    bx, by, _ = boundary_points(polygons, rng, 500)
    check_against_brute_force(index, polygons, keys, np.r_[x, bx], np.r_[y, by])


def test_a_grids_interior_point_finds_that_grid(full_city):
    plan, polygons, keys, index = full_city
    reps = shapely.get_coordinates(shapely.point_on_surface(polygons))
    np.testing.assert_array_equal(index.locate_many(reps[:, 0], reps[:, 1]), keys)
    assert index.locate(*reps[17]) == keys[17]


def test_shared_edge_tie_break():
    left, right = box(0, 0, 1, 1), box(1, 0, 2, 1)
    assert GridIndex([10, 20], [left, right]).locate(1.0, 0.5) == 10
    assert GridIndex([20, 10], [right, left]).locate(1.0, 0.5) == 20
    index = GridIndex([10, 20], [left, right])
    np.testing.assert_array_equal(index.locate_many([1.0, 0.5, 1.5, 2.0, 2.5], [0.5, 0.5, 0.5, 1.0, 0.5]), [10, 10, 20, 20, -1])
    assert index.locate(0.0, 0.0) == 10 and index.locate(2.0, 1.0) == 20
    assert index.locate(2.0000000001, 1.0) is None


def test_overlaps_holes_and_multipolygons():
    ring = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (3, 1), (3, 3), (1, 3)]])
    pieces = MultiPolygon([box(5, 0, 6, 1), box(7, 0, 8, 1)])
    over = box(3.5, 3.5, 5, 5)  # overlaps the ring's corner
    polygons, keys = [ring, pieces, over], [1, 2, 3]
    index = GridIndex(keys, polygons)
    assert index.locate(2, 2) is None  # in the hole
    assert index.locate(1, 2) == 1  # on the hole's edge
    assert index.locate(3.75, 3.75) == 1  # overlap: earliest wins
    assert index.locate(4.5, 4.5) == 3
    assert index.locate(7.5, 0.5) == 2 and index.locate(6.5, 0.5) is None
    x, y = random_points((0, 0, 8, 5), 4000, np.random.default_rng(8))
    check_against_brute_force(index, polygons, keys, x, y)


def test_nested_collections_and_empty_geometries():
    nested = shapely.GeometryCollection([shapely.GeometryCollection([box(0, 0, 1, 1)]), box(2, 0, 3, 1)])
    polygons, keys = [Polygon(), nested, box(0.5, 0, 2.5, 1)], [1, 2, 3]
    index = GridIndex(keys, polygons)
    assert index.locate(0.5, 0.5) == 2 and index.locate(1.5, 0.5) == 3 and index.locate(4, 0.5) is None
    x, y = random_points((0, 0, 3, 1), 3000, np.random.default_rng(9))
    check_against_brute_force(index, polygons, keys, x, y)


def test_locate_many_shapes_and_empty_inputs(small_city):
    _, polygons, keys = small_city
    index = GridIndex(keys, polygons)
    c = polygons[0].representative_point()
    assert index.locate_many([], []).shape == (0,)
    grid = index.locate_many(np.full((2, 3), c.x), c.y)
    assert grid.shape == (2, 3) and (grid == keys[0]).all()
    assert index.locate_many(c.x, c.y).shape == ()


def test_empty_index():
    index = GridIndex([], [])
    assert len(index) == 0
    assert index.locate(116.0, 39.9) is None
    np.testing.assert_array_equal(index.locate_many([1.0, 2.0], [3.0, 4.0]), [-1, -1])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_coordinates_are_rejected(small_city, bad):
    _, polygons, keys = small_city
    index = GridIndex(keys, polygons)
    with pytest.raises(ValueError):
        index.locate(bad, 39.9)
    with pytest.raises(ValueError):
        index.locate(116.1, bad)
    with pytest.raises(ValueError):
        index.locate_many([116.1, bad], [39.9, 39.9])
    with pytest.raises(ValueError):
        index.locate_many([116.1, 116.1], [39.9, bad])


def test_mismatched_inputs_are_rejected():
    with pytest.raises(ValueError):
        GridIndex([1, 2], [box(0, 0, 1, 1)])
    with pytest.raises(TypeError):
        GridIndex([1], ["POLYGON ((0 0, 1 0, 1 1, 0 0))"])

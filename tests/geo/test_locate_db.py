"""locate() over the database's grids: the right grid and units, rebuilt after edits."""
import numpy as np
import shapely

from shiyu.geo import locate as geo_locate
from shiyu.geo.models import Grid


def test_locate_returns_the_grid_and_its_units(city):
    for grid in city.grids[:10]:
        lat, long = city.point_in(grid)
        found = geo_locate.locate(lat, long)
        assert found.grid_id == grid.pk and found.community_id == grid.community_id
        assert found.subdistrict_id == grid.community.parent_id
        assert found.district_id == grid.community.parent.parent_id
    assert geo_locate.locate(0.0, 0.0) is None


def test_locate_many_agrees_with_brute_force(city):
    polygons = [(g.pk, shapely.from_wkt(g.boundary_wkt)) for g in Grid.objects.order_by("id")]
    xmin, ymin, xmax, ymax = shapely.union_all([p for _, p in polygons]).bounds
    rng = np.random.default_rng(1)
    longs, lats = rng.uniform(xmin - 0.01, xmax + 0.01, 500), rng.uniform(ymin - 0.01, ymax + 0.01, 500)
    found = geo_locate.locate_many(lats, longs)
    for long, lat, location in zip(longs, lats, found):
        expected = next((pk for pk, p in polygons if p.covers(shapely.Point(long, lat))), None)
        assert (location and location.grid_id) == expected


def test_an_edited_grid_is_seen_after_the_index_rebuilds(city, monkeypatch):
    grid = Grid.objects.order_by("code").first()
    other = Grid.objects.order_by("code").last()
    lat, long = city.point_in(other)
    assert geo_locate.locate(lat, long).grid_id == other.pk
    # Redraw the first grid over the last one's point: the save bumps the grid version.
    monkeypatch.setattr(geo_locate, "RECHECK_SECONDS", 0)  # compare versions on every call
    grid.boundary_wkt = shapely.Point(long, lat).buffer(0.0001).wkt
    try:
        grid.save()
        assert geo_locate.locate(lat, long).grid_id == grid.pk
    finally:
        geo_locate.forget_index()  # the test's transaction rolls back: drop the edited index

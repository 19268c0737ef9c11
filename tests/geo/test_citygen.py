"""shiyu.geo.citygen: a deterministic city whose levels tile each other exactly.

Plain pytest, no database."""
import re
from collections import Counter, defaultdict

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from shiyu.geo.citygen import CITY_CODE, CityPlan, generate_city

SMALL = dict(districts=2, subdistricts=6, communities=30, grids=150)
LEVELS = ["city", "district", "subdistrict", "community"]
AREA_RTOL = 1e-9


@pytest.fixture(scope="module")
def small() -> CityPlan:
    return generate_city(seed=11, **SMALL)


@pytest.fixture(scope="module")
def full() -> CityPlan:
    return generate_city()


def by_level(plan: CityPlan) -> dict[str, list]:
    out = defaultdict(list)
    for unit in plan.units:
        out[unit.level].append(unit)
    return out


def children_of(plan: CityPlan) -> dict[str, list]:
    """Parent code -> child polygons, grids included."""
    out = defaultdict(list)
    for unit in plan.units:
        if unit.parent_code is not None:
            out[unit.parent_code].append(unit.polygon)
    for grid in plan.grids:
        out[grid.community_code].append(grid.polygon)
    return out


def fingerprint(plan: CityPlan):
    return (
        plan.name,
        plan.code,
        plan.boundary.wkb,
        [(u.code, u.name, u.level, u.parent_code, u.population, u.roads, u.places, u.polygon.wkb) for u in plan.units],
        [(g.code, g.name, g.community_code, g.polygon.wkb) for g in plan.grids],
    )


def assert_counts(plan: CityPlan, districts, subdistricts, communities, grids):
    counts = Counter(u.level for u in plan.units)
    assert counts == {"city": 1, "district": districts, "subdistrict": subdistricts, "community": communities}
    assert len(plan.grids) == grids


def assert_tiles(plan: CityPlan):
    """Every parent is covered by its children, which do not overlap."""
    polygons = {u.code: u.polygon for u in plan.units}
    kids = children_of(plan)
    assert set(kids) == set(polygons)  # every unit has children (grids for communities)
    for code, children in kids.items():
        parent_area = polygons[code].area
        assert sum(c.area for c in children) == pytest.approx(parent_area, rel=AREA_RTOL), code
        union = shapely.union_all(children)
        assert union.area == pytest.approx(parent_area, rel=AREA_RTOL), code
        assert shapely.symmetric_difference(union, polygons[code]).area <= AREA_RTOL * parent_area, code


def assert_geometry_sane(plan: CityPlan):
    for unit in plan.units:
        assert isinstance(unit.polygon, (Polygon, MultiPolygon)), unit.code
        assert unit.polygon.is_valid and not unit.polygon.is_empty and unit.polygon.area > 0, unit.code
    for grid in plan.grids:
        assert isinstance(grid.polygon, Polygon), grid.code
        assert grid.polygon.is_valid and not grid.polygon.is_empty and grid.polygon.area > 0, grid.code


# ---------------------------------------------------------------- structure


def test_exact_counts(small):
    assert_counts(small, **SMALL)


@pytest.mark.parametrize(
    "counts",
    [
        dict(districts=1, subdistricts=1, communities=1, grids=1),
        dict(districts=3, subdistricts=3, communities=3, grids=3),
        dict(districts=2, subdistricts=4, communities=12, grids=40),
        dict(districts=1, subdistricts=9, communities=10, grids=57),
    ],
)
def test_exact_counts_at_the_edges(counts):
    plan = generate_city(seed=3, **counts)
    assert_counts(plan, **counts)
    assert_tiles(plan)
    assert_geometry_sane(plan)


@pytest.mark.parametrize(
    "counts",
    [
        dict(districts=0, subdistricts=1, communities=1, grids=1),
        dict(districts=3, subdistricts=2, communities=5, grids=10),  # a district without subdistricts
        dict(districts=1, subdistricts=2, communities=5, grids=4),
        dict(districts=100, subdistricts=100, communities=100, grids=100),  # only 2 county digits
        dict(districts=1, subdistricts=100, communities=100, grids=100),  # at most 99 per district
    ],
)
def test_impossible_counts_are_rejected(counts):
    with pytest.raises(ValueError):
        generate_city(**counts)


def test_units_are_ordered_parents_first(small):
    levels = [u.level for u in small.units]
    assert levels == sorted(levels, key=LEVELS.index)
    assert small.units[0].level == "city" and small.units[0].parent_code is None
    seen = set()
    for unit in small.units:
        assert unit.parent_code is None or unit.parent_code in seen
        seen.add(unit.code)
    units = {u.code for u in small.units if u.level == "community"}
    assert all(g.community_code in units for g in small.grids)


def test_codes(small):
    units = {u.code: u for u in small.units}
    assert len(units) == len(small.units)
    assert len({g.code for g in small.grids}) == len(small.grids)
    assert small.code == CITY_CODE == small.units[0].code
    assert all(re.fullmatch(r"\d{12}", code) for code in units)
    assert all(re.fullmatch(r"\d{15}", g.code) for g in small.grids)
    prefix = {"district": 4, "subdistrict": 6, "community": 9}
    for unit in small.units[1:]:
        parent = units[unit.parent_code]
        assert unit.code.startswith(parent.code[: prefix[unit.level]])
        assert unit.code[prefix[unit.level] :] != "0" * (12 - prefix[unit.level])
    for unit in small.units:
        if unit.level == "district":
            assert unit.code.endswith("000000")
        if unit.level == "subdistrict":
            assert unit.code.endswith("000")
            township = int(unit.code[6:9])
            assert (1 <= township <= 99) if unit.name.endswith("街道") else township >= 100
        if unit.level == "community":
            village = int(unit.code[9:])
            assert (1 <= village <= 199) if unit.name.endswith("社区") else village >= 200
    for grid in small.grids:
        assert grid.code[:12] == grid.community_code and grid.code[12:] != "000"


def test_grid_codes_are_numbered_from_one_per_community(small):
    per_community = defaultdict(list)
    for grid in small.grids:
        per_community[grid.community_code].append(grid.code[12:])
    for suffixes in per_community.values():
        assert suffixes == [f"{i:03d}" for i in range(1, len(suffixes) + 1)]


# ---------------------------------------------------------------- geometry


def test_geometry_is_valid(small):
    assert_geometry_sane(small)
    assert small.boundary.equals(small.units[0].polygon)
    assert isinstance(small.boundary, Polygon)


def test_children_tile_their_parents(small):
    assert_tiles(small)


def test_city_sits_where_asked():
    plan = generate_city(seed=5, center=(120.0, 30.0), span_km=(20, 10), **SMALL)
    minx, miny, maxx, maxy = plan.boundary.bounds
    assert (minx + maxx) / 2 == pytest.approx(120.0, abs=1e-9)
    assert (miny + maxy) / 2 == pytest.approx(30.0, abs=1e-9)
    assert (maxy - miny) * 110.574 == pytest.approx(10, rel=1e-6)
    assert (maxx - minx) * 111.32 * 0.866 == pytest.approx(20, rel=1e-3)


# ---------------------------------------------------------------- names and attributes


def test_names_are_unique_and_well_formed(small):
    levels = by_level(small)
    assert levels["city"][0].name == "示范市"
    patterns = {
        "district": r"[\u4e00-\u9fff]{2,3}区",
        "subdistrict": r"[\u4e00-\u9fff]{2,3}(街道|镇)",
        "community": r"[\u4e00-\u9fff]{2,3}(社区|村)",
    }
    for level, pattern in patterns.items():
        names = [u.name for u in levels[level]]
        assert len(set(names)) == len(names), level
        assert all(re.fullmatch(pattern, n) for n in names), names
    units = {u.code: u for u in small.units}
    for grid in small.grids:
        assert grid.name == f"{units[grid.community_code].name}第{int(grid.code[12:])}网格"


def test_roads_and_places(small):
    roads, places = [], []
    for unit in small.units:
        if unit.level == "subdistrict":
            assert 4 <= len(unit.roads) <= 8, unit.name
            assert all(re.fullmatch(r"[\u4e00-\u9fff]{3,6}", r) for r in unit.roads), unit.roads
            roads += unit.roads
        else:
            assert unit.roads == ()
        if unit.level == "community":
            assert 2 <= len(unit.places) <= 5, unit.name
            assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,12}", p) for p in unit.places), unit.places
            places += unit.places
        else:
            assert unit.places == ()
    assert len(set(roads)) == len(roads)
    assert len(set(places)) == len(places)


def test_population_sums_upwards(small):
    units = {u.code: u for u in small.units}
    totals = Counter()
    for unit in small.units[1:]:
        totals[unit.parent_code] += unit.population
    for unit in small.units:
        assert unit.population > 0
        if unit.level != "community":
            assert unit.population == totals[unit.code], unit.code
    for unit in small.units:
        if unit.level == "community":
            assert 100 <= unit.population <= 50_000
    assert units[CITY_CODE].population == sum(u.population for u in small.units if u.level == "community")


# ---------------------------------------------------------------- determinism


def test_same_seed_same_city(small):
    assert fingerprint(generate_city(seed=11, **SMALL)) == fingerprint(small)


def test_different_seed_different_city(small):
    other = generate_city(seed=12, **SMALL)
    assert other.boundary.wkb != small.boundary.wkb
    assert [u.name for u in other.units] != [u.name for u in small.units]
    assert [g.polygon.wkb for g in other.grids] != [g.polygon.wkb for g in small.grids]


# ---------------------------------------------------------------- default size


def test_full_default_city(full):
    assert full.name == "示范市"
    assert_counts(full, districts=6, subdistricts=60, communities=600, grids=4000)
    assert_geometry_sane(full)
    assert_tiles(full)
    levels = by_level(full)
    for level in ("district", "subdistrict", "community"):
        names = [u.name for u in levels[level]]
        assert len(set(names)) == len(names)
    assert len({u.code for u in full.units}) == len(full.units)
    assert len({g.code for g in full.grids}) == 4000
    roads = [r for u in levels["subdistrict"] for r in u.roads]
    places = [p for u in levels["community"] for p in u.places]
    assert len(set(roads)) == len(roads) and len(set(places)) == len(places)
    # Some outer subdistricts are towns with villages, most are streets.
    towns = [u for u in levels["subdistrict"] if u.name.endswith("镇")]
    villages = [u for u in levels["community"] if u.name.endswith("村")]
    assert 0 < len(towns) < 30 and 0 < len(villages) < 300
    assert 500_000 < levels["city"][0].population < 20_000_000

"""Deterministic demo city generator.

Builds a fictional but plausible city (city -> districts -> subdistricts ->
communities -> grids) for demos, tests and benchmarks. Nothing here knows
about Django: the output is plain dataclasses holding shapely geometries in
lon/lat (x = longitude, y = latitude).

How it works, top down, so that every level tiles its parent exactly:

1. The city outline is a randomly perturbed ellipse (star-shaped, hence
   always a simple, valid polygon).
2. Each parent polygon is cut into N children by the Voronoi diagram of N
   seed points inside it (a few Lloyd rounds make the cells even-sized).
   Rather than intersecting every Voronoi cell with the parent separately,
   the Voronoi edges and the parent's boundary are noded together once and
   polygonized: neighbouring children then share bit-identical vertices, so
   they cover the parent with no gaps or overlaps.
3. A non-convex parent can cut a Voronoi cell into several pieces. The piece
   with most area stays the child; the others are merged into the
   neighbour with which they share the longest edge, so every child is a
   single Polygon.

Codes follow the statistical-division layout: 2 province + 2 city digits,
2 county (district) digits, 3 township digits (001-099 街道, 100+ 镇) and 3
village digits (001-199 社区, 200+ 村); a grid adds 3 more digits.

Everything is derived from ``numpy.random.default_rng(seed)``: the same
arguments always give the same plan.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = ["CityPlan", "GridSpec", "UnitSpec", "generate_city", "CITY_CODE"]

# 99 is not a real province code, so demo data can never be mistaken for a
# real division.
CITY_CODE = "990100000000"

# Caps imposed by the code layout (and by the 社区/村 split of village codes).
MAX_DISTRICTS = 99
MAX_SUBDISTRICTS_PER_DISTRICT = 99
MAX_COMMUNITIES_PER_SUBDISTRICT = 199
MAX_GRIDS_PER_COMMUNITY = 999

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_AT_EQUATOR = 111.320

LLOYD_ROUNDS = 3
# Subdistricts whose centre lies beyond this fraction of the city's radius
# become towns (镇) with villages (村) instead of 街道 with 社区.
TOWN_RADIUS = 0.72


# --------------------------------------------------------------------------
# Public data model
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    level: str  # "city" | "district" | "subdistrict" | "community"
    parent_code: str | None
    polygon: BaseGeometry  # Polygon or MultiPolygon, lon/lat
    population: int
    roads: tuple[str, ...] = ()
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class GridSpec:
    code: str
    name: str
    community_code: str
    polygon: Polygon


@dataclass(frozen=True)
class CityPlan:
    name: str
    code: str
    units: list[UnitSpec]
    grids: list[GridSpec]
    boundary: Polygon


# --------------------------------------------------------------------------
# Names. Stems are combined from character lists chosen so that (nearly)
# any combination reads like a real Chinese place name.
# --------------------------------------------------------------------------

_FIRST = (
    "东西南北中新老大小上下前后永长安和平兴隆福康宁泰华明光阳春云青清金"
    "银玉宝龙凤桃杏梅兰松柏柳文德仁嘉瑞祥广丰盛荣昌富惠双三石白红黄马鹿"
)
_SECOND = (
    "城门山湖河桥庄园苑坊里营店峪台坡岭湾塘泉溪林沟屯堡口阳安宁平和兴华"
    "康泰丰乐昌盛源水田家关庙洼滩"
)
_THIRD = "东西南北中前后上下"

# District stems by compass direction from the city centre, so that 东城区
# is not in the west. "C" is for districts near the centre.
_DISTRICT_STEMS = {
    "C": ("城关", "中山", "鼓楼", "中心", "府前"),
    "E": ("东城", "东湖", "东山", "东坡", "东港"),
    "W": ("西城", "西湖", "西山", "西岭", "西营"),
    "N": ("北城", "北苑", "北山", "北湖", "北关"),
    "S": ("南城", "南湖", "南山", "南苑", "南关"),
}
_GENERIC_DISTRICT_STEMS = (
    "临江", "长宁", "永安", "新华", "金水", "龙泉", "凤台", "安平", "青山",
    "清河", "白塔", "石门", "云岭", "宝丰", "兴隆", "广安", "丰台", "泰和",
)

_ROAD_STEMS = (
    "人民", "解放", "建设", "中山", "友谊", "团结", "胜利", "光明", "和平",
    "新华", "文化", "育才", "科技", "工业", "振兴", "朝阳", "青年", "幸福",
    "民主", "复兴", "长安", "滨河", "环城", "站前", "府前", "学院", "体育",
    "迎宾", "红旗", "东风", "兴华", "建国", "建华", "民生", "安康", "金桥",
    "银河", "花园", "公园", "北海", "南湖", "平安", "富强", "振华", "开元",
    "迎春", "育英", "农林", "商业", "交通", "铁路", "滨江", "园林", "明珠",
    "锦华", "光华", "春晖", "五一", "八一", "劳动",
)
# Repeats weight the draw: plain 路 is the commonest suffix.
_ROAD_SUFFIXES = (
    "路", "路", "路", "路", "街", "街", "大街", "大道", "东路", "西路",
    "南路", "北路", "中路", "东街", "西街", "南街", "北街", "巷",
)

_ESTATE_STEMS = (
    "阳光", "幸福", "金色", "绿地", "碧水", "翠湖", "锦绣", "和谐", "盛世",
    "东方", "世纪", "丽景", "怡景", "枫林", "芳草", "晨曦", "紫荆", "玉兰",
    "海棠", "龙湖", "万和", "福润", "瑞祥", "康乐", "安居", "泰和", "润泽",
    "书香", "水岸", "香榭", "御景", "清华", "桂园", "银座", "星河", "华府",
)
_ESTATE_SUFFIXES = (
    "花园", "家园", "小区", "新村", "公寓", "嘉园", "雅苑", "名苑", "华庭",
    "佳苑", "新城", "里", "苑",
)
_URBAN_FACILITIES = (
    "小学", "中学", "幼儿园", "农贸市场", "社区卫生服务站", "文化广场",
    "公园", "养老驿站", "便民市场", "体育公园",
)
_VILLAGE_FACILITIES = (
    "小学", "卫生室", "文化广场", "农贸市场", "幼儿园", "敬老院", "党群服务中心",
)

_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """1..9999 in Chinese numerals, as written in school names (第十二中学)."""
    if not 0 < n < 10000:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    out = []
    zero_pending = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero_pending:
                out.append("零")
            out.append(_DIGITS[d] + unit)
            zero_pending = False
        elif out:
            zero_pending = True
    return "".join(out)


class _StemPool:
    """An endless, deterministic stream of unused name stems.

    Curated stems come first (shuffled); then 2-character combinations of
    _FIRST x _SECOND (shuffled); then, should a huge city exhaust those,
    3-character stems. ``used`` may be shared between pools so that e.g. a
    街道 never takes a community's stem.
    """

    def __init__(self, rng: np.random.Generator, curated: Sequence[str] = (), used: set[str] | None = None):
        self._rng = rng
        self._curated = list(curated)
        self.used = used if used is not None else set()
        self._stream = self._generate()

    def _generate(self) -> Iterator[str]:
        for i in self._rng.permutation(len(self._curated)):
            yield self._curated[i]
        pairs = [a + b for a in _FIRST for b in _SECOND if a != b]
        for i in self._rng.permutation(len(pairs)):
            yield pairs[i]
        for pair in pairs:
            for c in _THIRD:
                yield pair + c

    def take(self) -> str:
        for stem in self._stream:
            if stem not in self.used:
                self.used.add(stem)
                return stem
        raise RuntimeError("name stems exhausted")  # pragma: no cover

    def reserve(self, stem: str) -> bool:
        """Claim a specific stem; False if it is already taken."""
        if stem in self.used:
            return False
        self.used.add(stem)
        return True


class _Names:
    """All name generation for one city, drawing from one rng."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.unit_stems = _StemPool(rng)  # shared by all admin levels
        self.road_stems = _StemPool(rng, _ROAD_STEMS)
        self.estate_stems = _StemPool(rng, _ESTATE_STEMS)
        self.places_used: set[str] = set()
        self.schools = {"小学": 0, "中学": 0}

    def district(self, direction: str) -> str:
        for stem in _DISTRICT_STEMS[direction] + _GENERIC_DISTRICT_STEMS:
            if self.unit_stems.reserve(stem):
                return stem + "区"
        return self.unit_stems.take() + "区"

    def roads(self, count: int) -> tuple[str, ...]:
        # Stems are unique, hence so are the road names.
        return tuple(
            self.road_stems.take() + _ROAD_SUFFIXES[self.rng.integers(len(_ROAD_SUFFIXES))]
            for _ in range(count)
        )

    def places(self, stem: str, village: bool, count: int) -> tuple[str, ...]:
        """Residential estates and facilities of one community.

        Facility names carry the community's own (city-wide unique) stem,
        numbered schools use city-wide counters, estates take fresh stems:
        together that makes every place name unique city-wide.
        """
        out: list[str] = []
        if village:
            kinds = _VILLAGE_FACILITIES
            order = self.rng.permutation(len(kinds))
            for i in order[:count]:
                out.append(self._claim(stem + kinds[i]))
            return tuple(p for p in out if p)
        estates = 1 + int(self.rng.integers(0, max(1, count - 1)))
        for _ in range(estates):
            suffix = _ESTATE_SUFFIXES[self.rng.integers(len(_ESTATE_SUFFIXES))]
            out.append(self._claim(self.estate_stems.take() + suffix))
        order = self.rng.permutation(len(_URBAN_FACILITIES))
        for i in order[: count - estates]:
            kind = _URBAN_FACILITIES[i]
            if kind in self.schools:
                self.schools[kind] += 1
                out.append(self._claim(f"第{_chinese_number(self.schools[kind])}{kind}"))
            else:
                out.append(self._claim(stem + kind))
        return tuple(p for p in out if p)

    def _claim(self, name: str) -> str:
        if name in self.places_used:  # cannot happen by construction; stay safe
            return ""
        self.places_used.add(name)
        return name


# --------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------


class _Projection:
    """Local equirectangular km <-> lon/lat around the city centre.

    Voronoi cells are computed in km so they are not stretched east-west
    (a degree of longitude is only ~0.77 of a degree of latitude at 40°N).
    The mapping is affine, so straight edges stay straight.
    """

    def __init__(self, lon0: float, lat0: float):
        self.origin = np.array([lon0, lat0])
        self.scale = np.array([KM_PER_DEG_LON_AT_EQUATOR * math.cos(math.radians(lat0)), KM_PER_DEG_LAT])

    def xy_to_km(self, xy: np.ndarray) -> np.ndarray:
        return (xy - self.origin) * self.scale

    def xy_to_deg(self, xy: np.ndarray) -> np.ndarray:
        return xy / self.scale + self.origin

    def to_km(self, geom):
        return shapely.transform(geom, self.xy_to_km)

    def to_deg(self, geom):
        return shapely.transform(geom, self.xy_to_deg)


def _city_outline_km(rng: np.random.Generator, span_km: tuple[float, float], vertices: int = 256) -> Polygon:
    """A perturbed ellipse whose bounding box is exactly span_km, centred on 0.

    r(θ) stays positive and θ increases monotonically, so the ring is
    star-shaped around the origin and can never self-intersect.
    """
    theta = np.linspace(0.0, 2.0 * math.pi, vertices, endpoint=False)
    r = np.ones_like(theta)
    for k in range(2, 7):  # broad lobes and bays
        r += rng.uniform(0.02, 0.14) / k**0.7 * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
    for k in range(7, 25):  # a ragged edge, as real boundaries follow rivers and ridges
        r += rng.uniform(0.0, 0.012) * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
    r = np.clip(r, 0.5, None)
    x, y = r * np.cos(theta), r * np.sin(theta)
    x = (x - (x.max() + x.min()) / 2) * span_km[0] / (x.max() - x.min())
    y = (y - (y.max() + y.min()) / 2) * span_km[1] / (y.max() - y.min())
    return Polygon(np.column_stack([x, y]))


def _random_points_in(poly_km: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """n uniform random points strictly inside poly_km (rejection sampling)."""
    shapely.prepare(poly_km)
    minx, miny, maxx, maxy = poly_km.bounds
    found: list[np.ndarray] = []
    have = 0
    while have < n:
        batch = max(4 * (n - have), 32)
        pts = np.column_stack([rng.uniform(minx, maxx, batch), rng.uniform(miny, maxy, batch)])
        pts = pts[shapely.contains_xy(poly_km, pts[:, 0], pts[:, 1])]
        found.append(pts)
        have += len(pts)
    return np.concatenate(found)[:n]


def _expanded_box(geom, factor: float = 0.25) -> Polygon:
    minx, miny, maxx, maxy = geom.bounds
    pad = factor * max(maxx - minx, maxy - miny)
    return shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)


def _relaxed_seeds(parent_km: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """Seed points spread evenly over the parent by a few Lloyd rounds.

    Pure random seeds give wildly uneven cells; fully converged Lloyd gives
    honeycombs. A few rounds look like real administrative divisions.
    """
    pts = _random_points_in(parent_km, n, rng)
    envelope = _expanded_box(parent_km)
    shapely.prepare(parent_km)
    for _ in range(LLOYD_ROUNDS):
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=envelope, ordered=True)
        )
        if len(cells) != n:  # coincident seeds; keep what we have
            break
        cells = shapely.intersection(cells, parent_km)
        centres = shapely.centroid(cells)
        # A centroid of a non-convex cell can fall outside the parent.
        outside = ~shapely.contains(parent_km, centres)
        centres[outside] = shapely.point_on_surface(cells[outside])
        moved = shapely.get_coordinates(centres)
        if len(moved) != n or len(np.unique(moved, axis=0)) != n:
            break
        pts = moved
    return pts


def _voronoi_faces(parent: Polygon, seeds_km: np.ndarray, proj: _Projection) -> tuple[np.ndarray, np.ndarray]:
    """Faces of parent cut by the Voronoi edges of the seeds, and each face's seed.

    Noding the edges and the parent boundary in one union means the vertex
    where an edge meets the boundary is computed once and shared by both
    faces on either side of it.
    """
    parent_km = proj.to_km(parent)
    edges_km = shapely.voronoi_polygons(
        shapely.multipoints(seeds_km), extend_to=_expanded_box(parent_km), only_edges=True
    )
    linework = shapely.union_all([parent.boundary, proj.to_deg(edges_km)])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    reps = shapely.point_on_surface(faces)
    shapely.prepare(parent)
    inside = shapely.contains(parent, reps)  # polygonize also closes faces outside
    faces, reps = faces[inside], reps[inside]
    reps_km = proj.xy_to_km(shapely.get_coordinates(reps))
    # A face lies inside exactly one Voronoi cell, i.e. its points are all
    # nearest to that cell's seed.
    tree = shapely.STRtree(shapely.points(seeds_km))
    _, owner = tree.query_nearest(shapely.points(reps_km), all_matches=False)
    return faces, owner


def _assign_fragments(faces: np.ndarray, owner: np.ndarray, n: int) -> list[list[int]] | None:
    """Group faces into n connected children; None if a seed got no face."""
    areas = shapely.area(faces)
    group = np.full(len(faces), -1)
    for i in range(n):
        owned = np.flatnonzero(owner == i)
        if len(owned) == 0:
            return None
        group[owned[np.argmax(areas[owned])]] = i
    pending = list(np.flatnonzero(group < 0))
    boundaries = shapely.boundary(faces)
    tree = shapely.STRtree(faces)
    # Fragments touching only other unassigned fragments wait a round.
    while pending:
        still_pending = []
        for f in pending:
            best = _longest_shared_edge(f, faces, boundaries, tree, group)
            if best < 0:
                still_pending.append(f)  # only touches other fragments so far
            else:
                group[f] = group[best]
        if len(still_pending) == len(pending):
            raise RuntimeError("fragment with no neighbouring cell")  # pragma: no cover
        pending = still_pending
    return [list(np.flatnonzero(group == i)) for i in range(n)]


def _longest_shared_edge(f: int, faces, boundaries, tree, group) -> int:
    """The assigned face sharing the longest edge with face f, or -1."""
    candidates = tree.query(faces[f], predicate="touches")
    candidates = candidates[group[candidates] >= 0]
    if len(candidates) == 0:
        return -1
    shared = shapely.length(shapely.intersection(boundaries[f], boundaries[candidates]))
    if shared.max() <= 0:  # touching at a point only would make a MultiPolygon
        return -1
    return int(candidates[np.argmax(shared)])


def _split(parent: Polygon, n: int, rng: np.random.Generator, proj: _Projection) -> list[Polygon]:
    """Cut parent into n Polygons that tile it exactly."""
    if n == 1:
        return [parent]
    parent_km = proj.to_km(parent)
    seeds = _relaxed_seeds(parent_km, n, rng)
    for _ in range(10):
        faces, owner = _voronoi_faces(parent, seeds, proj)
        groups = _assign_fragments(faces, owner, n)
        if groups is not None:
            break
        seeds = _random_points_in(parent_km, n, rng)  # degenerate seeds: draw again
    else:  # pragma: no cover
        raise RuntimeError("could not split polygon")
    children = []
    for g in groups:
        child = faces[g[0]] if len(g) == 1 else shapely.union_all(faces[g])
        if not isinstance(child, Polygon):  # pragma: no cover - guarded by _longest_shared_edge
            raise RuntimeError(f"child is {child.geom_type}")
        children.append(child)
    return children


# --------------------------------------------------------------------------
# Hierarchy
# --------------------------------------------------------------------------


@dataclass
class _Node:
    polygon: Polygon
    code: str = ""
    name: str = ""
    stem: str = ""
    rural: bool = False  # 镇 / 村
    population: int = 0
    roads: tuple[str, ...] = ()
    places: tuple[str, ...] = ()


def _allocate(total: int, weights: np.ndarray, cap: int) -> np.ndarray:
    """Split total over parents proportionally to weights, each in [1, cap].

    Start from the floor of each ideal share, then hand out (or take back)
    single units to the parent furthest from its ideal share: largest
    remainder rounding that respects the floor of one and the cap.
    """
    k = len(weights)
    if not k <= total <= k * cap:
        raise ValueError(f"cannot place {total} children in {k} parents (1..{cap} each)")
    ideal = total * weights / weights.sum()
    counts = np.clip(np.floor(ideal), 1, cap).astype(int)
    while (diff := total - counts.sum()) != 0:
        if diff > 0:
            gap = np.where(counts < cap, ideal - counts, -np.inf)
            counts[np.argmax(gap)] += 1
        else:
            gap = np.where(counts > 1, counts - ideal, -np.inf)
            counts[np.argmax(gap)] -= 1
    return counts


class _CityShape:
    """Radial measures relative to the city outline, used for density and
    the town/street decision."""

    def __init__(self, proj: _Projection, span_km: tuple[float, float]):
        self.proj = proj
        self.a, self.b = span_km[0] / 2, span_km[1] / 2

    def rho(self, geoms) -> np.ndarray:
        """Elliptic radius of each geometry's centre: 0 at the centre, ~1 at the edge."""
        xy = self.proj.xy_to_km(shapely.get_coordinates(shapely.point_on_surface(geoms)))
        return np.hypot(xy[:, 0] / self.a, xy[:, 1] / self.b)

    def density(self, geoms) -> np.ndarray:
        """Relative settlement density: the core is ~8x denser than the fringe."""
        return 0.5 + 3.5 * np.exp(-((self.rho(geoms) / 0.4) ** 2))

    def direction(self, geom) -> str:
        x, y = self.proj.xy_to_km(shapely.get_coordinates(geom.centroid))[0]
        if math.hypot(x / self.a, y / self.b) < 0.3:
            return "C"
        angle = math.degrees(math.atan2(y, x)) % 360
        return "ENWS"[int(((angle + 45) % 360) // 90)]


def _reading_order(nodes: list[_Node]) -> list[_Node]:
    """North to south, then west to east: the order numbering usually follows."""
    xy = shapely.get_coordinates(shapely.point_on_surface([n.polygon for n in nodes]))
    return [nodes[i] for i in np.lexsort((xy[:, 0], -np.round(xy[:, 1], 3)))]


def _areas_km2(nodes: list[_Node], proj: _Projection) -> np.ndarray:
    return np.array([n.polygon.area for n in nodes]) * proj.scale.prod()


def _check_counts(districts: int, subdistricts: int, communities: int, grids: int) -> None:
    if not 1 <= districts <= MAX_DISTRICTS:
        raise ValueError(f"districts must be 1..{MAX_DISTRICTS}")
    if not districts <= subdistricts <= communities <= grids:
        raise ValueError("need districts <= subdistricts <= communities <= grids")


def generate_city(
    seed: int = 2026,
    districts: int = 6,
    subdistricts: int = 60,
    communities: int = 600,
    grids: int = 4000,
    center: tuple[float, float] = (116.10, 39.94),
    span_km: tuple[float, float] = (50, 40),
    name: str = "示范市",
) -> CityPlan:
    """Generate a demo city; the same arguments always give the same plan."""
    _check_counts(districts, subdistricts, communities, grids)
    rng = np.random.default_rng(seed)
    proj = _Projection(*center)
    shape = _CityShape(proj, span_km)
    names = _Names(rng)

    boundary = proj.to_deg(_city_outline_km(rng, span_km))
    city = _Node(boundary, code=CITY_CODE, name=name)
    dists = _make_districts(city, districts, rng, proj, shape, names)
    subs = _make_subdistricts(dists, subdistricts, rng, proj, shape, names)
    comms = _make_communities(subs, communities, rng, proj, shape, names)
    grid_specs = _make_grids(comms, grids, rng, proj)
    return _assemble(city, dists, subs, comms, grid_specs)


def _make_districts(city, count, rng, proj, shape, names) -> list[_Node]:
    nodes = [_Node(p) for p in _split(city.polygon, count, rng, proj)]
    # District 01 is the one nearest the centre, as in most real cities.
    nodes.sort(key=lambda n: float(shape.rho([n.polygon])[0]))
    for i, node in enumerate(nodes, start=1):
        node.code = f"{CITY_CODE[:4]}{i:02d}000000"
        node.name = names.district(shape.direction(node.polygon))
    return nodes


def _children_counts(parents: list[_Node], total: int, cap: int, proj, shape) -> np.ndarray:
    weights = _areas_km2(parents, proj) * shape.density([p.polygon for p in parents])
    return _allocate(total, weights, cap)


def _make_subdistricts(dists, total, rng, proj, shape, names) -> dict[str, list[_Node]]:
    counts = _children_counts(dists, total, MAX_SUBDISTRICTS_PER_DISTRICT, proj, shape)
    out: dict[str, list[_Node]] = {}
    for district, n in zip(dists, counts):
        nodes = [_Node(p) for p in _split(district.polygon, int(n), rng, proj)]
        rho = shape.rho([c.polygon for c in nodes])
        for node, r in zip(nodes, rho):
            node.rural = bool(r > TOWN_RADIUS) and district is not dists[0]
        streets = _reading_order([c for c in nodes if not c.rural])
        towns = _reading_order([c for c in nodes if c.rural])
        prefix = district.code[:6]
        for i, node in enumerate(streets, start=1):
            node.stem = names.unit_stems.take()
            node.code, node.name = f"{prefix}{i:03d}000", node.stem + "街道"
        for i, node in enumerate(towns, start=100):
            node.stem = names.unit_stems.take()
            node.code, node.name = f"{prefix}{i:03d}000", node.stem + "镇"
        for node in streets + towns:
            node.roads = names.roads(int(rng.integers(4, 9)))
        out[district.code] = streets + towns
    return out


def _make_communities(subs, total, rng, proj, shape, names) -> dict[str, list[_Node]]:
    parents = [s for children in subs.values() for s in children]
    counts = _children_counts(parents, total, MAX_COMMUNITIES_PER_SUBDISTRICT, proj, shape)
    out: dict[str, list[_Node]] = {}
    for sub, n in zip(parents, counts):
        nodes = [_Node(p) for p in _split(sub.polygon, int(n), rng, proj)]
        if sub.rural:
            # The piece holding the town's centre is the town seat, a 社区;
            # everything else is farmland villages.
            seat = sub.polygon.point_on_surface()
            dist = shapely.distance([c.polygon for c in nodes], seat)
            for i, node in enumerate(nodes):
                node.rural = i != int(np.argmin(dist))
        urban = _reading_order([c for c in nodes if not c.rural])
        villages = _reading_order([c for c in nodes if c.rural])
        prefix = sub.code[:9]
        for i, node in enumerate(urban, start=1):
            node.code = f"{prefix}{i:03d}"
        for i, node in enumerate(villages, start=200):
            node.code = f"{prefix}{i:03d}"
        ordered = urban + villages
        density = shape.density([c.polygon for c in ordered])
        for node, d in zip(ordered, density):
            node.stem = names.unit_stems.take()
            node.name = node.stem + ("村" if node.rural else "社区")
            node.population = _population(node, float(d), sub.rural, rng)
            node.places = names.places(node.stem, node.rural, int(rng.integers(2, 6)))
        out[sub.code] = ordered
    return out


def _population(node: _Node, density: float, in_town: bool, rng) -> int:
    """Residents: city 社区 ~2k-16k (larger in the dense core), town seats
    2k-6k, villages a few hundred to ~3k."""
    if node.rural:
        return int(rng.integers(400, 2800))
    if in_town:
        return int(rng.integers(2000, 6000))
    return int(rng.integers(3000, 8000) * min(density, 4.0) / 2.2 + 1500)


def _make_grids(comms, total, rng, proj) -> dict[str, list[GridSpec]]:
    parents = [c for children in comms.values() for c in children]
    # 网格 are drawn by households, so their number follows population.
    weights = np.array([c.population for c in parents], dtype=float)
    counts = _allocate(total, weights, MAX_GRIDS_PER_COMMUNITY)
    out: dict[str, list[GridSpec]] = {}
    for comm, n in zip(parents, counts):
        cells = _reading_order([_Node(p) for p in _split(comm.polygon, int(n), rng, proj)])
        out[comm.code] = [
            GridSpec(
                code=f"{comm.code}{i:03d}",
                name=f"{comm.name}第{i}网格",
                community_code=comm.code,
                polygon=cell.polygon,
            )
            for i, cell in enumerate(cells, start=1)
        ]
    return out


def _assemble(city, dists, subs, comms, grids) -> CityPlan:
    """Flatten the tree, parents before children, summing populations upward."""
    sub_units, comm_units, grid_list = [], [], []
    dist_pop: dict[str, int] = {}
    for district in dists:
        total_d = 0
        for sub in subs[district.code]:
            children = comms[sub.code]
            pop = sum(c.population for c in children)
            total_d += pop
            sub_units.append(_unit(sub, "subdistrict", district.code, pop, roads=sub.roads))
            for comm in children:
                comm_units.append(_unit(comm, "community", sub.code, comm.population, places=comm.places))
                grid_list.extend(grids[comm.code])
        dist_pop[district.code] = total_d
    dist_units = [_unit(d, "district", city.code, dist_pop[d.code]) for d in dists]
    city_unit = _unit(city, "city", None, sum(dist_pop.values()))
    return CityPlan(
        name=city.name,
        code=city.code,
        units=[city_unit, *dist_units, *sub_units, *comm_units],
        grids=grid_list,
        boundary=city.polygon,
    )


def _unit(node: _Node, level: str, parent_code, population: int, roads=(), places=()) -> UnitSpec:
    polygon = node.polygon
    assert isinstance(polygon, (Polygon, MultiPolygon))
    return UnitSpec(
        code=node.code,
        name=node.name,
        level=level,
        parent_code=parent_code,
        polygon=polygon,
        population=int(population),
        roads=tuple(roads),
        places=tuple(places),
    )

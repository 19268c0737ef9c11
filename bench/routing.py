"""Benchmark: reading addresses and deciding routes (shiyu.routing).

    .venv/bin/python bench/routing.py [--calls N] [--seed S] [--database-url URL]

By default a fresh temporary SQLite database gets the default demo city (its units,
gazetteer, departments, taxonomy and demo routing rules). With --database-url (or
DATABASE_URL) an existing database is used as it is, e.g. the demo's own:
--database-url sqlite:///var/shiyu.sqlite3 (its city is loaded first if it has none).

Addresses are made from the city's names the way callers write them (district +
subdistrict + road + number, an estate and a building, a community, a road alone,
a suffix-less name) plus one in ten with no place at all. Times are per call, after
the per-process tables are loaded.

Progress goes to stderr; ONE JSON object on the last line of stdout:
{"benchmark": "routing", "address_parses_per_second", "decide_route_per_second", ...}
"""
from __future__ import annotations

import argparse
import json
import os
import time

from _setup import run_in_database, setup_demo_city  # noqa: E402  (bench/ is on sys.path)

GARBAGE = ["不知道", "Room 5, Main Street", "就在我家楼下", "12345", "", "请尽快处理"]


def make_addresses(count: int, seed: int) -> list[str]:
    import numpy as np

    from shiyu.geo.models import AdminUnit, Gazetteer

    rng = np.random.default_rng(seed)
    roads = list(Gazetteer.objects.filter(kind="road").select_related("unit__parent"))
    places = list(Gazetteer.objects.filter(kind="place").values_list("name", flat=True))
    communities = list(AdminUnit.objects.filter(level="community").values_list("name", flat=True))

    def one(i: int) -> str:
        n = int(rng.integers(1, 300))
        kind = i % 10
        if kind == 9:
            return GARBAGE[int(rng.integers(len(GARBAGE)))]
        if kind in (0, 1, 2):
            road = roads[int(rng.integers(len(roads)))]
            return f"{road.unit.parent.name}{road.unit.name}{road.name}{n}号"
        if kind in (3, 4, 5):
            return f"{places[int(rng.integers(len(places)))]}{n % 30 + 1}号楼{n % 6 + 1}单元"
        if kind == 6:
            return f"{communities[int(rng.integers(len(communities)))]}{n}号院"
        if kind == 7:
            return f"{roads[int(rng.integers(len(roads)))].name}与另一条路交叉口"
        community = communities[int(rng.integers(len(communities)))]
        return f"{community.removesuffix('社区').removesuffix('村')}附近"

    return [one(i) for i in range(count)]


def per_call(function, inputs) -> tuple[float, float]:
    """(calls per second, 95th percentile in µs)."""
    import numpy as np

    timings = np.empty(len(inputs))
    clock = time.perf_counter
    for i, item in enumerate(inputs):
        t0 = clock()
        function(item)
        timings[i] = clock() - t0
    return len(inputs) / timings.sum(), float(np.percentile(timings, 95)) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    run_in_database(args.database_url, "shiyu-bench-routing-", run, args)


def run(args) -> None:
    import shapely

    setup_demo_city(args.seed)
    from django.db import connection

    from shiyu.geo.locate import locate
    from shiyu.geo.models import AdminUnit, Gazetteer, Grid
    from shiyu.geo.places import parse_address, places
    from shiyu.routing.models import RoutingRule
    from shiyu.routing.services import decide_route
    from shiyu.tickets.models import Category

    addresses = make_addresses(args.calls, args.seed)
    leaves = list(Category.objects.filter(level=3, active=True))
    categories = [leaves[i % len(leaves)] for i in range(args.calls)]
    grid = Grid.objects.order_by("code").first()

    started = time.perf_counter()
    places()
    decide_route(category=leaves[0], location=None, address="")
    load_seconds = time.perf_counter() - started

    parses_per_second, parse_p95 = per_call(parse_address, addresses)
    routes_per_second, route_p95 = per_call(
        lambda i: decide_route(category=categories[i], location=None, address=addresses[i]), range(args.calls))
    point = shapely.from_wkt(grid.boundary_wkt).representative_point()
    location = locate(point.y, point.x)
    located_per_second, located_p95 = per_call(
        lambda i: decide_route(category=categories[i], location=location, address=addresses[i]), range(args.calls))
    routes = [decide_route(category=c, location=None, address=a) for c, a in zip(categories, addresses)]

    print(json.dumps({
        "benchmark": "routing",
        "calls": args.calls,
        "address_parses_per_second": round(parses_per_second),
        "address_parse_p95_us": round(parse_p95, 1),
        "decide_route_per_second": round(routes_per_second),  # from the address
        "decide_route_p95_us": round(route_p95, 1),
        "decide_route_with_coordinates_per_second": round(located_per_second),
        "decide_route_with_coordinates_p95_us": round(located_p95, 1),
        "placed_from_address": round(sum(r.place_id is not None for r in routes) / len(routes), 3),
        "routed_to_a_unit": round(sum(r.unit is not None for r in routes) / len(routes), 3),
        "by_rule": round(sum(r.rule is not None for r in routes) / len(routes), 3),
        "load_seconds": round(load_seconds, 3),
        "units": AdminUnit.objects.count(),
        "gazetteer": Gazetteer.objects.count(),
        "rules": RoutingRule.objects.filter(active=True).count(),
        "database": connection.vendor,
    }))


if __name__ == "__main__":
    main()

"""Benchmark GridIndex over the default 4,000-grid demo city.

    .venv/bin/python bench/locate.py [--points N] [--single N] [--seed S]

Prints progress to stderr and ONE JSON object on the last line of stdout.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# Run as a plain script from anywhere: make `import shiyu` work.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from shiyu.geo.citygen import generate_city  # noqa: E402
from shiyu.geo.index import GridIndex  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000, help="points for locate_many (bulk)")
    parser.add_argument("--single", type=int, default=20_000, help="points for locate() one at a time")
    parser.add_argument("--seed", type=int, default=2026, help="city seed (the points use seed + 1)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    plan = generate_city(seed=args.seed)
    generate_seconds = time.perf_counter() - t0

    t0 = time.perf_counter()
    index = GridIndex([int(g.code) for g in plan.grids], [g.polygon for g in plan.grids])
    build_seconds = time.perf_counter() - t0

    rng = np.random.default_rng(args.seed + 1)
    minx, miny, maxx, maxy = plan.boundary.bounds
    lons = rng.uniform(minx, maxx, args.points)
    lats = rng.uniform(miny, maxy, args.points)

    index.locate_many(lons[:1000], lats[:1000])  # warm up caches
    t0 = time.perf_counter()
    found = index.locate_many(lons, lats)
    bulk_seconds = time.perf_counter() - t0

    single_lons = lons[: args.single].tolist()
    single_lats = lats[: args.single].tolist()
    timings = np.empty(len(single_lons))
    clock = time.perf_counter
    locate = index.locate
    for i, (lon, lat) in enumerate(zip(single_lons, single_lats)):
        t0 = clock()
        locate(lon, lat)
        timings[i] = clock() - t0

    print(
        f"city {generate_seconds:.2f}s, index {build_seconds:.2f}s, "
        f"{(found >= 0).mean():.1%} of bulk points inside a grid",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "benchmark": "locate",
                "grids": len(index),
                "bulk_points_per_second": round(args.points / bulk_seconds),
                "single_points_per_second": round(len(timings) / timings.sum()),
                "single_p95_us": round(float(np.percentile(timings, 95)) * 1e6, 2),
                "build_seconds": round(build_seconds, 3),
                "generate_seconds": round(generate_seconds, 3),
            }
        )
    )


if __name__ == "__main__":
    main()

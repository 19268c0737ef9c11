"""Benchmark: Open311 intake, POST /open311/v2/requests.json under gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shiyu_bench .venv/bin/python bench/open311_intake.py

The target (>= 450 requests/s, p95 <= 50 ms, 16 clients, 2 workers) is for
PostgreSQL: give DATABASE_URL. Without it an SQLite file var/bench_open311.sqlite3
is used (not the demo's database), which serialises writers and is measured only
for comparison ("database": "sqlite").

What it does:
1. migrates the database, and loads the demo city (shiyu.demo.build.build_city) if
   the database has none; creates or refreshes the "bench" api_key;
2. starts gunicorn (2 workers, shiyu.wsgi:application) on a free 127.0.0.1 port,
   with persistent database connections (SHIYU_CONN_MAX_AGE);
3. drives POST requests.json with 16 concurrent clients for 20 s: random points
   inside the city's grids, random service codes (required attributes filled in),
   with wrk and a Lua script if /usr/bin/wrk exists, else with Python threads on
   keep-alive http.client connections;
4. checks that every 201 is a ticket in the database, stops gunicorn and prints
   one JSON object on its last line:
   {"benchmark": "open311_intake", "requests_per_second", "p50_ms", "p95_ms", "p99_ms",
    "errors", "clients", "workers", "database", ...}

Options: --duration, --clients, --workers, --threads (per gthread worker; 1 = sync
workers), --seed, --bodies, --loader wrk|python, --app (another WSGI app, experiments),
--sweep (keep the minute's sweep in the workers; by default it is off in the measured
server, as in production, where Celery beat runs it in its own process).

"app_cpu_ms_per_request" and "db_cpu_ms_per_request" are the CPU time gunicorn and
PostgreSQL spent per request: unlike requests/s they hardly depend on what else the
machine is running meanwhile."""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from _setup import free_port, stop  # noqa: E402  (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shiyu.settings")

PATH = "/open311/v2/requests.json"
WRK = "/usr/bin/wrk"
API_KEY_NAME = "bench"

LUA = r"""
-- Cycles through prepared form bodies, one per line of the bodies file.
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
local counter = 0

function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end

function init(args)
  index = offset
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
end

function request()
  index = index + 1
  return wrk.format(nil, nil, nil, bodies[(index % #bodies) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the database


def prepare_database(seed: int, count: int):
    """Schema, city, api_key and request bodies. Returns (api_key, bodies, engine)."""
    import django

    django.setup()
    import numpy as np
    import shapely
    from django.core.management import call_command
    from django.db import connection

    from shiyu.core.bulk import refresh_statistics
    from shiyu.core.models import AuditEvent
    from shiyu.demo.build import build_city, demo_exists
    from shiyu.geo.models import Grid
    from shiyu.intake.models import PendingSimilarSearch
    from shiyu.open311 import catalog
    from shiyu.open311.models import ApiKey
    from shiyu.routing.models import RoutingDecision
    from shiyu.tickets.models import Ticket

    from django.db.utils import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError as exc:
        raise SystemExit(f"cannot reach the database: {exc}\nCreate it first, e.g. "
                         "psql -h 127.0.0.1 -U postgres -c 'create database shiyu_bench'") from exc
    call_command("migrate", verbosity=0, interactive=False)
    if not demo_exists():
        log(f"loading the demo city (seed {seed}) ...")
        build_city(seed, progress=lambda label: log(f"  {label}"))
    key = ApiKey.generate()
    ApiKey.objects.update_or_create(name=API_KEY_NAME, defaults={"key_hash": ApiKey.hash(key), "active": True})

    rng = random.Random(seed)
    grids = list(Grid.objects.values_list("boundary_wkt", flat=True))
    polygons = shapely.from_wkt(rng.sample(grids, min(len(grids), 500)))
    points = []
    np_rng = np.random.default_rng(seed)
    for polygon in polygons:  # a few random points well inside each sampled grid
        minx, miny, maxx, maxy = polygon.bounds
        xs, ys = np_rng.uniform(minx, maxx, 40), np_rng.uniform(miny, maxy, 40)
        inside = shapely.contains_xy(polygon.buffer(-(maxx - minx) * 0.02), xs, ys)
        points.extend(zip(ys[inside][:8].tolist(), xs[inside][:8].tolist()))
    services = catalog.services()
    bodies = []
    for number in range(count):
        service = rng.choice(services)
        lat, long = rng.choice(points)
        fields = {"api_key": key, "service_code": service.code, "lat": f"{lat:.6f}", "long": f"{long:.6f}",
                  "description": f"压测工单{number}：{service.name}，请尽快处理。", "first_name": "测",
                  "last_name": "王", "phone": f"139{rng.randrange(10**8):08d}", "device_id": f"bench-{number % 97}"}
        for attribute in service.attributes:
            if attribute.required:
                fields[f"attribute[{attribute.code}]"] = (
                    attribute.values[0][0] if attribute.values else
                    "3" if attribute.datatype == "number" else
                    "2026-01-01T08:00:00+08:00" if attribute.datatype == "datetime" else "测试")
        bodies.append(urlencode(fields))
    engine = "postgresql" if connection.vendor == "postgresql" else connection.vendor
    # Each run adds thousands of rows; where autovacuum is off (as on this project's
    # machines) nothing else would refresh the planner's statistics between runs.
    refresh_statistics([Ticket, AuditEvent, RoutingDecision, PendingSimilarSearch])
    connection.close()
    return key, bodies, engine


def ticket_count() -> int:
    from shiyu.tickets.models import Ticket

    return Ticket.objects.filter(channel="open311", attributes__open311__client=API_KEY_NAME).count()


# ---------------------------------------------------------------- the server



def start_gunicorn(port: int, workers: int, threads: int, app: str, sweep: bool) -> subprocess.Popen:
    env = dict(os.environ)
    env.setdefault("SHIYU_CONN_MAX_AGE", "600")
    if not sweep:  # measure the request path alone, as in production, where Celery runs the sweep
        env["SHIYU_SWEEP_SECONDS"] = "0"
    env.setdefault("SHIYU_LOG_LEVEL", "ERROR")  # 4xx warnings to stderr would be timed too
    command = [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--log-level", "warning", "--backlog", "2048"]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads), "--keep-alive", "5"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/open311/v2/services.json")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise SystemExit("gunicorn did not answer within 60 s")



def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_snapshot(server: subprocess.Popen) -> dict[str, float]:
    """CPU seconds used so far by gunicorn (master and workers) and by PostgreSQL's
    processes: divided by the requests, a figure that other load on the machine
    does not change (wall-clock throughput it does)."""
    app = db = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm, rest = stat[stat.index("(") + 1: stat.rindex(")")], stat.rsplit(")", 1)[1].split()
        if int(rest[2]) == server.pid:  # process group: gunicorn's session
            app += _cpu_seconds(int(entry.name))
        elif comm.startswith("postgres"):
            db += _cpu_seconds(int(entry.name))
    return {"app": app, "db": db}


def warm_up(port: int, bodies: list[str], workers: int) -> None:
    """Every worker loads its snapshots and grid index before the clock starts."""
    for body in bodies[: 20 * workers]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", PATH, body.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        if response.status != 201:
            raise SystemExit(f"warm-up request answered {response.status}")
        conn.close()


# ---------------------------------------------------------------- load generators


def run_wrk(port: int, bodies: list[str], clients: int, duration: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script, data = Path(tmp) / "post.lua", Path(tmp) / "bodies.txt"
        script.write_text(LUA)
        data.write_text("\n".join(bodies) + "\n")
        threads = max(1, min(clients, (os.cpu_count() or 2) // 2))  # leave the cores to the server
        result = subprocess.run([WRK, "-t", str(threads), "-c", str(clients), "-d", f"{duration}s", "--timeout", "10s",
                                 "-s", str(script), f"http://127.0.0.1:{port}{PATH}"],
                                env={**os.environ, "BENCH_BODIES": str(data)}, capture_output=True, text=True,
                                check=True)
    log(result.stdout.strip())
    line = next(l for l in result.stdout.splitlines() if l.startswith("WRKJSON "))
    raw = json.loads(line[len("WRKJSON "):])
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    return {"requests": raw["requests"], "seconds": raw["duration_us"] / 1e6, "p50_ms": raw["p50_us"] / 1000,
            "p95_ms": raw["p95_us"] / 1000, "p99_ms": raw["p99_us"] / 1000, "errors": errors,
            "loader": "wrk"}


def run_python(port: int, bodies: list[str], clients: int, duration: int) -> dict:
    """Threads, each with its own keep-alive connection (reopened when the server closes it)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start_at = time.monotonic() + 0.2
    stop_at = start_at + duration
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Connection": "keep-alive"}

    def client(number: int) -> None:
        rng = random.Random(number)
        conn = None
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while True:
            began = time.monotonic()
            if began >= stop_at:
                break
            body = rng.choice(bodies).encode()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", PATH, body, headers)
                response = conn.getresponse()
                response.read()
                if response.status != 201:
                    errors[number] += 1
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                errors[number] += 1
                if conn is not None:
                    conn.close()
                conn = None
                continue
            latencies[number].append(time.monotonic() - began)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = max(time.monotonic(), stop_at) - start_at
    merged = sorted(x for per_client in latencies for x in per_client)

    def percentile(p: float) -> float:
        return round(merged[min(len(merged) - 1, int(len(merged) * p / 100))] * 1000, 2) if merged else 0.0

    return {"requests": len(merged) + sum(errors), "seconds": elapsed, "p50_ms": percentile(50),
            "p95_ms": percentile(95), "p99_ms": percentile(99), "errors": sum(errors), "loader": "python"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker (gthread: one thread runs Python while others wait on the "
                             "database); 1: gunicorn's sync workers")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--bodies", type=int, default=5000)
    parser.add_argument("--loader", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--app", default="shiyu.wsgi:application", help="the WSGI application (experiments)")
    parser.add_argument("--sweep", action="store_true",
                        help="keep the minute's sweep in the workers (the embedded setup without Redis), which "
                             "also searches the queued tickets' repeats and duplicates")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        var = Path(os.environ.get("SHIYU_VAR_DIR", ROOT / "var"))
        var.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{var / 'bench_open311.sqlite3'}"  # not the demo's database
        log(f"DATABASE_URL is not set: using SQLite in {var}. The target is for PostgreSQL, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/shiyu_bench")

    key, bodies, engine = prepare_database(args.seed, args.bodies)
    before = ticket_count()
    port = free_port()
    server = start_gunicorn(port, args.workers, args.threads, args.app, args.sweep)
    try:
        warm_up(port, bodies, args.workers)
        warmed = ticket_count()
        use_wrk = args.loader == "wrk" or (args.loader == "auto" and shutil.which(WRK) and os.path.exists(WRK))
        log(f"driving {PATH} with {args.clients} clients for {args.duration} s "
            f"({'wrk' if use_wrk else 'python threads'}), {args.workers} workers, {engine}")
        run = run_wrk if use_wrk else run_python
        cpu_before = cpu_snapshot(server)
        result = run(port, bodies, args.clients, args.duration)
        cpu_after = cpu_snapshot(server)
    finally:
        stop(server)
    from django.db import connection

    connection.close()
    written = ticket_count() - warmed
    ok = result["requests"] - result["errors"]
    if written < ok:  # more is fine: requests still in flight when the loader stopped
        log(f"warning: {ok} requests answered 201 but only {written} tickets were written")
    print(json.dumps({
        "benchmark": "open311_intake",
        "requests_per_second": round(ok / result["seconds"], 1),
        "p50_ms": round(result["p50_ms"], 2),
        "p95_ms": round(result["p95_ms"], 2),
        "p99_ms": round(result["p99_ms"], 2),
        "errors": result["errors"],
        "clients": args.clients,
        "workers": args.workers,
        "database": engine,
        "worker_class": "gthread" if args.threads > 1 else "sync",
        "threads": args.threads,
        "sweep_in_workers": args.sweep,
        "loader": result["loader"],
        "requests": result["requests"],
        "tickets_written": written,
        "duration_s": round(result["seconds"], 1),
        "tickets_before": before,
        # CPU per request, whatever else the machine was doing meanwhile
        "app_cpu_ms_per_request": round((cpu_after["app"] - cpu_before["app"]) * 1000 / max(ok, 1), 3),
        "db_cpu_ms_per_request": round((cpu_after["db"] - cpu_before["db"]) * 1000 / max(ok, 1), 3),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }))


if __name__ == "__main__":
    main()

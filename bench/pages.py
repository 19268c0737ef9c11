"""Benchmark: the pages over the demo city, over real HTTP and in Chromium.

    .venv/bin/python bench/pages.py [--tickets N] [--var DIR] [--database-url URL] [--requests 30]

1. The database: `shiyu demo --tickets N` (default 1,000,000) in a SHIYU_VAR_DIR
   (temporary unless --var; one that holds a database already is reused as it is) or
   in the PostgreSQL database --database-url names (created if missing; tickets are
   generated only when it has no demo city yet). Then, in this process, what a
   running city has done within the last minutes: the command dashboard's ranking
   and hot issues counted and stored (seconds reported: the deadline sweep pays them
   every SHIYU_DASHBOARD_REFRESH_SECONDS), one deadline sweep, and on PostgreSQL the
   VACUUM ANALYZE autovacuum runs after a bulk load.
2. `shiyu serve` (gunicorn, --workers) on a free 127.0.0.1 port; each worker's own
   sweep thread runs every minute meanwhile, as in production.
3. Over HTTP with keep-alive, signed in through the login form, sequential requests,
   the time to the last byte of each answer:
   dashboard   the command dashboard's HTML (as the supervisor);
   data        each of its JSON endpoints, with the parameters the page sends;
   pages       every page of shiyu.web.pages.PAGES (so pages added later are measured
               too), as the demo user of the first role that has it (a public page:
               not signed in).
   p50 and p95 of --requests requests each, after one unmeasured warm-up request.
4. Chromium (/usr/bin/chromium, Python playwright): --loads loads of the dashboard,
   each in a new browser context (an empty cache: every script downloaded) and then
   once more in it (cached): first-contentful-paint, and the time the map and the
   charts had drawn (dashboard.js's performance mark "shiyu-dashboard-ready").
   Skipped, with the reason in the JSON, when playwright or Chromium is missing.

Progress goes to stderr; ONE JSON object on the last line of stdout.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from _setup import create_postgres_database, free_port, log, stop  # noqa: E402  (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-Pages-2026"
CHROMIUM = os.environ.get("SHIYU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Which demo user opens a page whose roles include several: the one who works there.
ROLE_ORDER = ["handler", "dispatcher", "operator", "gridworker", "supervisor", "leader", "citizen", "admin"]


def shiyu_command() -> list[str]:
    shiyu = Path(sys.executable).with_name("shiyu")
    return [str(shiyu)] if shiyu.exists() else [sys.executable, "-m", "shiyu.cli"]


# ---------------------------------------------------------------- the database


def build(tickets: int) -> None:
    """`shiyu demo`: migrates, generates the city and its tickets unless a demo is there, sets the password."""
    log(f"shiyu demo --tickets {tickets:,} (reuses a demo city that is there)")
    started = time.perf_counter()
    subprocess.run([*shiyu_command(), "demo", "--tickets", str(tickets)], cwd=ROOT, stdout=sys.stderr,
                   stderr=sys.stderr, check=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    log(f"demo ready in {time.perf_counter() - started:.0f} s")


def prepare() -> dict:
    """VACUUM ANALYZE on PostgreSQL, the dashboard's ranking and hot issues stored (timed: the
    sweep's cost every SHIYU_DASHBOARD_REFRESH_SECONDS), one sweep; the size of the city."""
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from shiyu.deadlines.services import sweep
    from shiyu.tickets.models import Ticket
    from shiyu.web.dashboard import current_month, hot_issue_figures, ranking_figures
    from shiyu.web.models import DashboardFigure

    if connection.vendor == "postgresql":  # what autovacuum does soon after a bulk load (PostgreSQL 13+
        with connection.cursor() as cursor:  # vacuums after inserts too): statistics, and the visibility
            cursor.execute("VACUUM ANALYZE")  # map that lets the counts read their indexes alone
    figures = {"tickets": Ticket.objects.count(), "database": connection.vendor, "stored_figures_seconds": {}}
    DashboardFigure.objects.all().delete()  # each counted afresh, and timed
    month = current_month(timezone.now())
    for label, count in (("ranking_this_month", lambda: ranking_figures(month)),
                         ("ranking_last_month", lambda: ranking_figures(month - 1)),
                         ("hot_issues", hot_issue_figures)):
        started = time.perf_counter()
        count()
        figures["stored_figures_seconds"][label] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    sweep()
    figures["sweep_seconds"] = round(time.perf_counter() - started, 2)
    connection.close()
    return figures


# ---------------------------------------------------------------- the server



def serve(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "SHIYU_LOG_LEVEL": "ERROR"}
    server = subprocess.Popen([*shiyu_command(), "serve", "--port", str(port), "--workers", str(workers)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"shiyu serve exited with {server.returncode}")
        try:
            if Client(port).get("/accounts/login/")[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise SystemExit("the server did not answer within 60 s")



# ---------------------------------------------------------------- HTTP


class Client:
    """One keep-alive connection with its cookies."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        seconds = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
        return response.status, content, seconds

    def get(self, path: str) -> tuple[int, bytes, float]:
        return self.request("GET", path)

    def login(self, username: str) -> Client:
        status, page, _ = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _, _ = self.request("POST", "/accounts/login/", urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}))
        if status != 302:
            raise SystemExit(f"login as {username} failed ({status})")
        return self


def timed(client: Client, path: str, count: int) -> dict:
    status, body, _ = client.get(path)  # warm-up: per-process caches, the first query plans
    times = []
    for _ in range(count):
        status, body, seconds = client.get(path)
        times.append(seconds * 1000)
    return {"status": status, "bytes": len(body), **percentiles(times)}


def percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1)}


def data_paths() -> dict[str, str]:
    from django.urls import reverse

    from django.utils import timezone

    from shiyu.metrics import core
    from shiyu.web.dashboard import VOLUME_DAYS, current_month

    last_month = core.month_label(current_month(timezone.now()) - 1)
    paths = {"grids.geojson": reverse("web:dashboard-grids"), "grid-counts": reverse("web:dashboard-grid-counts")}
    for days in VOLUME_DAYS:
        paths[f"volume?days={days}"] = f"{reverse('web:dashboard-volume')}?days={days}"
        paths[f"categories?days={days}"] = f"{reverse('web:dashboard-categories')}?days={days}"
    paths["rates"] = f"{reverse('web:dashboard-rates')}?kind=subdistrict"
    paths["rates?month=last"] = f"{reverse('web:dashboard-rates')}?kind=subdistrict&month={last_month}"
    paths["alerts"] = reverse("web:dashboard-alerts")
    paths["hot-issues"] = reverse("web:dashboard-hot-issues")
    return paths


def page_users() -> dict[str, tuple[str, str | None]]:
    """{url_name: (url, demo username or None for anonymous)} for every registered page."""
    from shiyu.web.pages import PAGES

    pages = {}
    for page in PAGES:
        roles = {str(role) for role in page.roles}
        pages[page.url_name] = (page.url, next((name for name in ROLE_ORDER if name in roles), None))
    return pages


def measure_http(port: int, count: int) -> dict:
    supervisor = Client(port).login("supervisor")
    figures = {"dashboard_html": timed(supervisor, "/dashboard/", count),
               "data": {}, "pages": {}}
    for label, path in data_paths().items():
        figures["data"][label] = timed(supervisor, path, count)
        log(f"  {label}: {figures['data'][label]}")
    clients: dict[str | None, Client] = {}
    for name, (url, username) in page_users().items():
        if username not in clients:
            clients[username] = Client(port).login(username) if username else Client(port)
        figures["pages"][name] = {"url": url, "user": username or "anonymous", **timed(clients[username], url, count)}
        log(f"  {name}: {figures['pages'][name]}")
    return figures


# ---------------------------------------------------------------- the browser


def measure_browser(port: int, loads: int) -> dict:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "Python playwright is not installed (pip install -e '.[test]')"}
    if not os.access(CHROMIUM, os.X_OK):
        return {"skipped": f"no Chromium at {CHROMIUM}"}
    base = f"http://127.0.0.1:{port}"
    session = Client(port).login("supervisor").cookies
    cookies = [{"name": name, "value": value, "url": base} for name, value in session.items()]
    runs: dict[str, dict[str, list[float]]] = {"cold": {"fcp_ms": [], "ready_ms": []},
                                               "cached": {"fcp_ms": [], "ready_ms": []}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(loads):
            context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            context.add_cookies(cookies)
            page = context.new_page()
            for label in ("cold", "cached"):
                page.goto(base + "/dashboard/")
                page.wait_for_function("window.shiyuDashboardReady === true", timeout=60_000)
                fcp, ready = page.evaluate("""() => [
                    performance.getEntriesByName('first-contentful-paint')[0].startTime,
                    performance.getEntriesByName('shiyu-dashboard-ready')[0].startTime]""")
                runs[label]["fcp_ms"].append(round(fcp, 1))
                runs[label]["ready_ms"].append(round(ready, 1))
            context.close()
        browser.close()
    return {"loads": loads, **runs}


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--var", default="", help="reuse (or build once into) this SHIYU_VAR_DIR")
    parser.add_argument("--database-url", default="", help="default: SQLite in the var directory")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per URL")
    parser.add_argument("--loads", type=int, default=5, help="dashboard loads in Chromium")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (prints its path)")
    args = parser.parse_args()

    var = args.var or tempfile.mkdtemp(prefix="shiyu-bench-pages-")
    os.environ.update(SHIYU_VAR_DIR=var, SHIYU_DEMO_PASSWORD=PASSWORD, DJANGO_SETTINGS_MODULE="shiyu.settings")
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        create_postgres_database(args.database_url)
    server = None
    try:
        build(args.tickets)
        figures = {"benchmark": "pages", **prepare(), "workers": args.workers, "requests": args.requests}
        port = free_port()
        server = serve(port, args.workers)
        log(f"serving on 127.0.0.1:{port}")
        figures.update(measure_http(port, args.requests))
        figures["browser"] = measure_browser(port, args.loads)
        log(f"  browser: {figures['browser']}")
    finally:
        if server is not None:
            stop(server)
        if args.keep or args.var:
            log(f"kept {var}")
        else:
            shutil.rmtree(var, ignore_errors=True)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()

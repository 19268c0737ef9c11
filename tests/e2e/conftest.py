"""Browser tests: Playwright drives Debian's Chromium against a real Shiyu server.

The tests here talk HTTP to a `shiyu serve` subprocess (gunicorn) over its own demo
city; they never use pytest-django's test database, so no fixture here requests `db`
(and tests in this directory should not either).

Fixtures
--------
site          (session) A small demo city built once (`shiyu demo --tickets 300`;
              SHIYU_E2E_TICKETS=N for more, as `make screenshots` does) in a
              temporary SHIYU_VAR_DIR with its own SQLite file (DATABASE_URL, REDIS_URL
              and the SHIYU_* settings of the calling shell are not passed on, so the
              PostgreSQL CI run behaves the same), served by `shiyu serve` on a free
              127.0.0.1 port. Attributes:
                  site.base_url            "http://127.0.0.1:PORT"
                  site.url("/path/")       base_url + path
                  site.password            the demo users' password
                  site.var_dir             the temporary SHIYU_VAR_DIR
                  site.users               {username: role} of the demo's users
                  site.log                 the server's log file (access log and errors)
                  site.log_mark(), site.errors_since(mark)
                                           the server's error output after a mark, to
                                           put a 500's traceback in a failure message
browser       (package) Playwright's Chromium (SHIYU_CHROMIUM, default /usr/bin/chromium),
              launched once for tests/e2e and stopped when its last test is done:
              while Playwright's sync API runs, its asyncio loop counts as running in
              the main thread, and Django would refuse ORM calls in any later test
              (SynchronousOnlyOperation). pytest-django runs database tests first
              anyway; this keeps it safe whatever the order.
login_as      (function) login_as("operator") -> a Playwright Page in a new browser
              context (locale zh-CN, 1280x800), signed in as that demo user. The
              first time a user is asked for in the run, it signs in through the real
              /accounts/login/ form and the page is left where the login redirects
              (the landing page); later calls start from that session's cookies on
              about:blank (a login costs seconds of password hashing), unless
              fresh=True, or the session was logged out (a request to
              /accounts/logout/ from its pages drops it). Navigate with relative
              paths: page.goto("/grid/") (the context's base_url is the site).
              login_as(None) or login_as("anonymous"): a new page, not signed in, on
              about:blank. Keyword arguments go to browser.new_context(), e.g.
              login_as("gridworker", viewport={"width": 390, "height": 844}, is_mobile=True).
              Every page opened in that context records console errors (console
              messages of type "error" and uncaught exceptions) and every request whose
              URL is not on 127.0.0.1; such requests are aborted, so nothing leaves the
              machine. Contexts are closed after the test.
assert_clean  (function) assert_clean(page) fails listing the console errors and
              external requests recorded since the page was opened (or since the last
              assert_clean(page, reset=True)).

When Python's playwright is not installed or Chromium is missing, the whole directory
is skipped with one message instead of erroring (pytest_pycollect_makemodule below).
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("SHIYU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
DEMO_TICKETS = int(os.environ.get("SHIYU_E2E_TICKETS", "300"))
DEMO_PASSWORD = "e2e-Demo-pass-2026"
LOCAL_HOSTS = {"127.0.0.1"}
LOCAL_SCHEMES = {"data", "blob", "about"}  # never leave the browser


def _missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"browser tests skipped: Chromium not found at {CHROMIUM}; install with apt install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("browser tests skipped: the Python package playwright is not installed; "
                "run make setup (pip install -e '.[test]')")
    return None


SKIP_REASON = _missing_browser()


# ---------------------------------------------------------------- skipping

class _SkippedBrowserTests(pytest.Module):
    """Stands in for the directory's first test module: one skip, nothing imported
    (a test module may import playwright at the top)."""

    def collect(self):
        pytest.skip(SKIP_REASON)


def pytest_ignore_collect(collection_path, config):
    if SKIP_REASON and collection_path.parent == HERE and collection_path.name.startswith("test_"):
        # Only the first test module is collected (as one skip); the rest are left out.
        if config.stash.get(_announced, False):
            return True
    return None


_announced = pytest.StashKey[bool]()


def pytest_pycollect_makemodule(module_path, parent):
    if SKIP_REASON and module_path.parent == HERE:
        parent.config.stash[_announced] = True
        return _SkippedBrowserTests.from_parent(parent, path=module_path)
    return None


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if SKIP_REASON and config.stash.get(_announced, False):
        terminalreporter.write_line(SKIP_REASON, yellow=True)


# ---------------------------------------------------------------- the server

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(var_dir: Path) -> dict[str, str]:
    """The caller's environment without its database, broker or Shiyu settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SHIYU_") and k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(SHIYU_VAR_DIR=str(var_dir), SHIYU_DEMO_PASSWORD=DEMO_PASSWORD, SHIYU_DEMO_API_KEY="e2e-api-key",
               SHIYU_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1",
               # gunicorn's control socket defaults to ~/.gunicorn/gunicorn.ctl, shared by
               # every server of the user: ours must not take over a demo's.
               GUNICORN_CMD_ARGS="--no-control-socket")
    return env


def _shiyu() -> list[str]:
    script = Path(sys.executable).with_name("shiyu")
    return [str(script)] if script.exists() else [sys.executable, "-m", "shiyu.cli"]


_ACCESS_LINE = re.compile(r'^\S+ - \S+ \[[^]]+\] "')  # gunicorn's access log


class Site:
    def __init__(self, base_url: str, var_dir: Path, users: dict[str, str]):
        self.base_url = base_url
        self.var_dir = var_dir
        self.password = DEMO_PASSWORD
        self.users = users

    def url(self, path: str = "/") -> str:
        return self.base_url + ("" if path.startswith("/") else "/") + path

    @property
    def log(self) -> Path:
        return self.var_dir / "serve.log"

    def log_mark(self) -> int:
        """Where the server's log ends now; pass it to errors_since()."""
        return self.log.stat().st_size

    def errors_since(self, mark: int) -> str:
        """The server's tracebacks and error lines written after log_mark() (access-log
        lines left out): to explain an HTTP 500 in a failure message."""
        with open(self.log, "rb") as f:
            f.seek(mark)
            text = f.read().decode("utf-8", "replace")
        return "\n".join(line for line in text.splitlines() if not _ACCESS_LINE.match(line))

    def __repr__(self):
        return f"Site({self.base_url})"


def _wait_until_up(process, url: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"shiyu serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"shiyu serve did not answer {url} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(process) -> None:
    """The server runs in its own process group (shiyu serve -> gunicorn -> workers)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    from shiyu.demo.users import DEMO_USERS

    var_dir = tmp_path_factory.mktemp("shiyu-e2e")
    env = _server_env(var_dir)
    demo = subprocess.run([*_shiyu(), "demo", "--tickets", str(DEMO_TICKETS)], env=env, capture_output=True,
                          text=True, timeout=300)
    if demo.returncode:
        pytest.fail(f"shiyu demo failed ({demo.returncode}):\n{demo.stdout[-2000:]}\n{demo.stderr[-3000:]}")
    port = _free_port()
    log = var_dir / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([*_shiyu(), "serve", "--port", str(port), "--workers", "2"], env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_up(process, base_url + "/accounts/login/", log)
        yield Site(base_url, var_dir, {username: str(role) for username, role, _ in DEMO_USERS})
    finally:
        _stop(process)


# ---------------------------------------------------------------- the browser

@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


def _watch(page, log: dict) -> None:
    def on_console(message):
        if message.type == "error":
            where = message.location or {}
            at = f" ({where.get('url')}:{where.get('lineNumber')})" if where.get("url") else ""
            log["console"].append(f"console error on {page.url}: {message.text}{at}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: log["console"].append(f"uncaught exception on {page.url}: {error}"))
    page.on("request", lambda request: None if is_local(request.url)
            else log["external"].append(f"{request.method} {request.url} (from {page.url})"))


_LOGS: dict = {}  # page -> {"console": [...], "external": [...]}, shared by a context's pages


_SESSIONS: dict = {}  # username -> storage state (cookies) after its first login through the form


@pytest.fixture
def login_as(site, browser):
    contexts = []

    def open_page(role: str | None = None, *, fresh: bool = False, **context_options):
        anonymous = role in (None, "anonymous")
        reuse = not anonymous and not fresh and role in _SESSIONS
        options = {"locale": "zh-CN", "viewport": {"width": 1280, "height": 800}, **context_options}
        if reuse:
            options["storage_state"] = _SESSIONS[role]
        context = browser.new_context(base_url=site.base_url, **options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        # Whatever is not on 127.0.0.1 is recorded (request event) and never sent.
        context.route(lambda url: not is_local(url), lambda route: route.abort("blockedbyclient"))
        log = {"console": [], "external": []}

        def attach(page):
            if page not in _LOGS:
                _LOGS[page] = log
                _watch(page, log)
                if not anonymous:  # a logged-out session cannot be handed on
                    page.on("request", lambda request: _SESSIONS.pop(role, None)
                            if urlsplit(request.url).path.startswith("/accounts/logout") else None)

        context.on("page", attach)  # popups and later tabs too
        page = context.new_page()
        attach(page)
        if anonymous or reuse:
            return page
        page.goto("/accounts/login/")
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", site.password)
        with page.expect_navigation():
            page.click("form:has(input[name=password]) button[type=submit]")
        if urlsplit(page.url).path.startswith("/accounts/login/"):
            pytest.fail(f"could not log in as {role!r}: still on {page.url}")
        _SESSIONS[role] = context.storage_state()
        return page

    yield open_page
    for context in contexts:
        context.close()
    for page in [p for p in _LOGS if p.context in contexts]:
        _LOGS.pop(page, None)


@pytest.fixture
def assert_clean():
    def check(page, reset: bool = False) -> None:
        log = _LOGS.get(page, {"console": [], "external": []})
        problems = [*log["console"], *(f"request leaving 127.0.0.1: {r}" for r in log["external"])]
        if reset:
            log["console"].clear()
            log["external"].clear()
        assert not problems, "the page is not clean:\n  " + "\n  ".join(problems)

    return check

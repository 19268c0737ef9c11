"""Every role's pages load in a real browser: HTTP 200, no console error, no request
leaving 127.0.0.1, and a full-page screenshot of each.

The list of pages is shiyu.web.pages.PAGES, filtered by role the way pages_for() does,
so a page registered there is tested here without editing this file. Screenshots go to
docs/screenshots/<role>-<url_name>.png when SHIYU_SCREENSHOTS=1 (`make screenshots`),
otherwise to pytest's temporary directory so that `make test` leaves the tree clean."""
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import NoReverseMatch
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from shiyu.core.models import Role
from shiyu.demo.users import DEMO_USERS
from shiyu.web.pages import PAGES

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PHONE_ROLES = {Role.GRIDWORKER}
READY_TIMEOUT_MS = 30_000


def pages_of(role) -> list:
    """pages_for() for a demo user of this role (None: not signed in)."""
    if role is None:
        return [page for page in PAGES if not page.roles]
    return [page for page in PAGES if role in page.roles]


def cases():
    users = [("anonymous", None)] + [(username, Role(role)) for username, role, _ in DEMO_USERS]
    for username, role in users:
        for page in pages_of(role):
            yield pytest.param(username, page, "desktop", id=f"{username}-{page.url_name}")
            if role in PHONE_ROLES:
                yield pytest.param(username, page, "phone", id=f"{username}-{page.url_name}-phone")


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    if os.environ.get("SHIYU_SCREENSHOTS") == "1":
        fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                               check=False) if shutil.which("fc-list") else None
        if fonts is not None and not fonts.stdout.strip():
            pytest.fail("no Chinese font: the screenshots would show boxes; apt install fonts-noto-cjk")
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


def settle(page) -> None:
    """Network idle, then the dashboard's readiness flag (dashboard.js sets
    window.shiyuDashboardReady = true once the map and charts are drawn) on a page with
    #dashboard or that flag, and the fonts."""
    page.wait_for_load_state("networkidle")
    try:
        page.wait_for_function("() => window.shiyuDashboardReady === true || (!('shiyuDashboardReady' in window)"
                               " && !document.getElementById('dashboard'))", timeout=READY_TIMEOUT_MS)
    except PlaywrightTimeout:
        pytest.fail(f"{page.url}: window.shiyuDashboardReady not true after {READY_TIMEOUT_MS // 1000} s")
    page.evaluate("document.fonts.ready.then(() => true)")


@pytest.mark.parametrize("username,registered,screen", list(cases()))
def test_page_loads_clean(site, login_as, assert_clean, screenshot_dir, username, registered, screen):
    try:
        path = registered.url
    except NoReverseMatch:
        pytest.fail(f"page {registered.url_name!r} is in PAGES but has no URL named web:{registered.url_name}")
    page = login_as(username, **(PHONE if screen == "phone" else {"viewport": DESKTOP}))
    mark = site.log_mark()
    response = page.goto(path, wait_until="networkidle")
    status = response.status if response else None
    assert status == 200, f"{path} as {username}: HTTP {status}\n{site.errors_since(mark)[-3000:]}"
    assert urlsplit(page.url).path == path, f"{path} as {username} ended on {page.url}"
    settle(page)
    suffix = "-phone" if screen == "phone" else ""
    page.screenshot(path=screenshot_dir / f"{username}-{registered.url_name}{suffix}.png", full_page=True)
    assert_clean(page)


def test_language_switch_turns_the_page_english(site, login_as, assert_clean):
    """Chinese first (the browser asks for zh-CN); the header's language menu turns the
    page, and the pages after it, English."""
    page = login_as("anonymous")
    page.goto("/accounts/login/", wait_until="networkidle")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "登录"
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == "/accounts/login/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Log in"
    page.goto(_public_page(), wait_until="networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_clean(page)


def _public_page() -> str:
    """The first public page that has its URL (else the login page)."""
    for registered in pages_of(None):
        try:
            return registered.url
        except NoReverseMatch:
            continue
    return "/accounts/login/"

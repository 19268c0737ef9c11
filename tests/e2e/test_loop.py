"""The respond-on-receipt loop through the workbench pages in Chromium: the operator
takes a call in, the dispatcher sends it to the suggested unit with one click, the
handler signs for it and replies, the operator records the callback and closes it.
Each step on its own signed-in page, none with a console error or an outside request."""
import re

import pytest

CALL = "小区门口的路灯坏了一个星期，晚上很黑，老人出门不安全。"
STREETLIGHT = "010101"  # 路灯不亮: the demo handler's unit (urban_management) is its default unit


def ticket_page(code: str) -> str:
    return f"/workbench/tickets/{code}/"


def status_of(page) -> str:
    return page.locator("[data-status]").get_attribute("data-status")


@pytest.fixture
def step(login_as, assert_clean):
    """step("handler", "/path/") -> that user's page, opened and settled; the pages a
    test opened are checked for console errors and outside requests at its end."""
    pages = []

    def open_as(username, path):
        page = login_as(username)
        page.goto(path, wait_until="networkidle")
        pages.append(page)
        return page

    yield open_as
    for page in pages:
        assert_clean(page)


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("networkidle")


def test_intake_dispatch_sign_for_resolve_callback(step):
    operator = step("operator", "/workbench/intake/")
    operator.locator("#id_description").press_sequentially(CALL[:12])  # typing redraws the panel
    operator.locator("#id_description").fill(CALL)
    operator.locator("#id_description").press("End")
    operator.wait_for_selector("#preview [data-route]")
    operator.fill("#id_address", "示范路1号")
    operator.fill("#id_reporter_name", "张三")
    operator.fill("#id_reporter_phone", "13812345678")
    operator.select_option("#id_category", STREETLIGHT)
    submit(operator, "[data-action=take_in]")
    code = operator.locator("[data-taken]").get_attribute("data-taken")
    assert re.fullmatch(r"\w{14}", code)

    dispatcher = step("dispatcher", "/workbench/dispatch/")
    row = dispatcher.locator(f"tr[data-code='{code}']")
    assert row.locator("[data-suggestion]").get_attribute("data-suggestion") == "urban_management"
    submit(dispatcher, f"tr[data-code='{code}'] [data-action=dispatch_suggested]")
    assert dispatcher.locator(f"tr[data-code='{code}']").count() == 0  # gone from the queue

    handler = step("handler", "/workbench/inbox/")
    submit(handler, f"tr[data-code='{code}'] a")
    submit(handler, "[data-action=sign_for]")
    assert status_of(handler) == "accepted"
    handler.fill("#act-resolve textarea[name=reply]", "已更换灯泡，路灯恢复照明。")
    submit(handler, "[data-action=resolve]")
    assert status_of(handler) == "resolved"

    operator.goto(ticket_page(code), wait_until="networkidle")
    operator.check("#act-callback input[name=rating][value=satisfied]")
    operator.check("#act-callback input[name=resolved][value=yes]")
    submit(operator, "[data-action=callback]")
    assert status_of(operator) == "callback"
    submit(operator, "[data-action=close]")
    assert status_of(operator) == "closed"
    events = operator.locator("[data-event]").evaluate_all("items => items.map(item => item.dataset.event)")
    assert [e for e in events if e != "ticket.route"] == [
        "ticket.create", "ticket.dispatch", "ticket.accept", "ticket.resolve", "ticket.callback", "ticket.close"]

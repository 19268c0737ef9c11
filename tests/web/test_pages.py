"""The pages that exist so far: login, landing page, the Chinese admin."""
import re

import pytest


def test_login_page_is_chinese_by_default_and_english_on_request(client):
    page = client.get("/accounts/login/").content.decode()
    assert "登录" in page
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in english


def test_landing_page_needs_login_and_shows_the_scope(client, users, make_ticket):
    assert client.get("/").status_code == 302
    make_ticket()
    client.force_login(users.operator)
    page = client.get("/").content.decode()
    assert "工单" in page and users.operator.username in page


@pytest.mark.parametrize("path", ["/admin/geo/adminunit/", "/admin/geo/grid/", "/admin/org/handlingunit/",
                                  "/admin/tickets/category/", "/admin/core/auditevent/", "/admin/core/user/",
                                  "/admin/open311/apikey/", "/admin/geo/gazetteer/"])
def test_admin_for_reference_data_in_chinese(client, users, path):
    client.force_login(users.admin)
    response = client.get(path)
    assert response.status_code == 200
    assert re.search("[\u4e00-\u9fff]", response.content.decode())


def test_pages_name_no_external_asset(client, users):
    client.force_login(users.admin)
    for path in ["/", "/accounts/login/", "/admin/", "/api/docs/"]:
        html = client.get(path).content.decode()
        assert not re.findall(r'(?:src|href)="(?:https?:)?//', html), path

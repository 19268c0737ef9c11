"""Token and session authentication."""
import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_token_auth(users):
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": "dispatcher", "password": "pw-dispatcher"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token"}
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/tickets/").status_code == 200
    # the same token again, not a new one
    again = APIClient().post("/api/auth/token/", {"username": "dispatcher", "password": "pw-dispatcher"})
    assert again.json()["token"] == token


def test_wrong_password_and_bad_token(users):
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": "dispatcher", "password": "nope"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    response = client.post("/api/auth/token/", {"username": "dispatcher"}, format="json")
    assert response.status_code == 400 and "password" in response.json()["fields"]
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/tickets/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


def test_inactive_user_loses_the_api(users):
    client = APIClient()
    token = client.post("/api/auth/token/", {"username": "operator2", "password": "pw-operator2"}).json()["token"]
    users.operator2.is_active = False
    users.operator2.save()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/tickets/").status_code == 401


def test_login_attempts_are_throttled(users):
    client = APIClient()
    codes = [client.post("/api/auth/token/", {"username": "supervisor", "password": f"guess{i}"}).status_code
             for i in range(12)]
    assert codes[:10] == [400] * 10 and codes[-1] == 429
    assert client.post("/api/auth/token/", {"username": "supervisor", "password": "x"}).json()["code"] == "throttled"


def test_session_auth(users):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="operator", password="pw-operator")
    assert client.get("/api/tickets/").status_code == 200
    # a write from a browser session needs the CSRF token
    response = client.post("/api/tickets/", {"channel": "hotline"}, format="json")
    assert response.status_code == 403

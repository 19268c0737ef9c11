"""The embedded default's sweeping thread: one per web process, never in tests."""
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started

from shiyu.deadlines import background


@pytest.fixture
def no_thread(monkeypatch):
    """Threads that record their start instead of sweeping."""
    started = []
    monkeypatch.setattr(background, "_thread", None)
    monkeypatch.setattr(background, "_sweep_forever", lambda interval: started.append(interval))
    return started


def test_the_test_client_starts_no_sweeping_thread(client, no_thread):
    client.get("/accounts/login/")
    assert background._thread is None and no_thread == []


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="with REDIS_URL, Celery beat sweeps instead")
def test_a_web_server_starts_one_thread_on_its_first_request(no_thread):
    from django.test.client import ClientHandler

    def listens(sender) -> bool:
        return any(getattr(receiver, "__name__", "") == "start_on_first_request"
                   for receiver in request_started._live_receivers(sender)[0])

    assert listens(WSGIHandler) and not listens(ClientHandler)
    for _ in range(3):
        background.start_on_first_request(sender=WSGIHandler, environ={})
    background._thread.join(timeout=5)
    assert no_thread == [settings.SHIYU_SWEEP_SECONDS]

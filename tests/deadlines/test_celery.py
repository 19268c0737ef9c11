"""The sweep through a real Celery worker on Redis, as production runs it: the task
goes through the broker, a worker runs it against the same database, the result
comes back through the result backend. CI starts Redis on 127.0.0.1:6379 (.ci/run).

The worker runs in a thread of this process (celery.contrib.testing.worker), so it
reaches the test database whatever it is: SQLite's in-memory test database is shared
between the connections of one process, never seen by another. The test is
transactional, so that what it writes is committed and the worker's own connection
sees it; it makes its own unit, category and staff because a transactional test
leaves the database empty behind it, and may run after another one that did."""
import datetime as dt
import os
import uuid

import pytest
from django.db import connections
from django.utils import timezone

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL} ({exc}); start one to run the Celery test (.ci/run does)")
    return REDIS_URL


@pytest.fixture
def worker(redis_url):
    """A worker thread consuming a queue of this test's own, on Redis."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from shiyu.celery import app

    def close_connections(**_kwargs):  # the worker thread's, before the test database goes
        connections.close_all()

    queue = f"shiyu-test-{uuid.uuid4().hex[:12]}"
    overrides = {"broker_url": redis_url, "result_backend": redis_url, "task_always_eager": False}
    saved = {key: app.conf[key] for key in overrides}
    app.conf.update(overrides)
    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
            yield queue
    finally:
        task_postrun.disconnect(close_connections)
        app.conf.update(saved)


@pytest.mark.django_db(transaction=True)
def test_the_sweep_runs_in_a_celery_worker(worker):
    from shiyu.core.models import Role, User
    from shiyu.deadlines.models import Escalation
    from shiyu.deadlines.tasks import sweep_deadlines
    from shiyu.org.models import HandlingUnit
    from shiyu.tickets import services
    from shiyu.tickets.models import Category, DeadlineState

    unit = HandlingUnit.objects.create(key="celery-test", name="任务测试局", kind=HandlingUnit.Kind.DEPARTMENT)
    category = Category.objects.create(code="CT0001", name="任务测试", level=3, accept_hours=2, resolve_days=7)
    operator = User.objects.create_user("celery-operator", role=Role.OPERATOR)
    dispatcher = User.objects.create_user("celery-dispatcher", role=Role.DISPATCHER)
    ticket = services.create_ticket(actor=operator, data=services.TicketInput(
        channel="hotline", request_type="complaint", description="路灯坏了一个月了。", address="示范路1号",
        category=category))
    services.dispatch_ticket(actor=dispatcher, ticket=ticket, lead_unit=unit,
                             now=timezone.now() - dt.timedelta(days=30))

    result = sweep_deadlines.apply_async(queue=worker).get(timeout=60)

    assert not result["skipped"] and result["overdue"] == 1
    ticket.refresh_from_db()
    assert ticket.deadline_state == DeadlineState.OVERDUE
    assert Escalation.objects.get(ticket=ticket).unit == unit
    assert sweep_deadlines.apply_async(queue=worker).get(timeout=60)["overdue"] == 0

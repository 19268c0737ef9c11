"""The embedded default's periodic sweep: without REDIS_URL there is no Celery beat,
so each web process sweeps in a daemon thread, started on its first request.

Several web processes (gunicorn's workers) each run such a thread; they do not all
sweep. A sweep locks the single SweepLock row and skips when another process holds
it (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED) or swept less than 0.9 of the
interval ago (on SQLite the write lock queues them and this check does the skipping).
So the city is swept about once per SHIYU_SWEEP_SECONDS whatever the number of
workers, and still swept when a worker dies."""
from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_thread: threading.Thread | None = None


def start_on_first_request(**_kwargs) -> None:
    global _thread
    if _thread is not None:
        return
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_sweep_forever, args=(settings.SHIYU_SWEEP_SECONDS,),
                                       name="shiyu-deadline-sweep", daemon=True)
            _thread.start()


def _sweep_forever(interval: float) -> None:
    from .services import sweep

    while True:
        try:
            sweep(min_interval=0.9 * interval)
        except Exception:  # a failed sweep must not end the thread: the next one may pass
            logger.exception("deadline sweep failed")
        finally:
            connections.close_all()  # this thread's: no connection idles between sweeps
        time.sleep(interval)

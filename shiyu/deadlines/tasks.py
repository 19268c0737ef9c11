"""The sweep as a Celery task, run by beat every SHIYU_SWEEP_SECONDS (production, REDIS_URL)."""
from dataclasses import asdict

from shiyu.celery import app

from .services import sweep


@app.task(name="shiyu.deadlines.sweep")
def sweep_deadlines() -> dict:
    return asdict(sweep())

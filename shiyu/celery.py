"""The Celery app of the production profile: workers and beat on Redis (REDIS_URL).

    celery -A shiyu.celery worker --beat      one process, enough for a city
    celery -A shiyu.celery worker             and apart, beat exactly once:
    celery -A shiyu.celery beat

Configured from the Django settings whose names start with CELERY_. The embedded
default (no REDIS_URL) runs no worker: each web process sweeps in a thread
(shiyu.deadlines.background) and `shiyu tick` sweeps once."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shiyu.settings")

app = Celery("shiyu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

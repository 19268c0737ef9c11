from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "shiyu.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines and supervision")

    def ready(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler
        from django.core.signals import request_started
        from django.db.models.signals import post_migrate

        from . import background, signals

        post_migrate.connect(signals.seed_after_migrate, sender=self)
        if not settings.REDIS_URL and settings.SHIYU_SWEEP_SECONDS > 0:
            # Sent by real web servers (gunicorn, runserver) only: the test client's
            # handler is another class, so tests never start a sweeping thread.
            request_started.connect(background.start_on_first_request, sender=WSGIHandler,
                                    dispatch_uid="shiyu.deadlines.background")

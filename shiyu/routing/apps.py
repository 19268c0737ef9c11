from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "shiyu.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        # Connect the receivers that keep the rule table and the address parser current.
        from shiyu.geo import places  # noqa: F401
        from . import signals  # noqa: F401

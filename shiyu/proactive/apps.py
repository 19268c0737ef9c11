from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProactiveConfig(AppConfig):
    """未诉先办: hot issues found in the tickets (shiyu.nlp.hotspots), and the proactive tasks
    a supervisor opens from them so that a unit acts before more residents have to call."""

    name = "shiyu.proactive"
    label = "proactive"
    verbose_name = _("Proactive governance")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    """风险预警: signals read from the tickets (a reporter calling again and again, many
    reporters on one issue, words of danger, overdue tickets in risky categories, spikes)
    raise alerts that supervisors acknowledge, assign and resolve."""

    name = "shiyu.risk"
    label = "risk"
    verbose_name = _("Risk alerts")

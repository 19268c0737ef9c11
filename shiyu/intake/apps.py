from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Intake intelligence: category suggestions, triage, repeats and duplicates,
    suggested answers. It wraps the ticket core (tickets.services.create_ticket)
    and never makes intake fail: without a model or an index it only suggests less."""

    name = "shiyu.intake"
    label = "intake"
    verbose_name = _("Intake intelligence")

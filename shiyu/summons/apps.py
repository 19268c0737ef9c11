from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummonsConfig(AppConfig):
    """吹哨报到: a subdistrict office whose case needs powers it lacks summons the
    departments that hold them; they report on site within a time limit, and the
    subdistrict rates how each responded."""

    name = "shiyu.summons"
    label = "summons"
    verbose_name = _("Summons")

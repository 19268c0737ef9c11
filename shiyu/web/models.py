from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardFigure(models.Model):
    """A figure of the command dashboard too costly to count on each request (the
    monthly ranking over a whole city's tickets), as the deadline sweep last counted it."""

    key = models.CharField(_("key"), max_length=40, primary_key=True)
    data = models.JSONField(_("data"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")

    def __str__(self) -> str:
        return self.key

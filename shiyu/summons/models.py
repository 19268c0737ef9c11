from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The subdistrict scores each department's response on site from 1 (poor) to 5
# (excellent): a plain number whose mean the department rankings can use as it is.
RATING_MIN, RATING_MAX = 1, 5


class Summons(models.Model):
    """吹哨: a subdistrict office calls departments to one place within a time limit."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("whistling subdistrict office"),
                             on_delete=models.PROTECT, related_name="summonses", db_index=False)
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="summonses")
    place = models.CharField(_("place"), max_length=200)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    long = models.FloatField(_("longitude"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    minutes = models.PositiveSmallIntegerField(_("minutes to report"))
    report_by = models.DateTimeField(_("report by"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("whistled by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("whistled at"), default=timezone.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summonses")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "created_at"], name="summons_unit_idx"),
            models.Index(fields=["created_at"], name="summons_created_idx"),  # punctuality over a period
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.created_at:%Y-%m-%d %H:%M} {self.place}"


class SummonsCall(models.Model):
    """报到: one summoned department's part in a summons."""

    class State(models.TextChoices):
        CALLED = "called", _("Called")
        REPORTED = "reported", _("Reported on site")
        MISSING = "missing", _("Missing")

    summons = models.ForeignKey(Summons, verbose_name=_("summons"), on_delete=models.CASCADE, related_name="calls")
    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("department"), on_delete=models.PROTECT,
                             related_name="summons_calls")
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.CALLED)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    on_site_note = models.TextField(_("on-site note"), blank=True)
    late = models.BooleanField(_("late"), default=False)
    # Kept when a department marked missing reports after all: the record shows both.
    missing_at = models.DateTimeField(_("marked missing at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rated by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    rating_note = models.TextField(_("rating note"), blank=True)

    class Meta:
        verbose_name = _("summons call")
        verbose_name_plural = _("summons calls")
        ordering = ["summons", "id"]
        constraints = [
            models.UniqueConstraint(fields=["summons", "unit"], name="summons_call_unit_unique"),
            models.CheckConstraint(condition=models.Q(rating__isnull=True)
                                   | models.Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                                   name="summons_call_rating_range"),
        ]
        # The sweep looks only at calls still waiting: a partial index keeps it small.
        indexes = [models.Index(fields=["summons"], name="summons_call_waiting_idx",
                                condition=models.Q(state="called"))]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_state_display()})"

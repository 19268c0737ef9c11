from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shiyu.core.models import Role


class CalendarDay(models.Model):
    """One day of the State Council's holiday schedule (放假调休安排): a holiday, or a
    weekend day that is worked (调休上班). Seeded from the chinese_calendar package;
    an admin enters each new year when it is published, usually in November. A year
    with no day here counts weekends and the fixed-date holidays only; from its first
    day entered, a year counts as published, so enter a year's days together."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=32, blank=True, help_text=_("Which holiday, e.g. 国庆节."))

    class Meta:
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class CalendarVersion(models.Model):
    """A counter bumped whenever the calendar changes, so that every process reloads it."""

    version = models.PositiveBigIntegerField(default=0)


class SweepLock(models.Model):
    """The one row a sweep locks while it runs, so that only one process sweeps at a
    time; swept_at lets periodic runners skip a turn that another process just took."""

    swept_at = models.DateTimeField(null=True, blank=True)


class Escalation(models.Model):
    """督办: the sweep hands a ticket that missed its resolution deadline to the
    supervisors. One per missed deadline: a ticket that misses an extended deadline
    too is escalated again, one level higher."""

    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="escalations")
    # The unit that missed it: the lead unit may change after a return and re-dispatch.
    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"))
    due_at = models.DateTimeField(_("missed deadline"))
    created_at = models.DateTimeField(_("escalated at"), default=timezone.now)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [models.UniqueConstraint(fields=["ticket", "due_at"], name="escalation_once_per_deadline")]
        indexes = [models.Index(fields=["unit", "created_at"], name="escalation_unit_idx")]


class Notification(models.Model):
    """A message for a unit's staff or for everyone with a role. One row for all of
    them: read_at is when the first of them read it."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Deadline near")
        OVERDUE = "overdue", _("Deadline missed")
        CALENDAR_MISSING = "calendar_missing", _("Holiday schedule missing")
        RISK_ALERT = "risk_alert", _("Risk alert")

    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="notifications")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="notifications")
    # The page of what it is about when that is not a ticket (a risk alert): a path in the app.
    link = models.CharField(_("link"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.CheckConstraint(condition=models.Q(unit__isnull=False) | ~models.Q(role=""),
                                              name="notification_has_recipient")]
        indexes = [models.Index(fields=["unit", "created_at"], name="notification_unit_idx"),
                   models.Index(fields=["role", "created_at"], name="notification_role_idx")]

    def __str__(self) -> str:
        return self.text

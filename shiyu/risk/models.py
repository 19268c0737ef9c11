from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The four warning colours, most serious first (红橙黄蓝)."""

    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    BLUE = "blue", _("Blue")


# Higher is more serious: an alert raised again keeps the higher of its two levels.
SEVERITY = {Level.BLUE: 1, Level.YELLOW: 2, Level.ORANGE: 3, Level.RED: 4}


class Signal(models.TextChoices):
    REPEAT_REPORTER = "repeat_reporter", _("Repeat reporter")
    COLLECTIVE = "collective", _("Collective complaint")
    DANGER_WORDS = "danger_words", _("Danger words")
    OVERDUE_RISKY = "overdue_risky", _("Overdue in a risky category")
    SPIKE = "spike", _("Spike")


class DangerWord(models.Model):
    """A word that marks a ticket as a risk (self-harm, violence, petitioning, gas):
    kept by administrators in the admin; matched on each new ticket's title and text."""

    word = models.CharField(_("word"), max_length=32, unique=True)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.ORANGE)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("danger word")
        verbose_name_plural = _("danger words")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class RiskAlert(models.Model):
    """风险预警: what one signal found, the tickets it found it in, and its handling."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ASSIGNED = "assigned", _("Assigned")
        REPORTED = "reported", _("Reported back")
        RESOLVED = "resolved", _("Resolved")

    kind = models.CharField(_("signal"), max_length=16, choices=Signal.choices)
    # What the signal is about (a reporter, an issue, a ticket, a subdistrict's category on
    # a day): while an alert with the same kind and key is not resolved, the signal
    # updates it instead of raising another.
    key = models.CharField(_("key"), max_length=120)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    reason = models.TextField(_("reason"))
    tickets = models.ManyToManyField("tickets.Ticket", verbose_name=_("tickets"), blank=True,
                                     related_name="risk_alerts")
    subdistrict = models.ForeignKey("geo.AdminUnit", verbose_name=_("subdistrict"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("tickets.Category", verbose_name=_("top-level category"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last raised at"), default=timezone.now)
    times_raised = models.PositiveIntegerField(_("times raised"), default=1)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    assigned_unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("assigned unit"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="risk_alerts")
    assigned_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="risk_alerts")
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    # 处置反馈: what the assignee did, for a supervisor to resolve the alert on (or assign again).
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported back by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported back at"), null=True, blank=True)
    report_note = models.TextField(_("what was done"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)

    class Meta:
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")
        ordering = ["-raised_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], condition=~models.Q(status="resolved"),
                                               name="risk_alert_one_unresolved")]
        indexes = [models.Index(fields=["status", "level"], name="risk_alert_status_idx"),
                   models.Index(fields=["raised_at"], name="risk_alert_raised_idx"),
                   models.Index(fields=["kind", "key"], name="risk_alert_key_idx")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_kind_display()}: {self.reason[:40]}"


class RiskMute(models.Model):
    """A noisy signal silenced, with a reason: one key of a signal (one reporter, one
    issue) or a signal in a subdistrict and/or a category. Muted signals raise nothing
    until unmuted or expired."""

    kind = models.CharField(_("signal"), max_length=16, choices=Signal.choices)
    key = models.CharField(_("key"), max_length=120, blank=True)
    subdistrict = models.ForeignKey("geo.AdminUnit", verbose_name=_("subdistrict"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("tickets.Category", verbose_name=_("top-level category"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    muted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("muted by"), on_delete=models.PROTECT,
                                 related_name="+")
    muted_at = models.DateTimeField(_("muted at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    unmuted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("unmuted by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    unmuted_at = models.DateTimeField(_("unmuted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("muted signal")
        verbose_name_plural = _("muted signals")
        ordering = ["-muted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key or ''}".strip()

    def active_at(self, now) -> bool:
        return self.unmuted_at is None and (self.expires_at is None or self.expires_at > now)

    def covers(self, kind: str, key: str, subdistrict_id: int | None, category_id: int | None) -> bool:
        return (self.kind == kind and (not self.key or self.key == key)
                and (self.subdistrict_id is None or self.subdistrict_id == subdistrict_id)
                and (self.category_id is None or self.category_id == category_id))


class RiskScan(models.Model):
    """The one row of the scan's progress (pk 1): how far it has read each source, and
    today's spike thresholds per series, computed once a day."""

    ticket_id = models.BigIntegerField(_("last ticket read"), default=0)
    link_id = models.BigIntegerField(_("last similar-ticket link read"), default=0)
    escalation_id = models.BigIntegerField(_("last escalation read"), default=0)
    scanned_at = models.DateTimeField(_("scanned at"), null=True, blank=True)
    spike_day = models.DateField(_("day of the spike thresholds"), null=True, blank=True)
    # {"<subdistrict id>:<category id>": [threshold, expected]}: a count reaching the
    # threshold is a spike.
    spike_thresholds = models.JSONField(_("spike thresholds"), default=dict, blank=True)

    class Meta:
        verbose_name = _("risk scan")
        verbose_name_plural = _("risk scans")

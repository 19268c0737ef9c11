from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    OPERATOR = "operator", _("Operator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HANDLER = "handler", _("Handler")
    GRIDWORKER = "gridworker", _("Grid worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    LEADER = "leader", _("Leader / evaluator")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CITIZEN)
    # A handler belongs to exactly one handling unit; other roles leave it empty.
    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("handling unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="staff")
    grids = models.ManyToManyField("geo.Grid", verbose_name=_("grids"), blank=True, related_name="grid_workers")
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def has_role(self, *roles: str) -> bool:
        return self.is_active and (self.role in roles or self.is_superuser and Role.ADMIN in roles)


class AuditEvent(models.Model):
    """One row per change (and per unmasked read of personal data). Never updated."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=48)
    target_type = models.CharField(_("target type"), max_length=24)
    target_id = models.BigIntegerField(_("target id"))
    from_state = models.CharField(_("from"), max_length=16, blank=True)
    to_state = models.CharField(_("to"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id", "at"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"

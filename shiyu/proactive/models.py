from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shiyu.tickets.models import DeadlineState


class ProactiveTask(models.Model):
    """未诉先办: a unit is asked to act on a hot issue by a deadline, before more residents call.
    Hot issues are not stored (shiyu.proactive.selectors computes them): the task keeps what it
    was opened from (title, place, heat, tickets)."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=100)
    note = models.TextField(_("what to do"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    heat = models.FloatField(_("heat when opened"), null=True, blank=True)
    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("handling unit"), on_delete=models.PROTECT,
                             related_name="proactive_tasks", db_index=False)
    tickets = models.ManyToManyField("tickets.Ticket", verbose_name=_("tickets"), blank=True,
                                     related_name="proactive_tasks")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    due_at = models.DateTimeField(_("deadline"))
    # As the last deadline sweep saw it, like a ticket's (shiyu.deadlines); green once finished.
    deadline_state = models.CharField(_("deadline state"), max_length=8, choices=DeadlineState.choices,
                                      default=DeadlineState.ON_TIME)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("accepted by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    finished_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("finished by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finishing_note = models.TextField(_("finishing note"), blank=True)

    class Meta:
        verbose_name = _("proactive task")
        verbose_name_plural = _("proactive tasks")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "state"], name="proactive_unit_idx"),
            # The sweep looks only at tasks still running: a partial index keeps it small.
            models.Index(fields=["due_at"], name="proactive_live_due_idx",
                         condition=models.Q(state__in=["open", "accepted"])),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.title}"

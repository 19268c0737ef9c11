from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CategorySuggestion(models.Model):
    """What the classifier said about a ticket at intake. A ticket whose best
    suggestion is below the confidence threshold waits in the triage queue until a
    person chooses its category (settled_at)."""

    ticket = models.OneToOneField("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE,
                                  related_name="category_suggestion")
    # [{"code": leaf category code, "probability": 0..1}], best first
    suggestions = models.JSONField(_("suggestions"), default=list)
    top_probability = models.FloatField(_("top probability"), default=0.0)
    model_version = models.CharField(_("model"), max_length=64, blank=True)
    applied = models.BooleanField(_("applied to the ticket"), default=False)
    triage = models.BooleanField(_("waits for a person"), default=False)
    created_at = models.DateTimeField(_("suggested at"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("category suggestion")
        verbose_name_plural = _("category suggestions")
        indexes = [models.Index(fields=["created_at"], name="triage_open_idx",
                                condition=models.Q(triage=True, settled_at__isnull=True))]


class CategoryCorrection(models.Model):
    """A person chose another category than the classifier's best: training data for
    the next model (`shiyu classifier train --from-db`)."""

    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="category_corrections")
    suggested = models.ForeignKey("tickets.Category", verbose_name=_("suggested category"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    chosen = models.ForeignKey("tickets.Category", verbose_name=_("chosen category"),
                               on_delete=models.PROTECT, related_name="+")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("corrected by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(_("corrected at"), default=timezone.now)

    class Meta:
        verbose_name = _("category correction")
        verbose_name_plural = _("category corrections")


class SimilarTicket(models.Model):
    """An earlier ticket that a new one repeats (same reporter) or duplicates (another
    reporter, same place), found at intake and shown to the operator and dispatcher."""

    class Kind(models.TextChoices):
        REPEAT = "repeat", _("Repeat (same reporter)")
        DUPLICATE = "duplicate", _("Duplicate (same place)")

    class State(models.TextChoices):
        OPEN = "open", _("To decide")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not the same")

    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="similar_links")
    earlier = models.ForeignKey("tickets.Ticket", verbose_name=_("earlier ticket"), on_delete=models.CASCADE,
                                related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    score = models.FloatField(_("text similarity"))
    distance_m = models.FloatField(_("distance (m)"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("similar ticket")
        verbose_name_plural = _("similar tickets")
        constraints = [models.UniqueConstraint(fields=["ticket", "earlier"], name="similar_pair_unique")]
        ordering = ["-score"]


class PendingSimilarSearch(models.Model):
    """A ticket from a machine channel (Open311, video) whose repeats and duplicates are
    still to be looked for. Nobody waits on the line for the answer, so the search runs
    in the periodic sweep instead of the request; the row goes when it has run."""

    ticket = models.OneToOneField("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE,
                                  primary_key=True, related_name="+")
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)

    class Meta:
        verbose_name = _("pending similar-ticket search")
        verbose_name_plural = _("pending similar-ticket searches")

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoutingRule(models.Model):
    """派单规则: tickets of a category (or of any category under it) in an area (or
    anywhere) go to a unit, or to the local subdistrict office or district government
    of the place.

    When several rules match a ticket, the most specific wins, in this order:
      1. the deeper area: a community beats a subdistrict, then a district, the city,
         and a rule without an area;
      2. then the deeper category: a third-level category beats its second-level
         parent, which beats the first level;
      3. then the higher priority;
      4. then the older rule (the lower id), so that the choice never depends on the
         order the database returns rows in.
    The area comes first because a local arrangement (this district handles its own
    市容环卫) is an exception to the city-wide routing of every category under it.
    A rule that cannot be applied (its unit is inactive, or the place is not known
    well enough to find the local office) gives way to the next one. When no rule
    applies, the category decides: its default unit, or the local subdistrict office
    when it is handled where it happens (Category.route_to_subdistrict)."""

    class Target(models.TextChoices):
        UNIT = "unit", _("The unit chosen below")
        SUBDISTRICT = "subdistrict", _("The subdistrict office of the place")
        DISTRICT = "district", _("The district government of the place")

    category = models.ForeignKey("tickets.Category", verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="routing_rules",
                                 help_text=_("A first- or second-level category covers every category under it."))
    area = models.ForeignKey("geo.AdminUnit", verbose_name=_("area"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="routing_rules",
                             help_text=_("Empty: anywhere in the city."))
    target = models.CharField(_("handled by"), max_length=12, choices=Target.choices, default=Target.UNIT)
    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("handling unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="routing_rules")
    priority = models.SmallIntegerField(
        _("priority"), default=0,
        help_text=_("Decides between rules of the same area and category level: the higher wins."))
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category__code", "area__code", "-priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target="unit", unit__isnull=False) | (~models.Q(target="unit")
                                                                           & models.Q(unit__isnull=True)),
                name="routing_rule_unit_iff_target_unit"),
        ]

    def __str__(self) -> str:
        return _("Rule %(number)s") % {"number": self.pk}

    def clean(self) -> None:
        if self.target == self.Target.UNIT and self.unit_id is None:
            raise ValidationError({"unit": _("Choose the unit that handles these tickets.")})
        if self.target != self.Target.UNIT and self.unit_id is not None:
            raise ValidationError({"unit": _("Leave the unit empty: the local office of the place handles them.")})


class RoutingVersion(models.Model):
    """A counter bumped whenever rules, categories or handling units change, so every
    process knows to reload its rule table."""

    version = models.PositiveBigIntegerField(default=0)


class PlaceSource(models.TextChoices):
    COORDINATES = "coordinates", _("Coordinates")
    ADDRESS = "address", _("Address")
    NONE = "none", _("Unknown")


class RoutingDecision(models.Model):
    """One routing decision for a ticket and why it was taken. Never updated: a ticket
    routed again gets a new row."""

    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="routing_decisions")
    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("handling unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+",
                             help_text=_("Empty: the dispatcher decides."))
    # No database constraint: the decision keeps naming its rule after the rule is deleted.
    rule = models.ForeignKey(RoutingRule, verbose_name=_("rule"), null=True, blank=True,
                             on_delete=models.DO_NOTHING, db_constraint=False, related_name="decisions")
    place_source = models.CharField(_("place from"), max_length=12, choices=PlaceSource.choices)
    place = models.ForeignKey("geo.AdminUnit", verbose_name=_("place"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    address_spans = models.JSONField(_("names found in the address"), default=list, blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("routing decision")
        verbose_name_plural = _("routing decisions")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return self.reason

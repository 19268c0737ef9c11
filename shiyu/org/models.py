from django.db import models
from django.utils.translation import gettext_lazy as _


class HandlingUnit(models.Model):
    """承办单位: a department, a public-service enterprise, or a district or subdistrict
    government acting for its own area."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        ENTERPRISE = "enterprise", _("Public-service enterprise")
        DISTRICT = "district", _("District government")
        SUBDISTRICT = "subdistrict", _("Subdistrict office")

    key = models.SlugField(_("key"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The area the unit answers for: a subdistrict office's subdistrict, a city department's city.
    area = models.ForeignKey("geo.AdminUnit", verbose_name=_("area"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="handling_units")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")
        ordering = ["kind", "key"]

    def __str__(self) -> str:
        return self.name

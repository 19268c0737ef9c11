import shapely
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_polygon_wkt(value: str) -> None:
    try:
        geometry = shapely.from_wkt(value)
    except shapely.errors.GEOSException as exc:
        raise ValidationError(_("Not a valid WKT geometry: %(error)s"), params={"error": exc}) from exc
    if geometry.geom_type not in {"Polygon", "MultiPolygon"} or geometry.is_empty or not geometry.is_valid:
        raise ValidationError(_("The boundary must be a valid, non-empty polygon."))


class AdminUnit(models.Model):
    """城市 > 区 > 街道 > 社区, coded like the statistical division codes (12 digits)."""

    class Level(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        SUBDISTRICT = "subdistrict", _("Subdistrict")
        COMMUNITY = "community", _("Community")

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    population = models.PositiveIntegerField(_("population"), default=0)
    boundary_wkt = models.TextField(_("boundary (WKT, lon/lat)"), blank=True, validators=[validate_polygon_wkt])

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return self.name


class Grid(models.Model):
    """网格: the smallest patrolled area; its code extends its community's by 3 digits."""

    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=64)
    community = models.ForeignKey(AdminUnit, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="grids", limit_choices_to={"level": AdminUnit.Level.COMMUNITY})
    boundary_wkt = models.TextField(_("boundary (WKT, lon/lat)"), validators=[validate_polygon_wkt])

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.community_id and not self.code.startswith(self.community.code):
            raise ValidationError({"code": _("A grid's code must start with its community's code.")})


class Gazetteer(models.Model):
    """Road and place names of the city, for reading addresses without coordinates."""

    class Kind(models.TextChoices):
        ROAD = "road", _("Road")
        PLACE = "place", _("Place")

    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    unit = models.ForeignKey(AdminUnit, verbose_name=_("administrative unit"), on_delete=models.CASCADE,
                             related_name="gazetteer")

    class Meta:
        verbose_name = _("gazetteer entry")
        verbose_name_plural = _("gazetteer")
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class GridVersion(models.Model):
    """A counter bumped whenever grids change, so every process knows to rebuild its index."""

    version = models.PositiveBigIntegerField(default=0)

"""Writing a generated CityPlan into the database: units, grids, gazetteer and the
district and subdistrict governments that handle tickets in their own areas."""
from django.db import transaction

from shiyu.geo.citygen import CityPlan
from shiyu.geo.models import AdminUnit, Gazetteer, Grid
from shiyu.geo.services import bump_grid_version
from shiyu.org.models import HandlingUnit

LEVELS = ["city", "district", "subdistrict", "community"]


@transaction.atomic
def load_city(plan: CityPlan) -> dict[str, AdminUnit]:
    units: dict[str, AdminUnit] = {}
    for level in LEVELS:
        rows = [AdminUnit(code=u.code, name=u.name, level=u.level, population=u.population,
                          parent=units.get(u.parent_code), boundary_wkt=u.polygon.wkt)
                for u in plan.units if u.level == level]
        for unit in AdminUnit.objects.bulk_create(rows):
            units[unit.code] = unit
    Grid.objects.bulk_create([Grid(code=g.code, name=g.name, community=units[g.community_code],
                                   boundary_wkt=g.polygon.wkt) for g in plan.grids], batch_size=1000)
    Gazetteer.objects.bulk_create(
        [Gazetteer(name=road, kind=Gazetteer.Kind.ROAD, unit=units[u.code]) for u in plan.units for road in u.roads]
        + [Gazetteer(name=place, kind=Gazetteer.Kind.PLACE, unit=units[u.code])
           for u in plan.units for place in u.places])
    HandlingUnit.objects.bulk_create([_local_government(units[u.code]) for u in plan.units
                                      if u.level in ("district", "subdistrict")])
    bump_grid_version()
    return units


def _local_government(unit: AdminUnit) -> HandlingUnit:
    if unit.level == "district":
        return HandlingUnit(key=f"district-{unit.code[:6]}", name=f"{unit.name}人民政府",
                            short_name=unit.name, kind=HandlingUnit.Kind.DISTRICT, area=unit)
    suffix = "人民政府" if unit.name.endswith("镇") else "办事处"
    return HandlingUnit(key=f"subdistrict-{unit.code[:9]}", name=f"{unit.name}{suffix}",
                        short_name=unit.name, kind=HandlingUnit.Kind.SUBDISTRICT, area=unit)

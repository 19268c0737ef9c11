from collections.abc import Iterable

from django.db import transaction

from .models import HandlingUnit


@transaction.atomic
def load_departments(rows: Iterable[dict], city=None) -> dict[str, HandlingUnit]:
    """Create or update departments and enterprises from reference rows
    ({"key", "name", "short", "kind"}); returns them by key."""
    units = {}
    for row in rows:
        unit, _created = HandlingUnit.objects.update_or_create(
            key=row["key"], defaults={"name": row["name"], "short_name": row.get("short", ""),
                                      "kind": row["kind"], "area": city})
        units[unit.key] = unit
    return units

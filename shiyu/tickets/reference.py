"""Loading a category taxonomy (reference data) from its JSON tree."""
import json
from pathlib import Path

from django.db import transaction

from shiyu.org.models import HandlingUnit

from .models import Category

DEFAULT_TAXONOMY = Path(__file__).parent / "data" / "taxonomy.json"
SUBDISTRICT = "subdistrict"  # routes to the subdistrict office where the problem is


def read_taxonomy(path: Path = DEFAULT_TAXONOMY) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@transaction.atomic
def load_taxonomy(tree: list[dict]) -> int:
    """Create or update every node; a leaf inherits its parent's department unless it names its own."""
    units = {u.key: u for u in HandlingUnit.objects.all()}
    count = 0

    def save(node: dict, parent: Category | None, level: int, inherited: str | None) -> None:
        nonlocal count
        department = node.get("department") or inherited
        defaults = {"name": node["name"], "parent": parent, "level": level,
                    "route_to_subdistrict": department == SUBDISTRICT,
                    "default_unit": None if department in (None, SUBDISTRICT) else units[department]}
        if level == 3:
            defaults.update(accept_hours=node["accept_hours"], resolve_days=node["resolve_days"],
                            urgent=node.get("urgent", False), request_types=node.get("request_types", []),
                            keywords=node.get("keywords", []), attributes=node.get("attributes", []))
        category, _created = Category.objects.update_or_create(code=node["code"], defaults=defaults)
        count += 1
        for child in node.get("children", []):
            save(child, category, level + 1, department)

    for root in tree:
        save(root, None, 1, None)
    return count

from django.db import transaction
from django.db.models import F

from .locate import forget_index
from .models import GridVersion


def bump_grid_version() -> None:
    """Tell every process that the grids changed (after saves, deletes and bulk loads)."""
    with transaction.atomic():
        updated = GridVersion.objects.filter(pk=1).update(version=F("version") + 1)
        if not updated:
            GridVersion.objects.create(pk=1, version=1)
    transaction.on_commit(forget_index)

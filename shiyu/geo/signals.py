from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Grid
from .services import bump_grid_version


@receiver([post_save, post_delete], sender=Grid)
def grids_changed(**_kwargs) -> None:
    bump_grid_version()

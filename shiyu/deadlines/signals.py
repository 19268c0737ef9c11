from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import CalendarDay
from .services import bump_calendar_version, seed_calendar


@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_changed(using: str = DEFAULT_DB_ALIAS, **_kwargs) -> None:
    bump_calendar_version(using)


def seed_after_migrate(using: str = DEFAULT_DB_ALIAS, **_kwargs) -> None:
    """After every migrate and flush, rather than in a data migration: a flush (tests,
    `shiyu demo --force`) empties the table, and a newer chinese_calendar brings years
    that only a seed run after the upgrade can load. Skipped while the table does not
    exist yet (a migrate to an earlier state)."""
    if CalendarDay._meta.db_table in connections[using].introspection.table_names():
        seed_calendar(using)

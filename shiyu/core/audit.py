"""Writing audit events (callers are services already inside their transaction), and
reading one object's trail."""
from .models import AuditEvent


def record(*, actor, action: str, target_type: str, target_id: int, from_state: str = "",
           to_state: str = "", note: str = "", data: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None, action=action, target_type=target_type,
        target_id=target_id, from_state=from_state, to_state=to_state, note=note, data=data or {},
    )


def record_many(events: list[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(events, batch_size=2000)


def trail(target_type: str, target_id: int) -> list[AuditEvent]:
    """Every event of one object, oldest first, with who did it."""
    return list(AuditEvent.objects.filter(target_type=target_type, target_id=target_id).select_related("actor")
                .order_by("at", "id"))

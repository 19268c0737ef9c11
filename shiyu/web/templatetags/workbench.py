"""Small pieces the workbench templates share."""
from django import template
from django.utils import timezone

from shiyu.core.pii import mask_text as _mask_text
from shiyu.deadlines.selectors import deadline_state
from shiyu.tickets.models import DeadlineState

register = template.Library()


@register.inclusion_tag("web/workbench/_deadline.html")
def deadline_badge(ticket):
    """The resolution deadline's colour now (green, yellow, red); nothing while no clock runs.
    Needs the ticket's category loaded with it (round-the-clock categories count hours)."""
    state = deadline_state(ticket, timezone.now())
    return {"state": state, "label": DeadlineState(state).label if state else ""}


@register.filter
def mask_text(text: str) -> str:
    """Phone and ID numbers that residents type into titles and texts, masked in lists."""
    return _mask_text(text or "")

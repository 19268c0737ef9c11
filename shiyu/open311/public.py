"""What the public may read about tickets through Open311: never a reporter's name,
phone, e-mail or account, free text passed through mask_text, invalid tickets never."""
from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shiyu.core.pii import mask_name, mask_text
from shiyu.tickets.models import Status, Ticket

from . import catalog
from .parsing import w3c

OPEN = frozenset({Status.RECEIVED, Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.RETURNED})
CLOSED = frozenset({Status.RESOLVED, Status.CALLBACK, Status.CLOSED, Status.MERGED})
SPEC_STATUS = {**{s: "open" for s in OPEN}, **{s: "closed" for s in CLOSED}}
STATES_FOR = {"open": OPEN, "closed": CLOSED}
REPLIED = frozenset({Status.RESOLVED, Status.CALLBACK, Status.CLOSED})

# The 12345 hotline's own words for each state, as residents read them on a receipt.
STATUS_LABELS_ZH = {
    Status.RECEIVED: "已受理", Status.DISPATCHED: "已派单", Status.ACCEPTED: "已签收",
    Status.IN_PROGRESS: "办理中", Status.RESOLVED: "已办结", Status.CALLBACK: "已回访",
    Status.CLOSED: "已结案", Status.RETURNED: "已退单", Status.MERGED: "已合并",
}

# Only the columns a public answer uses: never the reporter's.
_COLUMNS = ("code", "status", "category__code", "category__name", "category__urgent", "category__accept_hours",
            "category__resolve_days", "description", "address", "lat", "long", "attributes", "created_at",
            "updated_at", "resolve_due_at", "reply", "lead_unit__name", "duplicate_of__code",
            "reporter_name")  # read only to mask it where it was typed into free text


def public_tickets() -> QuerySet[Ticket]:
    return (Ticket.objects.exclude(status=Status.INVALID)
            .select_related("category", "lead_unit", "duplicate_of").only(*_COLUMNS))


def service_notice(service: catalog.Service | None = None, *, urgent: bool = False, accept_hours: float = 0,
                   resolve_days: int = 0) -> str:
    """What happens next, from the category's deadlines."""
    if service is not None:
        urgent, accept_hours, resolve_days = service.urgent, service.accept_hours, service.resolve_days
    values = {"hours": f"{accept_hours:g}", "days": resolve_days}
    if urgent:
        return _("Urgent: a handling unit responds within %(hours)s hours and deals with it within "
                 "%(days)d days.") % values
    return _("A handling unit signs for it within %(hours)s working hours and replies within "
             "%(days)d working days.") % values


def public_text(ticket: Ticket, text: str) -> str:
    """Free text as the public may read it: phone and ID numbers masked, and the
    reporter's own name too where a resident or a handler typed it in."""
    text = mask_text(text)
    name = ticket.reporter_name.strip()
    if len(name) >= 2 and name in text:
        text = text.replace(name, mask_name(name))
    return text


def _status_notes(ticket: Ticket) -> str | None:
    if ticket.status == Status.MERGED and ticket.duplicate_of_id:
        return _("Merged into service request %(code)s, which carries on for both.") % {
            "code": ticket.duplicate_of.code}
    if ticket.status in REPLIED and ticket.reply:
        return public_text(ticket, ticket.reply)
    return None


def request_row(ticket: Ticket) -> dict:
    """One <request> as the spec lists its fields, then our extensions."""
    category = ticket.category
    extra = (ticket.attributes or {}).get("open311") or {}
    return {
        "service_request_id": ticket.code,
        "status": SPEC_STATUS.get(ticket.status, "open"),
        "status_notes": _status_notes(ticket),
        "service_name": category.name if category else None,
        "service_code": category.code if category else None,
        "description": public_text(ticket, ticket.description),
        "agency_responsible": ticket.lead_unit.name if ticket.lead_unit_id else None,
        "service_notice": service_notice(urgent=category.urgent, accept_hours=category.accept_hours,
                                         resolve_days=category.resolve_days) if category else None,
        "requested_datetime": w3c(ticket.created_at),
        "updated_datetime": w3c(ticket.updated_at),
        "expected_datetime": w3c(ticket.resolve_due_at),
        "address": public_text(ticket, ticket.address) if ticket.address else None,
        "address_id": extra.get("address_id"),
        "zipcode": None,
        "lat": ticket.lat,
        "long": ticket.long,
        "media_url": extra.get("media_url"),
        # Extensions: our own state, and its name on the hotline's receipts.
        "detailed_status": ticket.status,
        "detailed_status_label": STATUS_LABELS_ZH.get(ticket.status, ticket.status),
    }

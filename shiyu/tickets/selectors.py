"""Every read of tickets. Data scopes live here and nowhere else: a view or API asks
visible_tickets(user) and cannot see past it."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from shiyu.core.audit import record_many
from shiyu.core.models import AuditEvent, Role
from shiyu.core.pii import mask_email, mask_name, mask_phone
from shiyu.core.errors import NotFound
from shiyu.org.models import HandlingUnit

from .models import Assignment, Ticket

CITY_WIDE_ROLES = {Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN}
PII_ROLES = {Role.SUPERVISOR}


def visible_tickets(user) -> QuerySet[Ticket]:
    tickets = Ticket.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return tickets.none()
    if user.has_role(*CITY_WIDE_ROLES):
        return tickets
    if user.role == Role.HANDLER:
        return tickets.filter(_unit_scope(user.unit)) if user.unit_id else tickets.none()
    if user.role == Role.GRIDWORKER:
        return tickets.filter(Q(grid__in=user.grids.all()) | Q(received_by=user))
    return tickets.filter(reporter=user)


def _unit_scope(unit: HandlingUnit) -> Q:
    """A unit's tickets are those it was ever assigned; a district or subdistrict
    government also sees everything that happens in its own area."""
    scope = Q(pk__in=Assignment.objects.filter(unit=unit).values("ticket_id"))
    if unit.area_id and unit.kind == HandlingUnit.Kind.SUBDISTRICT:
        scope |= Q(subdistrict_id=unit.area_id)
    elif unit.area_id and unit.kind == HandlingUnit.Kind.DISTRICT:
        scope |= Q(district_id=unit.area_id)
    return scope


def get_visible_ticket(user, key: int | str) -> Ticket:
    """A ticket by id or tracking code, or NotFound (also when it is outside the scope,
    so that a scope never leaks whether a ticket exists)."""
    tickets = visible_tickets(user).select_related("category", "lead_unit", "grid", "subdistrict", "district")
    lookup = {"pk": int(key)} if str(key).isdigit() and len(str(key)) < 12 else {"code": str(key)}
    ticket = tickets.filter(**lookup).first()
    if ticket is None:
        raise NotFound(f"ticket {key} not found")
    return ticket


def may_see_contact(user, ticket: Ticket) -> bool:
    """The operator who took the call and supervisors see the reporter unmasked;
    so does the resident who reported it. Everyone else sees 138****5678."""
    if user is None or not user.is_authenticated:
        return False
    return (user.has_role(*PII_ROLES) or ticket.received_by_id == user.pk
            or (ticket.reporter_id is not None and ticket.reporter_id == user.pk))


def reporter_contacts(user, tickets: list[Ticket]) -> dict[int, dict]:
    """Reporter name and phone per ticket, masked unless the user may see them; every
    unmasked read is written to the audit trail in one insert."""
    contacts, reads = {}, []
    for ticket in tickets:
        unmasked = may_see_contact(user, ticket)
        contacts[ticket.pk] = {
            "name": ticket.reporter_name if unmasked else mask_name(ticket.reporter_name),
            "phone": ticket.reporter_phone if unmasked else mask_phone(ticket.reporter_phone),
            "email": ticket.reporter_email if unmasked else mask_email(ticket.reporter_email),
            "masked": not unmasked,
        }
        if unmasked and (ticket.reporter_name or ticket.reporter_phone or ticket.reporter_email):
            reads.append(AuditEvent(actor=user, action="pii.read", target_type="ticket", target_id=ticket.pk,
                                    data={"fields": ["reporter_name", "reporter_phone", "reporter_email"]}))
    record_many(reads)
    return contacts


def ticket_timeline(ticket: Ticket) -> QuerySet[AuditEvent]:
    return (AuditEvent.objects.filter(target_type="ticket", target_id=ticket.pk)
            .exclude(action="pii.read").select_related("actor").order_by("at", "id"))

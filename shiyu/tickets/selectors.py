"""Every read of tickets. Data scopes live here and nowhere else: a view or API asks
visible_tickets(user) and cannot see past it."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from shiyu.core.audit import record_many
from shiyu.core.models import AuditEvent, Role
from shiyu.core.pii import mask_email, mask_name, mask_phone
from shiyu.core.errors import NotFound
from shiyu.org.models import HandlingUnit

from .lifecycle import OPEN_STATES
from .models import Assignment, Attachment, Extension, Ticket

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
    scope = Q(Exists(Assignment.objects.filter(ticket=OuterRef("pk"), unit=unit)))
    if unit.area_id and unit.kind == HandlingUnit.Kind.SUBDISTRICT:
        scope |= Q(subdistrict_id=unit.area_id)
    elif unit.area_id and unit.kind == HandlingUnit.Kind.DISTRICT:
        scope |= Q(district_id=unit.area_id)
    return scope


def get_visible_ticket(user, key: int | str) -> Ticket:
    """A ticket by id or tracking code, or NotFound (also when it is outside the scope,
    so that a scope never leaks whether a ticket exists)."""
    tickets = visible_tickets(user).select_related("category__parent__parent", "lead_unit", "grid", "community",
                                                   "subdistrict", "district")
    lookup = {"pk": int(key)} if str(key).isdigit() and len(str(key)) < 12 else {"code": str(key)}
    ticket = tickets.filter(**lookup).first()
    if ticket is None:
        raise NotFound(f"ticket {key} not found")
    return ticket


def get_visible_extension(user, pk: int) -> Extension:
    extension = Extension.objects.filter(pk=pk, ticket__in=visible_tickets(user)).first()
    if extension is None:
        raise NotFound(f"extension {pk} not found")
    return extension


def get_visible_attachment(user, pk: int) -> Attachment:
    attachment = Attachment.objects.filter(pk=pk, ticket__in=visible_tickets(user)).first()
    if attachment is None:
        raise NotFound(f"attachment {pk} not found")
    return attachment


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


ORDERINGS = ("created_at", "resolve_due_at", "accept_due_at")
LIST_RELATED = ("category", "lead_unit", "subdistrict")


def overdue_q(now: dt.datetime) -> Q:
    """Past its resolution deadline and still open."""
    return Q(resolve_due_at__lt=now, status__in=list(OPEN_STATES))


def is_overdue(ticket: Ticket, now: dt.datetime) -> bool:
    return bool(ticket.resolve_due_at and ticket.resolve_due_at < now and ticket.status in OPEN_STATES)


def search_tickets(tickets: QuerySet[Ticket], params: dict) -> QuerySet[Ticket]:
    """Narrow a scope (from visible_tickets) by list filters: each on an indexed column,
    references already turned into objects (`params` as api.serializers.TicketFilterSerializer
    validates them); a parent category matches by its code prefix."""
    if params.get("status"):
        statuses = params["status"]
        tickets = tickets.filter(status=statuses[0]) if len(statuses) == 1 else tickets.filter(status__in=statuses)
    for name in ("channel", "request_type"):
        if params.get(name):
            tickets = tickets.filter(**{name: params[name]})
    if params.get("category") is not None:
        category = params["category"]
        if category.is_leaf:  # the (category, created_at) index serves it in order
            tickets = tickets.filter(category_id=category.pk)
        else:  # codes nest (01 > 0101 > 010101); a join lets the created_at index serve a broad subtree
            tickets = tickets.filter(category__code__startswith=category.code)
    if params.get("lead_unit") is not None:
        tickets = tickets.filter(lead_unit_id=params["lead_unit"].pk)
    if params.get("subdistrict") is not None:
        tickets = tickets.filter(subdistrict_id=params["subdistrict"].pk)
    if params.get("created_after"):
        tickets = tickets.filter(created_at__gte=params["created_after"])
    if params.get("created_before"):
        tickets = tickets.filter(created_at__lt=params["created_before"])
    if params.get("overdue") is True:
        tickets = tickets.filter(overdue_q(timezone.now()))
    elif params.get("overdue") is False:
        tickets = tickets.exclude(overdue_q(timezone.now()))
    if params.get("q"):
        tickets = tickets.filter(Q(title__icontains=params["q"]) | Q(description__icontains=params["q"]))
    ordering = params.get("ordering") or "-created_at"
    field = ordering.lstrip("-")
    if ordering.startswith("-"):
        order = [F(field).desc(nulls_last=True), "-id"]
    else:
        order = [F(field).asc(nulls_last=True), "id"]
    if field == "created_at":  # never null: a plain ORDER BY lets the created_at indexes serve it
        order = [ordering, "-id" if ordering.startswith("-") else "id"]
    return tickets.select_related(*LIST_RELATED).order_by(*order)

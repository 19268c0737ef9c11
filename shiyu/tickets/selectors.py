"""Every read of tickets. Data scopes live here and nowhere else: a view or API asks
visible_tickets(user) and cannot see past it."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from shiyu.core.audit import record_many
from shiyu.core.models import AuditEvent, Role
from shiyu.core.pii import mask_email, mask_name, mask_phone
from shiyu.core.errors import NotFound
from shiyu.org.models import HandlingUnit

from .lifecycle import HANDLING_STATES, OPEN_STATES
from .models import Assignment, Attachment, Extension, Status, Ticket
from .tracking import verify_tracking_code

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


# ---------------------------------------------------------------- the staff workbench


def unit_inbox(user, *, status: str | None = None, colour: str | None = None) -> QuerySet[Ticket]:
    """The tickets in the hands of the user's unit, soonest resolution deadline first:
    those it leads, and those it assists on and has not reported on yet. An admin, who
    may stand in for any unit, gets every ticket in hand. `colour` is the deadline
    state as the last sweep stored it (indexed), not as it is this second."""
    tickets = visible_tickets(user).filter(status__in=list(HANDLING_STATES))
    if user.unit_id:
        # The assisting ids first (a unit assists on few at a time): the list is then two
        # index lookups, the lead unit's and the ids, not a scan of every ticket in hand.
        assisting = list(Assignment.objects.filter(
            unit_id=user.unit_id, role=Assignment.Role.ASSIST,
            state__in=[Assignment.State.DISPATCHED, Assignment.State.ACCEPTED]).values_list("ticket_id", flat=True))
        tickets = tickets.filter(Q(lead_unit_id=user.unit_id) | Q(pk__in=assisting))
    if status:
        tickets = tickets.filter(status=status)
    if colour:
        tickets = tickets.filter(deadline_state=colour)
    return tickets.select_related(*LIST_RELATED).order_by(F("resolve_due_at").asc(nulls_last=True), "id")


def pending_extensions(user) -> QuerySet[Extension]:
    """Extension requests waiting for a supervisor, oldest first, on tickets the user can see."""
    # EXISTS per pending request: the few pending rows are read first, not the whole ticket table.
    visible = Exists(visible_tickets(user).filter(pk=OuterRef("ticket_id")))
    return (Extension.objects.filter(visible, state=Extension.State.PENDING)
            .select_related("ticket__lead_unit", "requested_by").order_by("requested_at", "id"))


def last_events(tickets: list[Ticket], action: str) -> dict[int, AuditEvent]:
    """Each ticket's latest audit event of one kind (its last return, say), in one query."""
    events = AuditEvent.objects.filter(target_type="ticket", target_id__in=[t.pk for t in tickets],
                                       action=action).order_by("at", "id")
    return {event.target_id: event for event in events}  # the later overwrite the earlier


# ---------------------------------------------------------------- grid workers


def own_grid_tickets(user) -> QuerySet[Ticket]:
    """The tickets in a grid worker's own grids (their scope also has those they reported elsewhere)."""
    return visible_tickets(user).filter(grid__in=user.grids.all())


def open_counts_by_grid(user) -> dict[int, int]:
    """Open tickets per grid of the user's own grids; a grid without any is absent."""
    rows = own_grid_tickets(user).filter(status__in=OPEN_STATES).order_by().values_list("grid").annotate(Count("id"))
    return dict(rows)


# ---------------------------------------------------------------- the public portal

REPLIED_STATES = frozenset({Status.RESOLVED, Status.CALLBACK, Status.CLOSED})
# Asked as "none of the others": SQLite would take the status index for `IN (...)` and
# sort every replied ticket; `NOT IN` leaves it (and PostgreSQL) the created_at index in order.
_NOT_REPLIED = sorted(set(Status.values) - REPLIED_STATES)
# A resident's timeline shows the steps of the loop, not the office's inner work
# (routing, categories, assisting units, extensions), and never who took them.
PUBLIC_EVENTS = ("ticket.create", "ticket.dispatch", "ticket.accept", "ticket.start", "ticket.return",
                 "ticket.resolve", "ticket.answer_directly", "ticket.callback", "ticket.reopen", "ticket.close",
                 "ticket.merge", "ticket.mark_invalid")
# Only what the public list shows; reporter_name is read to mask it where staff typed it into a reply.
PUBLIC_COLUMNS = ("code", "status", "created_at", "resolved_at", "reply", "reporter_name", "category__name",
                  "community__name", "subdistrict__name", "district__name")


def get_tracked_ticket(tracking_code: str) -> Ticket:
    """The ticket a resident's tracking code is for, or NotFound (forged and unknown alike)."""
    ticket_code = verify_tracking_code(tracking_code)
    ticket = ticket_code and (Ticket.objects.select_related("category", "community", "subdistrict", "district",
                                                            "lead_unit").filter(code=ticket_code).first())
    if not ticket:
        raise NotFound("no ticket for this tracking code")
    return ticket


def public_timeline(ticket: Ticket) -> list[dict]:
    return list(AuditEvent.objects.filter(target_type="ticket", target_id=ticket.pk, action__in=PUBLIC_EVENTS)
                .order_by("at", "id").values("at", "action"))


def replied_publicly(*, after: str = "", limit: int = 20) -> tuple[list[Ticket], str]:
    """One page of replied tickets, newest first, and the code to ask for the next page
    with ("" on the last). Keyset paging on the created_at index: page 1000 costs what
    page 1 does, and no count of a million rows."""
    tickets = Ticket.objects.exclude(status__in=_NOT_REPLIED)
    mark = after and tickets.filter(code=after).values("created_at", "pk").first()
    if mark:
        tickets = tickets.filter(created_at__lte=mark["created_at"]).exclude(
            created_at=mark["created_at"], pk__gte=mark["pk"])
    page = list(tickets.select_related("category", "community", "subdistrict", "district")
                .only(*PUBLIC_COLUMNS).order_by("-created_at", "-id")[:limit + 1])
    return page[:limit], page[limit - 1].code if len(page) > limit else ""

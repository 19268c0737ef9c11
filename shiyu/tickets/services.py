"""Every write to a ticket: one function per action (Zulip's actions, HackSoft's services).

Each checks the actor's permission and the legal transition, then writes the change
and its audit event in one transaction. Nothing else sets Ticket.status."""
from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from PIL import Image, UnidentifiedImageError
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shiyu.core.audit import record
from shiyu.core.bulk import BulkTable
from shiyu.core.errors import InvalidInput, NotAllowed, NotFound, clean_text
from shiyu.core.models import AuditEvent, Role
from shiyu.deadlines import selectors as deadline_selectors
from shiyu.geo.locate import Location, locate, locate_many
from shiyu.org.models import HandlingUnit
from shiyu.workcal import WorkCalendar

from . import lifecycle
from .models import Assignment, Attachment, Category, Channel, Extension, Rating, RequestType, Status, Ticket
from .permissions import (CALLBACK_ROLES, DISPATCH_ROLES, INTAKE_ROLES, SUPERVISE_ROLES, TRIAGE_ROLES,
                          is_lead_handler, own_assist)
from .tracking import verify_tracking_code

TITLE_MAX = 100
DESCRIPTION_MAX = 4000
ADDRESS_MAX, NAME_MAX, PHONE_MAX = (Ticket._meta.get_field(f).max_length
                                    for f in ("address", "reporter_name", "reporter_phone"))
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U to misread on the phone

# Channels that only a machine feeds (an Open311 client, a camera platform) may come without a person.
MACHINE_CHANNELS = {Channel.OPEN311, Channel.VIDEO}
# The public portal (我要说话) takes reports from residents who do not sign in.
ANONYMOUS_CHANNELS = MACHINE_CHANNELS | {Channel.WEB}


def work_calendar() -> WorkCalendar:
    """Office hours from the settings, holidays from the table admins keep (shiyu.deadlines)."""
    return deadline_selectors.work_calendar()


def new_code(now: dt.datetime) -> str:
    """A public tracking code: the local date and 8 random characters (no enumeration)."""
    local = timezone.localtime(now)
    return local.strftime("%y%m%d") + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def new_codes(now: dt.datetime, count: int) -> list[str]:
    """`count` distinct codes like new_code's, from one read of the system's CSPRNG
    (40 random bits a code, 5 a character) instead of eight."""
    day = timezone.localtime(now).strftime("%y%m%d")
    raw = secrets.token_bytes(5 * count)
    codes: list[str] = []
    seen: set[str] = set()
    for i in range(count):
        bits = int.from_bytes(raw[5 * i:5 * i + 5], "big")
        code = day + "".join(_CODE_ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))
        while code in seen:
            code = new_code(now)
        seen.add(code)
        codes.append(code)
    return codes


# ---------------------------------------------------------------- intake


@dataclass
class TicketInput:
    channel: str
    request_type: str
    description: str
    title: str = ""
    category: Category | None = None
    address: str = ""
    lat: float | None = None
    long: float | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    attributes: dict = field(default_factory=dict)
    created_at: dt.datetime | None = None
    urgent: bool = False  # 紧急: to be signed for within SHIYU_URGENT_ACCEPT_MINUTES, round the clock
    # Without coordinates: where the address text says it is (intake reads it against
    # the gazetteer); a grid is known only from coordinates, so its grid_id is None.
    place: Location | None = None


def _require(actor, roles: set[str], what: str) -> None:
    if actor is None or not actor.has_role(*roles):
        raise NotAllowed(_("Your role may not %(what)s.") % {"what": what})


_CHANNELS = frozenset(Channel.values)
_REQUEST_TYPES = frozenset(RequestType.values)
_LOCATE = object()  # _check_intake's default: look the point up now


def _check_intake(data: TicketInput, located=_LOCATE) -> Location | None:
    """Field errors all at once, so a form or client can fix everything in one go.
    `located`: the point's location when the caller has looked it up already
    (import_tickets, in one pass for all rows)."""
    errors: dict[str, list[str]] = {}
    if data.channel not in _CHANNELS:
        errors["channel"] = [_("Unknown channel %(value)r.") % {"value": data.channel}]
    if data.request_type not in _REQUEST_TYPES:
        errors["request_type"] = [_("Unknown request type %(value)r.") % {"value": data.request_type}]
    description = (data.description or "").strip()
    if not description:
        errors["description"] = [_("Describe the problem.")]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("At most %(max)d characters.") % {"max": DESCRIPTION_MAX}]
    if len(data.title or "") > TITLE_MAX:
        errors["title"] = [_("At most %(max)d characters.") % {"max": TITLE_MAX}]
    if data.category is not None and (not data.category.is_leaf or not data.category.active):
        errors["category"] = [_("Choose an active third-level category.")]
    if len(data.address or "") > ADDRESS_MAX:
        errors["address"] = [_("At most %(max)d characters.") % {"max": ADDRESS_MAX}]
    if len(data.reporter_name or "") > NAME_MAX:
        errors["reporter_name"] = [_("At most %(max)d characters.") % {"max": NAME_MAX}]
    if data.reporter_phone and (not data.reporter_phone.replace("-", "").replace("+", "").isdigit()
                                or len(data.reporter_phone) > PHONE_MAX):
        errors["reporter_phone"] = [_("A phone number has at most %(max)d digits.") % {"max": PHONE_MAX}]
    if data.reporter_email and ("@" not in data.reporter_email or len(data.reporter_email) > 254):
        errors["reporter_email"] = [_("Not an e-mail address.")]
    location = None
    if (data.lat is None) != (data.long is None):
        errors["lat" if data.lat is None else "long"] = [_("Give both latitude and longitude.")]
    elif data.lat is not None:
        if not (-90 <= data.lat <= 90 and -180 <= data.long <= 180):
            errors["lat"] = [_("Not a valid coordinate.")]
        else:
            location = locate(data.lat, data.long) if located is _LOCATE else located
            if location is None:
                errors["lat"] = [_("The point (%(lat)s, %(long)s) is outside the city.") %
                                 {"lat": data.lat, "long": data.long}]
    if data.lat is None and not data.address.strip() and data.request_type != RequestType.ENQUIRY:
        errors["address"] = [_("Give an address or coordinates.")]
    if errors:
        raise InvalidInput(_("The ticket has errors."), fields=errors)
    return location


def _build_ticket(actor, data: TicketInput, location: Location | None, now: dt.datetime,
                  code: str | None = None) -> Ticket:
    return Ticket(**_ticket_fields(actor, data, location, now, code))


def _ticket_fields(actor, data: TicketInput, location: Location | None, now: dt.datetime,
                   code: str | None = None) -> dict:
    description = data.description.strip()
    person = actor if getattr(actor, "pk", None) else None
    return dict(
        code=code or new_code(now), channel=data.channel, request_type=data.request_type, category=data.category,
        title=(data.title or "").strip() or description[:30], description=description,
        address=data.address.strip(), lat=data.lat, long=data.long,
        grid_id=location and location.grid_id, community_id=location and location.community_id,
        subdistrict_id=location and location.subdistrict_id, district_id=location and location.district_id,
        reporter_name=data.reporter_name.strip(), reporter_phone=data.reporter_phone.strip(),
        reporter_email=data.reporter_email.strip(),
        reporter=person if person and person.role == Role.CITIZEN else None,
        received_by=person if person and person.role != Role.CITIZEN else None,
        attributes=data.attributes or {}, created_at=data.created_at or now, updated_at=now,
        urgent=bool(data.urgent),
    )


def _check_actor_may_take(actor, channel: str) -> None:
    if actor is None:
        if channel not in ANONYMOUS_CHANNELS:
            raise NotAllowed(_("Only a signed-in person can enter a ticket on this channel."))
    else:
        _require(actor, INTAKE_ROLES, _("enter tickets"))


def create_ticket(*, actor, data: TicketInput, dependents=None) -> Ticket:
    """受理: record one ticket. actor is None only for machine channels (Open311, video).
    `dependents(ticket)`: more new rows that refer to the ticket (by a `ticket` foreign key,
    or an audit event's target), built from the ticket before it is written and written
    with it; on PostgreSQL all in the ticket's one statement."""
    _check_actor_may_take(actor, data.channel)
    location = _check_intake(data) or data.place
    now = timezone.now()
    for _attempt in range(3):  # a code collision is astronomically rare; retry with a new code
        ticket = _build_ticket(actor, data, location, now)
        event = AuditEvent(at=now, actor=actor if getattr(actor, "pk", None) else None, action="ticket.create",
                           target_type="ticket", to_state=ticket.status, data={"channel": ticket.channel})
        try:
            _insert_with_rows(ticket, [event, *(dependents(ticket) if dependents else [])])
            return ticket
        except _CodeTaken:
            continue
        except IntegrityError:
            if not Ticket.objects.filter(code=ticket.code).exists():
                raise
    raise IntegrityError("could not find a free tracking code")


class _CodeTaken(Exception):
    """Another ticket already has the new ticket's code."""


def _link(row, ticket: Ticket) -> None:
    """Point a dependent row at its ticket: an audit event by its target, others by `ticket`."""
    if isinstance(row, AuditEvent):
        row.target_id = ticket.pk
    else:
        row.ticket = ticket


def _insert_with_rows(ticket: Ticket, rows: list) -> None:
    """Write a new ticket and the new rows that refer to it (its first audit event first).
    On PostgreSQL all go in one statement (data-modifying WITHs), so intake costs one round
    trip to the database instead of one a row; elsewhere, ORM inserts in one transaction."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            ticket.save()
            for row in rows:
                _link(row, ticket)
                row.save(force_insert=True)
        return
    models = tuple(type(row) for row in rows)
    ticket_fields, row_fields = _insert_fields(models)
    values = [f.get_db_prep_save(getattr(ticket, f.attname), connection) for f in ticket_fields]
    for row, fields in zip(rows, row_fields):
        values += [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]
    literals = tuple(_literal(value) for value in values)
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(models, literals),
                       [value for value, literal in zip(values, literals) if literal is None])
        found = cursor.fetchone()
    if found is None:  # ON CONFLICT wrote nothing: the code is taken
        raise _CodeTaken(ticket.code)
    ticket.pk = found[0]
    ticket._state.adding, ticket._state.db = False, connection.alias
    for row in rows:
        _link(row, ticket)


def _link_column(model) -> str:
    return "target_id" if model is AuditEvent else model._meta.get_field("ticket").column


@functools.cache
def _insert_fields(models: tuple) -> tuple[list, list[list]]:
    """The columns _insert_sql writes: the ticket's, then each row's but its link."""
    ticket_fields = [f for f in Ticket._meta.concrete_fields if not f.primary_key]
    row_fields = [[f for f in model._meta.concrete_fields if not f.primary_key and f.column != _link_column(model)]
                  for model in models]
    return ticket_fields, row_fields


def _literal(value) -> str | None:
    """The SQL text of an empty value (None, "", 0, False), or None for a parameter."""
    kind = type(value)
    if value is None:
        return "NULL"
    if kind is bool:
        return "true" if value else "false"
    if (kind is int or kind is str) and not value:
        return "0" if kind is int else "''"
    return None


@functools.cache
def _insert_sql(models: tuple, literals: tuple[str | None, ...]) -> str:
    """The one statement for a ticket and its rows. Empty values are written in the text
    (see _literal): most of a new ticket's columns are, and with fewer parameters psycopg
    keeps the statement's parsed form (it does for at most 50)."""
    quote = connection.ops.quote_name
    ticket_fields, row_fields = _insert_fields(models)
    slots = iter(literals)

    def values(fields) -> str:
        return ", ".join(next(slots) or "%s" for _field in fields)

    # ON CONFLICT: a taken code writes nothing and returns no row, without the savepoint
    # (two more round trips) that a unique violation inside the caller's transaction needs.
    parts = [f"t AS (INSERT INTO {quote(Ticket._meta.db_table)} "
             f"({', '.join(quote(f.column) for f in ticket_fields)}) "
             f"VALUES ({values(ticket_fields)}) ON CONFLICT ({quote('code')}) DO NOTHING RETURNING id)"]
    for i, (model, fields) in enumerate(zip(models, row_fields)):
        parts.append(f"r{i} AS (INSERT INTO {quote(model._meta.db_table)} "
                     f"({', '.join(quote(f.column) for f in fields)}, {quote(_link_column(model))}) "
                     f"SELECT {values(fields)}, t.id FROM t)")
    return f"WITH {', '.join(parts)} SELECT id FROM t"


def _locate_rows(rows: Sequence[TicketInput]) -> list:
    """locate() of every row with a valid coordinate pair, in one vectorised pass over
    the same index (so the same answers); _LOCATE for the others, which _check_intake
    then judges (and rejects) as it always does."""
    out = [_LOCATE] * len(rows)
    wanted = []
    for i, data in enumerate(rows):
        try:
            if data.lat is not None and data.long is not None and -90 <= data.lat <= 90 and -180 <= data.long <= 180:
                wanted.append(i)
        except TypeError:  # not a number: _check_intake fails on it as before
            pass
    if wanted:
        for i, location in zip(wanted, locate_many([rows[i].lat for i in wanted], [rows[i].long for i in wanted])):
            out[i] = location
    return out


_IMPORT_EVENT = ["at", "actor_id", "action", "target_type", "target_id", "from_state", "to_state", "data"]


def _positional_builder(model):
    """A faster model(**fields) for many instances: model(*values) in the concrete
    fields' order (a related object given by name becomes its id; a field not given
    takes its default). Django's keyword path costs ~3x as much per instance."""
    template, position, calls = [], {}, []
    for i, f in enumerate(model._meta.concrete_fields):
        position[f.name] = (i, f.is_relation)
        position[f.attname] = (i, False)
        if f.has_default() and callable(f.default):
            template.append(None)
            calls.append((i, f.name, f.attname, f.get_default))
        else:
            template.append(f.get_default())

    def build(fields: dict):
        args = template[:]
        for name, value in fields.items():
            i, relation = position[name]
            args[i] = value.pk if relation and value is not None else value
        for i, name, attname, default in calls:
            if name not in fields and attname not in fields:
                args[i] = default()
        return model(*args)

    return build


def import_tickets(*, actor, rows: Sequence[TicketInput], batch_size: int = 2000) -> list[Ticket]:
    """Bulk intake (a migration from the old hotline system): the same checks and audit
    events as create_ticket, written in batches. All or nothing: one bad row stops it
    and names the row.

    Built for tens of thousands of rows a call: the points are located in one pass,
    the codes drawn in one, and the rows written with core.bulk (plain executemany or
    COPY, no per-field ORM preparation) rather than bulk_create."""
    for channel in {data.channel for data in rows}:
        _check_actor_may_take(actor, channel)
    now = timezone.now()
    located = _locate_rows(rows)
    codes = new_codes(now, len(rows))
    build = _positional_builder(Ticket)
    prepared = []
    for number, data in enumerate(rows, start=1):
        try:
            location = _check_intake(data, located[number - 1])
            prepared.append(build(_ticket_fields(actor, data, location, now, codes[number - 1])))
        except InvalidInput as exc:
            raise InvalidInput(_("Row %(row)d: %(error)s") % {"row": number, "error": exc.message},
                               fields={f"rows[{number}].{k}": v for k, v in exc.fields.items()}) from exc
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    tickets = BulkTable(Ticket, [f.attname for f in Ticket._meta.concrete_fields])
    events = BulkTable(AuditEvent, _IMPORT_EVENT, as_stored=["data"])
    data = {c: AuditEvent._meta.get_field("data").get_db_prep_save({"channel": c, "import": True}, connection)
            for c in {t.channel for t in prepared}}
    with transaction.atomic():
        for start in range(0, len(prepared), batch_size):
            batch = prepared[start:start + batch_size]
            tickets.write_objects(batch)
            events.write([(now, actor_id, "ticket.create", "ticket", t.pk, "", t.status, data[t.channel])
                          for t in batch])
    return prepared


# ---------------------------------------------------------------- the loop


def _locked(ticket: Ticket | int) -> Ticket:
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    return Ticket.objects.select_for_update(of=("self",)).select_related("category").get(pk=pk)


def _move(ticket: Ticket, action: str, actor, *, note: str = "", data: dict | None = None,
          now: dt.datetime | None = None) -> None:
    """Check the transition, apply it and write its audit event (the caller holds the lock)."""
    transition = lifecycle.check(ticket.status, action)
    before = ticket.status
    if transition.target is not None:
        ticket.status = transition.target
    ticket.updated_at = now or timezone.now()
    ticket.save()
    record(actor=actor, action=f"ticket.{action}", target_type="ticket", target_id=ticket.pk,
           from_state=before, to_state=ticket.status, note=note, data=data)


def _require_lead_handler(actor, ticket: Ticket, what: str) -> None:
    if is_lead_handler(actor, ticket):
        return
    _require(actor, {Role.HANDLER}, what)
    raise NotAllowed(_("This ticket is not your unit's to handle."))


def _deadlines(category: Category, start: dt.datetime, urgent: bool = False) -> tuple[dt.datetime, dt.datetime]:
    """(sign for by, resolve by) from `start`. An urgent category (gas, water, power,
    heating) runs both clocks around the clock; an urgent ticket is signed for within
    SHIYU_URGENT_ACCEPT_MINUTES, day or night, and resolved as its category says."""
    if category.urgent:
        accept_due = start + dt.timedelta(hours=category.accept_hours)
        resolve_due = start + dt.timedelta(days=category.resolve_days)
    else:
        calendar = work_calendar()
        accept_due = calendar.add_working_hours(start, category.accept_hours)
        resolve_due = calendar.add_working_days(start, category.resolve_days)
    if urgent:
        accept_due = min(accept_due, start + dt.timedelta(minutes=settings.SHIYU_URGENT_ACCEPT_MINUTES))
    return accept_due, resolve_due



@transaction.atomic
def dispatch_ticket(*, actor, ticket: Ticket | int, lead_unit: HandlingUnit,
                    assist_units: Iterable[HandlingUnit] = (), category: Category | None = None,
                    note: str = "", now: dt.datetime | None = None) -> Ticket:
    """派单: name one lead unit and any assisting units; the clock starts now."""
    _require(actor, DISPATCH_ROLES, _("dispatch tickets"))
    ticket = _locked(ticket)
    lifecycle.check(ticket.status, "dispatch")
    if category is not None:
        _check_leaf(category)
        ticket.category = category
    return _dispatch(ticket, actor, lead_unit, assist_units, note=note, now=now or timezone.now())


@transaction.atomic
def dispatch_by_rule(*, ticket: Ticket | int, lead_unit: HandlingUnit, reason: str) -> Ticket:
    """自动派单: the routing rules dispatch a ticket that they placed with confidence,
    where the city has turned it on (SHIYU_AUTO_DISPATCH). No person acts: the audit
    event has no actor and carries the routing reason."""
    ticket = _locked(ticket)
    lifecycle.check(ticket.status, "dispatch")
    return _dispatch(ticket, None, lead_unit, (), note=reason, now=timezone.now(), data={"by": "routing"})


def _check_leaf(category: Category) -> None:
    if not category.is_leaf or not category.active:
        raise InvalidInput(_("Choose an active third-level category."),
                           fields={"category": [_("Not a leaf category.")]})


def _dispatch(ticket: Ticket, actor, lead_unit: HandlingUnit, assist_units: Iterable[HandlingUnit], *,
              note: str, now: dt.datetime, data: dict | None = None) -> Ticket:
    assists = [u for u in assist_units if u.pk != lead_unit.pk]
    if ticket.category is None:
        raise InvalidInput(_("Choose a category before dispatching."),
                           fields={"category": [_("Required to dispatch.")]})
    inactive = [u.name for u in [lead_unit, *assists] if not u.active]
    if inactive:
        raise InvalidInput(_("Inactive units: %(units)s.") % {"units": "、".join(inactive)},
                           fields={"lead_unit": [_("The unit is inactive.")]})
    ticket.lead_unit = lead_unit
    ticket.dispatched_at = now
    ticket.accepted_at = None
    ticket.accept_due_at, ticket.resolve_due_at = _deadlines(ticket.category, now, ticket.urgent)
    Assignment.objects.bulk_create(
        [Assignment(ticket=ticket, unit=lead_unit, role=Assignment.Role.LEAD, dispatched_at=now)]
        + [Assignment(ticket=ticket, unit=u, role=Assignment.Role.ASSIST, dispatched_at=now) for u in assists])
    _move(ticket, "dispatch", actor, note=note, now=now,
          data={"lead_unit": lead_unit.pk, "assist_units": [u.pk for u in assists], **(data or {})})
    return ticket


@transaction.atomic
def categorize_ticket(*, actor, ticket: Ticket | int, category: Category) -> Ticket:
    """归类: a person chooses the ticket's category before it is dispatched (the
    triage queue, or an operator correcting the suggestion)."""
    _require(actor, TRIAGE_ROLES, _("choose categories"))
    ticket = _locked(ticket)
    _check_leaf(category)
    before = ticket.category_id
    ticket.category = category
    _move(ticket, "categorize", actor, data={"from": before, "to": category.pk, "code": category.code})
    return ticket


@transaction.atomic
def answer_directly(*, actor, ticket: Ticket | int, reply: str) -> Ticket:
    """直接答复: an operator answers an enquiry on the phone and closes it, no dispatch."""
    _require(actor, TRIAGE_ROLES, _("answer tickets directly"))
    ticket = _locked(ticket)
    lifecycle.check(ticket.status, "answer_directly")
    if ticket.request_type != RequestType.ENQUIRY:
        raise InvalidInput(_("Only an enquiry can be answered directly."),
                           fields={"request_type": [_("Not an enquiry.")]})
    now = timezone.now()
    ticket.reply = clean_text(reply, "reply", DESCRIPTION_MAX, required=True)
    ticket.resolved_at = ticket.closed_at = now
    _move(ticket, "answer_directly", actor, note=ticket.reply, now=now)
    return ticket


@transaction.atomic
def sign_for(*, actor, ticket: Ticket | int, now: dt.datetime | None = None) -> Ticket:
    """签收: the lead unit signs for the ticket; an assisting unit signs for its part."""
    ticket = _locked(ticket)
    now = now or timezone.now()
    assignment = _own_assist(actor, ticket)
    if assignment is not None:
        lifecycle.check(ticket.status, "assist_accept")
        if assignment.state != Assignment.State.DISPATCHED:
            raise InvalidInput(_("Your unit has already signed for its part."), fields={})
        assignment.state, assignment.accepted_at = Assignment.State.ACCEPTED, now
        assignment.save(update_fields=["state", "accepted_at"])
        _move(ticket, "assist_accept", actor, now=now, data={"unit": assignment.unit_id})
        return ticket
    lifecycle.check(ticket.status, "accept")
    _require_lead_handler(actor, ticket, _("sign for tickets"))
    ticket.accepted_at = now
    ticket.assignments.filter(role=Assignment.Role.LEAD, unit_id=ticket.lead_unit_id,
                              state=Assignment.State.DISPATCHED).update(state=Assignment.State.ACCEPTED,
                                                                        accepted_at=now)
    _move(ticket, "accept", actor, now=now, data={"unit": ticket.lead_unit_id,
                                                  "on_time": bool(ticket.accept_due_at and now <= ticket.accept_due_at)})
    return ticket


def _own_assist(actor, ticket: Ticket) -> Assignment | None:
    if actor is None or actor.unit_id is None or actor.unit_id == ticket.lead_unit_id:
        return None  # no query for the common case
    return own_assist(actor, ticket, ticket.assignments.filter(unit_id=actor.unit_id))


@transaction.atomic
def report_assist(*, actor, ticket: Ticket | int, report: str) -> Ticket:
    """An assisting unit reports what it did; the lead unit uses it in the reply."""
    ticket = _locked(ticket)
    assignment = _own_assist(actor, ticket)
    if assignment is None:
        raise NotAllowed(_("Your unit is not assisting on this ticket."))
    lifecycle.check(ticket.status, "assist_report")
    assignment.report = clean_text(report, "report", DESCRIPTION_MAX, required=True)
    assignment.state, assignment.reported_at = Assignment.State.REPORTED, timezone.now()
    assignment.save(update_fields=["report", "state", "reported_at"])
    _move(ticket, "assist_report", actor, note=assignment.report, data={"unit": assignment.unit_id})
    return ticket


@transaction.atomic
def start_work(*, actor, ticket: Ticket | int, note: str = "") -> Ticket:
    ticket = _locked(ticket)
    lifecycle.check(ticket.status, "start")
    _require_lead_handler(actor, ticket, _("work on tickets"))
    _move(ticket, "start", actor, note=clean_text(note, "note", DESCRIPTION_MAX))
    return ticket


@transaction.atomic
def return_ticket(*, actor, ticket: Ticket | int, reason: str, now: dt.datetime | None = None) -> Ticket:
    """退单: the lead unit sends the ticket back to the dispatcher; its clock stops."""
    ticket = _locked(ticket)
    lifecycle.check(ticket.status, "return")
    _require_lead_handler(actor, ticket, _("return tickets"))
    reason = clean_text(reason, "reason", 500, required=True)
    unit_id = ticket.lead_unit_id
    ticket.assignments.exclude(state__in=[Assignment.State.RETURNED, Assignment.State.WITHDRAWN]).update(
        state=Assignment.State.WITHDRAWN)
    ticket.assignments.filter(unit_id=unit_id, role=Assignment.Role.LEAD).update(state=Assignment.State.RETURNED)
    ticket.lead_unit = None
    ticket.accept_due_at = ticket.resolve_due_at = None
    ticket.return_count += 1
    _move(ticket, "return", actor, note=reason, data={"unit": unit_id}, now=now)
    return ticket


@transaction.atomic
def resolve_ticket(*, actor, ticket: Ticket | int, reply: str, now: dt.datetime | None = None) -> Ticket:
    """办结: the lead unit's reply to the resident."""
    ticket = _locked(ticket)
    lifecycle.check(ticket.status, "resolve")
    _require_lead_handler(actor, ticket, _("reply to tickets"))
    now = now or timezone.now()
    ticket.reply = clean_text(reply, "reply", DESCRIPTION_MAX, required=True)
    ticket.resolved_at = now
    ticket.assignments.filter(role=Assignment.Role.LEAD, unit_id=ticket.lead_unit_id, state__in=[
        Assignment.State.DISPATCHED, Assignment.State.ACCEPTED, Assignment.State.REPORTED]).update(state=Assignment.State.REPORTED, reported_at=now,
                                                 report=ticket.reply)
    _move(ticket, "resolve", actor, note=ticket.reply, now=now,
          data={"on_time": bool(ticket.resolve_due_at and now <= ticket.resolve_due_at)})
    return ticket


@transaction.atomic
def request_extension(*, actor, ticket: Ticket | int, days: int, reason: str) -> Extension:
    """延期申请: the lead unit asks for more working days; a supervisor decides."""
    ticket = _locked(ticket)
    lifecycle.check(ticket.status, "request_extension")
    _require_lead_handler(actor, ticket, _("ask for extensions"))
    if not isinstance(days, int) or not 1 <= days <= 30:
        raise InvalidInput(_("An extension is 1 to 30 working days."), fields={"days": [_("1 to 30.")]})
    if ticket.extensions.filter(state=Extension.State.PENDING).exists():
        raise InvalidInput(_("An extension request is already waiting for a decision."),
                           fields={"days": [_("Already pending.")]})
    extension = Extension.objects.create(ticket=ticket, requested_by=actor, days=days,
                                         reason=clean_text(reason, "reason", 500, required=True))
    _move(ticket, "request_extension", actor, note=extension.reason,
          data={"extension": extension.pk, "days": days})
    return extension


@transaction.atomic
def decide_extension(*, actor, extension: Extension | int, approve: bool, note: str = "") -> Extension:
    _require(actor, SUPERVISE_ROLES, _("decide on extensions"))
    pk = extension.pk if isinstance(extension, Extension) else extension
    extension = Extension.objects.select_for_update().get(pk=pk)
    ticket = _locked(extension.ticket_id)
    lifecycle.check(ticket.status, "decide_extension")
    if extension.state != Extension.State.PENDING:
        raise InvalidInput(_("This extension has already been decided."), fields={"approve": [_("Decided.")]})
    now = timezone.now()
    extension.state = Extension.State.APPROVED if approve else Extension.State.REJECTED
    extension.decided_by, extension.decided_at = actor, now
    extension.decision_note = clean_text(note, "note", 500)
    extension.save()
    old_due = ticket.resolve_due_at
    if approve:
        ticket.resolve_due_at = work_calendar().add_working_days(ticket.resolve_due_at or now, extension.days)
        ticket.extension_count += 1
    _move(ticket, "decide_extension", actor, note=extension.decision_note, now=now,
          data={"extension": extension.pk, "approved": approve,
                "old_due": old_due and old_due.isoformat(),
                "new_due": ticket.resolve_due_at and ticket.resolve_due_at.isoformat()})
    return extension


@transaction.atomic
def record_callback(*, actor, ticket: Ticket | int, rating: str, resolved: bool, note: str = "",
                    now: dt.datetime | None = None) -> Ticket:
    """回访: the resident's own word on the outcome. Unsatisfied reopens it (configurable)."""
    _require(actor, CALLBACK_ROLES, _("record callbacks"))
    note = clean_text(note, "note", 500)
    return _record_rating(_locked(ticket), actor, rating, resolved, note=note, now=now or timezone.now(),
                          reopen_reason=_("Unsatisfied at callback."))


@transaction.atomic
def record_unreachable(*, actor, ticket: Ticket | int, note: str = "", now: dt.datetime | None = None) -> Ticket:
    """回访未接通: one callback try that reached nobody. After SHIYU_CALLBACK_TRIES of
    them the callback is recorded as unreachable (no rating) and the ticket can close."""
    _require(actor, CALLBACK_ROLES, _("record callbacks"))
    ticket = _locked(ticket)
    lifecycle.check(ticket.status, "callback_attempt")
    now = now or timezone.now()
    note = clean_text(note, "note", 500)
    ticket.callback_tries += 1
    _move(ticket, "callback_attempt", actor, note=note, now=now, data={"try": ticket.callback_tries})
    if ticket.callback_tries >= settings.SHIYU_CALLBACK_TRIES:
        ticket.callback_unreachable = True
        _move(ticket, "callback_unreachable", actor, now=now, data={"tries": ticket.callback_tries})
    return ticket


@transaction.atomic
def record_resident_rating(*, tracking_code: str, rating: str, resolved: bool,
                           now: dt.datetime | None = None) -> Ticket:
    """回访 by the resident on the portal: the tracking code is the permission (no
    account), the rest is record_callback's: once per reply, since the rating moves
    the ticket on from resolved; unsatisfied reopens it (configurable)."""
    ticket_code = verify_tracking_code(tracking_code)
    pk = ticket_code and Ticket.objects.filter(code=ticket_code).values_list("pk", flat=True).first()
    if not pk:
        raise NotFound(_("No report has this tracking code."))
    return _record_rating(_locked(pk), None, rating, resolved, now=now or timezone.now(), by="resident",
                          reopen_reason=_("Unsatisfied at the resident's rating."))


def _record_rating(ticket: Ticket, actor, rating: str, resolved: bool, *, now: dt.datetime, reopen_reason: str,
                   note: str = "", by: str = "") -> Ticket:
    """The callback itself, whoever asked the resident: an operator or the resident on the portal."""
    lifecycle.check(ticket.status, "callback")
    _check_rating(rating, resolved)
    ticket.callback_rating, ticket.callback_resolved, ticket.callback_at = rating, resolved, now
    data = {"rating": rating, "resolved": resolved, **({"by": by} if by else {})}
    _move(ticket, "callback", actor, note=note, now=now, data=data)
    if rating == Rating.UNSATISFIED and settings.SHIYU_REOPEN_ON_UNSATISFIED:
        _reopen(ticket, actor, reopen_reason, now)
    return ticket


def _check_rating(rating: str, resolved: bool) -> None:
    if rating not in Rating.values:
        raise InvalidInput(_("Unknown rating."), fields={"rating": [_("One of %(values)s.") % {
            "values": ", ".join(Rating.values)}]})
    if not isinstance(resolved, bool):
        raise InvalidInput(_("Say whether the resident considers it resolved."),
                           fields={"resolved": [_("true or false.")]})


def _reopen(ticket: Ticket, actor, reason: str, now: dt.datetime) -> None:
    lifecycle.check(ticket.status, "reopen")
    ticket.reopen_count += 1
    ticket.resolved_at = None
    if ticket.category_id:
        ticket.resolve_due_at = _deadlines(ticket.category, now)[1]
    _move(ticket, "reopen", actor, note=reason, now=now)


@transaction.atomic
def reopen_ticket(*, actor, ticket: Ticket | int, reason: str) -> Ticket:
    """重办: back to the lead unit with a fresh resolution deadline."""
    _require(actor, CALLBACK_ROLES, _("reopen tickets"))
    ticket = _locked(ticket)
    _reopen(ticket, actor, clean_text(reason, "reason", 500, required=True), timezone.now())
    return ticket


@transaction.atomic
def close_ticket(*, actor, ticket: Ticket | int, note: str = "", now: dt.datetime | None = None) -> Ticket:
    _require(actor, CALLBACK_ROLES, _("close tickets"))
    ticket = _locked(ticket)
    lifecycle.check(ticket.status, "close")
    ticket.closed_at = now or timezone.now()
    _move(ticket, "close", actor, note=clean_text(note, "note", 500), now=ticket.closed_at)
    return ticket


@transaction.atomic
def merge_ticket(*, actor, ticket: Ticket | int, into: Ticket | int, note: str = "") -> Ticket:
    """合并: this ticket is a duplicate; the other one carries on for both."""
    _require(actor, TRIAGE_ROLES, _("merge tickets"))
    ticket = _locked(ticket)
    target = _locked(into)
    lifecycle.check(ticket.status, "merge")
    if target.pk == ticket.pk:
        raise InvalidInput(_("A ticket cannot be merged into itself."), fields={"into": [_("Same ticket.")]})
    if target.status in {Status.MERGED, Status.INVALID}:
        raise InvalidInput(_("Merge into a ticket that is still valid."),
                           fields={"into": [_("The target is %(state)s.") % {"state": target.get_status_display()}]})
    ticket.duplicate_of = target
    ticket.assignments.exclude(state=Assignment.State.RETURNED).update(state=Assignment.State.WITHDRAWN)
    _move(ticket, "merge", actor, note=clean_text(note, "note", 500),
          data={"into": target.pk, "into_code": target.code})
    record(actor=actor, action="ticket.merged_in", target_type="ticket", target_id=target.pk,
           data={"from": ticket.pk, "from_code": ticket.code})
    return ticket


@transaction.atomic
def mark_invalid(*, actor, ticket: Ticket | int, reason: str) -> Ticket:
    """无效/恶意: nothing to act on (a prank, an abusive caller); kept, never deleted."""
    _require(actor, TRIAGE_ROLES, _("mark tickets invalid"))
    ticket = _locked(ticket)
    lifecycle.check(ticket.status, "mark_invalid")
    ticket.invalid_reason = clean_text(reason, "reason", 200, required=True)
    ticket.closed_at = timezone.now()
    _move(ticket, "mark_invalid", actor, note=ticket.invalid_reason, now=ticket.closed_at)
    return ticket


# ---------------------------------------------------------------- photos

PHOTO_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _photo_type(head: bytes) -> str | None:
    for signature, content_type in PHOTO_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _check_photo(upload) -> str:
    """The type from the file's own bytes (never the client's word), then Pillow
    confirms it is a whole image."""
    limit = settings.SHIYU_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise InvalidInput(_("A photo may be at most %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
                           fields={"photo": [_("Too large.")]})
    upload.seek(0)
    content_type = _photo_type(upload.read(16))
    if content_type is None:
        raise InvalidInput(_("Only JPEG, PNG and WebP photos are accepted."),
                           fields={"photo": [_("Not a JPEG, PNG or WebP image.")]})
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InvalidInput(_("The photo is damaged."), fields={"photo": [str(exc)]}) from exc
    upload.seek(0)
    return content_type


def add_attachment(*, actor, ticket: Ticket | int, upload) -> Attachment:
    """Attach a photo. The file is written only once the checks pass, and removed
    again if the transaction fails, so no orphan files and no half-written rows."""
    content_type = _check_photo(upload)
    with transaction.atomic():
        ticket = _locked(ticket)
        lifecycle.check(ticket.status, "attach")
        attachment = Attachment(ticket=ticket, content_type=content_type, size=upload.size,
                                uploaded_by=actor if getattr(actor, "pk", None) else None)
        attachment.file.save(upload.name or "photo", upload, save=False)
        try:
            attachment.save()
            _move(ticket, "attach", actor, data={"attachment": attachment.pk, "size": upload.size})
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment

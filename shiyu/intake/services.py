"""Intake with its intelligence: every write of this app, each with its audit event,
in the caller's transaction or its own.

take_in() is 受理 as the channels call it: it reads the ticket (place from the address,
category, repeats and duplicates) before writing, then creates the ticket through the
ticket core and records what it found, all in one transaction. Nothing here can make
intake fail that would not fail without it."""
from __future__ import annotations

import contextlib
import dataclasses
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shiyu.core.audit import record
from shiyu.core.errors import InvalidInput, NotAllowed
from shiyu.geo.locate import locate
from shiyu.routing.services import decide_route, place_from_address, route_rows
from shiyu.tickets import services as tickets
from shiyu.tickets.models import Category, Channel, RequestType, Status, Ticket
from shiyu.tickets.permissions import TRIAGE_ROLES
from shiyu.tickets.services import TicketInput

from . import analysis
from .engine import ticket_text
from .models import CategoryCorrection, CategorySuggestion, PendingSimilarSearch, SimilarTicket

log = logging.getLogger(__name__)


def take_in(*, actor, data: TicketInput) -> Ticket:
    """受理 with suggestions: the category when none was given (applied when confident,
    otherwise the ticket waits for triage), the place from the address, the routing
    decision, the earlier tickets it repeats or duplicates (for machine channels, in
    the next sweep: search_pending_similar), and, where the city allows, dispatch by
    the routing rules."""
    if data.lat is None and data.address and data.place is None:
        data = dataclasses.replace(data, place=place_from_address(data.address))
    text = ticket_text(data.title, data.description)
    # A machine channel's category is the client's choice, not a person's correction.
    wanted = data.category is None or data.channel not in tickets.MACHINE_CHANNELS
    advice = analysis.advise_category(text) if wanted else analysis.CategoryAdvice()
    if data.category is None and advice.confident:
        data = dataclasses.replace(data, category=advice.best.category)
    routes = []

    def written_with_ticket(ticket: Ticket) -> list:
        """The routing decision, and for a machine channel its place in the queue of the
        sweep's similar search: on PostgreSQL in the ticket's own statement."""
        routes.append(decide_route(category=ticket.category, location=ticket.place, address=ticket.address))
        rows = [*route_rows(ticket, routes[-1], actor=actor)]
        if data.channel in tickets.MACHINE_CHANNELS:
            rows.append(PendingSimilarSearch(queued_at=ticket.created_at))
        return rows

    with _transaction_unless_one_statement(data, advice):
        ticket = tickets.create_ticket(actor=actor, data=data, dependents=written_with_ticket)
        route = routes[-1]
        similar = [] if data.channel in tickets.MACHINE_CHANNELS else _find_similar(ticket, text)
        _record_advice(ticket, advice, actor)
        _record_similar(ticket, similar)
        if _may_dispatch_by_rule(ticket, route, similar):
            ticket = tickets.dispatch_by_rule(ticket=ticket, lead_unit=route.unit, reason=route.reason)
    return ticket


def _transaction_unless_one_statement(data: TicketInput, advice: analysis.CategoryAdvice):
    """A machine channel's ticket with no advice to keep and no dispatch by rule to
    follow is written in one statement on PostgreSQL (create_ticket), atomic by itself:
    without a transaction around it, intake saves the BEGIN and COMMIT round trips."""
    alone = (connection.vendor == "postgresql" and data.channel in tickets.MACHINE_CHANNELS
             and not advice.guesses and not settings.SHIYU_AUTO_DISPATCH)
    return contextlib.nullcontext() if alone else transaction.atomic()


def take_in_report(*, actor, data: TicketInput, photo=None) -> Ticket:
    """A report from a page (the portal, a grid worker's phone) with its photo, in one
    transaction so that a refused photo leaves no ticket behind. A grid worker reports
    only from inside the grids they patrol."""
    if data.channel == Channel.GRID:
        _check_in_own_grids(actor, data)
    with transaction.atomic():
        ticket = take_in(actor=actor, data=data)
        if photo is not None:
            tickets.add_attachment(actor=actor, ticket=ticket, upload=photo)
    return ticket


def _check_in_own_grids(actor, data: TicketInput) -> None:
    if data.lat is None or data.long is None:
        raise InvalidInput(_("Tap the map or use your position to place the event."),
                           fields={"lat": [_("A grid report needs its point.")]})
    location = locate(data.lat, data.long)
    if location is None or not actor.grids.filter(pk=location.grid_id).exists():
        raise InvalidInput(_("The point is outside your grids: report events in the grids you patrol."),
                           fields={"lat": [_("Outside your grids.")]})


def search_pending_similar(limit: int = 1000) -> int:
    """The repeats and duplicates of machine-channel tickets, oldest first, each with
    its links and audit event in its own transaction; returns how many were searched.
    Run by the periodic sweep."""
    searched = 0
    for ticket_id in PendingSimilarSearch.objects.order_by("queued_at").values_list("ticket_id", flat=True)[:limit]:
        with transaction.atomic():
            pending = PendingSimilarSearch.objects.select_for_update().filter(ticket_id=ticket_id)
            if not pending.delete()[0]:
                continue  # another sweeper took it
            ticket = Ticket.objects.get(pk=ticket_id)
            _record_similar(ticket, _find_similar(ticket, ticket_text(ticket.title, ticket.description)))
            searched += 1
    return searched


def _find_similar(ticket: Ticket, text: str) -> list[analysis.SimilarFound]:
    return analysis.find_similar(text=text, phone=ticket.reporter_phone, community_id=ticket.community_id,
                                 lat=ticket.lat, long=ticket.long, at=ticket.created_at,
                                 exclude_ids=(ticket.pk,))


def _record_advice(ticket: Ticket, advice: analysis.CategoryAdvice, actor) -> None:
    """Keep what the classifier said; a human's other choice at intake is a correction."""
    if not advice.guesses:
        return
    applied = ticket.category_id == advice.best.category.pk
    CategorySuggestion.objects.create(
        ticket=ticket, model_version=advice.model_version, top_probability=advice.best.probability,
        suggestions=[{"code": g.category.code, "probability": round(g.probability, 4)} for g in advice.guesses],
        applied=applied, triage=ticket.category_id is None,
        settled_at=None if ticket.category_id is None else ticket.created_at)
    if ticket.category_id is not None and not applied:
        CategoryCorrection.objects.create(ticket=ticket, suggested=advice.best.category,
                                          chosen_id=ticket.category_id, corrected_by=_person(actor))


def _record_similar(ticket: Ticket, found: list[analysis.SimilarFound]) -> None:
    if not found:
        return
    SimilarTicket.objects.bulk_create([
        SimilarTicket(ticket=ticket, earlier=f.ticket, kind=f.kind, score=round(f.score, 4),
                      distance_m=None if f.distance_m is None else round(f.distance_m, 1), found_at=ticket.created_at)
        for f in found])
    record(actor=None, action="intake.similar_found", target_type="ticket", target_id=ticket.pk,
           data={"tickets": [{"code": f.ticket.code, "kind": f.kind, "score": round(f.score, 3)} for f in found]})


def _may_dispatch_by_rule(ticket: Ticket, route, similar) -> bool:
    """Only what needs no person's judgement: a confident category, a known place and
    unit, not an enquiry (the operator answers those) and nothing it may repeat."""
    return (settings.SHIYU_AUTO_DISPATCH and route.unit is not None and route.confidence == "high"
            and ticket.category_id is not None and ticket.community_id is not None and ticket.request_type != RequestType.ENQUIRY
            and not similar and ticket.status == Status.RECEIVED)


def _person(actor):
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def choose_category(*, actor, ticket: Ticket | int, category: Category) -> Ticket:
    """归类 from the triage queue or a correction: the ticket core sets the category;
    the suggestion is settled and, when the person chose otherwise, kept as a correction."""
    ticket = tickets.categorize_ticket(actor=actor, ticket=ticket, category=category)
    settle_suggestion(actor=actor, ticket=ticket)
    return ticket


def settle_suggestion(*, actor, ticket: Ticket) -> None:
    """A person has decided the category (by choosing it, or by dispatching with it):
    the ticket leaves the triage queue; a choice other than the classifier's best is
    kept as training data."""
    suggestion = CategorySuggestion.objects.select_for_update().filter(ticket=ticket).first()
    if suggestion is None or ticket.category_id is None:
        return
    best = suggestion.suggestions[0]["code"] if suggestion.suggestions else None
    if best != ticket.category.code and not CategoryCorrection.objects.filter(
            ticket=ticket, chosen=ticket.category).exists():
        CategoryCorrection.objects.create(ticket=ticket, chosen=ticket.category, corrected_by=_person(actor),
                                          suggested=Category.objects.filter(code=best).first())
    if suggestion.settled_at is None:
        suggestion.settled_at = timezone.now()
        suggestion.save(update_fields=["settled_at"])


@transaction.atomic
def dispatch(*, actor, ticket: Ticket | int, **choices) -> Ticket:
    """派单 through the ticket core; the category the dispatcher confirms settles the suggestion."""
    ticket = tickets.dispatch_ticket(actor=actor, ticket=ticket, **choices)
    settle_suggestion(actor=actor, ticket=ticket)
    return ticket


@transaction.atomic
def merge_similar(*, actor, link: SimilarTicket | int, note: str = "") -> SimilarTicket:
    """合并 in one action: the new ticket goes into the earlier one it repeats or duplicates."""
    link = _open_link(link)
    tickets.merge_ticket(actor=actor, ticket=link.ticket_id, into=link.earlier_id,
                         note=note or _("Same matter as %(code)s (%(kind)s).") % {
                             "code": link.earlier.code, "kind": link.get_kind_display()})
    return _decide_link(link, actor, SimilarTicket.State.MERGED)


@transaction.atomic
def dismiss_similar(*, actor, link: SimilarTicket | int, note: str = "") -> SimilarTicket:
    """Not the same matter: the pair is kept, marked, and no longer shown as open."""
    if actor is None or not actor.has_role(*TRIAGE_ROLES):
        raise NotAllowed(_("Your role may not decide on similar tickets."))
    link = _open_link(link)
    link = _decide_link(link, actor, SimilarTicket.State.DISMISSED)
    record(actor=actor, action="intake.similar_dismissed", target_type="ticket", target_id=link.ticket_id,
           note=note[:500], data={"earlier": link.earlier.code})
    return link


def _open_link(link: SimilarTicket | int) -> SimilarTicket:
    pk = link.pk if isinstance(link, SimilarTicket) else link
    link = SimilarTicket.objects.select_for_update().select_related("earlier").get(pk=pk)
    if link.state != SimilarTicket.State.OPEN:
        raise InvalidInput(_("This pair has been decided already."),
                           fields={"state": [link.get_state_display()]})
    return link


def _decide_link(link: SimilarTicket, actor, state: str) -> SimilarTicket:
    link.state, link.decided_by, link.decided_at = state, _person(actor), timezone.now()
    link.save(update_fields=["state", "decided_by", "decided_at"])
    return link

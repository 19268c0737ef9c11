"""Every write to a summons (吹哨报到): one function per action.

Each checks the actor's permission and the legal state, then writes the change and its
audit event in one transaction. All events target the summons (target_type "summons"),
so its history reads from one place; a call's events name the call and its unit in `data`.

A department marked missing may still report while the summons is open: the problem
still needs it on site. Its call becomes reported and late, keeps `missing_at`, and
counts as late, not missing (selectors.punctuality). Scores then depend on when the
department arrived, not on when the sweep happened to run. Once the summons is closed
nobody reports any more, so a missing mark is final from then on."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shiyu.core.audit import record, record_many
from shiyu.core.errors import IllegalTransition, InvalidInput, NotAllowed, clean_text
from shiyu.core.models import AuditEvent, Role
from shiyu.geo.locate import locate
from shiyu.org.models import HandlingUnit
from shiyu.tickets.lifecycle import TERMINAL_STATES
from shiyu.tickets.models import Ticket

from .models import RATING_MAX, RATING_MIN, Summons, SummonsCall

# Roles that may whistle and close on a subdistrict office's behalf (综治中心 runs 吹哨报到 too).
ON_BEHALF_ROLES = {Role.SUPERVISOR, Role.ADMIN}
# Who may be summoned: the city's departments and the public-service enterprises
# (water, power, gas) whose staff are needed on site as often.
SUMMONABLE_KINDS = {HandlingUnit.Kind.DEPARTMENT, HandlingUnit.Kind.ENTERPRISE}
# Beyond a day it is no longer a summons to the spot but ordinary dispatch.
MAX_MINUTES = 24 * 60
MAX_UNITS = 20
PLACE_MAX, NOTE_MAX, REASON_MAX = 200, 1000, 2000


def _own_unit(actor, unit_id: int) -> bool:
    return (actor is not None and actor.has_role(Role.HANDLER) and actor.unit_id is not None
            and actor.unit_id == unit_id)


def may_act_for_subdistrict(actor, summons: Summons) -> bool:
    """The whistling office's own handlers, or a supervisor or admin for it."""
    return _own_unit(actor, summons.unit_id) or (actor is not None and actor.has_role(*ON_BEHALF_ROLES))


def actions_for(user, summons: Summons, calls: Iterable[SummonsCall], now: dt.datetime) -> list[str]:
    """What `user` may do with the summons now: the same checks the services make."""
    calls = list(calls)
    actions = []
    if summons.state == Summons.State.OPEN:
        if any(c.state != SummonsCall.State.REPORTED and _own_unit(user, c.unit_id) for c in calls):
            actions.append("report")
        # Closing marks who is past the deadline missing; before it, everyone must have come.
        if may_act_for_subdistrict(user, summons) and (now > summons.report_by or not _waiting(calls)):
            actions.append("close")
    if _own_unit(user, summons.unit_id) and any(_ratable(c) for c in calls):
        actions.append("rate")
    return actions


def _waiting(calls: Iterable[SummonsCall]) -> list[SummonsCall]:
    return [c for c in calls if c.state == SummonsCall.State.CALLED]


def _ratable(call: SummonsCall) -> bool:
    return call.state == SummonsCall.State.REPORTED and call.rating is None


def _event(actor, action: str, summons: Summons, *, call: SummonsCall | None = None, from_state: str = "",
           to_state: str = "", note: str = "", data: dict | None = None) -> None:
    call_data = {"call": call.pk, "unit": call.unit_id} if call else {}
    record(actor=actor, action=f"summons.{action}", target_type="summons", target_id=summons.pk,
           from_state=from_state, to_state=to_state, note=note, data={**call_data, **(data or {})})



# ---------------------------------------------------------------- whistle


def _whistling_unit(actor, unit: HandlingUnit | None) -> HandlingUnit:
    """A subdistrict handler whistles for their own office; a supervisor or admin names it."""
    if actor is not None and actor.has_role(*ON_BEHALF_ROLES):
        if unit is None:
            raise InvalidInput(_("Name the subdistrict office that whistles."), fields={"unit": [_("Required.")]})
        if unit.kind != HandlingUnit.Kind.SUBDISTRICT or not unit.active:
            raise InvalidInput(_("Only an active subdistrict office whistles."),
                               fields={"unit": [_("Not an active subdistrict office.")]})
        return unit
    if not (actor is not None and actor.has_role(Role.HANDLER) and actor.unit_id is not None
            and actor.unit.kind == HandlingUnit.Kind.SUBDISTRICT and actor.unit.active):
        raise NotAllowed(_("Only an active subdistrict office's staff may whistle."))
    if unit is not None and unit.pk != actor.unit_id:
        raise NotAllowed(_("You may whistle only for your own office."))
    return actor.unit


def _units_problem(units: list[HandlingUnit], whistler: HandlingUnit) -> str | None:
    if not units:
        return _("Name at least one department.")
    if len(units) > MAX_UNITS:
        return _("At most %(max)d departments.") % {"max": MAX_UNITS}
    if any(u.pk == whistler.pk for u in units):
        return _("A subdistrict office cannot summon itself.")
    wrong = [u.name for u in units if not u.active or u.kind not in SUMMONABLE_KINDS]
    if wrong:
        return _("Not an active department: %(units)s.") % {"units": "、".join(wrong)}
    return None


def _minutes_problem(minutes: int) -> str | None:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        return _("Between 1 and %(max)d minutes.") % {"max": MAX_MINUTES}
    return None


def _ticket_problem(ticket: Ticket | None, whistler: HandlingUnit) -> str | None:
    """The office whistles about a ticket it leads or one in its own area, while it is not finished."""
    if ticket is None:
        return None
    if ticket.lead_unit_id != whistler.pk and not (whistler.area_id and ticket.subdistrict_id == whistler.area_id):
        return _("The ticket is neither led by this office nor in its area.")
    if ticket.status in TERMINAL_STATES:
        return _("The ticket is already %(status)s.") % {"status": ticket.get_status_display()}
    return None


def _text_problem(value: str, limit: int) -> str | None:
    if not value:
        return _("Required.")
    if len(value) > limit:
        return _("At most %(max)d characters.") % {"max": limit}
    return None


def _point_problems(lat: float | None, long: float | None) -> dict[str, str]:
    if (lat is None) != (long is None):
        return {"lat" if lat is None else "long": _("Give both latitude and longitude.")}
    if lat is not None and not (-90 <= lat <= 90 and -180 <= long <= 180 and locate(lat, long)):
        return {"lat": _("The point is outside the city.")}
    return {}


@transaction.atomic
def whistle(*, actor, units: Iterable[HandlingUnit], reason: str, place: str = "", ticket: Ticket | None = None,
            lat: float | None = None, long: float | None = None, minutes: int | None = None,
            unit: HandlingUnit | None = None, now: dt.datetime | None = None) -> Summons:
    """吹哨: summon `units` to `place` within `minutes` (SHIYU_SUMMONS_REPORT_MINUTES by default).
    `unit` is the whistling subdistrict office: a handler's own, or named by a supervisor or admin.
    Without a place of its own the summons takes the ticket's address and point.
    Field errors come all at once, so a form can fix everything in one go."""
    whistler = _whistling_unit(actor, unit)
    summoned = list({u.pk: u for u in units}.values())  # distinct, in the order given
    minutes = settings.SHIYU_SUMMONS_REPORT_MINUTES if minutes is None else minutes
    if ticket is not None and not (place or "").strip() and lat is None and long is None:
        place, lat, long = ticket.address, ticket.lat, ticket.long
    place, reason = (place or "").strip(), (reason or "").strip()
    problems = {"units": _units_problem(summoned, whistler), "minutes": _minutes_problem(minutes),
                "ticket": _ticket_problem(ticket, whistler), "place": _text_problem(place, PLACE_MAX),
                "reason": _text_problem(reason, REASON_MAX), **_point_problems(lat, long)}
    errors = {name: [problem] for name, problem in problems.items() if problem}
    if errors:
        raise InvalidInput(_("The summons has errors."), fields=errors)
    now = now or timezone.now()
    # Wall-clock minutes, not working hours: a summons is for something happening now.
    summons = Summons.objects.create(unit=whistler, ticket=ticket, place=place, lat=lat, long=long, reason=reason,
                                     minutes=minutes, report_by=now + dt.timedelta(minutes=minutes),
                                     created_by=actor, created_at=now)
    SummonsCall.objects.bulk_create([SummonsCall(summons=summons, unit=u) for u in summoned])
    _event(actor, "whistle", summons, to_state=summons.state, note=reason,
           data={"unit": whistler.pk, "ticket": ticket and ticket.pk, "units": [u.pk for u in summoned],
                 "minutes": minutes})
    return summons


# ---------------------------------------------------------------- report, rate, close


def _locked_call(call: SummonsCall | int) -> SummonsCall:
    pk = call.pk if isinstance(call, SummonsCall) else call
    return SummonsCall.objects.select_for_update(of=("self",)).select_related("summons", "unit").get(pk=pk)


@transaction.atomic
def report_on_site(*, actor, call: SummonsCall | int, note: str = "", now: dt.datetime | None = None) -> SummonsCall:
    """报到: a handler of the summoned department reports that its staff are on site.
    After the deadline the call is marked late (and keeps any missing mark)."""
    call = _locked_call(call)
    if not _own_unit(actor, call.unit_id):
        raise NotAllowed(_("Only the summoned department's staff report on site."))
    if call.summons.state != Summons.State.OPEN:
        raise IllegalTransition(_("The summons is closed."), current=call.summons.state, allowed=[])
    if call.state == SummonsCall.State.REPORTED:
        raise IllegalTransition(_("Your department has already reported."), current=call.state,
                                allowed=["rate"] if _ratable(call) else [])
    note = clean_text(note, "note", NOTE_MAX)
    now = now or timezone.now()
    before = call.state
    call.state, call.reported_at, call.reported_by, call.on_site_note = SummonsCall.State.REPORTED, now, actor, note
    call.late = now > call.summons.report_by
    call.save()
    _event(actor, "report", call.summons, call=call, from_state=before, to_state=call.state, note=note,
           data={"late": call.late})
    return call


@transaction.atomic
def rate_response(*, actor, call: SummonsCall | int, rating: int, note: str = "",
                  now: dt.datetime | None = None) -> SummonsCall:
    """The whistling office scores a department's response once it has reported, once
    (a score that feeds rankings is not revised afterwards). A missing department is not
    rated: its absence already counts against it."""
    call = _locked_call(call)
    if not _own_unit(actor, call.summons.unit_id):
        raise NotAllowed(_("Only the whistling subdistrict office rates the response."))
    if call.state != SummonsCall.State.REPORTED:
        raise IllegalTransition(_("Only a department that has reported can be rated."), current=call.state,
                                allowed=["report"] if call.summons.state == Summons.State.OPEN else [])
    if call.rating is not None:
        raise IllegalTransition(_("This response has been rated already."), current=call.state, allowed=[])
    if isinstance(rating, bool) or not isinstance(rating, int) or not RATING_MIN <= rating <= RATING_MAX:
        problem = _("A whole number from %(min)d to %(max)d.") % {"min": RATING_MIN, "max": RATING_MAX}
        raise InvalidInput(problem, fields={"rating": [problem]})
    note = clean_text(note, "note", NOTE_MAX)
    call.rating, call.rating_note, call.rated_at, call.rated_by = rating, note, now or timezone.now(), actor
    call.save()
    _event(actor, "rate", call.summons, call=call, note=note, data={"rating": rating})
    return call


@transaction.atomic
def close_summons(*, actor, summons: Summons | int, note: str = "", now: dt.datetime | None = None) -> Summons:
    """The case is done: close it once every department has reported or been marked missing."""
    pk = summons.pk if isinstance(summons, Summons) else summons
    summons = Summons.objects.select_for_update(of=("self",)).get(pk=pk)
    if not may_act_for_subdistrict(actor, summons):
        raise NotAllowed(_("Only the whistling subdistrict office closes the summons."))
    if summons.state != Summons.State.OPEN:
        raise IllegalTransition(_("The summons is already closed."), current=summons.state, allowed=[])
    now = now or timezone.now()
    # Who has not come by the deadline is missing now, whether or not the sweep has run yet.
    _mark_missing(summons.calls.all(), now)
    waiting = _waiting(summons.calls.select_related("unit"))
    if waiting:
        names = "、".join(c.unit.name for c in waiting)
        raise IllegalTransition(_("Still waiting for: %(units)s.") % {"units": names}, current=summons.state,
                                allowed=["report"])
    note = clean_text(note, "note", NOTE_MAX)
    summons.state, summons.closed_at, summons.closed_by = Summons.State.CLOSED, now, actor
    summons.closing_note = note
    summons.save()
    _event(actor, "close", summons, from_state=Summons.State.OPEN, to_state=summons.state, note=note)
    return summons


# ---------------------------------------------------------------- the sweep


@transaction.atomic
def sweep_summons(now: dt.datetime | None = None) -> int:
    """Mark every call still waiting after its deadline as missing; returns how many.
    Idempotent: a call is marked once, and a second run finds nothing. Run periodically."""
    return _mark_missing(SummonsCall.objects.all(), now or timezone.now())


def _mark_missing(calls, now: dt.datetime) -> int:
    """Calls of `calls` (a queryset) still waiting after their deadline become missing, each with its event."""
    calls = list(calls.select_for_update(of=("self",))
                 .filter(state=SummonsCall.State.CALLED, summons__report_by__lt=now)
                 .only("pk", "summons_id", "unit_id"))
    SummonsCall.objects.filter(pk__in=[c.pk for c in calls]).update(state=SummonsCall.State.MISSING, missing_at=now)
    record_many([AuditEvent(action="summons.missing", target_type="summons", target_id=c.summons_id,
                            from_state=SummonsCall.State.CALLED, to_state=SummonsCall.State.MISSING,
                            data={"call": c.pk, "unit": c.unit_id}) for c in calls])
    return len(calls)

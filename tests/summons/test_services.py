"""吹哨报到 as service actions: the story, the sweep, closing, rating, bad input."""
import pytest

from shiyu.core.errors import IllegalTransition, InvalidInput, NotAllowed
from shiyu.core.models import AuditEvent
from shiyu.summons import services as sv
from shiyu.summons.models import Summons, SummonsCall
from shiyu.summons.selectors import punctuality

from .conftest import T0, minutes

pytestmark = pytest.mark.django_db
S = SummonsCall.State


def _events(summons):
    return list(AuditEvent.objects.filter(target_type="summons", target_id=summons.pk)
                .order_by("id").values_list("action", "from_state", "to_state"))


def test_a_summons_with_one_late_department(users, depts, whistled, call_of):
    """Housing comes on time, urban management late (after the sweep marked it missing),
    transport never: each is recorded and counted so."""
    summons = whistled()
    assert summons.report_by == minutes(30) and summons.state == Summons.State.OPEN
    assert [c.state for c in summons.calls.order_by("id")] == [S.CALLED] * 3

    housing = sv.report_on_site(actor=users.handler2, call=call_of(summons, depts.housing), note="两人到场",
                                now=minutes(12))
    assert housing.state == S.REPORTED and not housing.late and housing.reported_by == users.handler2

    assert sv.sweep_summons(now=minutes(35)) == 2  # urban management and transport
    assert call_of(summons, depts.urban).state == S.MISSING

    urban = sv.report_on_site(actor=users.handler, call=call_of(summons, depts.urban), now=minutes(41))
    assert urban.state == S.REPORTED and urban.late and urban.missing_at == minutes(35)
    assert sv.sweep_summons(now=minutes(45)) == 0

    sv.close_summons(actor=users.subhandler, summons=summons, note="违建已拆除", now=minutes(90))
    sv.rate_response(actor=users.subhandler, call=housing, rating=5, now=minutes(91))
    sv.rate_response(actor=users.subhandler, call=urban, rating=2, note="迟到四十分钟", now=minutes(92))
    with pytest.raises(IllegalTransition):  # a missing department is not rated: its absence counts
        sv.rate_response(actor=users.subhandler, call=call_of(summons, depts.transport), rating=1)

    summons.refresh_from_db()
    assert summons.state == Summons.State.CLOSED and summons.closed_at == minutes(90)
    assert call_of(summons, depts.transport).state == S.MISSING
    assert _events(summons) == [
        ("summons.whistle", "", "open"), ("summons.report", "called", "reported"),
        ("summons.missing", "called", "missing"), ("summons.missing", "called", "missing"),
        ("summons.report", "missing", "reported"), ("summons.close", "open", "closed"),
        ("summons.rate", "", ""), ("summons.rate", "", "")]

    figures = punctuality(T0, minutes(24 * 60))
    assert figures[depts.housing.pk] == {"summoned": 1, "reported_on_time": 1, "late": 0, "missing": 0,
                                         "mean_rating": 5.0}
    assert figures[depts.urban.pk] == {"summoned": 1, "reported_on_time": 0, "late": 1, "missing": 0,
                                       "mean_rating": 2.0}
    assert figures[depts.transport.pk] == {"summoned": 1, "reported_on_time": 0, "late": 0, "missing": 1,
                                           "mean_rating": None}


def test_reporting_exactly_at_the_deadline_is_on_time(users, depts, whistled, call_of):
    summons = whistled(units=[depts.urban], minutes=10)
    call = sv.report_on_site(actor=users.handler, call=call_of(summons, depts.urban), now=minutes(10))
    assert not call.late


def test_the_time_limit_defaults_to_the_setting(users, depts, whistled, settings):
    settings.SHIYU_SUMMONS_REPORT_MINUTES = 45
    summons = whistled(units=[depts.urban])
    assert summons.minutes == 45 and summons.report_by == minutes(45)
    assert whistled(units=[depts.urban], minutes=15).report_by == minutes(15)


# ---------------------------------------------------------------- the sweep


def test_sweep_is_idempotent_and_spares_calls_in_time(depts, whistled):
    early, later = whistled(), whistled(at=minutes(20))
    assert sv.sweep_summons(now=minutes(30)) == 0  # at the deadline is not past it
    assert sv.sweep_summons(now=minutes(31)) == 3
    events = AuditEvent.objects.filter(action="summons.missing").count()
    assert sv.sweep_summons(now=minutes(31)) == 0
    assert sv.sweep_summons(now=minutes(32)) == 0
    assert AuditEvent.objects.filter(action="summons.missing").count() == events == 3
    assert set(later.calls.values_list("state", flat=True)) == {S.CALLED}
    assert set(early.calls.values_list("state", flat=True)) == {S.MISSING}
    assert sv.sweep_summons() == 3  # now: long after both


# ---------------------------------------------------------------- closing


def test_closing_is_refused_while_a_department_may_still_come(users, depts, whistled, call_of):
    summons = whistled(units=[depts.urban, depts.housing])
    sv.report_on_site(actor=users.handler2, call=call_of(summons, depts.housing), now=minutes(5))
    with pytest.raises(IllegalTransition) as refused:
        sv.close_summons(actor=users.subhandler, summons=summons, now=minutes(20))
    assert refused.value.status == 409 and refused.value.current == "open"
    assert refused.value.allowed == ["report"] and depts.urban.name in refused.value.message
    assert Summons.objects.get(pk=summons.pk).state == Summons.State.OPEN


def test_closing_after_the_deadline_marks_the_absent_missing(users, depts, whistled, call_of):
    summons = whistled(units=[depts.urban, depts.housing])
    sv.report_on_site(actor=users.handler2, call=call_of(summons, depts.housing), now=minutes(5))
    sv.close_summons(actor=users.subhandler, summons=summons, now=minutes(31))  # before any sweep
    assert call_of(summons, depts.urban).state == S.MISSING
    with pytest.raises(IllegalTransition):
        sv.close_summons(actor=users.subhandler, summons=summons)
    with pytest.raises(IllegalTransition):  # nobody reports to a closed summons: missing is final
        sv.report_on_site(actor=users.handler, call=call_of(summons, depts.urban))


def test_a_supervisor_may_close_for_the_office(users, depts, whistled, call_of):
    summons = whistled(units=[depts.urban])
    sv.report_on_site(actor=users.handler, call=call_of(summons, depts.urban), now=minutes(5))
    assert sv.close_summons(actor=users.supervisor, summons=summons).state == Summons.State.CLOSED


# ---------------------------------------------------------------- reporting and rating


def test_reporting_twice_is_refused(users, depts, whistled, call_of):
    summons = whistled(units=[depts.urban])
    sv.report_on_site(actor=users.handler, call=call_of(summons, depts.urban), now=minutes(5))
    with pytest.raises(IllegalTransition) as refused:
        sv.report_on_site(actor=users.handler, call=call_of(summons, depts.urban), now=minutes(6))
    assert refused.value.current == "reported" and refused.value.allowed == ["rate"]


def test_rating_is_once_within_range_and_only_after_reporting(users, depts, whistled, call_of):
    summons = whistled(units=[depts.urban])
    call = call_of(summons, depts.urban)
    with pytest.raises(IllegalTransition):
        sv.rate_response(actor=users.subhandler, call=call, rating=4)
    sv.report_on_site(actor=users.handler, call=call, now=minutes(5))
    for rating in (0, 6, 3.5, True, "5"):
        with pytest.raises(InvalidInput) as bad:
            sv.rate_response(actor=users.subhandler, call=call, rating=rating)
        assert "rating" in bad.value.fields
    rated = sv.rate_response(actor=users.subhandler, call=call, rating=4, note="处置及时")
    assert (rated.rating, rated.rating_note, rated.rated_by) == (4, "处置及时", users.subhandler)
    with pytest.raises(IllegalTransition):  # a score that feeds rankings is not revised
        sv.rate_response(actor=users.subhandler, call=call, rating=5)


@pytest.mark.parametrize("rater", ["handler", "handler2", "supervisor", "admin", "leader", "other"])
def test_only_the_whistling_office_rates(users, depts, whistled, call_of, other_office_handler, rater):
    summons = whistled(units=[depts.urban])
    call = sv.report_on_site(actor=users.handler, call=call_of(summons, depts.urban), now=minutes(5))
    actor = other_office_handler if rater == "other" else getattr(users, rater)
    with pytest.raises(NotAllowed):
        sv.rate_response(actor=actor, call=call, rating=5)
    assert SummonsCall.objects.get(pk=call.pk).rating is None


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize("actor", ["handler", "operator", "dispatcher", "gridworker", "leader", "citizen"])
def test_who_may_not_whistle(users, depts, actor):
    with pytest.raises(NotAllowed):
        sv.whistle(actor=getattr(users, actor), units=[depts.housing], place="某处", reason="需要到场")
    assert not Summons.objects.exists()


def test_a_handler_whistles_only_for_their_own_office(users, depts, other_office_handler):
    with pytest.raises(NotAllowed):
        sv.whistle(actor=users.subhandler, unit=other_office_handler.unit, units=[depts.urban], place="某处",
                   reason="需要到场")


@pytest.mark.parametrize("actor", ["supervisor", "admin"])
def test_a_supervisor_or_admin_whistles_for_a_named_office(users, depts, office, actor):
    with pytest.raises(InvalidInput) as bad:
        sv.whistle(actor=getattr(users, actor), units=[depts.urban], place="某处", reason="需要到场")
    assert "unit" in bad.value.fields
    with pytest.raises(InvalidInput) as bad:
        sv.whistle(actor=getattr(users, actor), unit=depts.housing, units=[depts.urban], place="某处",
                   reason="需要到场")
    assert "unit" in bad.value.fields
    summons = sv.whistle(actor=getattr(users, actor), unit=office, units=[depts.urban], place="某处",
                         reason="需要到场")
    assert summons.unit == office and summons.created_by == getattr(users, actor)


@pytest.mark.parametrize("actor", ["handler2", "subhandler", "admin", "supervisor"])
def test_only_the_summoned_department_reports(users, depts, whistled, call_of, actor):
    summons = whistled(units=[depts.urban])
    with pytest.raises(NotAllowed):
        sv.report_on_site(actor=getattr(users, actor), call=call_of(summons, depts.urban))


@pytest.mark.parametrize("actor", ["handler", "leader", "operator"])
def test_who_may_not_close(users, depts, whistled, actor):
    summons = whistled(units=[depts.urban])
    sv.sweep_summons()
    with pytest.raises(NotAllowed):
        sv.close_summons(actor=getattr(users, actor), summons=summons)


def test_actions_for_each_role(users, depts, whistled, call_of, other_office_handler):
    summons = whistled(units=[depts.urban, depts.housing])
    calls = list(summons.calls.all())

    def actions(user, now=minutes(10)):
        return sv.actions_for(user, summons, calls, now)

    assert (actions(users.subhandler), actions(users.handler), actions(users.handler2)) == ([], ["report"], ["report"])
    assert actions(users.subhandler, now=minutes(31)) == ["close"]  # closing would mark the absent missing
    assert actions(other_office_handler, now=minutes(31)) == actions(users.leader) == []
    sv.report_on_site(actor=users.handler, call=calls[0], now=minutes(5))
    calls = list(summons.calls.all())
    assert actions(users.subhandler) == ["rate"] and actions(users.handler) == []
    assert actions(users.supervisor, now=minutes(31)) == ["close"]


# ---------------------------------------------------------------- bad input


def _bad_whistle(users, fields, **kwargs):
    with pytest.raises(InvalidInput) as bad:
        sv.whistle(actor=users.subhandler, **{"place": "示范路1号", "reason": "需要到场", **kwargs})
    assert bad.value.status == 422
    assert fields <= set(bad.value.fields), bad.value.fields
    assert not Summons.objects.exists() and not AuditEvent.objects.filter(target_type="summons").exists()


def test_no_departments(users):
    _bad_whistle(users, {"units"}, units=[])


def test_the_office_cannot_summon_itself(users, office, depts):
    _bad_whistle(users, {"units"}, units=[depts.urban, office])


def test_only_active_departments_and_enterprises(users, depts, other_office_handler):
    _bad_whistle(users, {"units"}, units=[other_office_handler.unit])  # another subdistrict
    depts.transport.active = False
    depts.transport.save()
    _bad_whistle(users, {"units"}, units=[depts.urban, depts.transport])


def test_too_many_departments(users, city):
    units = [u for u in city.units.values() if u.kind in sv.SUMMONABLE_KINDS][:sv.MAX_UNITS + 1]
    assert len(units) == sv.MAX_UNITS + 1
    _bad_whistle(users, {"units"}, units=units)


@pytest.mark.parametrize("value", [0, -5, sv.MAX_MINUTES + 1, 10 ** 12, True, 2.5, "30"])
def test_minutes_out_of_range(users, depts, value):
    _bad_whistle(users, {"minutes"}, units=[depts.urban], minutes=value)


def test_every_field_error_at_once(users, office):
    _bad_whistle(users, {"units", "minutes", "place", "reason"}, units=[office], minutes=0, place=" ", reason="")


@pytest.mark.parametrize("fields,name", [
    ({"place": "长" * 201}, "place"),
    ({"reason": "长" * 2001}, "reason"),
    ({"lat": 39.9}, "long"),
    ({"long": 116.4}, "lat"),
    ({"lat": 10.0, "long": 10.0}, "lat"),  # outside the city
    ({"lat": 95.0, "long": 10.0}, "lat"),
])
def test_bad_place_or_reason(users, depts, fields, name):
    _bad_whistle(users, {name}, units=[depts.urban], **fields)


def test_duplicate_departments_are_summoned_once(users, depts, whistled):
    summons = whistled(units=[depts.urban, depts.urban, depts.housing])
    assert list(summons.calls.order_by("id").values_list("unit_id", flat=True)) == [depts.urban.pk,
                                                                                     depts.housing.pk]


# ---------------------------------------------------------------- the ticket it is about


def test_about_a_ticket_in_the_office_area(users, depts, office, make_ticket, city):
    ticket = make_ticket()
    assert ticket.subdistrict_id == office.area_id
    summons = sv.whistle(actor=users.subhandler, ticket=ticket, units=[depts.urban], reason="需要城管到场")
    assert summons.ticket == ticket
    assert (summons.place, summons.lat, summons.long) == (ticket.address, ticket.lat, ticket.long)


def test_about_a_ticket_the_office_leads(users, depts, office, make_ticket, city):
    from shiyu.tickets.services import dispatch_ticket

    elsewhere = next(g for g in city.grids if g.community.parent_id != office.area_id)
    ticket = make_ticket(grid=elsewhere)
    _bad_whistle(users, {"ticket"}, ticket=ticket, units=[depts.urban])
    ticket = dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=office)
    assert sv.whistle(actor=users.subhandler, ticket=ticket, units=[depts.urban], reason="需要到场").ticket == ticket


def test_not_about_a_finished_ticket(users, depts, make_ticket):
    from shiyu.tickets.services import mark_invalid

    ticket = mark_invalid(actor=users.operator, ticket=make_ticket(), reason="重复来电")
    _bad_whistle(users, {"ticket"}, ticket=ticket, units=[depts.urban])


def test_the_deadline_sweep_marks_late_departments_missing(whistled):
    from shiyu.deadlines.services import sweep

    summons = whistled()
    result = sweep(now=minutes(31))
    assert result.summons_missing == 3
    assert set(summons.calls.values_list("state", flat=True)) == {S.MISSING}
    assert sweep(now=minutes(32)).summons_missing == 0

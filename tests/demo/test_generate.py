"""The demo generator: a year of tickets that look and replay like real use."""
import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict

import pytest
import shapely
from django.db import transaction

from shiyu.core.models import AuditEvent, Role, User
from shiyu.demo.tickets import generate_tickets
from shiyu.geo.locate import locate_many
from shiyu.geo.models import Grid
from shiyu.org.models import HandlingUnit
from shiyu.tickets import lifecycle, services
from shiyu.tickets.models import Assignment, Extension, Ticket

COUNT = 1500
END = dt.date(2025, 6, 30)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
WINDOW_START = dt.datetime(2024, 6, 30, tzinfo=SHANGHAI)
AS_OF = dt.datetime(2025, 6, 30, tzinfo=SHANGHAI)
CODE = re.compile(r"^\d{6}[0-9A-HJKMNP-TV-Z]{8}$")


def digest() -> str:
    h = hashlib.sha256()
    for row in Ticket.objects.order_by("code").values_list(
            "code", "status", "category__code", "channel", "request_type", "created_at", "dispatched_at",
            "accepted_at", "resolved_at", "closed_at", "resolve_due_at", "lat", "long", "reporter_phone", "title"):
        h.update(repr(row).encode())
    return h.hexdigest()


@pytest.fixture
def generated(db):
    assert generate_tickets(COUNT, seed=11, end=END) == COUNT
    return list(Ticket.objects.select_related("category"))


def timelines(ticket_ids) -> dict[int, list[AuditEvent]]:
    out = defaultdict(list)
    for e in AuditEvent.objects.filter(target_type="ticket", target_id__in=ticket_ids).order_by("at", "id"):
        out[e.target_id].append(e)
    return out


def test_count_window_and_codes(generated):
    assert len(generated) == Ticket.objects.count() == COUNT
    codes = [t.code for t in generated]
    assert len(set(codes)) == COUNT
    for t in generated:
        assert CODE.match(t.code), t.code
        assert t.code[:6] == t.created_at.astimezone(SHANGHAI).strftime("%y%m%d")
        assert WINDOW_START <= t.created_at < AS_OF
        assert t.updated_at <= AS_OF


def test_postgresql_plans_against_fresh_statistics(generated):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE after the load is PostgreSQL's; SQLite plans without it")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Ticket._meta.db_table])
        assert cursor.fetchone()[0] == COUNT  # the planner knows the table's size


def test_same_seed_same_tickets_other_seed_others(db):
    def run(seed):
        with transaction.atomic():
            generate_tickets(400, seed=seed, end=END)
            value = digest()
            transaction.set_rollback(True)
        return value

    first = run(5)
    assert Ticket.objects.count() == 0
    assert run(5) == first
    assert run(6) != first


def test_a_second_run_adds_tickets_with_fresh_codes(db):
    generate_tickets(300, seed=3, end=END)
    generate_tickets(300, seed=3, end=END)  # same seed: the codes would collide
    assert Ticket.objects.count() == 600
    assert Ticket.objects.values("code").distinct().count() == 600


def test_every_timeline_replays_through_the_state_machine(generated):
    lines = timelines([t.pk for t in generated])
    counters = Counter()
    for ticket in generated:
        events = [e for e in lines[ticket.pk] if e.action != "ticket.merged_in"]
        first, rest = events[0], events[1:]
        assert (first.action, first.from_state, first.to_state) == ("ticket.create", "", "received")
        assert first.at == ticket.created_at and first.data == {"channel": ticket.channel}
        state, last = "received", first.at
        for e in rest:
            action = e.action.removeprefix("ticket.")
            transition = lifecycle.check(state, action)  # raises on an illegal step
            assert e.from_state == state, (ticket.code, e.action)
            state = transition.target or state
            assert e.to_state == state
            assert e.at >= last, (ticket.code, e.action)
            last = e.at
            counters[action] += 1
        assert state == ticket.status, ticket.code
        assert last == ticket.updated_at
        assert last <= AS_OF
        actions = [e.action for e in rest]
        assert ticket.return_count == actions.count("ticket.return")
        assert ticket.reopen_count == actions.count("ticket.reopen")
        assert ticket.extension_count == sum(1 for e in rest if e.action == "ticket.decide_extension"
                                             and e.data["approved"])
    # Every kind of step happens somewhere in 1,500 tickets.
    for action in ("dispatch", "answer_directly", "accept", "start", "return", "resolve", "callback", "reopen",
                   "close", "merge", "mark_invalid", "assist_accept", "assist_report", "request_extension",
                   "decide_extension"):
        assert counters[action], action


def test_audit_data_and_actors_match_the_services(generated):
    by_id = {t.pk: t for t in generated}
    units = {u.pk: u for u in HandlingUnit.objects.all()}
    users = {u.pk: u for u in User.objects.all()}
    demo_handler = User.objects.get(username="handler")
    signed_by = Counter()
    for e in AuditEvent.objects.filter(target_type="ticket", target_id__in=list(by_id)):
        actor = users.get(e.actor_id)
        if e.action == "ticket.dispatch":
            assert set(e.data) == {"lead_unit", "assist_units"} and e.data["lead_unit"] in units
            assert actor.role == Role.DISPATCHER
        elif e.action in ("ticket.accept", "ticket.return", "ticket.assist_accept", "ticket.assist_report"):
            assert actor.role == Role.HANDLER and actor.unit_id == e.data["unit"], e.action
            if e.action == "ticket.accept":
                assert set(e.data) == {"unit", "on_time"}
                signed_by[actor.username == "handler"] += 1
        elif e.action == "ticket.resolve":
            assert set(e.data) == {"on_time"} and e.note  # the reply of that round
            assert actor.role == Role.HANDLER
        elif e.action == "ticket.callback":
            assert set(e.data) == {"rating", "resolved"} and actor.role == Role.OPERATOR
        elif e.action == "ticket.decide_extension":
            assert set(e.data) == {"extension", "approved", "old_due", "new_due"}
            assert actor.role == Role.SUPERVISOR
            extension = Extension.objects.get(pk=e.data["extension"])
            assert extension.ticket_id == e.target_id and extension.decided_at == e.at
        elif e.action == "ticket.request_extension":
            assert Extension.objects.get(pk=e.data["extension"]).requested_at == e.at
        elif e.action == "ticket.merge":
            target = by_id[e.data["into"]]
            assert target.code == e.data["into_code"] and target.created_at <= e.at
            assert by_id[e.target_id].duplicate_of_id == target.pk
            assert target.status not in ("merged", "invalid")
        elif e.action == "ticket.create" and by_id[e.target_id].channel in ("video", "open311"):
            assert actor is None
    # Each unit's own handler signs for its tickets; the demo handler for part of its unit's.
    assert signed_by[True] and signed_by[False]
    assert demo_handler.unit.key == "urban_management"
    handlers = User.objects.filter(username__startswith="h-")
    assert handlers.count() == HandlingUnit.objects.filter(active=True).count()
    assert all(u.role == Role.HANDLER and u.unit_id and not u.has_usable_password() for u in handlers)


def test_assignments_fields_and_deadlines_are_consistent(generated):
    assignments = defaultdict(list)
    for a in Assignment.objects.filter(ticket__in=generated):
        assignments[a.ticket_id].append(a)
    handling = {"dispatched", "accepted", "in_progress", "resolved", "callback"}
    for t in generated:
        rows = assignments[t.pk]
        live_leads = [a for a in rows if a.role == "lead" and a.state not in ("returned", "withdrawn")]
        if t.status in handling or (t.status == "closed" and t.dispatched_at):
            assert t.lead_unit_id and [a.unit_id for a in live_leads] == [t.lead_unit_id], t.code
            assert t.accept_due_at and t.resolve_due_at and t.dispatched_at
            assert t.dispatched_at < t.accept_due_at
            if not t.extension_count and not t.reopen_count:
                assert (t.accept_due_at, t.resolve_due_at) == services._deadlines(t.category, t.dispatched_at)
        else:
            assert t.lead_unit_id is None and not live_leads
        if t.return_count:
            assert any(a.state == "returned" for a in rows)
        if t.status in ("accepted", "in_progress", "resolved", "callback") or (t.status == "closed" and rows):
            assert t.accepted_at and t.dispatched_at <= t.accepted_at
        if t.status in ("resolved", "callback"):
            assert t.reply and t.resolved_at
        if t.status == "closed":
            assert t.closed_at and t.reply and t.resolved_at and t.resolved_at <= t.closed_at
            if rows:
                lead = live_leads[0]
                assert lead.state == "reported" and lead.report == t.reply and lead.reported_at == t.resolved_at
        if t.status == "callback" or t.callback_rating:
            assert t.callback_at and t.callback_rating and t.callback_resolved is not None
        if t.status == "merged":
            assert t.duplicate_of_id
        if t.status == "invalid":
            assert t.invalid_reason and t.closed_at
        for a in rows:
            if a.role == "assist" and a.state == "reported":
                assert a.accepted_at and a.reported_at and a.report
    # Some of the last days' tickets are still open, some of them overdue.
    open_ = [t for t in generated if t.status in ("dispatched", "accepted", "in_progress")]
    assert open_
    assert any(t.resolve_due_at < AS_OF for t in open_)


def test_mixes_are_realistic(generated):
    share = lambda counter, key: counter[key] / COUNT  # noqa: E731
    channels = Counter(t.channel for t in generated)
    assert 0.45 <= share(channels, "hotline") <= 0.65
    assert 0.08 <= share(channels, "app") <= 0.22 and 0.06 <= share(channels, "grid") <= 0.18
    types = Counter(t.request_type for t in generated)
    assert 0.30 <= share(types, "complaint") <= 0.50 and 0.15 <= share(types, "enquiry") <= 0.35
    assert 0.12 <= share(types, "help") <= 0.28
    for t in generated:
        assert t.request_type in t.category.request_types and t.category.level == 3
    statuses = Counter(t.status for t in generated)
    assert share(statuses, "closed") >= 0.8
    assert 0.005 <= share(statuses, "merged") <= 0.04 and 0.002 <= share(statuses, "invalid") <= 0.025
    returned = sum(1 for t in generated if t.return_count)
    assert 0.04 <= returned / COUNT <= 0.13
    ratings = Counter(e.data["rating"] for e in AuditEvent.objects.filter(action="ticket.callback"))
    assert 0.7 <= ratings["satisfied"] / sum(ratings.values()) <= 0.9
    # Skewed popularity: the ten commonest categories carry far more than ten of ~150 would.
    top = sum(n for _cat, n in Counter(t.category_id for t in generated).most_common(10))
    assert top / COUNT > 0.25
    # Repeat callers: some phone numbers call several times.
    assert Counter(t.reporter_phone for t in generated if t.reporter_phone).most_common(1)[0][1] >= 3
    for t in generated:
        assert not t.reporter_phone or re.match(r"^1[3-9]\d{9}$", t.reporter_phone)


def test_places_are_inside_their_grids(generated):
    grids = {g.pk: g for g in Grid.objects.select_related("community__parent__parent")}
    sample = generated[::7]
    for t in sample:
        grid = grids[t.grid_id]
        assert shapely.from_wkt(grid.boundary_wkt).contains(shapely.Point(t.long, t.lat)), t.code
        assert (t.community_id, t.subdistrict_id, t.district_id) == (
            grid.community_id, grid.community.parent_id, grid.community.parent.parent_id)
        assert t.address.startswith(grid.community.parent.parent.name + grid.community.parent.name)
    located = locate_many([t.lat for t in sample], [t.long for t in sample])
    assert [loc.grid_id for loc in located] == [t.grid_id for t in sample]

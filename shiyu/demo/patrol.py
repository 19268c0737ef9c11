"""The demo grid worker's last days on patrol: a few events they reported in their own
grids, through the same services as a phone report, still being handled. The year of
generated tickets leaves few open ones in a handful of grids (most are closed by
now), and a grid worker who signs in to an empty task list learns nothing of the page."""
from __future__ import annotations

import datetime as dt
import random

import shapely
from django.utils import timezone

from shiyu.core.models import Role, User
from shiyu.intake.services import take_in_report
from shiyu.routing.models import RoutingDecision
from shiyu.tickets import services
from shiyu.tickets.models import Category, Channel, RequestType, Status, Ticket

# What a grid worker finds on a round: category code, what they write ({place}: where).
EVENTS = [
    ("010301", "{place}门口早晚有流动摊贩占道经营，人行道被堵，行人只能走机动车道。"),
    ("010302", "{place}垃圾桶满溢，周边堆放的生活垃圾两天没有清运，有异味。"),
    ("010303", "{place}楼道和电线杆上新贴了大量小广告，已拍照留存。"),
    ("010102", "{place}旁人行道上的井盖缺失，已用锥桶临时围挡，需尽快补装。"),
    ("010101", "{place}附近一排路灯晚上不亮，居民夜间出行不便。"),
    ("010304", "{place}临街商铺的户外广告牌松动，大风天有坠落危险。"),
]


def seed_patrol_reports(seed: int, *, now: dt.datetime | None = None) -> list[Ticket]:
    """The demo grid worker's reports of the last three days: each taken in as a grid
    report, dispatched to the unit its routing decision names; the older half signed
    for and in progress there. Run once, after the generated year (none when the city
    has no grid worker with grids)."""
    worker = User.objects.filter(username="gridworker", role=Role.GRIDWORKER).first()
    grids = list(worker.grids.select_related("community").order_by("code")) if worker else []
    if not grids:
        return []
    rng, now = random.Random(seed), now or timezone.now()
    dispatcher = User.objects.filter(role=Role.DISPATCHER).order_by("pk").first()
    categories = {c.code: c for c in Category.objects.filter(code__in=[code for code, _text in EVENTS])}
    reports = []
    for number, (code, text) in enumerate(EVENTS):
        if code not in categories:
            continue
        grid = grids[number % len(grids)]
        lat, long = _point_in(grid.boundary_wkt, rng)
        ticket = take_in_report(actor=worker, data=services.TicketInput(
            channel=Channel.GRID, request_type=RequestType.REPORT, category=categories[code],
            description=text.format(place=grid.community.name), lat=lat, long=long,
            created_at=now - dt.timedelta(hours=rng.uniform(2, 72))))
        reports.append(_follow_up(ticket, dispatcher, older=number % 2 == 0))
    return reports


def _point_in(boundary_wkt: str, rng: random.Random) -> tuple[float, float]:
    polygon = shapely.from_wkt(boundary_wkt)
    minx, miny, maxx, maxy = polygon.bounds
    while True:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if polygon.contains(shapely.Point(x, y)):
            return y, x


def _follow_up(ticket: Ticket, dispatcher: User | None, older: bool) -> Ticket:
    """Dispatched to the routed unit; the older ones signed for by a handler of it."""
    decision = RoutingDecision.objects.filter(ticket=ticket).order_by("-pk").select_related("unit").first()
    if dispatcher is None or decision is None or decision.unit is None or ticket.status != Status.RECEIVED:
        return ticket
    ticket = services.dispatch_ticket(actor=dispatcher, ticket=ticket, lead_unit=decision.unit)
    handler = User.objects.filter(role=Role.HANDLER, unit=decision.unit).order_by("pk").first()
    if older and handler is not None:
        ticket = services.sign_for(actor=handler, ticket=ticket)
        ticket = services.start_work(actor=handler, ticket=ticket, note="已安排人员现场处置。")
    return ticket

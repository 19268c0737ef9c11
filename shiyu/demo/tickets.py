"""A year of the demo city's tickets, fast: `shiyu demo --tickets 1000000` in minutes.

Every ticket is simulated through the loop the services run (create, dispatch, sign
for, work, return, extension, reply, callback, reopen, close, merge, invalid), step
by step, until its next step would fall after the end of the window; and what a
service writes for each step is written here too: the ticket's fields, its
Assignment and Extension rows, its counters and one AuditEvent per step with the
services' action names, from/to states and data keys. So each ticket's audit trail
replays legally through lifecycle.TRANSITIONS, and pages, rankings and rates see the
same data as after a year of real use. Deadlines come from services._deadlines (and
the extension from the same WorkCalendar), exactly what dispatch_ticket sets.

Why not call the services: a million tickets times eight steps through the ORM
would take hours. Instead tickets are simulated in chunks of 10,000 (numpy for the
draws that vectorise: times, categories, places, points in grids, names, codes),
each chunk a pure function of (seed, end, chunk number), so chunks can be made in
worker processes while the parent writes; the parent writes each chunk in one
transaction with one executemany per table (COPY on PostgreSQL). Ticket and
extension ids are assigned here (after the tables' current maximum, sequences reset
afterwards on PostgreSQL); assignment and audit ids, referenced by nothing, are left
to the database.

Deterministic: the same seed and end date give the same tickets, codes included
(the codes' random part is a seeded permutation of the ticket's number, so they are
unique without a lookup); only primary keys depend on what the tables already hold.
The window is the twelve months before `end` in local time (Asia/Shanghai): from
local midnight of `end` minus one year to local midnight of `end`. That midnight is
"now" for the simulation: the last days' tickets are still open, some overdue, and
nothing is dated in the future.
"""
from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import chinese_calendar
import numpy as np
import shapely
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.translation import gettext

from shiyu.core.bulk import BulkTable, large_cache, refresh_statistics, reserve_ids
from shiyu.core.models import AuditEvent, Role, User
from shiyu.geo.models import AdminUnit, Gazetteer, Grid
from shiyu.org.models import HandlingUnit
from shiyu.tickets import services
from shiyu.tickets.models import Assignment, Category, Extension, Ticket
from shiyu.workcal import is_workday

from .texts import TicketTextFactory
from .users import ensure_demo_users

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
# Times are int seconds since the epoch (UTC) throughout: what the services store
# (timezone.now() has microseconds, but nothing here needs them).
MINUTE, HOUR, DAY = 60, 3600, 86400
LOCAL_OFFSET = 8 * HOUR  # Asia/Shanghai has had no daylight saving time since 1991

CHUNK = 10_000
CODE_ALPHABET = services._CODE_ALPHABET

# ----------------------------------------------------------------- the mixes

CHANNELS = ("hotline", "app", "web", "grid", "video", "open311")
CHANNEL_SHARE = (0.55, 0.15, 0.10, 0.12, 0.03, 0.05)
HOTLINE, APP, WEB, GRID, VIDEO, OPEN311 = range(6)

REQUEST_TYPES = ("complaint", "enquiry", "help", "report", "suggestion", "praise")
REQUEST_SHARE = (0.40, 0.25, 0.20, 0.07, 0.06, 0.02)
ENQUIRY = 1

# Calls by local hour (0-23): the hotline peaks mid-morning and mid-afternoon, web and
# app submissions run into the evening, grid workers report on patrol, cameras any time.
_HOURLY = {
    HOTLINE: (0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 1.6, 3.6, 5.6, 6.0, 5.4, 3.8, 4.0, 5.0, 5.5, 5.4, 4.8,
              3.8, 3.4, 3.0, 2.4, 1.4, 0.7),
    APP: (0.8, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.8, 2.8, 3.4, 3.4, 3.2, 3.0, 2.8, 3.0, 3.0, 3.0, 2.9, 3.0,
          3.4, 3.8, 3.9, 3.2, 1.8),
    WEB: (0.6, 0.4, 0.2, 0.2, 0.2, 0.3, 0.6, 1.4, 3.0, 3.8, 3.9, 3.5, 2.8, 3.0, 3.6, 3.7, 3.5, 3.0, 2.6,
          2.8, 3.0, 2.9, 2.2, 1.2),
    GRID: (0, 0, 0, 0, 0, 0, 0.1, 0.8, 3.0, 5.0, 5.4, 4.2, 1.6, 1.6, 4.0, 5.0, 4.8, 3.2, 0.8, 0.2, 0.1, 0,
           0, 0),
    VIDEO: (1.2, 1.0, 0.8, 0.6, 0.6, 0.8, 1.6, 2.6, 3.4, 3.0, 2.8, 2.8, 2.6, 2.4, 2.6, 2.8, 3.0, 3.4, 3.6,
            3.2, 2.8, 2.4, 1.8, 1.4),
    OPEN311: (0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.7, 1.6, 3.0, 3.6, 3.6, 3.3, 2.8, 2.9, 3.3, 3.4, 3.3, 3.0,
              2.8, 3.0, 3.2, 3.0, 2.2, 1.1),
}
# Monday is the busiest day (the weekend's problems), Sunday the quietest.
_WEEKDAY = (1.25, 1.08, 1.03, 1.0, 0.97, 0.74, 0.68)
_HOLIDAY = 0.55
_MONTH_VOLUME = (1.02, 0.86, 0.97, 0.98, 1.0, 1.08, 1.14, 1.12, 1.02, 0.94, 1.0, 1.06)

# What residents call about most, commonest first (Zipf-like weights by rank); leaves
# not named here follow in a seeded order. Codes, so a renamed leaf keeps its place.
_POPULAR = (
    "010501", "020101", "040101", "120101", "030301", "110101", "110401", "040201", "010302", "070202",
    "070201", "010503", "090302", "010401", "080104", "060301", "050101", "010404", "110201", "020102",
    "010301", "020201", "090303", "070301", "110602", "010502", "040102", "030303", "070204", "010101",
    "010103", "130202", "080204", "080203", "110502", "030401", "010201", "120501", "120503", "010504",
    "090301", "130101", "060102", "110102", "040103", "030101", "070101", "040202", "120202", "060302",
)
_ZIPF_S, _ZIPF_Q = 0.95, 4.0

# Seasons: monthly multipliers (Jan..Dec) by code prefix (the longest prefix wins).
_SEASONS = {
    "1104": (3.0, 2.2, 1.1, 0.12, 0.04, 0.04, 0.04, 0.04, 0.06, 0.3, 2.2, 3.2),  # heating
    "0201": (0.7, 0.6, 0.9, 1.0, 1.2, 1.45, 1.6, 1.6, 1.2, 1.0, 0.8, 0.7),  # noise (windows open)
    "020102": (0.6, 0.3, 1.0, 1.2, 1.3, 1.3, 1.3, 1.3, 1.2, 1.2, 1.0, 0.7),  # night building work
    "110201": (0.9, 0.8, 0.8, 0.8, 1.0, 1.6, 2.2, 2.1, 1.2, 0.8, 0.8, 1.0),  # power cuts (air-conditioning)
    "110202": (0.8, 0.7, 0.7, 0.8, 1.1, 1.8, 2.4, 2.3, 1.2, 0.8, 0.7, 0.9),  # voltage (air-conditioning)
    "110101": (0.9, 0.9, 0.9, 1.0, 1.1, 1.4, 1.6, 1.6, 1.2, 1.0, 0.9, 1.0),
    "110102": (0.8, 0.8, 0.9, 1.0, 1.1, 1.5, 1.8, 1.7, 1.2, 0.9, 0.8, 0.8),
    "1105": (0.3, 0.3, 0.5, 0.7, 1.0, 1.8, 3.0, 2.6, 1.2, 0.6, 0.4, 0.3),  # rain storms
    "100303": (0.3, 0.4, 0.6, 0.8, 1.0, 1.6, 2.5, 2.2, 1.0, 0.7, 0.5, 0.3),
    "100301": (0.5, 0.5, 0.9, 1.2, 1.4, 1.5, 1.4, 1.3, 1.0, 0.8, 0.6, 0.5),
    "020201": (0.8, 0.8, 0.9, 1.0, 1.1, 1.3, 1.4, 1.4, 1.1, 1.0, 0.8, 0.8),
    "060202": (0.3, 0.3, 0.5, 0.8, 1.2, 1.8, 2.2, 2.0, 1.4, 0.8, 0.4, 0.3),  # mosquitoes, rats
    "020203": (0.8, 0.8, 1.5, 1.8, 0.8, 0.8, 0.6, 0.6, 1.0, 1.8, 1.6, 1.0),  # burning (straw, leaves)
    "040102": (2.4, 1.8, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.9, 1.4, 2.5),  # wages before Spring Festival
    "050101": (0.5, 0.6, 1.2, 1.8, 2.2, 2.0, 1.8, 1.8, 0.8, 0.4, 0.4, 0.4),  # school places
    "050102": (0.5, 0.5, 0.8, 1.2, 1.8, 2.0, 1.8, 1.6, 0.8, 0.5, 0.5, 0.5),
    "120301": (0.5, 0.8, 2.5, 2.5, 2.0, 1.8, 0.5, 0.4, 0.4, 0.4, 0.4, 0.6),  # income tax reconciliation
    "060303": (0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 1.3, 1.8, 2.0, 2.0),  # medical insurance season
    "040201": (1.2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.0, 1.0, 1.0, 1.2, 1.6),
    "1103": (1.4, 1.3, 1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.8, 1.0, 1.3, 1.5),  # gas
    "090103": (1.8, 1.5, 1.0, 0.7, 0.6, 0.6, 0.6, 0.6, 0.7, 1.0, 1.4, 1.9),  # rough sleepers in the cold
    "020103": (0.4, 0.4, 0.8, 1.1, 1.4, 1.6, 1.6, 1.5, 1.3, 1.0, 0.6, 0.4),  # square dancing
    "1001": (0.6, 0.7, 1.4, 1.6, 1.4, 1.1, 1.0, 0.9, 1.0, 1.1, 0.8, 0.6),  # farming
}

# What a camera sees, and what a grid worker reports on patrol.
_VIDEO = frozenset((
    "010102", "010103", "010301", "010302", "010303", "010304", "020202", "020203", "030104", "030301",
    "030302", "030303", "030401", "080201", "100303", "110501", "110503",
))
_GRID = _VIDEO | frozenset((
    "010101", "010201", "010305", "010405", "010501", "010503", "020101", "020201", "020302", "070103",
    "080101", "080202", "080203", "080204", "080402", "060202", "090103", "090302", "100203", "100301",
    "100302", "110104", "110203", "110301", "110502",
))
# Request-type preferences by channel (multiplying the calibrated global weights).
_CHANNEL_TYPES = {
    GRID: (1.0, 0.0, 0.5, 3.0, 0.2, 0.0),
    VIDEO: (0.6, 0.0, 0.1, 4.0, 0.0, 0.0),
    OPEN311: (1.0, 0.7, 1.0, 1.3, 1.0, 0.3),
}

# Outcomes (shares of the tickets that reach the step).
P_REPEAT_CALLER = 0.12
P_DUPLICATE = 0.02
P_INVALID = 0.01
P_ANSWER_DIRECTLY = 0.78  # of enquiries arriving by hotline, web, app or Open311
P_RETURN = 0.08
P_RETURN_WRONG_UNIT = 0.6  # the first dispatch went to the wrong unit
P_ASSIST = 0.15
P_ACCEPT_LATE = 0.08
P_START = 0.88
P_EXTENSION = 0.05
P_EXTENSION_APPROVED = 0.85
P_RESOLVE_LATE = 0.07
P_HARD_CASE = 0.02  # drags on for weeks after its deadline
P_CALLBACK = 0.92
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
RATING_CDF = (0.80, 0.92)  # satisfied 80 %, basically 12 %, unsatisfied 8 %
RATING_CDF_AGAIN = (0.70, 0.88)  # after a reopen
MAX_REOPENS = 2
P_DEMO_HANDLER = 0.35  # of its unit's unit steps, the demo `handler` signs

_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
             "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬建国建华志强志明海燕海波晓东晓梅"
          "文博子涵浩然欣怡宇轩梓萱俊杰雨泽佳怡思远嘉怡一鸣春梅秋菊冬梅凤英淑珍桂芳德明德华永红永刚丽娟丽华")
_MOBILE_PREFIXES = ("130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "147", "150", "151",
                    "152", "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178",
                    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "193", "195",
                    "196", "198", "199")
_RESIDENTIAL = ("花园", "家园", "小区", "新村", "公寓", "嘉园", "雅苑", "名苑", "华庭", "佳苑", "新城", "里", "苑")

_DIRECT_ANSWERS = (
    "话务员根据知识库就{topic}的相关政策向市民作了解答，告知了办理条件、所需材料和办理地点，市民表示清楚。",
    "已向市民解释{topic}的有关规定和办理流程，并告知可通过政务服务网在线办理，市民表示满意。",
    "经查询知识库，已告知市民{topic}的办理渠道、时限和咨询电话，市民无其他诉求。",
    "已答复市民：{topic}的具体政策以主管部门最新公布的文件为准，并告知了查询方式，市民表示理解。",
    "话务员已就市民咨询的{topic}问题逐项作了解答，并提醒其携带身份证件到窗口办理，市民表示认可。",
)
_ASSIST_REPORTS = (
    "已派员配合主办单位到现场核查处置，情况已反馈。",
    "已按职责完成配合工作，相关情况已告知主办单位。",
    "已协同主办单位对现场进行了联合检查，并督促责任方整改。",
    "已提供相关资料并配合做好当事人的解释工作。",
    "已组织人员配合开展现场清理，现已完成。",
)
_DECISIONS_APPROVED = ("同意延期，请在延期内办结。", "理由充分，同意延期。", "同意，请加强跟踪，按期答复市民。", "")
_DECISIONS_REJECTED = ("延期理由不充分，请按原期限办结。", "不同意延期，请尽快办理并答复市民。")
_CLOSE_NOTES = ("", "", "", "市民无其他诉求，结案。")
_CLOSE_UNREACHED = ("回访电话多次无人接听，按期结案。", "市民未接听回访电话，结案。", "")


# ----------------------------------------------------------------- reference data


@dataclass
class _Leaf:
    id: int
    code: str
    name: str
    category: Category  # for services._deadlines
    urgent: bool
    unit_id: int | None  # default unit; None with route_to_subdistrict
    to_subdistrict: bool
    request_types: tuple[int, ...]


@dataclass
class _Reference:
    leaves: list[_Leaf]
    taxonomy: list[dict]
    departments: list[dict]
    # places
    comm_ids: np.ndarray  # community AdminUnit ids, grids' order groups by community
    comm_weight: np.ndarray
    comm_grid_start: np.ndarray
    comm_grid_count: np.ndarray
    comm_sub: list[int]
    comm_district: list[int]
    comm_names: list[str]
    grid_ids: list[int]
    grid_geoms: np.ndarray
    grid_bounds: np.ndarray  # (n, 4)
    unit_names: dict[int, str]
    roads: dict[int, tuple[str, ...]]  # by subdistrict id
    places: dict[int, tuple[str, ...]]  # by community id
    # handling units
    units: dict[int, HandlingUnit]
    sub_office: dict[int, int]  # subdistrict AdminUnit id -> its office's unit id
    departments_ids: list[int]
    # people
    handler_of: dict[int, int]  # unit id -> its handler user id
    demo_handler: int | None
    demo_handler_unit: int | None
    operator: int
    dispatcher: int
    supervisor: int
    citizen: int
    citizen_name: str
    gridworker: int
    gridworker_grids: frozenset[int]


def _load_reference() -> _Reference:
    users = ensure_demo_users(None)
    units = {u.pk: u for u in HandlingUnit.objects.filter(active=True).order_by("pk")}
    handler_of = _ensure_unit_handlers(list(units.values()))

    leaves: list[_Leaf] = []
    rt_index = {name: i for i, name in enumerate(REQUEST_TYPES)}
    for c in Category.objects.filter(level=3, active=True).order_by("code"):
        types = tuple(rt_index[t] for t in c.request_types if t in rt_index) or tuple(range(len(REQUEST_TYPES)))
        leaves.append(_Leaf(c.pk, c.code, c.name, c, c.urgent, c.default_unit_id, c.route_to_subdistrict, types))
    if not leaves:
        raise RuntimeError("no active third-level categories: load the taxonomy first (build_city)")
    taxonomy = _taxonomy_for_texts(units)

    admin = {u["id"]: u for u in AdminUnit.objects.values("id", "name", "level", "parent_id", "population")}
    grid_rows = list(Grid.objects.order_by("community_id", "id").values_list("id", "community_id", "boundary_wkt"))
    if not grid_rows:
        raise RuntimeError("no grids: load the demo city first (build_city)")
    comm_ids, starts, counts = [], [], []
    for position, (_gid, community_id, _wkt) in enumerate(grid_rows):
        if not comm_ids or comm_ids[-1] != community_id:
            comm_ids.append(community_id)
            starts.append(position)
            counts.append(0)
        counts[-1] += 1
    population = np.array([max(admin[c]["population"], 1) for c in comm_ids], dtype=float)
    geoms = shapely.from_wkt([wkt for *_, wkt in grid_rows])
    shapely.prepare(geoms)
    comm_sub = [admin[c]["parent_id"] for c in comm_ids]
    comm_district = [admin[s]["parent_id"] if s in admin else None for s in comm_sub]

    roads: dict[int, list[str]] = {}
    places: dict[int, list[str]] = {}
    for name, kind, unit_id in Gazetteer.objects.order_by("id").values_list("name", "kind", "unit_id"):
        (roads if kind == Gazetteer.Kind.ROAD else places).setdefault(unit_id, []).append(name)
    sub_office = {u.area_id: u.pk for u in units.values() if u.kind == HandlingUnit.Kind.SUBDISTRICT and u.area_id}
    departments = [{"key": u.key, "name": u.name, "short": u.short_name} for u in units.values()
                   if u.kind in (HandlingUnit.Kind.DEPARTMENT, HandlingUnit.Kind.ENTERPRISE)]
    demo_handler = users["handler"]
    return _Reference(
        leaves=leaves, taxonomy=taxonomy, departments=departments,
        comm_ids=np.array(comm_ids), comm_weight=population / population.sum(),
        comm_grid_start=np.array(starts), comm_grid_count=np.array(counts),
        comm_sub=comm_sub, comm_district=comm_district, comm_names=[admin[c]["name"] for c in comm_ids],
        grid_ids=[r[0] for r in grid_rows], grid_geoms=geoms, grid_bounds=shapely.bounds(geoms),
        unit_names={k: v["name"] for k, v in admin.items()},
        roads={k: tuple(v) for k, v in roads.items()}, places={k: tuple(v) for k, v in places.items()},
        units=units, sub_office=sub_office,
        departments_ids=[u.pk for u in units.values() if u.kind == HandlingUnit.Kind.DEPARTMENT],
        handler_of=handler_of,
        demo_handler=demo_handler.pk if demo_handler.unit_id else None,
        demo_handler_unit=demo_handler.unit_id,
        operator=users["operator"].pk, dispatcher=users["dispatcher"].pk, supervisor=users["supervisor"].pk,
        citizen=users["citizen"].pk,
        citizen_name=(users["citizen"].first_name.split() or ["王小明"])[-1],
        gridworker=users["gridworker"].pk,
        gridworker_grids=frozenset(users["gridworker"].grids.values_list("pk", flat=True)),
    )


def _ensure_unit_handlers(units: list[HandlingUnit]) -> dict[int, int]:
    """One handler per handling unit (h-<unit key>, no usable password), who signs
    for and replies to that unit's demo tickets."""
    wanted = {f"h-{u.key}": u for u in units}
    existing = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
    missing = [name for name in wanted if name not in existing]
    if missing:
        User.objects.bulk_create([
            User(username=name, role=Role.HANDLER, unit=wanted[name], password=make_password(None),
                 first_name=f"承办人（{wanted[name].short_name or wanted[name].name}）")
            for name in missing])
        existing = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
    return {wanted[name].pk: pk for name, pk in existing.items()}


def _taxonomy_for_texts(units: dict[int, HandlingUnit]) -> list[dict]:
    """The categories as stored, in the shape TicketTextFactory reads (JSON taxonomy)."""
    nodes = {c.pk: c for c in Category.objects.all()}
    tree: dict[int, dict] = {}
    roots = []
    for c in sorted(nodes.values(), key=lambda c: (c.level, c.code)):
        node = {"code": c.code, "name": c.name, "children": []}
        if c.level == 3:
            department = "subdistrict" if c.route_to_subdistrict else (
                units[c.default_unit_id].key if c.default_unit_id in units else None)
            node.update(department=department, urgent=c.urgent, keywords=list(c.keywords),
                        request_types=list(c.request_types))
        tree[c.pk] = node
        parent = tree.get(c.parent_id)
        (parent["children"] if parent is not None else roots).append(node)
    return roots


# ----------------------------------------------------------------- the plan


@dataclass
class _Plan:
    seed: int
    count: int
    start: int
    as_of: int  # the end of the window: "now" for the simulation
    created: np.ndarray  # int64 seconds, sorted
    channel: np.ndarray  # int8
    month: np.ndarray  # int8, 0..11 (local)
    category_cdf: np.ndarray  # (channels, 12, leaves)
    type_cdf: np.ndarray  # (channels, leaves, types)
    callers: list[tuple[str, str, int]]  # repeat callers: name, phone, home community position
    caller_cdf: np.ndarray
    code_keys: tuple[int, ...]  # round keys of the permutation behind the codes


def _window(end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    try:
        first = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        first = end.replace(year=end.year - 1, day=28)
    start = dt.datetime.combine(first, dt.time(0), SHANGHAI).astimezone(UTC)
    stop = dt.datetime.combine(end, dt.time(0), SHANGHAI).astimezone(UTC)
    return start, stop


def _sec(value: dt.datetime) -> int:
    return (value - EPOCH) // dt.timedelta(seconds=1)


def _day_weight(day: dt.date) -> float:
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        is_holiday, name = not is_workday(day), None
    if is_holiday and name:  # a statutory holiday
        weight = _HOLIDAY
    elif not is_holiday and day.weekday() >= 5:  # a make-up working day (调休)
        weight = 1.0
    else:
        weight = _WEEKDAY[day.weekday()]
    return weight * _MONTH_VOLUME[day.month - 1]


def _make_plan(ref: _Reference, count: int, seed: int, end: dt.date) -> _Plan:
    rng = np.random.default_rng([seed, 2026_12345])
    start, stop = _window(end)
    days = (stop.astimezone(SHANGHAI).date() - start.astimezone(SHANGHAI).date()).days
    dates = [start.astimezone(SHANGHAI).date() + dt.timedelta(days=i) for i in range(days)]
    # A slow rise through the year (the hotline gets better known) on top of the calendar.
    weights = np.array([_day_weight(d) * (0.94 + 0.12 * i / max(days - 1, 1)) for i, d in enumerate(dates)])
    day_of = np.repeat(np.arange(days), rng.multinomial(count, weights / weights.sum()))
    channel = rng.choice(len(CHANNELS), size=count, p=CHANNEL_SHARE).astype(np.int8)
    hour = np.empty(count, dtype=np.int64)
    for ch, profile in _HOURLY.items():
        mask = channel == ch
        p = np.array(profile, dtype=float)
        hour[mask] = rng.choice(24, size=int(mask.sum()), p=p / p.sum())
    day_start = np.array([_sec(dt.datetime.combine(d, dt.time(0), SHANGHAI).astimezone(UTC)) for d in dates],
                         dtype=np.int64)
    created = day_start[day_of] + hour * HOUR + rng.integers(0, 3600, size=count)
    order = np.argsort(created, kind="stable")
    created, channel, day_of = created[order], channel[order], day_of[order]
    month = np.array([d.month - 1 for d in dates], dtype=np.int8)[day_of]

    category_cdf, type_cdf = _category_tables(ref, seed)
    n_callers = max(10, count // 60)
    caller_w = 1.0 / np.arange(1, n_callers + 1) ** 0.8
    callers = []
    homes = rng.choice(len(ref.comm_ids), size=n_callers, p=ref.comm_weight)
    names = _names(rng, n_callers)
    phones = _phones(rng, n_callers)
    for i in range(n_callers):
        callers.append((names[i], phones[i], int(homes[i])))
    return _Plan(seed=seed, count=count, start=_sec(start), as_of=_sec(stop), created=created, channel=channel,
                 month=month, category_cdf=category_cdf, type_cdf=type_cdf, callers=callers,
                 caller_cdf=np.cumsum(caller_w / caller_w.sum()),
                 code_keys=tuple(int(k) for k in rng.integers(1, 1 << 20, size=4)))


def _category_tables(ref: _Reference, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """P(category | channel, month) and P(request type | channel, category) as CDFs.

    Popularity is Zipf-like by rank (the commonest problems first, the rest in a
    seeded order), times the leaf's season; the request-type weights are calibrated
    so that the year's mix comes out near REQUEST_SHARE while every leaf keeps to its
    own request_types."""
    leaves = ref.leaves
    L, T, C = len(leaves), len(REQUEST_TYPES), len(CHANNELS)
    codes = [leaf.code for leaf in leaves]
    first = [codes.index(c) for c in _POPULAR if c in codes]
    rest = [i for i in range(L) if i not in set(first)]
    random.Random(seed).shuffle(rest)
    rank = np.empty(L)
    rank[first + rest] = np.arange(L)
    base = 1.0 / (rank + _ZIPF_Q) ** _ZIPF_S
    season = np.ones((12, L))
    for i, code in enumerate(codes):
        prefix = max((p for p in _SEASONS if code.startswith(p)), key=len, default=None)
        if prefix:
            season[:, i] = _SEASONS[prefix]
    mask = np.ones((C, L))
    for ch, allowed in ((VIDEO, _VIDEO), (GRID, _GRID)):
        m = np.array([code in allowed for code in codes], dtype=float)
        if m.any():
            mask[ch] = m
    cat_p = base[None, None, :] * season[None, :, :] * mask[:, None, :]  # (C, 12, L)
    cat_p /= cat_p.sum(axis=2, keepdims=True)

    allowed = np.zeros((L, T))
    for i, leaf in enumerate(leaves):
        allowed[i, list(leaf.request_types)] = 1.0
    chan_mult = np.ones((C, T))
    for ch, mult in _CHANNEL_TYPES.items():
        chan_mult[ch] = mult
    year_p = cat_p.mean(axis=1) * np.array(CHANNEL_SHARE)[:, None]  # P(channel, category)
    w = np.array(REQUEST_SHARE, dtype=float)
    target = np.array(REQUEST_SHARE)
    for _ in range(60):
        cond = _type_conditionals(w, chan_mult, allowed)  # (C, L, T)
        marginal = np.einsum("cl,clt->t", year_p, cond)
        w = w * np.where(marginal > 0, target / np.maximum(marginal, 1e-12), 1.0)
    cond = _type_conditionals(w, chan_mult, allowed)
    return np.cumsum(cat_p, axis=2), np.cumsum(cond, axis=2)


def _type_conditionals(w, chan_mult, allowed) -> np.ndarray:
    raw = w[None, None, :] * chan_mult[:, None, :] * allowed[None, :, :]
    fallback = allowed[None, :, :] * np.ones_like(chan_mult)[:, None, :]
    total = raw.sum(axis=2, keepdims=True)
    raw = np.where(total > 0, raw, fallback)
    return raw / raw.sum(axis=2, keepdims=True)


def _pick(cdf_rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise inverse CDF: for each row, the first index whose CDF exceeds u."""
    picks = (cdf_rows < u[:, None]).sum(axis=1)
    return np.minimum(picks, cdf_rows.shape[1] - 1)


_SURNAME_W = 1.0 / np.arange(1, len(_SURNAMES) + 1) ** 0.9


def _names(rng: np.random.Generator, n: int) -> list[str]:
    surname = rng.choice(len(_SURNAMES), size=n, p=_SURNAME_W / _SURNAME_W.sum())
    style = rng.random(n)
    g1 = rng.integers(0, len(_GIVEN), size=n)
    g2 = rng.integers(0, len(_GIVEN), size=n)
    out = []
    for s, st, a, b in zip(surname.tolist(), style.tolist(), g1.tolist(), g2.tolist()):
        family = _SURNAMES[s]
        if st < 0.28:  # gives only the surname: 王女士, 李先生
            out.append(family + ("女士" if a % 2 else "先生"))
        elif st < 0.55:
            out.append(family + _GIVEN[a])
        else:
            out.append(family + _GIVEN[a] + _GIVEN[b])
    return out


def _phones(rng: np.random.Generator, n: int) -> list[str]:
    prefix = rng.integers(0, len(_MOBILE_PREFIXES), size=n).tolist()
    rest = rng.integers(0, 100_000_000, size=n).tolist()
    return [f"{_MOBILE_PREFIXES[p]}{r:08d}" for p, r in zip(prefix, rest)]


def _points_in_grids(rng: np.random.Generator, ref: _Reference, grid_pos: np.ndarray):
    """A uniform random point inside each given grid (rejection sampling in the
    bounding boxes, all tickets at once with shapely.contains_xy), rounded to 6
    decimals (~0.1 m) and checked again after rounding."""
    n = len(grid_pos)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    todo = np.arange(n)
    for _attempt in range(40):
        if not len(todo):
            break
        b = ref.grid_bounds[grid_pos[todo]]
        x = np.round(b[:, 0] + rng.random(len(todo)) * (b[:, 2] - b[:, 0]), 6)
        y = np.round(b[:, 1] + rng.random(len(todo)) * (b[:, 3] - b[:, 1]), 6)
        inside = shapely.contains_xy(ref.grid_geoms[grid_pos[todo]], x, y)
        lon[todo[inside]], lat[todo[inside]] = x[inside], y[inside]
        todo = todo[~inside]
    for i in todo.tolist():  # a sliver of a grid: its representative point
        p = shapely.get_coordinates(shapely.point_on_surface(ref.grid_geoms[grid_pos[i]]))[0]
        lon[i], lat[i] = p[0], p[1]
    return lon.tolist(), lat.tolist()


# ----------------------------------------------------------------- writing


def _iso(seconds: int | None) -> str | None:
    """datetime.isoformat() of the aware UTC datetime, as the services put in audit data."""
    return None if seconds is None else (EPOCH + dt.timedelta(seconds=seconds)).isoformat()


TICKET_FIELDS = [
    "id", "code", "channel", "request_type", "category_id", "title", "description", "address", "lat", "long",
    "grid_id", "community_id", "subdistrict_id", "district_id", "reporter_name", "reporter_phone",
    "reporter_email", "reporter_id", "received_by_id", "attributes", "status", "lead_unit_id", "created_at",
    "updated_at", "dispatched_at", "accepted_at", "resolved_at", "closed_at", "accept_due_at", "resolve_due_at",
    "reply", "callback_rating", "callback_resolved", "callback_at", "duplicate_of_id", "invalid_reason",
    "return_count", "extension_count", "reopen_count",
]
ASSIGNMENT_FIELDS = ["ticket_id", "unit_id", "role", "state", "dispatched_at", "accepted_at", "reported_at",
                     "report"]
EXTENSION_FIELDS = ["id", "ticket_id", "requested_by_id", "requested_at", "days", "reason", "state",
                    "decided_by_id", "decided_at", "decision_note"]
EVENT_FIELDS = ["at", "actor_id", "action", "target_type", "target_id", "from_state", "to_state", "note", "data"]
EXT_MARK = "\x00"  # stands for the extension's id in audit data until the parent assigns it


# ----------------------------------------------------------------- codes


_MASK20 = np.uint64((1 << 20) - 1)


def _code_tails(keys: tuple[int, ...], numbers: np.ndarray) -> list[str]:
    """8 Crockford characters (40 bits) per number: a keyed Feistel permutation of the
    number, so distinct numbers give distinct, random-looking codes."""
    x = numbers.astype(np.uint64)
    left, right = (x >> np.uint64(20)) & _MASK20, x & _MASK20
    for key in keys + keys[::-1]:
        mixed = ((right ^ np.uint64(key)) * np.uint64(0x9E3779B1)) >> np.uint64(13)
        left, right = right, left ^ (mixed & _MASK20)
    value = (left << np.uint64(20)) | right
    shifts = np.arange(35, -1, -5, dtype=np.uint64)
    digits = ((value[:, None] >> shifts[None, :]) & np.uint64(31)).astype(np.intp)
    chars = np.array(list(CODE_ALPHABET), dtype="<U1")[digits]
    return np.ascontiguousarray(chars).view("<U8").ravel().tolist()


# ----------------------------------------------------------------- one chunk


@dataclass
class _Batch:
    tickets: list[tuple] = field(default_factory=list)
    assignments: list[tuple] = field(default_factory=list)
    extensions: list[tuple] = field(default_factory=list)  # ids local to the chunk (0, 1, ...)
    events: list[tuple] = field(default_factory=list)
    extension_events: list[tuple[int, int]] = field(default_factory=list)  # (event index, local extension id)


class _Simulator:
    """Makes chunk after chunk; each chunk depends only on the plan and its number."""

    def __init__(self, ref: _Reference, plan: _Plan, first_ticket_id: int, existing_codes: set[str]):
        self.ref = ref
        self.plan = plan
        self.first_ticket_id = first_ticket_id
        self.existing_codes = existing_codes
        self.calendar = services.work_calendar()
        self.reopen_on_unsatisfied = settings.SHIYU_REOPEN_ON_UNSATISFIED
        self.reopen_note = gettext("Unsatisfied at callback.")
        self.unit_kind = {pk: u.kind for pk, u in ref.units.items()}
        self.local_workdays: dict[int, bool] = {}
        self.day_codes: dict[int, str] = {}

    # -- time helpers (int seconds, UTC) -------------------------------------

    def deadlines(self, leaf: _Leaf, at: int) -> tuple[int, int]:
        accept_due, resolve_due = services._deadlines(leaf.category, EPOCH + dt.timedelta(seconds=at))
        return _sec(accept_due), _sec(resolve_due)

    def add_working_days(self, at: int, days: int) -> int:
        return _sec(self.calendar.add_working_days(EPOCH + dt.timedelta(seconds=at), days))

    def workday(self, local_day: int) -> bool:
        known = self.local_workdays.get(local_day)
        if known is None:
            known = self.local_workdays[local_day] = is_workday(dt.date(1970, 1, 1) + dt.timedelta(days=local_day))
        return known

    def office(self, at: int, rnd: random.Random, latest: int | None = None) -> int:
        """`at` if it is in office hours (08:30-18:00 on a working day), else a time in
        the next working period that is not after `latest` (else `at` as it is)."""
        day, second = divmod(at + LOCAL_OFFSET, DAY)
        if 30600 <= second <= 64800 and self.workday(day):
            return at
        if second > 64800 or not self.workday(day):
            day += 1
        while not self.workday(day):
            day += 1
        opening = day * DAY + 30600 - LOCAL_OFFSET
        closing = opening + 34200
        if latest is not None and latest < closing:
            closing = latest
        if closing <= opening:
            return at
        return opening + int(rnd.random() * (closing - opening))

    def daytime(self, at: int, rnd: random.Random, spread: int = 2 * HOUR) -> int:
        """The hotline's own staff (dispatch, callbacks) work 08:00-21:00 every day: a
        time at night moves into the next morning's first `spread` seconds."""
        day, second = divmod(at + LOCAL_OFFSET, DAY)
        if 28800 <= second <= 75600:
            return at
        if second > 75600:
            day += 1
        return day * DAY + 28800 + int(rnd.random() * spread) - LOCAL_OFFSET

    def local_yymmdd(self, at: int) -> str:
        day = (at + LOCAL_OFFSET) // DAY
        text = self.day_codes.get(day)
        if text is None:
            text = self.day_codes[day] = (dt.date(1970, 1, 1) + dt.timedelta(days=day)).strftime("%y%m%d")
        return text

    def codes(self, lo: int, hi: int) -> list[str]:
        plan = self.plan
        tails = _code_tails(plan.code_keys, np.arange(lo, hi))
        codes = [self.local_yymmdd(t) + tail for t, tail in zip(plan.created[lo:hi].tolist(), tails)]
        if self.existing_codes:  # tickets already there (another run): numbers past `count` are free
            for i, code in enumerate(codes):
                k = 1
                while code in self.existing_codes:
                    code = code[:6] + _code_tails(plan.code_keys, np.array([lo + i + k * plan.count]))[0]
                    k += 1
                codes[i] = code
        return codes

    # -- the chunk ------------------------------------------------------------

    def chunk(self, chunk_no: int) -> _Batch:
        ref, plan = self.ref, self.plan
        lo, hi = chunk_no * CHUNK, min((chunk_no + 1) * CHUNK, plan.count)
        n = hi - lo
        rng = np.random.default_rng([plan.seed, 7, chunk_no])
        rnd = random.Random(plan.seed * 1_000_003 + chunk_no)
        texts = TicketTextFactory(ref.taxonomy, seed=plan.seed * 7_919 + chunk_no, departments=ref.departments)
        channel = plan.channel[lo:hi]
        month = plan.month[lo:hi]

        cat = _pick(plan.category_cdf[channel, month], rng.random(n))
        rtype = _pick(plan.type_cdf[channel, cat], rng.random(n))
        # Where: by community population; repeat callers mostly from home.
        comm = rng.choice(len(ref.comm_ids), size=n, p=ref.comm_weight)
        repeat = (rng.random(n) < P_REPEAT_CALLER) & np.isin(channel, (HOTLINE, APP, WEB))
        who = np.minimum(np.searchsorted(plan.caller_cdf, rng.random(n)), len(plan.callers) - 1)
        home = np.array([plan.callers[w][2] for w in who.tolist()], dtype=np.int64)
        comm = np.where(repeat & (rng.random(n) < 0.7), home, comm)
        grid_pos = ref.comm_grid_start[comm] + (rng.random(n) * ref.comm_grid_count[comm]).astype(np.int64)
        names = _names(rng, n)
        phones = _phones(rng, n)
        path = rng.random(n).tolist()
        codes = self.codes(lo, hi)

        # Duplicates repeat an earlier ticket of the chunk: its category, type and grid.
        channel_l = channel.tolist()
        cat_l, rtype_l, grid_l, comm_l = cat.tolist(), rtype.tolist(), grid_pos.tolist(), comm.tolist()
        duplicate_of: dict[int, int] = {}
        plain: list[int] = []  # tickets that can be duplicated: neither duplicates nor invalid
        for i, u in enumerate(path):
            if u < P_DUPLICATE and channel_l[i] != VIDEO and plain:
                j = plain[max(0, len(plain) - 1 - int(rnd.random() * 150))]
                duplicate_of[i] = j
                cat_l[i], rtype_l[i], grid_l[i], comm_l[i] = cat_l[j], rtype_l[j], grid_l[j], comm_l[j]
            elif u >= P_DUPLICATE + P_INVALID:
                plain.append(i)
        lon, lat = _points_in_grids(rng, ref, np.array(grid_l, dtype=np.int64))

        batch = _Batch()
        first_id = self.first_ticket_id + lo
        created_l, repeat_l, who_l = plan.created[lo:hi].tolist(), repeat.tolist(), who.tolist()
        leaves = ref.leaves
        for i in range(n):
            if repeat_l[i]:
                name, phone, _home = plan.callers[who_l[i]]
            else:
                name, phone = names[i], phones[i]
            target = duplicate_of.get(i)
            self.ticket(batch, texts, rnd, first_id + i, codes[i], created_l[i], channel_l[i], leaves[cat_l[i]],
                        rtype_l[i], grid_l[i], comm_l[i], lat[i], lon[i], name, phone, path[i],
                        None if target is None else (first_id + target, codes[target]))
        return batch

    # -- one ticket ---------------------------------------------------------

    def ticket(self, batch: _Batch, texts: TicketTextFactory, rnd: random.Random, tid: int, code: str, t0: int,
               channel: int, leaf: _Leaf, rtype: int, grid_pos: int, comm_pos: int, lat: float, lon: float,
               name: str, phone: str, path: float, duplicate: tuple[int, str] | None) -> None:
        """Simulate one ticket from intake until it is final or the window ends, and
        append its rows to the batch."""
        ref = self.ref
        r = rnd.random
        as_of = self.plan.as_of
        events = batch.events
        append = events.append
        sub_id = ref.comm_sub[comm_pos]
        community_id = int(ref.comm_ids[comm_pos])
        grid_id = ref.grid_ids[grid_pos]
        request_type = REQUEST_TYPES[rtype]
        channel_name = CHANNELS[channel]

        # Who took it in, who reported it.
        reporter_id = received_by = None
        email = ""
        if channel in (VIDEO, OPEN311):
            actor = None
            if channel == VIDEO:
                name = phone = ""
            elif r() < 0.6:
                email = f"r{code[-6:].lower()}@example.com"
        elif channel in (APP, WEB) and r() < 0.06:
            actor = reporter_id = ref.citizen
            name = ref.citizen_name
        elif channel == GRID and grid_id in ref.gridworker_grids:
            actor = received_by = ref.gridworker
        else:
            actor = received_by = ref.operator
        roads = ref.roads.get(sub_id) or ("示范路",)
        places = ref.places.get(community_id) or (ref.comm_names[comm_pos],)
        road, place = roads[int(r() * len(roads))], places[int(r() * len(places))]
        title, description = texts.ticket(leaf.code, request_type, place, road)
        address = self._address(r, sub_id, comm_pos, road, place, roads)

        # The ticket's state, as the services would leave it.
        status = "received"
        lead = None
        dispatched_at = accepted_at = resolved_at = closed_at = accept_due = resolve_due = None
        reply = rating = invalid_reason = ""
        cb_resolved = cb_at = duplicate_id = None
        returns = extensions = reopens = 0
        assignments: list[list] = []  # [unit, role, state, dispatched, accepted, reported, report]

        def event(at, actor_id, action, before, after, note="", data="{}"):
            append((at, actor_id, action, "ticket", tid, before, after, note, data))

        event(t0, actor, "ticket.create", "", "received", data=f'{{"channel": "{channel_name}"}}')
        t = t0

        def sign_for(unit_id, actor_id, at, due):
            """What services.sign_for writes when the lead unit signs for (from dispatched)."""
            for a in assignments:
                if a[1] == "lead" and a[0] == unit_id and a[2] == "dispatched":
                    a[2], a[4] = "accepted", at
            event(at, actor_id, "ticket.accept", "dispatched", "accepted", "",
                  f'{{"unit": {unit_id}, "on_time": {_js(at <= due)}}}')

        def handler(unit_id):
            if unit_id == ref.demo_handler_unit and ref.demo_handler and r() < P_DEMO_HANDLER:
                return ref.demo_handler
            return ref.handler_of.get(unit_id)

        while True:  # a block to break out of when the window ends
            if P_DUPLICATE <= path < P_DUPLICATE + P_INVALID:  # nothing to act on
                t1 = t + int((2 + r() * 40) * MINUTE)
                if t1 > as_of:
                    break
                invalid_reason = texts.invalid_reason()[:200]
                closed_at = t = t1
                event(t, ref.operator, "ticket.mark_invalid", status, "invalid", invalid_reason)
                status = "invalid"
                break
            if duplicate is not None:
                t1 = t + int((5 + r() * 180) * MINUTE)
                if t1 > as_of:
                    break
                t = t1
                duplicate_id, into_code = duplicate
                event(t, ref.operator, "ticket.merge", status, "merged", "",
                      f'{{"into": {duplicate_id}, "into_code": "{into_code}"}}')
                append((t, ref.operator, "ticket.merged_in", "ticket", duplicate_id, "", "", "",
                        f'{{"from": {tid}, "from_code": "{code}"}}'))
                status = "merged"
                break
            if rtype == ENQUIRY and channel in (HOTLINE, APP, WEB, OPEN311) and r() < P_ANSWER_DIRECTLY:
                wait = (2 + r() * 12) * MINUTE if channel == HOTLINE else rnd.lognormvariate(math.log(3), 0.9) * HOUR
                t1 = self.daytime(t + int(wait), rnd) if channel != HOTLINE else t + int(wait)
                if t1 > as_of:
                    break
                reply = _DIRECT_ANSWERS[int(r() * len(_DIRECT_ANSWERS))].format(topic=_topic(leaf.name))
                resolved_at = closed_at = t = t1
                event(t, ref.operator, "ticket.answer_directly", status, "closed", reply)
                status = "closed"
                break

            # -- dispatch (and perhaps a return and a second dispatch)
            right_unit = self._lead_unit(leaf, sub_id)
            if right_unit is None:
                break  # no unit to send it to: it waits for the dispatcher
            returned = r() < P_RETURN
            first_unit = right_unit
            if returned and r() < P_RETURN_WRONG_UNIT:
                first_unit = self._wrong_unit(right_unit, sub_id, rnd)
            rounds = 2 if returned else 1
            stop = False
            for round_no in range(rounds):
                unit = first_unit if round_no == 0 else right_unit
                if leaf.urgent:
                    t1 = t + int((3 + r() * 25) * MINUTE)
                else:
                    t1 = self.daytime(t + int(rnd.lognormvariate(math.log(40), 0.8) * MINUTE), rnd)
                if t1 > as_of:
                    stop = True
                    break
                t = t1
                assists = self._assists(unit, sub_id, rnd) if r() < P_ASSIST else []
                lead = unit
                dispatched_at = t
                accepted_at = None
                accept_due, resolve_due = self.deadlines(leaf, t)
                for role, u in [("lead", unit)] + [("assist", a) for a in assists]:
                    assignments.append([u, role, "dispatched", t, None, None, ""])
                assist_json = ", ".join(str(a) for a in assists)
                event(t, ref.dispatcher, "ticket.dispatch", status, "dispatched", "",
                      f'{{"lead_unit": {unit}, "assist_units": [{assist_json}]}}')
                status = "dispatched"
                if round_no == rounds - 1:
                    break
                # The unit sends it back, before or just after signing for it.
                lead_handler = handler(unit)
                if r() < 0.3:
                    t1 = self._accept_time(leaf, t, accept_due, False, rnd)
                    if t1 > as_of:
                        stop = True
                        break
                    t = accepted_at = t1
                    sign_for(unit, lead_handler, t, accept_due)
                    status = "accepted"
                t1 = self.office(t + int(rnd.lognormvariate(math.log(2.5), 0.9) * HOUR), rnd)
                if t1 > as_of:
                    stop = True
                    break
                t = t1
                reason = texts.return_reason()[:500]
                for a in assignments:
                    if a[2] not in ("returned", "withdrawn"):
                        a[2] = "withdrawn"
                for a in assignments:
                    if a[0] == unit and a[1] == "lead":
                        a[2] = "returned"
                lead = None
                accept_due = resolve_due = None
                returns += 1
                event(t, lead_handler, "ticket.return", status, "returned", reason, f'{{"unit": {unit}}}')
                status = "returned"
            if stop:
                break

            # -- sign for, work, reply
            lead_handler = handler(lead)
            t1 = self._accept_time(leaf, t, accept_due, r() < P_ACCEPT_LATE, rnd)
            if t1 > as_of:
                break
            t = accepted_at = t1
            sign_for(lead, lead_handler, t, accept_due)
            status = "accepted"
            active_assists = [a for a in assignments if a[1] == "assist" and a[2] == "dispatched"]
            for a in active_assists:
                t1 = t + int((10 + r() * 240) * MINUTE)
                if t1 > as_of:
                    stop = True
                    break
                t = a[4] = t1
                a[2] = "accepted"
                event(t, handler(a[0]), "ticket.assist_accept", status, status, "", f'{{"unit": {a[0]}}}')
            if stop:
                break
            if r() < P_START:
                t1 = self.office(t + int(rnd.lognormvariate(math.log(1.5), 1.0) * HOUR), rnd,
                                 latest=resolve_due)
                if t1 > as_of:
                    break
                t = t1
                event(t, lead_handler, "ticket.start", status, "in_progress")
                status = "in_progress"
            if r() < P_EXTENSION and resolve_due > t:
                t1 = t + int((0.2 + 0.5 * r()) * (resolve_due - t))
                if t1 > as_of:
                    break
                t = t1
                days = 3 + int(r() * 13)
                ext_id = len(batch.extensions)
                reason = texts.extension_reason()[:500]
                batch.extension_events.append((len(events), ext_id))
                event(t, lead_handler, "ticket.request_extension", status, status, reason,
                      f'{{"extension": {EXT_MARK}, "days": {days}}}')
                requested_at = t
                t1 = self.office(t + int(rnd.lognormvariate(math.log(5), 0.8) * HOUR), rnd)
                if t1 > as_of:
                    batch.extensions.append((ext_id, tid, lead_handler, requested_at, days, reason, "pending",
                                             None, None, ""))
                    break
                t = t1
                approved = r() < P_EXTENSION_APPROVED
                old_due = resolve_due
                if approved:
                    resolve_due = self.add_working_days(resolve_due, days)
                    extensions += 1
                    note = _DECISIONS_APPROVED[int(r() * len(_DECISIONS_APPROVED))]
                else:
                    note = _DECISIONS_REJECTED[int(r() * len(_DECISIONS_REJECTED))]
                batch.extensions.append((ext_id, tid, lead_handler, requested_at, days, reason,
                                         "approved" if approved else "rejected", ref.supervisor, t, note))
                batch.extension_events.append((len(events), ext_id))
                event(t, ref.supervisor, "ticket.decide_extension", status, status, note,
                      f'{{"extension": {EXT_MARK}, "approved": {_js(approved)}, "old_due": "{_iso(old_due)}", '
                      f'"new_due": "{_iso(resolve_due)}"}}')
            # When the reply will come: the assisting units report before it.
            t_resolve = self._resolve_time(leaf, t, resolve_due, rnd)
            for a in assignments:
                if a[1] == "assist" and a[2] == "accepted":
                    t1 = t + int(r() * 0.8 * max(t_resolve - t, 0))
                    if t1 > as_of:
                        stop = True
                        break
                    t = a[5] = t1
                    a[2] = "reported"
                    a[6] = _ASSIST_REPORTS[int(r() * len(_ASSIST_REPORTS))]
                    event(t, handler(a[0]), "ticket.assist_report", status, status, a[6], f'{{"unit": {a[0]}}}')
            if stop:
                break

            # -- reply, callback, perhaps reopen and reply again, close
            while True:
                t1 = max(t_resolve, t + MINUTE)
                if t1 > as_of:
                    stop = True
                    break
                t = resolved_at = t1
                u_rating = r()
                cdf = RATING_CDF if reopens == 0 else RATING_CDF_AGAIN
                rating_next = 0 if u_rating < cdf[0] else 1 if u_rating < cdf[1] else 2
                if reopens >= MAX_REOPENS and rating_next == 2:
                    rating_next = 1
                reply = texts.reply(leaf.code, rating_next != 2 or r() < 0.4)
                for a in assignments:
                    if a[1] == "lead" and a[0] == lead and a[2] in ("dispatched", "accepted", "reported"):
                        a[2], a[5], a[6] = "reported", t, reply
                event(t, lead_handler, "ticket.resolve", status, "resolved", reply,
                      f'{{"on_time": {_js(t <= resolve_due)}}}')
                status = "resolved"
                if r() >= P_CALLBACK:  # nobody answered the callback: closed after a few days
                    t1 = self.daytime(t + int((2 + 2 * r()) * DAY), rnd)
                    if t1 > as_of:
                        stop = True
                        break
                    t = closed_at = t1
                    note = _CLOSE_UNREACHED[int(r() * len(_CLOSE_UNREACHED))]
                    event(t, ref.operator, "ticket.close", status, "closed", note)
                    status = "closed"
                    break
                t1 = self.daytime(t + int(rnd.lognormvariate(math.log(20), 0.7) * HOUR), rnd, 13 * HOUR)
                if t1 > as_of:
                    stop = True
                    break
                t = cb_at = t1
                rating = RATINGS[rating_next]
                cb_resolved = (r() < 0.95) if rating_next == 0 else (r() < 0.75) if rating_next == 1 else (
                    r() < 0.15)
                note = texts.callback_note(rating)[:500]
                event(t, ref.operator, "ticket.callback", status, "callback", note,
                      f'{{"rating": "{rating}", "resolved": {_js(cb_resolved)}}}')
                status = "callback"
                if rating_next == 2 and self.reopen_on_unsatisfied:
                    reopens += 1
                    resolved_at = None
                    resolve_due = self.deadlines(leaf, t)[1]
                    event(t, ref.operator, "ticket.reopen", status, "in_progress", self.reopen_note)
                    status = "in_progress"
                    t_resolve = self._resolve_time(leaf, t, resolve_due, rnd)
                    continue
                t1 = t + int(r() * 4 * HOUR)
                if t1 > as_of:
                    stop = True
                    break
                t = closed_at = t1
                closer = ref.supervisor if r() < 0.2 else ref.operator
                event(t, closer, "ticket.close", status, "closed", _CLOSE_NOTES[int(r() * len(_CLOSE_NOTES))])
                status = "closed"
                break
            break

        for a in assignments:
            batch.assignments.append((tid, *a))
        batch.tickets.append((
            tid, code, channel_name, request_type, leaf.id, title[:100], description, address[:200], lat, lon,
            grid_id, community_id, sub_id, ref.comm_district[comm_pos], name, phone, email, reporter_id,
            received_by, "{}", status, lead, t0, t, dispatched_at, accepted_at, resolved_at, closed_at,
            accept_due, resolve_due, reply, rating, cb_resolved, cb_at, duplicate_id, invalid_reason, returns,
            extensions, reopens,
        ))

    # -- pieces ---------------------------------------------------------------

    def _address(self, r, sub_id, comm_pos, road, place, roads) -> str:
        names = self.ref.unit_names
        prefix = (names.get(self.ref.comm_district[comm_pos], "") + names.get(sub_id, ""))
        u = r()
        if u < 0.45:
            if place.endswith(_RESIDENTIAL):
                return f"{prefix}{place}{1 + int(r() * 24)}号楼{1 + int(r() * 6)}单元"
            return f"{prefix}{place}"
        if u < 0.85 or len(roads) < 2:
            return f"{prefix}{road}{1 + int(r() * 300)}号"
        other = roads[int(r() * len(roads))]
        if other == road:
            return f"{prefix}{road}{1 + int(r() * 300)}号附近"
        return f"{prefix}{road}与{other}交叉口"

    def _lead_unit(self, leaf: _Leaf, sub_id: int) -> int | None:
        if leaf.to_subdistrict or leaf.unit_id is None or leaf.unit_id not in self.ref.units:
            return self.ref.sub_office.get(sub_id) or (leaf.unit_id if leaf.unit_id in self.ref.units else None)
        return leaf.unit_id

    def _wrong_unit(self, right: int, sub_id: int, rnd: random.Random) -> int:
        """Where a ticket goes by mistake: the local office instead of a department, or
        a department instead of the local office (or another department)."""
        ref = self.ref
        office = ref.sub_office.get(sub_id)
        if self.unit_kind.get(right) != HandlingUnit.Kind.SUBDISTRICT and office and rnd.random() < 0.6:
            return office
        choices = [d for d in ref.departments_ids if d != right]
        return rnd.choice(choices) if choices else right

    def _assists(self, lead: int, sub_id: int, rnd: random.Random) -> list[int]:
        ref = self.ref
        out = []
        office = ref.sub_office.get(sub_id)
        if self.unit_kind.get(lead) != HandlingUnit.Kind.SUBDISTRICT and office:
            out.append(office)
        choices = [d for d in ref.departments_ids if d != lead and d not in out]
        want = 1 if rnd.random() < 0.7 else 2
        while len(out) < want and choices:
            out.append(choices.pop(int(rnd.random() * len(choices))))
        return out

    def _accept_time(self, leaf: _Leaf, dispatched: int, due: int, late: bool, rnd: random.Random) -> int:
        if late:
            at = due + int(rnd.lognormvariate(math.log(2.5), 1.0) * HOUR) + MINUTE
            return at if leaf.urgent else self.office(at, rnd)
        span = max(due - dispatched, MINUTE)
        at = dispatched + max(int(rnd.betavariate(1.2, 3.5) * span), 30)
        return at if leaf.urgent else self.office(at, rnd, latest=due)

    def _resolve_time(self, leaf: _Leaf, start: int, due: int, rnd: random.Random) -> int:
        u = rnd.random()
        if u < P_HARD_CASE:
            return due + int((10 + rnd.random() * 50) * DAY)
        if u < P_HARD_CASE + P_RESOLVE_LATE:
            return self.office(due + int(rnd.lognormvariate(math.log(1.5), 0.9) * DAY), rnd)
        span = max(due - start, HOUR)
        at = start + max(int(rnd.betavariate(1.6, 2.4) * span), 10 * MINUTE)
        return at if leaf.urgent else self.office(at, rnd, latest=due)


def _js(value: bool) -> str:
    return "true" if value else "false"


def _topic(name: str) -> str:
    for suffix in ("咨询", "申请", "办理", "问题"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


# ----------------------------------------------------------------- making chunks in parallel

_worker_simulator: _Simulator | None = None


def _work(chunk_no: int) -> _Batch:
    return _worker_simulator.chunk(chunk_no)


def _start_workers(simulator: _Simulator, workers: int):
    """Fork the workers now, before this process opens a database connection again:
    they inherit the simulator and never touch the database."""
    global _worker_simulator
    connection.close()
    _worker_simulator = simulator
    try:
        return multiprocessing.get_context("fork").Pool(workers)
    finally:
        _worker_simulator = None


def _batches(simulator: _Simulator, chunks: int, pool, workers: int):
    """The chunks in order: made here, or by the pool's workers while the caller
    writes, at most a few chunks ahead (memory stays bounded)."""
    if pool is None:
        for chunk_no in range(chunks):
            yield simulator.chunk(chunk_no)
        return
    pending = []
    next_chunk = 0
    while next_chunk < chunks or pending:
        while next_chunk < chunks and len(pending) < workers + 1:
            pending.append(pool.apply_async(_work, (next_chunk,)))
            next_chunk += 1
        yield pending.pop(0).get()


def _default_workers(count: int) -> int:
    """Processes that make chunks while this one writes: worth it for big runs only,
    and only where fork is available."""
    setting = os.environ.get("SHIYU_DEMO_WORKERS")
    if setting is not None:
        return max(0, int(setting))
    if count < 4 * CHUNK or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(1, min((os.cpu_count() or 1) - 1, 3))


# ----------------------------------------------------------------- entry point


def generate_tickets(count: int, seed: int = 2026, progress: bool = False, end: dt.date | None = None) -> int:
    """Write `count` tickets created over the twelve months before `end` (default:
    today in Asia/Shanghai) into the city already loaded; returns how many.

    Chunks are made in worker processes for big runs (SHIYU_DEMO_WORKERS=n to choose,
    0 for none); the result is the same either way."""
    if count <= 0:
        return 0
    end = end or dt.datetime.now(SHANGHAI).date()
    ref = _load_reference()
    plan = _make_plan(ref, count, seed, end)
    tables = {
        # JSON (attributes, audit data) is written here as its text already.
        "tickets": BulkTable(Ticket, TICKET_FIELDS, epoch_seconds=True, as_stored=["attributes"]),
        "assignments": BulkTable(Assignment, ASSIGNMENT_FIELDS, epoch_seconds=True),
        "extensions": BulkTable(Extension, EXTENSION_FIELDS, epoch_seconds=True),
        "events": BulkTable(AuditEvent, EVENT_FIELDS, epoch_seconds=True, as_stored=["data"]),
    }
    with transaction.atomic():
        first_ticket, next_extension = _next_id(tables["tickets"]), _next_id(tables["extensions"])
        existing = _existing_codes(plan)
    simulator = _Simulator(ref, plan, first_ticket, existing)
    chunks = -(-count // CHUNK)
    # Forking means closing this connection first: not inside a transaction, and not
    # for an in-memory SQLite database, which would vanish with it.
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    workers = 0 if connection.in_atomic_block or in_memory else _default_workers(count)
    pool = _start_workers(simulator, workers) if workers else None

    from tqdm import tqdm

    bar = tqdm(total=count, desc="tickets", unit="ticket", unit_scale=True, disable=not progress)
    try:
        with large_cache(256):
            for batch in _batches(simulator, chunks, pool, workers):
                next_extension = _assign_extension_ids(batch, next_extension)
                with transaction.atomic():
                    for name in ("tickets", "assignments", "extensions", "events"):
                        tables[name].write(getattr(batch, name))
                bar.update(len(batch.tickets))
                del batch
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        bar.close()
    if connection.vendor == "postgresql":
        _reset_sequences()
    refresh_statistics(table.model for table in tables.values())
    return count


def _next_id(table: BulkTable) -> int:
    """The first free id (after the AUTOINCREMENT counter on SQLite); ids are then
    assigned here and PostgreSQL's sequences reset at the end."""
    if connection.vendor == "sqlite":
        return reserve_ids(table.model, 1)[0]
    return table.max_id() + 1


def _existing_codes(plan: _Plan) -> set[str]:
    """Codes already taken on the window's days (an earlier run, real tickets)."""
    return set(Ticket.objects.filter(code__gte=_yymmdd(plan.start), code__lt=_yymmdd(plan.as_of) + "~")
               .values_list("code", flat=True))


def _assign_extension_ids(batch: _Batch, next_id: int) -> int:
    batch.extensions = [(next_id + row[0], *row[1:]) for row in batch.extensions]
    for index, local in batch.extension_events:
        row = batch.events[index]
        batch.events[index] = (*row[:-1], row[-1].replace(EXT_MARK, str(next_id + local)))
    return next_id + len(batch.extensions)


def _yymmdd(seconds: int) -> str:
    return (EPOCH + dt.timedelta(seconds=seconds)).astimezone(SHANGHAI).strftime("%y%m%d")


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, Assignment, Extension, AuditEvent]):
            cursor.execute(sql)

"""Shared fixtures: one small city, loaded once per test session into the test
database, with one user per role. Tests run in transactions that roll back."""
import json
import types

import pytest
import shapely
from django.conf import settings

SMALL_CITY = dict(seed=7, districts=2, subdistricts=4, communities=12, grids=40)

USERS = [
    # username, role, unit key (handlers)
    ("citizen", "citizen", None),
    ("citizen2", "citizen", None),
    ("operator", "operator", None),
    ("operator2", "operator", None),
    ("dispatcher", "dispatcher", None),
    ("handler", "handler", "urban_management"),
    ("handler2", "handler", "housing"),
    ("subhandler", "handler", "subdistrict"),  # the first subdistrict's office
    ("gridworker", "gridworker", None),
    ("supervisor", "supervisor", None),
    ("leader", "leader", None),
    ("admin", "admin", None),
]


def _build_small_city():
    from shiyu.core.models import User
    from shiyu.demo.city import load_city
    from shiyu.geo.citygen import generate_city
    from shiyu.geo.locate import forget_index
    from shiyu.geo.models import AdminUnit, Grid
    from shiyu.org.models import HandlingUnit
    from shiyu.org.services import load_departments
    from shiyu.tickets.reference import load_taxonomy, read_taxonomy

    plan = generate_city(**SMALL_CITY)
    units = load_city(plan)
    departments = settings.BASE_DIR / "org" / "data" / "departments.json"
    load_departments(json.loads(departments.read_text(encoding="utf-8")), city=units[plan.code])
    load_taxonomy(read_taxonomy())
    first_subdistrict = AdminUnit.objects.filter(level="subdistrict").order_by("code").first()
    for username, role, unit_key in USERS:
        unit = None
        if unit_key == "subdistrict":
            unit = HandlingUnit.objects.get(area=first_subdistrict)
        elif unit_key:
            unit = HandlingUnit.objects.get(key=unit_key)
        user = User.objects.create_user(username, password="pw-" + username, role=role, unit=unit,
                                        is_staff=role == "admin", is_superuser=role == "admin")
        if role == "gridworker":
            user.grids.set(Grid.objects.filter(community__parent=first_subdistrict).order_by("code")[:3])
    forget_index()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _build_small_city()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_intake_tools(settings, tmp_path):
    """No classifier unless a test asks for one (tests/intake's with_model), and text
    indexes built afresh: each test's rolled-back tickets must not linger in them."""
    from shiyu.intake import engine

    settings.SHIYU_CLASSIFIER_MODEL = tmp_path / "no-model"
    engine.forget_all()


@pytest.fixture
def caches_held(monkeypatch):
    """The per-process copies (routing rules, places, holidays, the category model) check
    their version every few seconds, a query when they do; held still, a test that counts
    queries counts only the request's own."""
    for module in ("shiyu.routing.selectors", "shiyu.geo.locate", "shiyu.deadlines.selectors",
                   "shiyu.intake.engine"):
        monkeypatch.setattr(f"{module}.RECHECK_SECONDS", 3600.0)


@pytest.fixture
def users(db):
    """Every test user by username: users.operator, users.handler ..."""
    from shiyu.core.models import User

    return types.SimpleNamespace(**{u.username: u for u in User.objects.select_related("unit")})


@pytest.fixture
def api(users):
    """api("operator") -> an APIClient signed in as that user; api() -> anonymous."""
    from rest_framework.test import APIClient

    def client(username=None):
        c = APIClient()
        if username:
            c.force_authenticate(getattr(users, username))
        return c
    return client


@pytest.fixture
def city(db):
    from shiyu.geo.models import AdminUnit, Grid
    from shiyu.org.models import HandlingUnit
    from shiyu.tickets.models import Category

    grids = list(Grid.objects.select_related("community__parent__parent").order_by("code"))
    return types.SimpleNamespace(
        grids=grids,
        subdistricts=list(AdminUnit.objects.filter(level="subdistrict").order_by("code")),
        leaves=list(Category.objects.filter(level=3).order_by("code")),
        units={u.key: u for u in HandlingUnit.objects.all()},
        point_in=point_in,
    )


def point_in(grid) -> tuple[float, float]:
    """(lat, long) of a point well inside a grid."""
    point = shapely.from_wkt(grid.boundary_wkt).representative_point()
    return point.y, point.x


@pytest.fixture
def make_ticket(db, users, city):
    """A ticket entered by the operator in the given grid (the first grid by default)."""
    from shiyu.tickets.services import TicketInput, create_ticket

    def make(grid=None, actor=None, **fields):
        lat, long = point_in(grid or city.grids[0])
        data = dict(channel="hotline", request_type="complaint", title="路灯不亮",
                    description="小区门口的路灯坏了一个星期，晚上很黑。", category=city.leaves[0],
                    address="示范路1号", lat=lat, long=long, reporter_name="张三", reporter_phone="13812345678")
        data.update(fields)
        return create_ticket(actor=actor or users.operator, data=TicketInput(**data))

    return make

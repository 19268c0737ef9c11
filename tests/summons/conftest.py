"""Fixtures for 吹哨报到: the first subdistrict's office (users.subhandler) whistles; the
departments are urban_management (users.handler), housing (users.handler2) and
transport (no user: it never comes)."""
import datetime as dt
import types

import pytest
from django.utils import timezone

T0 = timezone.make_aware(dt.datetime(2025, 3, 3, 9, 0))  # a Monday morning, Asia/Shanghai


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def office(users):
    return users.subhandler.unit


@pytest.fixture
def depts(city):
    return types.SimpleNamespace(urban=city.units["urban_management"], housing=city.units["housing"],
                                 transport=city.units["transport"])


@pytest.fixture
def other_office_handler(city, office):
    """A handler of another subdistrict's office."""
    from shiyu.core.models import User
    from shiyu.org.models import HandlingUnit

    unit = HandlingUnit.objects.filter(kind=HandlingUnit.Kind.SUBDISTRICT).exclude(pk=office.pk).first()
    return User.objects.create_user("otherhandler", role="handler", unit=unit)


@pytest.fixture
def whistled(users, depts):
    """A summons at T0 to all three departments, 30 minutes to report."""
    from shiyu.summons.services import whistle

    def make(units=None, at=T0, **fields):
        fields = {"place": "示范路1号小区门口", "reason": "违建拆除需城管、住建、交通到场", **fields}
        return whistle(actor=users.subhandler, units=units or [depts.urban, depts.housing, depts.transport],
                       now=at, **fields)

    return make


@pytest.fixture
def call_of():
    def find(summons, unit):
        return summons.calls.get(unit=unit)
    return find


"""Fixtures for 未诉先办: supervisors open tasks for urban_management (users.handler);
housing (users.handler2) is another unit. Times are Asia/Shanghai."""
import datetime as dt

import pytest

from shiyu.workcal import SHANGHAI

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI)  # a Monday morning


@pytest.fixture(autouse=True)
def _fresh_state():
    """Hot issues are cached and the calendar is kept per process: each test starts afresh."""
    from django.core.cache import cache

    from shiyu.deadlines.selectors import forget_schedule

    cache.clear()
    forget_schedule()
    yield
    forget_schedule()


@pytest.fixture
def unit(city):
    return city.units["urban_management"]


@pytest.fixture
def opened(users, unit):
    """A task opened by the supervisor at T0 for urban management, 2 working days."""
    from shiyu.proactive.services import open_task

    def make(at=T0, **fields):
        fields = {"title": "丽发新城搅拌站噪音扰民", "note": "请现场核查并督促整改", "place": "丽发新城小区",
                  "working_days": 2, **fields}
        return open_task(actor=users.supervisor, unit=fields.pop("unit", unit), now=at, **fields)

    return make


PLANT = [("丽发新城小区旁的搅拌站噪音扰民", "丽发新城小区旁边新建的搅拌站日夜轰鸣，粉尘很大，居民无法休息。"),
         ("投诉丽发新城附近搅拌站粉尘污染", "丽发新城小区附近的搅拌站扬尘漫天，孩子咳嗽不止，请管一管。"),
         ("丽发新城搅拌站夜间施工扰民", "搅拌站晚上也在运转，丽发新城小区业主被吵得睡不着。")]


@pytest.fixture
def plant_tickets(make_ticket, city):
    """Three residents on one problem at one place, in the first grid; and two other tickets."""
    def make(grid=None):
        grid = grid or city.grids[0]
        same = [make_ticket(grid=grid, title=title, description=body, reporter_phone=f"1390000000{i}")
                for i, (title, body) in enumerate(PLANT)]
        make_ticket(grid=grid, title="咨询社保缴费", description="请问灵活就业人员社保怎么缴费？", reporter_phone="13700000001")
        make_ticket(grid=grid, title="路灯不亮", description="示范路口的路灯坏了一个星期。", reporter_phone="13700000002")
        return same
    return make

import datetime as dt

import pytest

from shiyu.workcal import SHANGHAI


def local(year, month, day, hour=0, minute=0, second=0) -> dt.datetime:
    """A moment in Asia/Shanghai, as an aware datetime."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Each test reads the holiday table afresh, and leaves no copy of its own edits
    (rolled back with it) to the tests after it."""
    from shiyu.deadlines.selectors import forget_schedule

    forget_schedule()
    yield
    forget_schedule()


@pytest.fixture
def category(db):
    """make(**fields): a leaf category with the deadlines asked for (2 working hours to
    sign for, 7 working days to resolve unless told), independent of the taxonomy."""
    from shiyu.tickets.models import Category

    parent = Category.objects.filter(level=2).first()
    made = []

    def make(accept_hours=2, resolve_days=7, urgent=False):
        made.append(Category.objects.create(code=f"DL{len(made):04d}", name=f"期限测试{len(made)}", level=3,
                                            parent=parent, accept_hours=accept_hours, resolve_days=resolve_days,
                                            urgent=urgent))
        return made[-1]

    return make


@pytest.fixture
def dispatched(make_ticket, users, city, category):
    """dispatched(at, **ticket fields): a ticket dispatched to urban management at `at`."""
    from shiyu.tickets import services

    def make(at, category_fields=None, **fields):
        ticket = make_ticket(category=category(**(category_fields or {})), **fields)
        return services.dispatch_ticket(actor=users.dispatcher, ticket=ticket,
                                        lead_unit=city.units["urban_management"], now=at)

    return make

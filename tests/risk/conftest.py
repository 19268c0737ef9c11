"""Fixtures for risk alerts: tickets with phones and texts, similar-ticket links as the
intake would record them, and a scan that sees them."""
import datetime as dt
import itertools

import pytest
from django.utils import timezone

_phones = itertools.count(13900000001)


@pytest.fixture
def phone():
    """phone() -> a phone number no other ticket of the test has."""
    return lambda: str(next(_phones))


@pytest.fixture
def link(db):
    """link(ticket, earlier, kind="repeat"): what intake records when it finds one."""
    from shiyu.intake.models import SimilarTicket

    def make(ticket, earlier, kind="repeat", state="open"):
        return SimilarTicket.objects.create(ticket=ticket, earlier=earlier, kind=kind, score=0.9, state=state,
                                            found_at=ticket.created_at)
    return make


@pytest.fixture
def scan(db):
    """scan(now=None) -> ScanResult; by default a minute from now, when every ticket just
    made has settled."""
    from shiyu.risk.services import scan_risks

    def run(now=None):
        return scan_risks(now or timezone.now() + dt.timedelta(minutes=1))
    return run


@pytest.fixture
def category(city):
    """category(code) -> the leaf category with that code."""
    from shiyu.tickets.models import Category

    return lambda code: Category.objects.get(code=code)


@pytest.fixture
def alert(db, make_ticket, scan):
    """alert(**ticket fields) -> the danger-word alert of a new ticket (red by default)."""
    from shiyu.risk.models import RiskAlert

    def make(**fields):
        fields.setdefault("description", "他说再不解决就跳楼。")
        ticket = make_ticket(**fields)
        scan()
        return RiskAlert.objects.get(tickets=ticket)
    return make

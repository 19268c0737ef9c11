"""Fixtures for the rates and rankings: tickets written with the times a test names
(local time, Asia/Shanghai), straight into the table, so every count is known."""
import datetime as dt
import itertools
import types
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(text: str) -> dt.datetime:
    """'2025-03-02 10:00' in Asia/Shanghai."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


@pytest.fixture
def place(city):
    """place.s1 .. place.s4: the subdistricts by code; place.d1, place.d2 the districts."""
    subs = city.subdistricts
    districts = sorted({s.parent for s in subs}, key=lambda d: d.code)
    return types.SimpleNamespace(**{f"s{i}": s for i, s in enumerate(subs, 1)},
                                 **{f"d{i}": d for i, d in enumerate(districts, 1)}, subs=subs)


@pytest.fixture
def ticket(city, place):
    """ticket(sub, created="2025-03-02 09:30", dispatched=..., ...) -> a Ticket row.
    Times are local strings or None; lead is a HandlingUnit key (default urban_management)."""
    from shiyu.tickets.models import Ticket

    def make(sub=None, *, created, lead="urban_management", dispatched=None, accept_due=None, accepted=None,
             resolve_due=None, resolved=None, callback=None, rating="", callback_resolved=None, status="closed",
             category=None):
        sub = sub or place.s1
        number = next(_numbers)
        return Ticket.objects.create(
            code=f"T{number:08d}", channel="hotline", request_type="complaint", title=f"诉求{number}",
            description="测试", category=category or city.leaves[0], subdistrict=sub, district=sub.parent,
            status=status, lead_unit=city.units[lead] if lead else None, created_at=at(created),
            updated_at=at(created), dispatched_at=_at(dispatched), accept_due_at=_at(accept_due),
            accepted_at=_at(accepted), resolve_due_at=_at(resolve_due), resolved_at=_at(resolved),
            callback_at=_at(callback), callback_rating=rating, callback_resolved=callback_resolved)

    return make


def _at(text):
    return at(text) if text else None


@pytest.fixture
def simple(ticket):
    """simple(sub, "2025-03", rating=..., on_time=True): a ticket whose every step falls
    in that month: dispatched on the 5th, signed for (on time or not), replied on time,
    called back on the 10th."""
    def make(sub, month, *, rating="satisfied", resolved=True, on_time=True, lead="urban_management"):
        day = f"{month}-05"
        return ticket(sub, created=f"{day} 09:00", lead=lead, dispatched=f"{day} 09:10",
                      accept_due=f"{day} 11:10", accepted=f"{day} {'10:00' if on_time else '12:00'}",
                      resolve_due=f"{month}-09 18:00", resolved=f"{month}-08 16:00", callback=f"{month}-10 10:00",
                      rating=rating, callback_resolved=resolved)
    return make


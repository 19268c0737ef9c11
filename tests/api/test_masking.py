"""Reporter contact: masked for most roles; unmasked reads are audited."""
import pytest

from shiyu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PHONE, MASKED = "13812345678", "138****5678"


def _pii_reads(user, ticket):
    return AuditEvent.objects.filter(action="pii.read", actor=user, target_type="ticket", target_id=ticket.pk).count()


@pytest.mark.parametrize("username", ["supervisor", "operator"])
def test_supervisor_and_receiving_operator_see_it_and_are_audited(api, users, make_ticket, username):
    ticket = make_ticket(actor=users.operator)
    user = getattr(users, username)
    detail = api(username).get(f"/api/tickets/{ticket.pk}/").json()
    assert detail["reporter"] == {"name": "张三", "phone": PHONE, "email": "", "masked": False}
    assert _pii_reads(user, ticket) == 1
    rows = api(username).get("/api/tickets/").json()["results"]
    assert next(r for r in rows if r["id"] == ticket.pk)["reporter"]["phone"] == PHONE
    assert _pii_reads(user, ticket) == 2


@pytest.mark.parametrize("username", ["operator2", "dispatcher", "handler", "gridworker", "leader", "subhandler"])
def test_others_see_it_masked_and_nothing_is_audited(api, users, city, make_ticket, username):
    from shiyu.tickets import services

    ticket = make_ticket(actor=users.operator, description="我的电话13812345678，身份证110101199001011234。")
    services.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=city.units["urban_management"])
    detail = api(username).get(f"/api/tickets/{ticket.code}/").json()
    assert detail["reporter"]["phone"] == MASKED and detail["reporter"]["masked"] is True
    assert detail["reporter"]["name"] == "张*"
    assert PHONE not in detail["description"] and "110101199001011234" not in detail["description"]
    assert MASKED in detail["description"]
    rows = api(username).get("/api/tickets/").json()["results"]
    assert next(r for r in rows if r["id"] == ticket.pk)["reporter"]["phone"] == MASKED
    assert PHONE not in str(detail) and PHONE not in str(rows)
    assert _pii_reads(getattr(users, username), ticket) == 0


def test_the_reporting_citizen_sees_their_own(api, users, make_ticket):
    ticket = make_ticket(actor=users.citizen, channel="app")
    detail = api("citizen").get(f"/api/tickets/{ticket.pk}/").json()
    assert detail["reporter"]["phone"] == PHONE


def test_citizen_actors_are_not_named_in_the_timeline(api, users, make_ticket):
    ticket = make_ticket(actor=users.citizen, channel="app")
    timeline = api("dispatcher").get(f"/api/tickets/{ticket.pk}/").json()["timeline"]
    assert "citizen" not in {e["actor"] for e in timeline}

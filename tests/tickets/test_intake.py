"""Intake: validation with field errors, nothing half-written, photos, bulk import."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shiyu.core.errors import InvalidInput, NotAllowed
from shiyu.core.models import AuditEvent
from shiyu.tickets import services as s
from shiyu.tickets.models import Attachment, Ticket


def _input(city, **overrides):
    lat, long = city.point_in(city.grids[3])
    data = dict(channel="hotline", request_type="complaint", description="楼下餐馆油烟很大", lat=lat, long=long,
                category=city.leaves[5], reporter_phone="13900001111")
    data.update(overrides)
    return s.TicketInput(**data)


def test_intake_locates_the_ticket_and_writes_its_audit_event(users, city):
    ticket = s.create_ticket(actor=users.operator, data=_input(city))
    grid = city.grids[3]
    assert ticket.grid == grid and ticket.community == grid.community
    assert ticket.subdistrict == grid.community.parent and ticket.district == grid.community.parent.parent
    assert ticket.title == "楼下餐馆油烟很大"  # a title from the description when none is given
    assert len(ticket.code) == 14 and ticket.code[:6].isdigit()
    assert AuditEvent.objects.filter(target_id=ticket.pk, action="ticket.create").count() == 1


@pytest.mark.parametrize("overrides", [
    {"urgent": True, "reporter_email": "", "address": "示范路1号", "attributes": {}},
    {"urgent": False, "reporter_phone": "", "reporter_name": "王先生", "attributes": {"floor": 0, "note": ""}},
])
def test_every_value_is_stored_as_given(users, city, overrides):
    """Intake writes empty values (None, "", 0, False) into its statement's text on
    PostgreSQL: each must come back as it went in, and True must not become 1."""
    ticket = s.create_ticket(actor=users.operator, data=_input(city, **overrides))
    stored = Ticket.objects.get(pk=ticket.pk)
    for field in Ticket._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(ticket, field.attname), field.name


@pytest.mark.parametrize("overrides, field", [
    ({"description": "  "}, "description"),
    ({"description": "长" * 4001}, "description"),
    ({"title": "题" * 101}, "title"),
    ({"channel": "fax"}, "channel"),
    ({"request_type": "rant"}, "request_type"),
    ({"lat": 10.0, "long": 10.0}, "lat"),  # outside the city
    ({"lat": 95.0}, "lat"),
    ({"long": None}, "long"),
    ({"lat": None, "long": None, "address": ""}, "address"),
    ({"reporter_phone": "call me"}, "reporter_phone"),
    ({"reporter_email": "nobody"}, "reporter_email"),
    ({"reporter_phone": "1" * 21}, "reporter_phone"),
    ({"reporter_name": "名" * 65}, "reporter_name"),
    ({"address": "址" * 201}, "address"),
])
def test_bad_input_names_the_field_and_writes_nothing(users, city, overrides, field):
    before = (Ticket.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as error:
        s.create_ticket(actor=users.operator, data=_input(city, **overrides))
    assert error.value.status == 422 and field in error.value.fields
    assert (Ticket.objects.count(), AuditEvent.objects.count()) == before


def test_a_non_leaf_category_is_refused(users, city):
    parent = city.leaves[0].parent
    with pytest.raises(InvalidInput) as error:
        s.create_ticket(actor=users.operator, data=_input(city, category=parent))
    assert "category" in error.value.fields


def test_an_enquiry_needs_no_place(users, city):
    ticket = s.create_ticket(actor=users.operator, data=_input(city, request_type="enquiry", lat=None, long=None))
    assert ticket.grid is None


def test_who_may_enter_tickets(users, city):
    with pytest.raises(NotAllowed):
        s.create_ticket(actor=users.handler, data=_input(city))
    with pytest.raises(NotAllowed):  # only machine channels come without a person
        s.create_ticket(actor=None, data=_input(city))
    assert s.create_ticket(actor=None, data=_input(city, channel="video")).received_by is None
    citizen_ticket = s.create_ticket(actor=users.citizen, data=_input(city, channel="app"))
    assert citizen_ticket.reporter == users.citizen and citizen_ticket.received_by is None


def _png(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_photo_is_checked_by_its_bytes(make_ticket, users):
    ticket = make_ticket()
    attachment = s.add_attachment(actor=users.operator, ticket=ticket,
                                  upload=SimpleUploadedFile("a.png", _png(), content_type="image/png"))
    assert attachment.content_type == "image/png" and attachment.file.read() == _png()
    fake = SimpleUploadedFile("evil.png", b"<?php system($_GET['c']); ?>", content_type="image/png")
    with pytest.raises(InvalidInput):
        s.add_attachment(actor=users.operator, ticket=ticket, upload=fake)
    truncated = SimpleUploadedFile("cut.png", _png((64, 64))[:60], content_type="image/png")
    with pytest.raises(InvalidInput):
        s.add_attachment(actor=users.operator, ticket=ticket, upload=truncated)
    assert Attachment.objects.filter(ticket=ticket).count() == 1


def test_photo_size_limit(make_ticket, users, settings):
    settings.SHIYU_PHOTO_MAX_BYTES = 100
    with pytest.raises(InvalidInput) as error:
        s.add_attachment(actor=users.operator, ticket=make_ticket(),
                         upload=SimpleUploadedFile("big.png", _png((64, 64)), content_type="image/png"))
    assert "photo" in error.value.fields


def test_bulk_import_is_all_or_nothing_and_audited(users, city):
    rows = [_input(city, description=f"第{i}号诉求") for i in range(30)]
    imported = s.import_tickets(actor=users.admin, rows=rows)
    assert len(imported) == 30 and len({t.code for t in imported}) == 30
    assert AuditEvent.objects.filter(action="ticket.create", target_id__in=[t.pk for t in imported]).count() == 30
    before = Ticket.objects.count()
    bad = rows[:5] + [_input(city, lat=1.0, long=1.0)]
    with pytest.raises(InvalidInput) as error:
        s.import_tickets(actor=users.admin, rows=bad)
    assert "rows[6].lat" in error.value.fields
    assert Ticket.objects.count() == before


def test_a_tracking_code_collision_retries_with_a_new_code(users, city, make_ticket, monkeypatch):
    taken = make_ticket().code
    codes = iter([taken, "261127ZZZZZZZZ"])
    monkeypatch.setattr(s, "new_code", lambda now: next(codes))
    ticket = s.create_ticket(actor=users.operator, data=_input(city))
    assert ticket.code == "261127ZZZZZZZZ"
    assert Ticket.objects.filter(code=taken).count() == 1
    assert AuditEvent.objects.filter(target_id=ticket.pk, action="ticket.create").count() == 1

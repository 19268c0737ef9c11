"""Fixtures for the staff API tests: API clients per user and tickets in every state."""
import io
import types

import pytest
from PIL import Image



def png_bytes(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def png():
    def upload(name="photo.png"):
        from django.core.files.uploadedfile import SimpleUploadedFile
        return SimpleUploadedFile(name, png_bytes(), content_type="image/png")
    return upload


@pytest.fixture
def flow(users, city, make_ticket):
    """Service-level shortcuts to put a ticket in any state (the API is tested on top)."""
    from shiyu.tickets import services as sv

    def dispatched(**fields):
        ticket = make_ticket(**fields)
        return sv.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=city.units["urban_management"])

    def accepted(**fields):
        return sv.sign_for(actor=users.handler, ticket=dispatched(**fields))

    def in_progress(**fields):
        return sv.start_work(actor=users.handler, ticket=accepted(**fields))

    def resolved(**fields):
        return sv.resolve_ticket(actor=users.handler, ticket=in_progress(**fields), reply="已修复。")

    def callback(**fields):
        return sv.record_callback(actor=users.operator, ticket=resolved(**fields), rating="satisfied", resolved=True)

    def closed(**fields):
        return sv.close_ticket(actor=users.operator, ticket=callback(**fields))

    def returned(**fields):
        return sv.return_ticket(actor=users.handler, ticket=dispatched(**fields), reason="不属于本单位职责。")

    def merged(**fields):
        return sv.merge_ticket(actor=users.operator, ticket=make_ticket(**fields), into=make_ticket())

    def invalid(**fields):
        return sv.mark_invalid(actor=users.operator, ticket=make_ticket(**fields), reason="骚扰电话")

    states = dict(received=make_ticket, dispatched=dispatched, accepted=accepted, in_progress=in_progress,
                  resolved=resolved, callback=callback, closed=closed, returned=returned, merged=merged,
                  invalid=invalid)
    return types.SimpleNamespace(**states, states=states)

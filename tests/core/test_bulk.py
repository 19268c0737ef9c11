"""core.bulk writes what bulk_create would have written, only faster."""
import datetime as dt

import pytest
from django.db import transaction

from shiyu.core.bulk import BulkTable, reserve_ids
from shiyu.core.models import AuditEvent
from shiyu.tickets.models import Ticket

FIELDS = ["at", "actor_id", "action", "target_type", "target_id", "from_state", "to_state", "data"]
AT = dt.datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=dt.timezone.utc)


def stored(pk):
    return AuditEvent.objects.filter(pk=pk).values(*FIELDS, "note").get()


def test_rows_read_back_like_the_orms(db, users):
    orm = AuditEvent.objects.create(at=AT, actor=users.operator, action="ticket.create", target_type="ticket",
                                    target_id=7, to_state="received", data={"channel": "web", "n": [1, 2]})
    BulkTable(AuditEvent, FIELDS).write([(AT, users.operator.pk, "ticket.create", "ticket", 7, "", "received",
                                          {"channel": "web", "n": [1, 2]})])
    bulk = AuditEvent.objects.order_by("-pk").first()
    assert stored(bulk.pk) == stored(orm.pk)  # `note` took its default too
    # The ORM finds bulk rows by time like its own (same stored text).
    assert AuditEvent.objects.filter(at=AT).count() == 2


def test_epoch_seconds_and_json_as_stored(db):
    seconds = int(dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc).timestamp())
    BulkTable(AuditEvent, FIELDS, epoch_seconds=True, as_stored=["data"]).write(
        [(seconds, None, "ticket.merged_in", "ticket", 9, "", "", '{"from": 3}')])
    event = AuditEvent.objects.get(action="ticket.merged_in")
    assert event.at == dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert event.data == {"from": 3} and event.actor_id is None
    assert AuditEvent.objects.filter(at__gte=dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)).exists()


def test_objects_get_ids_that_the_orm_then_continues(db, make_ticket):
    first = make_ticket()
    copies = [Ticket(code=f"250101TEST{i:04d}", channel="web", request_type="enquiry", title="t",
                     description="d", created_at=AT, updated_at=AT) for i in range(3)]
    with transaction.atomic():
        BulkTable(Ticket, [f.attname for f in Ticket._meta.concrete_fields]).write_objects(copies)
    assert [t.pk for t in copies] == [first.pk + 1, first.pk + 2, first.pk + 3]
    assert not copies[0]._state.adding
    loaded = Ticket.objects.get(pk=copies[1].pk)
    assert (loaded.code, loaded.status, loaded.created_at, loaded.attributes) == ("250101TEST0001", "received",
                                                                                  AT, {})
    assert make_ticket().pk == first.pk + 4  # the sequence (AUTOINCREMENT) moved on


def test_reserve_ids_are_past_every_id_in_use(db, make_ticket):
    top = make_ticket().pk
    with transaction.atomic():
        assert list(reserve_ids(Ticket, 3)) == [top + 1, top + 2, top + 3]
        assert reserve_ids(Ticket, 0) == []


def test_unknown_fields_are_refused(db):
    with pytest.raises(ValueError):
        BulkTable(AuditEvent, ["nope"])

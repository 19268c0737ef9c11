"""take_in: category suggestions and triage, routing, repeats and duplicates, merging."""
import datetime as dt

import pytest
from django.utils import timezone

from shiyu.core.errors import InvalidInput, NotAllowed
from shiyu.core.models import AuditEvent
from shiyu.intake import engine, services
from shiyu.intake.models import CategoryCorrection, CategorySuggestion, SimilarTicket
from shiyu.intake.selectors import triage_queue
from shiyu.tickets.models import Category, Status
from shiyu.tickets import services as core
from shiyu.tickets.services import TicketInput, create_ticket

from .conftest import TRAINED_LEAVES

pytestmark = pytest.mark.django_db


def _input(city, title, description, grid=None, **fields):
    lat, long = city.point_in(grid or city.grids[0])
    data = dict(channel="hotline", request_type="complaint", title=title, description=description,
                address="示范路1号", lat=lat, long=long, reporter_name="李四", reporter_phone="13900001111")
    data.update(fields)
    return TicketInput(**data)


def _trained_leaf(index=0):
    from shiyu.demo.texts import TicketTextFactory
    from shiyu.tickets.reference import read_taxonomy

    return Category.objects.get(code=TicketTextFactory(read_taxonomy()).leaf_codes[index])


def test_a_confident_suggestion_becomes_the_category(users, city, with_model, text_for):
    leaf = _trained_leaf(2)
    ticket = services.take_in(actor=users.operator, data=_input(city, *text_for(leaf.code)))
    suggestion = CategorySuggestion.objects.get(ticket=ticket)
    assert ticket.category == leaf
    assert suggestion.applied and not suggestion.triage and suggestion.settled_at is not None
    assert suggestion.suggestions[0]["code"] == leaf.code
    assert ticket not in triage_queue(users.dispatcher)


def test_below_the_threshold_the_ticket_waits_for_triage(users, city, with_model, text_for, settings):
    settings.SHIYU_TRIAGE_THRESHOLD = 1.01  # nothing is confident enough
    leaf = _trained_leaf(3)
    ticket = services.take_in(actor=users.operator, data=_input(city, *text_for(leaf.code)))
    assert ticket.category is None
    assert CategorySuggestion.objects.get(ticket=ticket).triage
    assert list(triage_queue(users.dispatcher)) == [ticket]
    other = _trained_leaf(4)
    services.choose_category(actor=users.dispatcher, ticket=ticket, category=other)
    ticket.refresh_from_db()
    assert ticket.category == other and ticket not in triage_queue(users.dispatcher)
    correction = CategoryCorrection.objects.get(ticket=ticket)
    assert (correction.suggested, correction.chosen, correction.corrected_by) == (leaf, other, users.dispatcher)
    assert AuditEvent.objects.filter(target_id=ticket.pk, action="ticket.categorize").exists()


def test_an_operator_choosing_another_category_is_a_correction(users, city, with_model, text_for):
    leaf, chosen = _trained_leaf(0), city.leaves[-1]
    ticket = services.take_in(actor=users.operator, data=_input(city, *text_for(leaf.code), category=chosen))
    assert ticket.category == chosen
    correction = CategoryCorrection.objects.get(ticket=ticket)
    assert (correction.suggested, correction.chosen) == (leaf, chosen)


def test_dispatching_with_a_category_settles_the_triage(users, city, with_model, text_for, settings):
    settings.SHIYU_TRIAGE_THRESHOLD = 1.01
    ticket = services.take_in(actor=users.operator, data=_input(city, *text_for(_trained_leaf(1).code)))
    services.dispatch(actor=users.dispatcher, ticket=ticket, lead_unit=city.units["urban_management"],
                      category=city.leaves[5])
    assert CategorySuggestion.objects.get(ticket=ticket).settled_at is not None
    assert CategoryCorrection.objects.filter(ticket=ticket, chosen=city.leaves[5]).exists()


@pytest.mark.parametrize("model_bytes", [None, b"not a model", b""])
def test_intake_never_fails_for_the_classifier(users, city, settings, tmp_path, model_bytes):
    if model_bytes is not None:
        (tmp_path / "bad.model").write_bytes(model_bytes)
        settings.SHIYU_CLASSIFIER_MODEL = tmp_path / "bad.model"
    engine.forget_all()
    ticket = services.take_in(actor=users.operator, data=_input(city, "", "门口的路灯坏了，晚上很黑。"))
    assert ticket.status == Status.RECEIVED and ticket.category is None
    assert not CategorySuggestion.objects.filter(ticket=ticket).exists()
    assert ticket in triage_queue(users.dispatcher)


@pytest.mark.parametrize("text", ["啊", "。。。！！！", "路灯 lamp broken 坏了 please fix", "噪音" * 25_000])
def test_odd_text_gets_no_suggestion_and_no_error(users, city, with_model, text):
    from shiyu.intake.analysis import advise_category, find_similar, suggest_answers

    advice = advise_category(text)
    assert all(0 <= g.probability <= 1 for g in advice.guesses)
    find_similar(text=text, phone="13900001111", community_id=city.grids[0].community_id)
    suggest_answers(text)
    if text in ("啊", "。。。！！！"):
        assert advice.guesses == []


def test_every_intake_stores_its_routing_decision(users, city):
    ticket = services.take_in(actor=users.operator,
                              data=_input(city, "路灯不亮", "门口路灯坏了。", category=city.leaves[0]))
    decision = ticket.routing_decisions.get()
    assert decision.reason and decision.place_source == "coordinates"


def test_without_coordinates_the_address_places_the_ticket(users, city):
    community = city.grids[0].community
    data = _input(city, "路灯不亮", "门口路灯坏了。", lat=None, long=None, category=city.leaves[0],
                  address=f"{community.parent.parent.name}{community.parent.name}{community.name}")
    ticket = services.take_in(actor=users.operator, data=data)
    assert ticket.subdistrict_id == community.parent_id and ticket.grid_id is None
    assert ticket.routing_decisions.get().place_source == "address"


# ---------------------------------------------------------------- repeats and duplicates

COMPLAINT = ("楼下饭店每天晚上油烟很大", "楼下饭店的排烟口正对着我家窗户，油烟呛得没法开窗，已经持续一个月了，请尽快处理。")


def test_the_same_phone_again_is_a_repeat(users, city):
    first = services.take_in(actor=users.operator, data=_input(city, *COMPLAINT, category=city.leaves[0]))
    again = services.take_in(actor=users.operator2, data=_input(
        city, "饭店油烟还是很大", COMPLAINT[1] + "上次反映过了。", grid=city.grids[-1], category=city.leaves[0]))
    link = SimilarTicket.objects.get(ticket=again)
    assert (link.earlier, link.kind, link.state) == (first, "repeat", "open")
    assert AuditEvent.objects.filter(target_id=again.pk, action="intake.similar_found").exists()


def test_another_reporter_at_the_same_place_is_a_duplicate(users, city):
    first = services.take_in(actor=users.operator, data=_input(city, *COMPLAINT, category=city.leaves[0]))
    neighbour = services.take_in(actor=users.operator, data=_input(
        city, *COMPLAINT, reporter_phone="13700002222", category=city.leaves[0]))
    link = SimilarTicket.objects.get(ticket=neighbour)
    assert (link.earlier, link.kind) == (first, "duplicate")
    assert link.distance_m is not None and link.distance_m < 1


def test_far_away_or_long_ago_is_neither(users, city):
    far_grid = next(g for g in reversed(city.grids) if g.community_id != city.grids[0].community_id)
    old = timezone.now() - dt.timedelta(days=40)
    create_ticket(actor=users.operator, data=_input(city, *COMPLAINT, category=city.leaves[0], created_at=old))
    services.take_in(actor=users.operator, data=_input(
        city, *COMPLAINT, grid=far_grid, reporter_phone="13700002222", category=city.leaves[0]))
    latest = services.take_in(actor=users.operator, data=_input(city, "路灯坏了", "门口路灯坏了一周，晚上很黑。",
                                                                  category=city.leaves[0]))
    assert not SimilarTicket.objects.filter(ticket=latest).exists()
    assert SimilarTicket.objects.count() == 0


def test_merging_a_repeat_is_one_action(users, city):
    first = services.take_in(actor=users.operator, data=_input(city, *COMPLAINT, category=city.leaves[0]))
    again = services.take_in(actor=users.operator, data=_input(city, *COMPLAINT, category=city.leaves[0]))
    link = SimilarTicket.objects.get(ticket=again)
    services.merge_similar(actor=users.dispatcher, link=link)
    again.refresh_from_db()
    link.refresh_from_db()
    assert again.status == Status.MERGED and again.duplicate_of == first
    assert link.state == "merged" and link.decided_by == users.dispatcher


def test_dismissing_keeps_both(users, city):
    services.take_in(actor=users.operator, data=_input(city, *COMPLAINT, category=city.leaves[0]))
    again = services.take_in(actor=users.operator, data=_input(city, *COMPLAINT, category=city.leaves[0]))
    link = SimilarTicket.objects.get(ticket=again)
    services.dismiss_similar(actor=users.operator, link=link, note="不同楼栋")
    again.refresh_from_db()
    assert again.status == Status.RECEIVED
    assert SimilarTicket.objects.get(pk=link.pk).state == "dismissed"
    with pytest.raises(InvalidInput):
        services.dismiss_similar(actor=users.operator, link=link)
    with pytest.raises(NotAllowed):
        services.dismiss_similar(actor=users.handler, link=link)


# ---------------------------------------------------------------- dispatch by rule, training


def test_auto_dispatch_when_the_city_allows(users, city, settings):
    settings.SHIYU_AUTO_DISPATCH = True
    ticket = services.take_in(actor=users.operator, data=_input(city, "路灯不亮", "门口路灯坏了。",
                                                                 category=city.leaves[0]))
    decision = ticket.routing_decisions.get()
    assert ticket.status == Status.DISPATCHED and ticket.lead_unit == decision.unit
    event = AuditEvent.objects.get(target_id=ticket.pk, action="ticket.dispatch")
    assert event.actor is None and event.data["by"] == "routing"
    enquiry = services.take_in(actor=users.operator, data=_input(
        city, "路灯归谁管", "想问一下路灯坏了找谁？", request_type="enquiry", category=city.leaves[0]))
    assert enquiry.status == Status.RECEIVED


def _closed(users, city, data):
    ticket = create_ticket(actor=users.operator, data=data)
    core.dispatch_ticket(actor=users.dispatcher, ticket=ticket, lead_unit=city.units["urban_management"])
    core.sign_for(actor=users.handler, ticket=ticket)
    core.resolve_ticket(actor=users.handler, ticket=ticket, reply="已处理。")
    return core.close_ticket(actor=users.operator, ticket=ticket)


def test_training_rows_are_closed_tickets_and_corrections(users, city, with_model, text_for, settings):
    _closed(users, city, _input(city, "路灯不亮", "门口路灯坏了。", category=city.leaves[0]))
    settings.SHIYU_TRIAGE_THRESHOLD = 1.01
    triaged = services.take_in(actor=users.operator, data=_input(city, *text_for(_trained_leaf(0).code)))
    services.choose_category(actor=users.operator, ticket=triaged, category=city.leaves[7])
    from shiyu.intake import training

    texts, labels = training.training_rows()
    assert sorted(labels) == sorted([city.leaves[0].code, city.leaves[7].code])
    assert any("门口路灯坏了" in t for t in texts)


def test_train_from_db_writes_a_model_intake_reads(users, city, tmp_path, settings, text_for):
    for index in range(TRAINED_LEAVES)[:3]:
        leaf = _trained_leaf(index)
        for n in range(6):
            _closed(users, city, _input(city, *text_for(leaf.code, f"{n}号院"), category=leaf))
    settings.SHIYU_CLASSIFIER_MODEL = tmp_path / "models" / "category.model"
    from shiyu.intake import training

    model = training.train_from_db()
    assert set(model.labels) == {_trained_leaf(i).code for i in range(3)}
    assert settings.SHIYU_CLASSIFIER_MODEL.exists()
    ticket = services.take_in(actor=users.operator, data=_input(city, *text_for(_trained_leaf(1).code)))
    assert CategorySuggestion.objects.get(ticket=ticket).suggestions[0]["code"] == _trained_leaf(1).code


def test_a_model_that_breaks_on_a_text_does_not_stop_intake(users, city, with_model, monkeypatch, caplog):
    from shiyu.nlp.classifier import Classifier

    def broken(self, text, k=3):
        raise ValueError("boom")

    monkeypatch.setattr(Classifier, "suggest", broken)
    ticket = services.take_in(actor=users.operator, data=_input(city, "", "门口的路灯坏了，晚上很黑。"))
    assert ticket.pk and ticket.category is None and ticket in triage_queue(users.dispatcher)
    assert "the category model failed" in caplog.text

"""Chinese ticket texts for the demo city (shiyu.demo.texts): plain Python, no database.

Throughput is deliberately not tested here (no timed assertions)."""
import json
import re
from pathlib import Path

import pytest

import shiyu
from shiyu.demo.texts import RATINGS, REQUEST_TYPES, TicketTextFactory

PACKAGE = Path(shiyu.__file__).resolve().parent
TAXONOMY = json.loads((PACKAGE / "tickets" / "data" / "taxonomy.json").read_text(encoding="utf-8"))
LEAVES = [leaf for l1 in TAXONOMY for l2 in l1["children"] for leaf in l2["children"]]
PLACE, ROAD = "幸福里小区", "建设路"
HAN = re.compile(r"[\u4e00-\u9fff]")
ASCII_WORD = re.compile(r"[A-Za-z]{4,}")


def chinese(text: str) -> bool:
    """Mostly Han characters, and no stray template fields or English words."""
    han = len(HAN.findall(text))
    return han >= 0.6 * len(text) and "{" not in text and "}" not in text and not ASCII_WORD.search(text)


@pytest.fixture(scope="module")
def factory():
    return TicketTextFactory(TAXONOMY, seed=2026)


def test_request_types_match_the_model_choices():
    assert set(REQUEST_TYPES) == {"enquiry", "help", "complaint", "report", "suggestion", "praise"}
    assert set(RATINGS) == {"satisfied", "basically_satisfied", "unsatisfied"}


def test_every_leaf_and_request_type(factory):
    for leaf in LEAVES:
        for request_type in REQUEST_TYPES:
            title, description = factory.ticket(leaf["code"], request_type, PLACE, ROAD)
            where = (leaf["code"], request_type)
            assert 1 <= len(title) <= 40, (where, title)
            assert 40 <= len(description) <= 400, (where, description)
            assert chinese(title) and chinese(description), (where, title, description)
            assert PLACE in description or ROAD in description, (where, description)


def test_texts_are_about_the_leaf(factory):
    for leaf in LEAVES:
        terms = [leaf["name"], *leaf["keywords"]]
        for request_type in leaf["request_types"]:
            texts = ["".join(factory.ticket(leaf["code"], request_type, PLACE, ROAD)) for _ in range(30)]
            hits = sum(any(term in text for term in terms) for text in texts)
            assert hits >= 10, (leaf["name"], request_type, texts[:3])


def test_first_person(factory):
    for leaf in LEAVES[::10]:
        for request_type in REQUEST_TYPES:
            _title, description = factory.ticket(leaf["code"], request_type, PLACE, ROAD)
            assert "我" in description or "本人" in description, description


def test_enquiries_ask_and_suggestions_propose(factory):
    for leaf in LEAVES[::7]:
        _t, enquiry = factory.ticket(leaf["code"], "enquiry", PLACE, ROAD)
        assert "？" in enquiry, enquiry
        _t, suggestion = factory.ticket(leaf["code"], "suggestion", PLACE, ROAD)
        assert "建议" in suggestion, suggestion
        _t, praise = factory.ticket(leaf["code"], "praise", PLACE, ROAD)
        assert any(word in praise for word in ("表扬", "感谢", "赞")), praise


def test_long_place_names_are_clipped():
    factory = TicketTextFactory(TAXONOMY, seed=1)
    place = "示范市高新技术产业开发区创新创业园区人才公寓东区二期七号楼三单元"
    road = "经济技术开发区环城东路与科技大道交叉口向北二百米"
    for leaf in LEAVES[::5]:
        for request_type in REQUEST_TYPES:
            title, description = factory.ticket(leaf["code"], request_type, place, road)
            assert 1 <= len(title) <= 40
            assert 40 <= len(description) <= 400


def test_deterministic_for_a_seed():
    def run(seed):
        factory = TicketTextFactory(TAXONOMY, seed=seed)
        out = []
        for i, leaf in enumerate(LEAVES[:40]):
            out.append(factory.ticket(leaf["code"], REQUEST_TYPES[i % 6], PLACE, ROAD))
            out.append(factory.reply(leaf["code"], resolved=i % 2 == 0))
            out.append(factory.callback_note(RATINGS[i % 3]))
            out.append((factory.return_reason(), factory.extension_reason(), factory.invalid_reason()))
        return out

    assert run(2026) == run(2026)
    assert run(2026) != run(2027)


@pytest.mark.parametrize("request_type", REQUEST_TYPES)
def test_varied(request_type):
    factory = TicketTextFactory(TAXONOMY, seed=3)
    for code in ("010101", LEAVES[len(LEAVES) // 2]["code"]):
        descriptions = [factory.ticket(code, request_type, PLACE, ROAD)[1] for _ in range(500)]
        assert len(set(descriptions)) >= 0.8 * 500, (code, request_type)


def test_many_tickets_for_one_leaf_are_mostly_distinct():
    factory = TicketTextFactory(TAXONOMY, seed=4)
    leaf = next(leaf for leaf in LEAVES if leaf["name"] == "噪音扰民")
    tickets = [factory.ticket(leaf["code"], leaf["request_types"][i % len(leaf["request_types"])], PLACE, ROAD)
               for i in range(1000)]
    assert len({description for _title, description in tickets}) >= 900
    assert len({title for title, _description in tickets}) >= 5


def test_replies(factory):
    for leaf in LEAVES:
        for resolved in (True, False):
            reply = factory.reply(leaf["code"], resolved)
            assert 50 <= len(reply) <= 300, reply
            assert chinese(reply), reply
    replies = {factory.reply(LEAVES[0]["code"], True) for _ in range(200)}
    assert len(replies) >= 50
    assert any(re.search(r"\d{1,2}月\d{1,2}日", r) for r in replies)


def test_callback_notes(factory):
    for rating in RATINGS:
        notes = {factory.callback_note(rating) for _ in range(100)}
        assert len(notes) >= 5
        for note in notes:
            assert 5 <= len(note) <= 80 and chinese(note), note
    assert all("不满意" in factory.callback_note("unsatisfied") for _ in range(20))
    with pytest.raises(ValueError):
        factory.callback_note("great")


def test_reasons(factory):
    for method in (factory.return_reason, factory.extension_reason, factory.invalid_reason):
        reasons = {method() for _ in range(200)}
        assert len(reasons) >= 5, method.__name__
        for reason in reasons:
            assert 8 <= len(reason) <= 120 and chinese(reason), reason


def test_unknown_input_is_rejected(factory):
    with pytest.raises(KeyError):
        factory.ticket("999999", "complaint", PLACE, ROAD)
    with pytest.raises(ValueError):
        factory.ticket(LEAVES[0]["code"], "gossip", PLACE, ROAD)
    with pytest.raises(KeyError):
        factory.reply("01", True)


def test_works_for_a_taxonomy_it_has_no_phrases_for():
    tree = [{"code": "01", "name": "测试", "children": [
        {"code": "0101", "name": "测试二级", "department": "subdistrict", "children": [
            {"code": "010101", "name": "井水枯竭", "accept_hours": 2, "resolve_days": 7, "urgent": False,
             "request_types": ["help"], "keywords": ["井水", "枯竭", "打水"]}]}]}]
    factory = TicketTextFactory(tree, seed=1, departments=[])
    for request_type in REQUEST_TYPES:
        title, description = factory.ticket("010101", request_type, PLACE, ROAD)
        assert 1 <= len(title) <= 40 and 40 <= len(description) <= 400
        assert chinese(title) and chinese(description)
    assert 50 <= len(factory.reply("010101", False)) <= 300
    assert factory.return_reason()
    with pytest.raises(ValueError):
        TicketTextFactory([], seed=1)

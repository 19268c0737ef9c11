"""AddressParser alone, over a hand-made city:

示范市 C
├── 西城区 D1
│   ├── 嘉水街道 S1 (roads 人民路, 东风北路)
│   │   ├── 春堡社区 K1 (places 阳光佳苑, 龙湖小区, 第一小学)
│   │   └── 春和社区 K2 (places 春和公园, 第一小学)
│   └── 三水街道 S2 (road 人民路)
└── 东城区 D2
    └── 新华镇 S3 (road 人民路)
        └── 新华村 K3"""
import pytest

from shiyu.geo.address import MAX_TEXT_CHARS, AddressParser, PlaceEntry

E = PlaceEntry
ENTRIES = [
    E("示范市", "city", "C"),
    E("西城区", "district", "D1", ("C",)),
    E("东城区", "district", "D2", ("C",)),
    E("嘉水街道", "subdistrict", "S1", ("C", "D1")),
    E("三水街道", "subdistrict", "S2", ("C", "D1")),
    E("新华镇", "subdistrict", "S3", ("C", "D2")),
    E("春堡社区", "community", "K1", ("C", "D1", "S1")),
    E("春和社区", "community", "K2", ("C", "D1", "S1")),
    E("新华村", "community", "K3", ("C", "D2", "S3")),
    E("人民路", "road", "S1", ("C", "D1")),
    E("人民路", "road", "S2", ("C", "D1")),
    E("人民路", "road", "S3", ("C", "D2")),
    E("东风北路", "road", "S1", ("C", "D1")),
    E("阳光佳苑", "place", "K1", ("C", "D1", "S1")),
    E("龙湖小区", "place", "K1", ("C", "D1", "S1")),
    E("第一小学", "place", "K1", ("C", "D1", "S1")),
    E("春和公园", "place", "K2", ("C", "D1", "S1")),
    E("第一小学", "place", "K2", ("C", "D1", "S1")),
]


@pytest.fixture(scope="module")
def parser():
    return AddressParser(ENTRIES)


@pytest.mark.parametrize("text, unit", [
    ("西城区", "D1"),
    ("示范市西城区嘉水街道春堡社区5号楼", "K1"),
    ("三水街道人民路8号", "S2"),
    ("东风北路12号", "S1"),
    ("阳光佳苑3栋", "K1"),
    ("嘉水 街道 春和 社区", "K2"),  # white space inside names
])
def test_full_names_give_the_deepest_unit(parser, text, unit):
    parsed = parser.parse(text)
    assert parsed.unit == unit and parsed.confidence == "high" and parsed.trusted


def test_the_chain_runs_from_the_top(parser):
    assert parser.parse("春和公园东门").chain == ("C", "D1", "S1", "K2")


def test_the_longest_name_wins(parser):
    # 春和 is also 春和社区 without its suffix, but 春和公园 is the longer name here.
    spans = parser.parse("春和公园").spans
    assert [(s.text, s.kind, s.alias) for s in spans] == [("春和公园", "place", False)]


def test_a_shared_name_is_settled_by_a_higher_name(parser):
    assert parser.parse("东城区人民路").unit == "S3"
    assert parser.parse("人民路，三水街道").unit == "S2"  # the higher name may come after
    assert parser.parse("第一小学(春堡社区)").unit == "K1"


def test_an_unsettled_shared_name_gives_what_its_places_share(parser):
    parsed = parser.parse("人民路1号")
    assert parsed.ambiguous and parsed.chain == ("C",) and parsed.confidence == "low"
    school = parser.parse("第一小学")
    assert school.ambiguous and school.unit == "S1"  # both schools are in 嘉水街道
    assert school.spans[0].unit is None and school.spans[0].used


def test_suffixless_names_are_weak_alone_and_count_when_backed(parser):
    alone = parser.parse("春堡3号院")
    assert alone.unit == "K1" and alone.weak and not alone.trusted and alone.confidence == "low"
    backed = parser.parse("西城 春堡3号院")
    assert backed.unit == "K1" and backed.trusted and [s.alias for s in backed.spans] == [True, True]
    assert parser.parse("龙湖3栋").unit == "K1"  # 龙湖小区 without 小区
    assert parser.parse("嘉水人民路").unit == "S1"


def test_a_suffixless_name_shared_by_two_units_is_not_read(parser):
    # 新华 would be 新华镇 or 新华村: neither is read from it.
    assert parser.parse("新华5号").unit is None
    assert parser.parse("新华镇人民路").unit == "S3"


def test_roads_are_not_read_without_their_suffix(parser):
    assert parser.parse("人民医院").unit is None


def test_contradicting_names_are_flagged(parser):
    parsed = parser.parse("东城区春堡社区")
    assert parsed.conflicting and not parsed.trusted and parsed.confidence == "low"
    assert [s.used for s in parsed.spans] == [False, True]


def test_a_contradicting_suffixless_name_is_ignored(parser):
    parsed = parser.parse("春堡社区 春和")  # 春和 alone may be a word; the full name stands
    assert parsed.unit == "K1" and parsed.trusted and [s.used for s in parsed.spans] == [True, False]


def test_spans_index_the_text_as_given(parser):
    text = "住 西城区  嘉水 街道"
    parsed = parser.parse(text)
    assert [(text[s.start:s.end], s.text) for s in parsed.spans] == [("西城区", "西城区"), ("嘉水 街道", "嘉水街道")]
    assert parsed.spans[1].as_dict() == {"start": 7, "end": 12, "text": "嘉水街道", "kind": "subdistrict",
                                         "alias": False, "used": True, "unit": "S1"}


@pytest.mark.parametrize("text", ["", " \n\t", "hello world", "Flat 3, 12 High Street, London", "12345",
                                  "这里没有任何地名", "😀🙃" * 100, "啊" * 50_000, None, 7, 3.5, b"bytes", ["西城区"]])
def test_anything_else_reads_no_place(parser, text):
    parsed = parser.parse(text)
    assert parsed.unit is None and parsed.confidence == "none" and not parsed.trusted


def test_only_the_start_of_a_long_text_is_read(parser):
    assert parser.parse("西城区" + "x" * 50_000).unit == "D1"
    assert parser.parse("x" * MAX_TEXT_CHARS + "西城区").unit is None


def test_mixed_text_still_finds_the_names(parser):
    assert parser.parse("Room 502, 阳光佳苑 Building 3, near 东风北路").unit == "K1"


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        AddressParser([E("某某", "planet", "X")])

"""Placing tickets by their address text, against the test city's own names."""
import pytest

from shiyu.geo.models import AdminUnit, Gazetteer
from shiyu.geo.places import parse_address, place_from_address
from shiyu.routing.models import PlaceSource
from shiyu.routing.services import decide_route
from shiyu.tickets.models import Category

GARBAGE = ["", "   ", "asdf qwer 1234", "Room 5, Main Street, Springfield", "？？？！！！", "😀" * 30,
           "no place here 没有地名" * 3, "啊" * 50_000, "x" * 50_000, None, 42, b"\xe5\x98\x89"]


def units_by_level(level):
    return list(AdminUnit.objects.filter(level=level).select_related("parent__parent").order_by("code"))


def ids(place):
    return place.community_id, place.subdistrict_id, place.district_id


def test_every_unit_name_places_the_ticket(db):
    for community in units_by_level("community"):
        assert ids(place_from_address(f"{community.name}5号楼2单元")) == (
            community.pk, community.parent_id, community.parent.parent_id)
    for subdistrict in units_by_level("subdistrict"):
        assert ids(place_from_address(f"{subdistrict.name}办事处对面")) == (None, subdistrict.pk,
                                                                         subdistrict.parent_id)
    for district in units_by_level("district"):
        assert ids(place_from_address(f"示范市{district.name}")) == (None, None, district.pk)


def test_roads_and_places_of_the_gazetteer_place_the_ticket(db):
    entries = list(Gazetteer.objects.select_related("unit__parent"))
    assert {e.kind for e in entries} == {"road", "place"}
    for entry in entries:
        place = place_from_address(f"{entry.name}18号")
        deepest = place.community_id or place.subdistrict_id
        assert deepest == entry.unit_id, entry.name


def test_names_without_their_suffix_count_when_another_name_backs_them(db):
    community = units_by_level("community")[0]
    subdistrict, district = community.parent, community.parent.parent
    stem, district_stem = community.name.removesuffix("社区"), district.name.removesuffix("区")
    assert place_from_address(f"{stem}3号院") is None  # alone it may be part of another word
    parsed = parse_address(f"{stem}3号院")
    assert parsed.unit == community.pk and parsed.weak and parsed.confidence == "low"
    assert ids(place_from_address(f"{district_stem} {stem}3号院")) == (community.pk, subdistrict.pk, district.pk)


def test_a_name_in_two_places_is_settled_by_a_higher_name(db):
    first, last = units_by_level("subdistrict")[0], units_by_level("subdistrict")[-1]
    assert first.parent_id != last.parent_id  # two districts
    for subdistrict in (first, last):
        Gazetteer.objects.create(name="人民路", kind="road", unit=subdistrict)  # bumps the geo version
    unsettled = parse_address("人民路12号")
    assert unsettled.ambiguous and unsettled.confidence == "low"
    assert place_from_address("人民路12号") is None
    assert ids(place_from_address(f"{last.parent.name}人民路12号")) == (None, last.pk, last.parent_id)
    assert ids(place_from_address(f"{first.parent.name} 人民路12号")) == (None, first.pk, first.parent_id)


def test_contradicting_names_place_nothing(db):
    community = units_by_level("community")[0]
    other_district = units_by_level("district")[-1]
    assert community.parent.parent_id != other_district.pk
    parsed = parse_address(f"{other_district.name}{community.name}")
    assert parsed.conflicting and parsed.unit == community.pk
    assert place_from_address(f"{other_district.name}{community.name}") is None


def test_the_spans_point_into_the_text_as_given(db):
    community = units_by_level("community")[0]
    address = f"家住 {community.parent.name}，{community.name}"
    spans = parse_address(address).spans
    assert [address[s.start:s.end] for s in spans] == [community.parent.name, community.name]
    assert [s.kind for s in spans] == ["subdistrict", "community"] and all(s.used for s in spans)


@pytest.mark.parametrize("address", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_places_nothing_and_never_raises(address, db):
    assert place_from_address(address) is None
    route = decide_route(category=Category.objects.get(code="090302"), location=None, address=address)
    assert route.place_source == PlaceSource.NONE and route.unit is None


def test_decide_route_reads_the_address_without_coordinates(db):
    community = units_by_level("community")[0]
    neighbours = Category.objects.get(code="090302")  # 邻里纠纷: the local subdistrict office
    route = decide_route(category=neighbours, location=None, address=f"{community.name}3号楼")
    assert route.place_source == PlaceSource.ADDRESS and route.place_id == community.pk
    assert route.confidence == "high" and route.unit.area_id == community.parent_id
    assert route.spans[0]["text"] == community.name and route.spans[0]["unit"] == community.pk
    # The place intake already read from the address (a Location without a grid) is the same.
    again = decide_route(category=neighbours, location=place_from_address(f"{community.name}3号楼"),
                         address=f"{community.name}3号楼")
    assert (again.place_source, again.place_id, again.unit, again.confidence) == (
        route.place_source, route.place_id, route.unit, route.confidence)


def test_a_renamed_unit_is_read_after_the_version_check(db):
    community = units_by_level("community")[0]
    assert place_from_address("新起的名字社区") is None
    community.name = "新起的名字社区"
    community.save()  # bumps the geo version
    assert place_from_address("新起的名字社区").community_id == community.pk

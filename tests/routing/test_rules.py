"""decide_route over the rule table: the category's default, the most specific rule,
rules that cannot apply, the cache."""
import pytest

from shiyu.geo import locate
from shiyu.geo.locate import Location
from shiyu.geo.models import AdminUnit
from shiyu.org.models import HandlingUnit
from shiyu.routing import selectors
from shiyu.routing.models import PlaceSource, RoutingRule
from shiyu.routing.services import decide_route
from shiyu.tickets.models import Category

NOISE = "020101"  # 噪音扰民 (公安局 by default), under 0201 噪声污染 under 02 环境保护
NEIGHBOURS = "090302"  # 邻里纠纷: handled by the local subdistrict


@pytest.fixture
def noise(db):
    return Category.objects.get(code=NOISE)


@pytest.fixture
def where(city):
    """A place from coordinates in the first grid, and its units."""
    grid = city.grids[0]
    community = grid.community
    return type("Where", (), dict(
        location=Location(grid.pk, community.pk, community.parent_id, community.parent.parent_id),
        community=community, subdistrict=community.parent, district=community.parent.parent,
        city=community.parent.parent.parent))


def rule(category, unit, area=None, **fields):
    return RoutingRule.objects.create(category=category, unit=unit, area=area, **fields)


def test_without_rules_the_category_default_decides(noise, where, city):
    route = decide_route(category=noise, location=where.location, address="")
    assert route.unit == city.units["public_security"] and route.rule is None
    assert route.place_source == PlaceSource.COORDINATES and route.place_id == where.community.pk
    assert (route.place_ids.community_id, route.place_ids.subdistrict_id, route.place_ids.district_id) == (
        where.community.pk, where.subdistrict.pk, where.district.pk)
    for name in (noise.name, where.community.name, city.units["public_security"].name):
        assert name in route.reason


def test_route_to_subdistrict_default_needs_the_place(where, db):
    neighbours = Category.objects.get(code=NEIGHBOURS)
    office = HandlingUnit.objects.get(area=where.subdistrict)
    route = decide_route(category=neighbours, location=where.location, address="")
    assert route.unit == office and office.name in route.reason
    unplaced = decide_route(category=neighbours, location=None, address="")
    assert unplaced.unit is None and unplaced.place_source == PlaceSource.NONE
    assert neighbours.name in unplaced.reason


def test_no_category_goes_to_the_dispatcher(where):
    route = decide_route(category=None, location=where.location, address="")
    assert route.unit is None and route.rule is None and route.reason


def test_a_parent_categorys_rule_applies_to_its_leaves(noise, where, city):
    made = rule(noise.parent.parent, city.units["ecology_environment"])
    route = decide_route(category=noise, location=where.location, address="")
    assert route.rule == made and route.unit == city.units["ecology_environment"]
    assert str(made.pk) in route.reason and noise.name in route.reason


def test_the_deeper_category_wins_in_the_same_area(noise, where, city):
    rule(noise.parent.parent, city.units["housing"], where.district)
    level2 = rule(noise.parent, city.units["ecology_environment"], where.district)
    assert decide_route(category=noise, location=where.location, address="").rule == level2
    leaf = rule(noise, city.units["urban_management"], where.district)
    assert decide_route(category=noise, location=where.location, address="").rule == leaf


def test_the_deeper_area_wins_before_the_deeper_category(noise, where, city):
    rule(noise, city.units["housing"])  # anywhere
    in_district = rule(noise, city.units["ecology_environment"], where.district)
    assert decide_route(category=noise, location=where.location, address="").rule == in_district
    broad_but_local = rule(noise.parent.parent, city.units["urban_management"], where.subdistrict)
    assert decide_route(category=noise, location=where.location, address="").rule == broad_but_local
    in_community = rule(noise.parent.parent, city.units["water_affairs"], where.community)
    assert decide_route(category=noise, location=where.location, address="").rule == in_community


def test_priority_then_the_older_rule_break_ties(noise, where, city):
    older = rule(noise, city.units["housing"], where.district)
    rule(noise, city.units["ecology_environment"], where.district)
    assert decide_route(category=noise, location=where.location, address="").rule == older
    preferred = rule(noise, city.units["urban_management"], where.district, priority=5)
    assert decide_route(category=noise, location=where.location, address="").rule == preferred


def test_rules_for_other_areas_do_not_apply(noise, where, city):
    other_district = AdminUnit.objects.filter(level="district").exclude(pk=where.district.pk).first()
    rule(noise, city.units["housing"], other_district)
    assert decide_route(category=noise, location=where.location, address="").unit == city.units["public_security"]
    # Without a place only the rules without an area can match.
    anywhere = rule(noise.parent, city.units["ecology_environment"])
    assert decide_route(category=noise, location=None, address="").rule == anywhere


def test_inactive_rules_and_units_are_passed_over(noise, where, city):
    fallback = rule(noise, city.units["housing"])
    rule(noise, city.units["ecology_environment"], where.district, active=False)
    assert decide_route(category=noise, location=where.location, address="").rule == fallback
    closed = HandlingUnit.objects.create(key="closed", name="已撤销单位", kind="department", active=False)
    rule(noise, closed, where.community)
    assert decide_route(category=noise, location=where.location, address="").rule == fallback


def test_a_rule_can_send_to_the_places_own_office(noise, where, db):
    local = rule(noise, None, where.district, target=RoutingRule.Target.SUBDISTRICT)
    route = decide_route(category=noise, location=where.location, address="")
    assert route.rule == local and route.unit == HandlingUnit.objects.get(area=where.subdistrict)
    district = rule(noise, None, where.district, target=RoutingRule.Target.DISTRICT, priority=1)
    assert decide_route(category=noise, location=where.location, address="").unit == HandlingUnit.objects.get(
        area=where.district)
    # Known only down to the district: the subdistrict office cannot be found, the district can.
    district.delete()
    district_only = Location(None, None, None, where.district.pk)
    assert decide_route(category=noise, location=district_only, address="").rule is None


def test_a_rule_edit_is_seen_at_the_next_version_check(noise, where, city):
    made = rule(noise, city.units["housing"])
    assert decide_route(category=noise, location=where.location, address="").unit == city.units["housing"]
    made.unit = city.units["ecology_environment"]
    made.save()  # bumps the routing version
    assert decide_route(category=noise, location=where.location, address="").unit == \
        city.units["ecology_environment"]


def test_the_rule_table_is_read_once_then_cached(noise, where, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(selectors, "RECHECK_SECONDS", 60)
    monkeypatch.setattr(locate, "RECHECK_SECONDS", 60)
    decide_route(category=noise, location=where.location, address="西城区")
    with django_assert_num_queries(0):
        for _ in range(3):
            decide_route(category=noise, location=None, address="嘉水街道")


@pytest.mark.parametrize("category", ["020101", 3.5, True, object(), -1, 10 ** 30])
@pytest.mark.parametrize("location", [None, "here", Location(None, 10 ** 12, None, None), object()])
def test_bad_input_never_raises(category, location, db):
    route = decide_route(category=category, location=location, address=object())
    assert route.unit is None and route.place_source == PlaceSource.NONE and route.reason

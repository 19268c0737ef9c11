"""The shipped reference data: the 12345 category taxonomy and the handling units.

Plain JSON checks, no database."""
import json
import re
from pathlib import Path

import pytest

import shiyu

PACKAGE = Path(shiyu.__file__).resolve().parent
TAXONOMY_FILE = PACKAGE / "tickets" / "data" / "taxonomy.json"
DEPARTMENTS_FILE = PACKAGE / "org" / "data" / "departments.json"

SUBDISTRICT = "subdistrict"
REQUEST_TYPES = {"enquiry", "help", "complaint", "report", "suggestion", "praise"}
# Open311 GeoReport v2 attribute datatypes.
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def taxonomy():
    return json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def departments():
    return json.loads(DEPARTMENTS_FILE.read_text(encoding="utf-8"))


def level2(taxonomy):
    return [(l1, l2) for l1 in taxonomy for l2 in l1["children"]]


def leaves(taxonomy):
    """(level-2 node, leaf, effective department key)"""
    return [(l2, leaf, leaf.get("department") or l2["department"])
            for l1 in taxonomy for l2 in l1["children"] for leaf in l2["children"]]


# --- departments ------------------------------------------------------------

def test_thirty_departments_with_unique_keys_and_names(departments):
    assert len(departments) == 30
    keys = [d["key"] for d in departments]
    names = [d["name"] for d in departments]
    assert len(set(keys)) == 30
    assert len(set(names)) == 30
    assert SUBDISTRICT not in keys  # reserved: "the subdistrict office where the problem is"


def test_department_rows_are_complete(departments):
    for d in departments:
        assert set(d) == {"key", "name", "short", "kind"}, d
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", d["key"]), d["key"]
        assert len(d["key"]) <= 48
        assert HAN.search(d["name"]) and len(d["name"]) <= 64, d
        assert HAN.search(d["short"]) and len(d["short"]) <= 32, d
        assert d["kind"] in {"department", "enterprise"}, d
    kinds = {d["kind"] for d in departments}
    assert kinds == {"department", "enterprise"}


def test_public_service_enterprises_present(departments):
    enterprises = {d["key"] for d in departments if d["kind"] == "enterprise"}
    assert {"water_supply", "power_supply", "gas_supply", "heating_supply"} <= enterprises


# --- taxonomy structure -----------------------------------------------------

def test_counts(taxonomy):
    assert len(taxonomy) >= 12
    assert len(level2(taxonomy)) >= 40
    assert len(leaves(taxonomy)) >= 100


def test_codes_are_hierarchical_and_unique(taxonomy):
    codes = []
    for l1 in taxonomy:
        assert re.fullmatch(r"\d{2}", l1["code"]), l1["code"]
        codes.append(l1["code"])
        for l2 in l1["children"]:
            assert re.fullmatch(r"\d{4}", l2["code"]) and l2["code"].startswith(l1["code"]), l2["code"]
            codes.append(l2["code"])
            for leaf in l2["children"]:
                assert re.fullmatch(r"\d{6}", leaf["code"]) and leaf["code"].startswith(l2["code"]), leaf["code"]
                assert "children" not in leaf or not leaf["children"]
                codes.append(leaf["code"])
    assert len(codes) == len(set(codes))


def test_names_are_chinese_and_unique(taxonomy):
    def check_siblings(nodes):
        names = [n["name"] for n in nodes]
        assert len(names) == len(set(names)), names
        for name in names:
            assert HAN.search(name) and len(name) <= 64, name

    check_siblings(taxonomy)
    for l1 in taxonomy:
        assert l1["children"], l1["name"]
        check_siblings(l1["children"])
        for l2 in l1["children"]:
            assert l2["children"], l2["name"]
            check_siblings(l2["children"])
    leaf_names = [leaf["name"] for _l2, leaf, _d in leaves(taxonomy)]
    assert len(leaf_names) == len(set(leaf_names)), "leaf names should be unique city-wide"


def test_leaf_fields(taxonomy):
    for _l2, leaf, _dept in leaves(taxonomy):
        name = leaf["name"]
        assert isinstance(leaf["accept_hours"], (int, float)) and 0 < leaf["accept_hours"] <= 24, name
        assert isinstance(leaf["resolve_days"], int) and 1 <= leaf["resolve_days"] <= 30, name
        assert isinstance(leaf["urgent"], bool), name
        types = leaf["request_types"]
        assert types and set(types) <= REQUEST_TYPES and len(types) == len(set(types)), name
        keywords = leaf["keywords"]
        assert 3 <= len(keywords) <= 8 and len(keywords) == len(set(keywords)), name
        assert all(isinstance(k, str) and k.strip() == k and k for k in keywords), name
        assert any(HAN.search(k) for k in keywords), name


def test_urgent_leaves_have_short_deadlines(taxonomy):
    urgent = [leaf for _l2, leaf, _d in leaves(taxonomy) if leaf["urgent"]]
    assert len(urgent) >= 10
    for leaf in urgent:
        assert leaf["accept_hours"] <= 1 and leaf["resolve_days"] <= 3, leaf["name"]
    by_name = {leaf["name"]: leaf for _l2, leaf, _d in leaves(taxonomy)}
    for name in ("燃气泄漏隐患", "井盖缺失破损", "停水", "停电", "供暖中断"):
        assert by_name[name]["urgent"], name


def test_enquiry_leaves_list_enquiry_first(taxonomy):
    for _l2, leaf, _d in leaves(taxonomy):
        if leaf["name"].endswith("咨询"):
            assert leaf["request_types"][0] == "enquiry", leaf["name"]


def test_every_department_key_exists(taxonomy, departments):
    known = {d["key"] for d in departments} | {SUBDISTRICT}
    for _l1, l2 in level2(taxonomy):
        assert l2.get("department") in known, (l2["code"], l2.get("department"))
    for _l2, leaf, _d in leaves(taxonomy):
        if "department" in leaf:
            assert leaf["department"] in known, (leaf["code"], leaf["department"])


def test_routing_covers_subdistricts_and_every_unit(taxonomy, departments):
    used = {dept for _l2, _leaf, dept in leaves(taxonomy)}
    routed_to_subdistrict = [leaf["name"] for _l2, leaf, dept in leaves(taxonomy) if dept == SUBDISTRICT]
    assert {"物业纠纷", "邻里纠纷"} <= set(routed_to_subdistrict)
    # No handling unit is left without a single category.
    assert {d["key"] for d in departments} <= used


def test_attributes_are_open311(taxonomy):
    with_attributes = [leaf for _l2, leaf, _d in leaves(taxonomy) if leaf.get("attributes")]
    assert len(with_attributes) >= 8
    for leaf in with_attributes:
        codes = [a["code"] for a in leaf["attributes"]]
        assert len(codes) == len(set(codes)), leaf["name"]
        for attr in leaf["attributes"]:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", attr["code"]), attr
            assert attr["datatype"] in DATATYPES, attr
            assert isinstance(attr["required"], bool), attr
            assert HAN.search(attr["description"]), attr
            assert isinstance(attr["order"], int), attr
            if attr["datatype"] in ("singlevaluelist", "multivaluelist"):
                values = attr["values"]
                assert values, attr
                keys = [v["key"] for v in values]
                assert len(keys) == len(set(keys)), attr
                assert all(v["name"] for v in values), attr
            else:
                assert "values" not in attr, attr

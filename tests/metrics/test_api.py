"""/api/metrics/: who reads what, bad input, the Excel export."""
import io

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db
RANKINGS = "/api/metrics/rankings/"


@pytest.fixture
def april(simple, place):
    for sub in (place.s1, place.s2, place.s3):
        simple(sub, "2025-04")
    simple(place.s2, "2025-04", rating="unsatisfied", resolved=False)
    simple(place.s1, "2025-04", lead="housing")


@pytest.mark.parametrize("username", ["leader", "supervisor", "admin"])
def test_leaders_read_every_row(api, april, place, username):
    response = api(username).get(RANKINGS, {"month": "2025-04", "kind": "subdistrict"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["month"] == "2025-04" and body["kind"] == "subdistrict" and body["source"] == "database"
    assert body["definitions"]["weights"] == {"response": 0.1, "resolution": 0.45, "satisfaction": 0.45,
                                              "punctuality": 0.1}
    assert [r["unit_id"] for r in body["rows"]][:2] == [place.s1.pk, place.s3.pk]
    assert len(body["rows"]) == 4


def test_handlers_read_their_own_units_row(api, april, place, users):
    department = api("handler").get(RANKINGS, {"month": "2025-04", "kind": "department"}).json()["rows"]
    assert [r["unit_id"] for r in department] == [users.handler.unit_id]
    office = api("subhandler").get(RANKINGS, {"month": "2025-04", "kind": "subdistrict"}).json()["rows"]
    assert [r["unit_id"] for r in office] == [users.subhandler.unit.area_id]
    assert api("subhandler").get(RANKINGS, {"month": "2025-04", "kind": "district"}).json()["rows"] == []


@pytest.mark.parametrize("username", ["citizen", "operator", "dispatcher", "gridworker"])
def test_other_roles_are_refused(api, username):
    assert api(username).get(RANKINGS, {"month": "2025-04"}).status_code == 403
    assert api(username).get("/api/metrics/priority/", {"month": "2025-04"}).status_code == 403


def test_handlers_may_not_export_or_read_the_priority_problem(api):
    assert api("handler").get("/api/metrics/rankings.xlsx", {"month": "2025-04"}).status_code == 403
    assert api("handler").get("/api/metrics/priority/", {"month": "2025-04"}).status_code == 403


def test_anonymous_is_401(api):
    assert api().get(RANKINGS).status_code == 401


@pytest.mark.parametrize("path", [RANKINGS, "/api/metrics/rankings.xlsx", "/api/metrics/priority/"])
@pytest.mark.parametrize("month", ["2025-13", "25-04", "april", "2999-01"])
def test_a_bad_month_is_400(api, path, month):
    response = api("leader").get(path, {"month": month})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "month" in response.json()["fields"]


@pytest.mark.parametrize("path", [RANKINGS, "/api/metrics/rankings.xlsx"])
def test_a_bad_kind_is_400(api, path):
    assert api("leader").get(path, {"kind": "city"}).status_code == 400


def test_default_month_is_last_month(api):
    from django.utils import timezone

    from shiyu.metrics import core

    body = api("leader").get(RANKINGS).json()
    this_month = core.month_of_datetime(timezone.now(), "Asia/Shanghai")
    assert body["month"] == core.month_label(this_month - 1) and body["kind"] == "subdistrict"


def test_priority_problem(api, april, place):
    body = api("leader").get("/api/metrics/priority/", {"month": "2025-04"}).json()
    assert body["month"] == "2025-04"
    assert body["most"][0]["subdistrict"]["code"] in {s.code for s in (place.s1, place.s2)}
    assert body["most"][0]["tickets"][0]["code"].startswith("T")
    assert isinstance(body["hot_issues"], list)  # their content: tests/proactive


def test_excel_export_with_chinese_headers(api, april, place):
    response = api("leader").get("/api/metrics/rankings.xlsx", {"month": "2025-04"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="rankings-2025-04.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["区 2025-04", "街道（乡镇） 2025-04", "市级部门 2025-04", "公共服务企业 2025-04"]
    sheet = book["街道（乡镇） 2025-04"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("排名", "单位", "编码", "综合得分")
    assert {"响应率", "解决率", "满意率", "万人诉求量", "超期件数", "列入治理类"} <= set(header)
    assert [r[:2] for r in rows[1:3]] == [(1, place.s1.name), (2, place.s3.name)]
    assert rows[1][header.index("满意率")] == 1.0
    assert sheet.cell(row=2, column=header.index("满意率") + 1).number_format == "0.00%"


def test_excel_export_of_one_kind(api, april):
    response = api("admin").get("/api/metrics/rankings.xlsx", {"month": "2025-04", "kind": "department"})
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["市级部门 2025-04"]


def test_schema_is_valid_with_the_metrics_paths(api):
    from drf_spectacular.validation import validate_schema

    schema = api().get("/api/schema/?format=json").json()
    validate_schema(schema)
    assert {"/api/metrics/rankings/", "/api/metrics/rankings.xlsx", "/api/metrics/priority/"} <= set(schema["paths"])

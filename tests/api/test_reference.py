"""Reference reads: units, categories, locate."""
import pytest

pytestmark = pytest.mark.django_db


def test_units(api, city):
    units = api("operator").get("/api/units/").json()
    keys = {u["key"] for u in units}
    assert {"urban_management", "housing"} <= keys and keys == set(city.units)
    office = next(u for u in units if u["kind"] == "subdistrict")
    assert office["area"]["code"]


def test_categories(api, city):
    categories = api("dispatcher").get("/api/categories/").json()
    by_code = {c["code"]: c for c in categories}
    leaf = by_code[city.leaves[0].code]
    assert leaf["level"] == 3 and by_code[leaf["parent"]]["level"] == 2
    assert by_code[by_code[leaf["parent"]]["parent"]]["parent"] is None
    assert leaf["resolve_days"] >= 1
    leaves = api("dispatcher").get("/api/categories/?level=3").json()
    assert {c["code"] for c in leaves} == {c.code for c in city.leaves}
    assert api("dispatcher").get("/api/categories/?level=7").status_code == 400


def test_locate(api, city):
    grid = city.grids[5]
    lat, long = city.point_in(grid)
    found = api("gridworker").get(f"/api/locate/?lat={lat}&long={long}").json()
    assert found["grid"]["code"] == grid.code
    assert found["community"]["code"] == grid.community.code
    assert found["subdistrict"]["code"] == grid.community.parent.code
    assert found["district"]["code"] == grid.community.parent.parent.code
    assert found["subdistrict_office"]["key"]


def test_locate_errors(api):
    response = api("operator").get("/api/locate/?lat=10&long=10")
    assert response.status_code == 422 and "lat" in response.json()["fields"]
    response = api("operator").get("/api/locate/?lat=abc")
    assert response.status_code == 400 and {"lat", "long"} <= set(response.json()["fields"])
    assert api("operator").get("/api/locate/?lat=95&long=10").status_code == 400
    assert api().get("/api/locate/?lat=30&long=120").status_code == 401


def test_reference_reads_need_a_user(api):
    assert api().get("/api/units/").status_code == 401
    assert api().get("/api/categories/").status_code == 401

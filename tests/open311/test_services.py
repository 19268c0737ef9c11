"""Discovery, the service list and service definitions, in both formats."""
import pytest

from .conftest import BASE, assert_errors, children, parse_json, parse_xml

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description", "order", "description",
                    "values"]
NOISE = "020101"  # 噪音扰民: a required singlevaluelist and an optional one

pytestmark = pytest.mark.django_db


def test_discovery_json(client):
    body = parse_json(client.get(BASE + "discovery.json"))
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert set(endpoint) == {"specification", "url", "changeset", "type", "formats"}
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] in ("production", "test")
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_discovery_xml(client):
    for path in ("discovery.xml", ""):
        root = parse_xml(client.get(BASE + path))
        assert root.tag == "discovery"
        assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
        endpoint = root.find("endpoints/endpoint")
        assert children(endpoint) == ["specification", "url", "changeset", "type", "formats"]
        assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
        assert all(f.tag == "format" for f in endpoint.find("formats"))


def test_services_json_lists_active_leaves(client, city):
    body = parse_json(client.get(BASE + "services.json"))
    assert [s["service_code"] for s in body] == sorted(c.code for c in city.leaves if c.active)
    for service in body:
        assert list(service) == SERVICE_FIELDS
        assert service["type"] == "realtime"
        assert isinstance(service["metadata"], bool)
    by_code = {s["service_code"]: s for s in body}
    noise = by_code[NOISE]
    assert noise["metadata"] is True and noise["service_name"] == "噪音扰民"
    assert by_code["010101"]["metadata"] is False
    assert "路灯" in by_code["010101"]["keywords"].split(", ")
    assert by_code["010101"]["group"] == "城乡建设"  # the first-level category groups the services


def test_services_xml(client, city):
    root = parse_xml(client.get(BASE + "services.xml"))
    assert root.tag == "services"
    assert len(root) == len(city.leaves)
    for service in root:
        assert service.tag == "service"
        assert children(service) == SERVICE_FIELDS
        assert service.findtext("metadata") in ("true", "false")
        assert service.findtext("type") == "realtime"


def test_inactive_category_is_not_a_service(client, city):
    leaf = city.leaves[1]
    leaf.active = False
    leaf.save()
    codes = [s["service_code"] for s in parse_json(client.get(BASE + "services.json"))]
    assert leaf.code not in codes
    assert_errors(client.get(BASE + f"services/{leaf.code}.json"), 404)


def test_service_definition_json(client):
    body = parse_json(client.get(BASE + f"services/{NOISE}.json"))
    assert list(body) == ["service_code", "attributes"]
    assert body["service_code"] == NOISE
    first, second = body["attributes"]
    for attribute in body["attributes"]:
        assert list(attribute) == ATTRIBUTE_FIELDS
        assert attribute["variable"] is True
        assert attribute["datatype_description"]
    assert first["code"] == "noise_time" and first["required"] is True and first["order"] == 1
    assert first["datatype"] == "singlevaluelist"
    assert {"key": "night", "name": "夜间(22:00-6:00)"} in first["values"]
    assert all(list(v) == ["key", "name"] for v in first["values"])
    assert second["required"] is False and second["order"] == 2


def test_service_definition_xml(client):
    root = parse_xml(client.get(BASE + f"services/{NOISE}.xml"))
    assert root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    attributes = root.find("attributes")
    assert [a.tag for a in attributes] == ["attribute", "attribute"]
    first = attributes[0]
    assert children(first) == ATTRIBUTE_FIELDS
    assert first.findtext("required") == "true" and first.findtext("variable") == "true"
    values = first.find("values")
    assert {v.tag for v in values} == {"value"}
    assert all(children(v) == ["key", "name"] for v in values)
    assert "night" in [v.findtext("key") for v in values]


@pytest.mark.parametrize("code, datatypes", [("040101", ["string", "number", "number"]),
                                             ("070101", ["datetime", "multivaluelist"]),
                                             ("010101", [])])
def test_service_definition_datatypes(client, code, datatypes):
    body = parse_json(client.get(BASE + f"services/{code}.json"))
    assert [a["datatype"] for a in body["attributes"]] == datatypes
    for attribute in body["attributes"]:
        if attribute["datatype"] not in ("singlevaluelist", "multivaluelist"):
            assert attribute["values"] == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_definition_is_404(client, fmt, city):
    assert_errors(client.get(BASE + f"services/999999.{fmt}"), 404, fmt)
    parent = city.leaves[0].parent.code  # a second-level category is no service
    assert_errors(client.get(BASE + f"services/{parent}.{fmt}"), 404, fmt)


def test_unknown_format_and_path_are_404(client):
    assert_errors(client.get(BASE + "services.csv"), 404, "xml")
    assert_errors(client.get(BASE + "nothing.json"), 404, "json")


def test_wrong_method_is_refused(client):
    response = client.post(BASE + "services.json")
    assert_errors(response, 405)
    assert "GET" in response["Allow"]


def test_service_catalogue_is_cached(client, django_assert_num_queries, city):
    client.get(BASE + "services.json")
    with django_assert_num_queries(0):
        client.get(BASE + "services.json")
        client.get(BASE + f"services/{NOISE}.xml")
    leaf = city.leaves[0]
    leaf.name = "路灯不亮(改)"
    leaf.save()  # a save in this process is seen at once
    names = {s["service_code"]: s["service_name"] for s in parse_json(client.get(BASE + "services.json"))}
    assert names[leaf.code] == "路灯不亮(改)"

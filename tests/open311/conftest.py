"""Fixtures for the Open311 tests: an api_key, a fresh catalogue snapshot per test,
and helpers that read an answer in either format."""
import json
import xml.etree.ElementTree as ET

import pytest

BASE = "/open311/v2/"
API_KEY = "test-open311-key"


@pytest.fixture(autouse=True)
def _fresh_catalog():
    from shiyu.open311 import catalog

    catalog.clear()
    yield
    catalog.clear()


@pytest.fixture
def api_key(db):
    from shiyu.open311.models import ApiKey

    ApiKey.objects.create(name="test client", key_hash=ApiKey.hash(API_KEY))
    return API_KEY


def parse_xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def parse_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def children(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def assert_errors(response, status: int, fmt: str = "json") -> list[str]:
    """The spec's error list; returns the descriptions."""
    assert response.status_code == status, response.content.decode()
    if fmt == "xml":
        root = parse_xml(response)
        assert root.tag == "errors"
        assert root and all(e.tag == "error" and children(e) == ["code", "description"] for e in root)
        return [e.findtext("description") for e in root]
    body = parse_json(response)
    assert isinstance(body, list) and body
    for entry in body:
        assert set(entry) == {"code", "description"}
        assert isinstance(entry["code"], int) and entry["description"]
    return [entry["description"] for entry in body]

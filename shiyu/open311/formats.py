"""Rendering GeoReport v2 documents as JSON and XML, and the spec's error list.

The spec's JSON is a mapping of its XML (the "Spark convention"): a list is a JSON
array and, in XML, a wrapper element around one element per item. The item's tag
comes from ITEM_TAGS, so one Python structure renders to both formats."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Wrapper element -> the element of each item (services/service, errors/error ...).
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all (C0 controls but tab/newline/return,
# lone surrogates, U+FFFE/U+FFFF). Input with them is refused; output drops them.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Open311Error(Exception):
    """An answer in the spec's error format: [{code, description}, ...] with an HTTP status.

    The spec: 404 for what does not exist, 403 for a missing or wrong api_key,
    400 for any other request that cannot be fulfilled. One entry per problem."""

    def __init__(self, status: int, descriptions: str | Iterable[str]):
        self.status = status
        self.descriptions = [descriptions] if isinstance(descriptions, str) else list(descriptions)
        super().__init__("; ".join(self.descriptions))

    def as_list(self) -> list[dict]:
        return [{"code": self.status, "description": d} for d in self.descriptions]


def _text(value) -> str | None:
    if value is None:
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return repr(value)
    return XML_INVALID.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, (list, tuple)):
        item_tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        element.text = _text(value)


def to_xml(root_tag: str, data) -> bytes:
    """The document as UTF-8 bytes with the XML declaration the spec asks for."""
    root = ET.Element(root_tag)
    _fill(root, data)
    return XML_DECLARATION + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def respond(fmt: str, root_tag: str, data, status: int = 200) -> HttpResponse:
    body = to_xml(root_tag, data) if fmt == "xml" else to_json(data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    return respond(fmt if fmt in FORMATS else "xml", "errors", error.as_list(), status=error.status)

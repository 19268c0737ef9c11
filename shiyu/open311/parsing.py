"""Reading what Open311 clients send: the POST body in any of four encodings, and
W3C datetimes. Everything here is plain Python on bytes and strings; a request that
cannot be read raises Open311Error(400) and nothing further happens.

POST bodies, all read as UTF-8 (the spec: "UTF-8 is required everywhere"):
- application/x-www-form-urlencoded (the spec's way) and multipart/form-data:
  attribute[code]=value, and attribute[code][]=v1&attribute[code][]=v2 for lists;
- application/json (extension): {"service_code": "...", "attribute": {"code": "v" | ["v1", "v2"]}}
  (keys written the form's way, "attribute[code]", are read too);
- text/xml or application/xml (extension), parsed with defusedxml:
  <service_request><service_code>...</service_code>
    <attributes><attribute><code>c</code><value>v</value>...</attribute></attributes>
  </service_request>  (or <attributes><c>v</c></attributes>)."""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from django.utils import timezone
from django.utils.translation import gettext as _

from .formats import XML_INVALID, Open311Error

MAX_FIELDS = 1000
_ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_SPACED_OFFSET = re.compile(r"^(.*T[\d:.]+) (\d\d:?\d\d)$")
_DATE_ONLY = re.compile(r"^\d{4}-\d\d-\d\d$")


@dataclass
class Submission:
    """A POST body, read: the spec's single-valued fields and attribute[code] values."""

    fields: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, list[str]] = field(default_factory=dict)


def _bad(description: str) -> Open311Error:
    return Open311Error(400, description)


def _check_text(name: str, value: str) -> str:
    if XML_INVALID.search(value):
        raise _bad(_("%(field)s: control characters are not allowed.") % {"field": name})
    return value


def _add(sub: Submission, key: str, value: str) -> None:
    """One key/value pair as sent in a form: attribute[...] keys go to the attributes."""
    key = _check_text("field name", key)
    value = _check_text(key, value)
    match = _ATTRIBUTE_KEY.match(key)
    if match:
        sub.attributes.setdefault(match.group(1), []).append(value)
    elif key not in ("attribute", "attribute[]"):
        sub.fields[key] = value  # a repeated field: the last one counts, as in Django's QueryDict


def _charset_ok(params: dict) -> None:
    charset = (params.get("charset") or "utf-8").strip().strip('"').lower()
    if charset not in ("utf-8", "utf8"):
        raise _bad(_("Only UTF-8 is accepted, not %(charset)s.") % {"charset": charset})


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(_("The request body is not valid UTF-8 (byte %(position)d).") % {"position": exc.start}) from exc


def parse_form(body: bytes) -> Submission:
    text = _utf8(body)
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                          max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError as exc:
        raise _bad(_("A form field is not valid UTF-8 once decoded.")) from exc
    except ValueError as exc:  # too many fields
        raise _bad(_("Too many form fields.")) from exc
    sub = Submission()
    for key, value in pairs:
        _add(sub, key, value)
    return sub


def parse_multipart(post) -> Submission:
    """Django has already parsed it, replacing undecodable bytes with U+FFFD: those are refused."""
    sub = Submission()
    for key, values in post.lists():
        for value in values:
            if "\ufffd" in value or "\ufffd" in key:
                raise _bad(_("The form field %(field)s is not valid UTF-8.") % {"field": key})
            _add(sub, key, value)
    return sub


def _scalar(name: str, value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (int, float, str)):
        return _check_text(name, str(value))
    raise _bad(_("%(field)s: expected a single value.") % {"field": name})


def parse_json(body: bytes) -> Submission:
    text = _utf8(body)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _bad(_("The request body is not valid JSON: %(error)s") % {"error": exc}) from exc
    if not isinstance(data, dict):
        raise _bad(_("The JSON body must be an object of fields."))
    sub = Submission()
    for key, value in data.items():
        if key in ("attribute", "attributes"):
            if not isinstance(value, dict):
                raise _bad(_("%(field)s: expected an object of attribute codes and values.") % {"field": key})
            for code, given in value.items():
                values = given if isinstance(given, list) else [given]
                name = f"attribute[{code}]"
                sub.attributes.setdefault(_check_text("attribute code", str(code)), []).extend(
                    _scalar(name, v) for v in values)
        elif isinstance(value, list) and _ATTRIBUTE_KEY.match(key):
            for item in value:
                _add(sub, key, _scalar(key, item))
        else:
            _add(sub, key, _scalar(key, value))
    return sub


def parse_xml(body: bytes) -> Submission:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    _utf8(body)  # the XML's own encoding declaration does not change the rule
    try:
        root = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise _bad(_("The request body is not well-formed XML: %(error)s") % {"error": exc}) from exc
    for element in root.iter():  # the spec's namespace, if a client declares it, is not part of the names
        element.tag = element.tag.rsplit("}", 1)[-1]
    sub = Submission()
    for child in root:
        if child.tag in ("attributes", "attribute"):
            for item in child:
                if item.tag == "attribute":  # <attribute><code>c</code><value>v</value>...</attribute>
                    code = (item.findtext("code") or "").strip()
                    if not code:
                        raise _bad(_("attribute: each <attribute> needs a <code>."))
                    sub.attributes.setdefault(code, []).extend((v.text or "") for v in item.findall("value"))
                else:  # <attributes><code>value</code></attributes>
                    sub.attributes.setdefault(item.tag, []).append(item.text or "")
        elif len(child):
            raise _bad(_("%(field)s: expected a single value.") % {"field": child.tag})
        else:
            sub.fields[child.tag] = child.text or ""
    return sub


def parse_body(request) -> Submission:
    """The POST body by its Content-Type; an empty or missing type is read as a form."""
    content_type = (request.content_type or "").lower()
    _charset_ok(request.content_params or {})
    if content_type == "multipart/form-data":
        return parse_multipart(request.POST)
    body = request.body
    if content_type in ("", "application/x-www-form-urlencoded"):
        return parse_form(body)
    if content_type == "application/json" or content_type.endswith("+json"):
        return parse_json(body)
    if content_type in ("text/xml", "application/xml") or content_type.endswith("+xml"):
        return parse_xml(body)
    raise _bad(_("Unsupported Content-Type %(type)s: send a form, multipart, JSON or XML.")
               % {"type": content_type})


def parse_datetime(value: str, name: str) -> dt.datetime:
    """A W3C datetime (2010-01-01T00:00:00Z, ...+08:00) or a bare date (local midnight).

    A '+' sent unencoded in a query string arrives as a space: that is read back too."""
    text = value.strip()
    spaced = _SPACED_OFFSET.match(text)
    if spaced:
        text = f"{spaced.group(1)}+{spaced.group(2)}"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or "T" not in text and not _DATE_ONLY.match(text):
        raise _bad(_("%(field)s: not a W3C datetime such as 2024-05-01T08:00:00+08:00.") % {"field": name})
    if parsed.tzinfo is None:
        if not _DATE_ONLY.match(text):
            raise _bad(_("%(field)s: give the time zone (Z or an offset such as +08:00).") % {"field": name})
        parsed = timezone.make_aware(parsed)
    return parsed


def w3c(moment: dt.datetime | None) -> str | None:
    """Times go out in the city's zone with their offset: 2024-05-01T08:00:00+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")

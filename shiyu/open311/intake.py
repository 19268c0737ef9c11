"""POST requests: from a read body to intake.services.take_in (the ticket core plus routing and repeats).

Everything the Ticket columns or the service definition can refuse is checked here
first, all at once, so that a client learns every problem in one answer and nothing
reaches the database unless it will fit."""
from __future__ import annotations

import math
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from shiyu.core.errors import InvalidInput
from shiyu.geo.models import Gazetteer
from shiyu.tickets.models import Channel, RequestType, Ticket
from shiyu.intake.services import take_in
from shiyu.tickets.services import ADDRESS_MAX, DESCRIPTION_MAX, NAME_MAX, PHONE_MAX, TicketInput

from . import catalog
from .formats import Open311Error
from .parsing import Submission, parse_datetime, w3c

ID_MAX = 128  # device_id, account_id, address_id
URL_MAX = 2000
STRING_MAX = 500  # an attribute of datatype string
_PHONE_NOISE = re.compile(r"[\s().]")
REQUEST_TYPES = frozenset(RequestType.values)  # an enum's .values is rebuilt on every access
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# The service's field names, as an Open311 client knows them.
SERVICE_FIELDS = {"reporter_phone": "phone", "reporter_email": "email", "reporter_name": "last_name",
                  "address": "address_string", "category": "service_code", "title": "description"}


class _Errors:
    def __init__(self):
        self.items: list[str] = []

    def add(self, name: str, message: str) -> None:
        self.items.append(f"{name}: {message}")


def _limit(errors: _Errors, name: str, value: str, limit: int) -> str:
    if len(value) > limit:
        errors.add(name, _("At most %(max)d characters.") % {"max": limit})
    return value


def _float(errors: _Errors, name: str, text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        errors.add(name, _("Not a number: %(value)r.") % {"value": text[:40]})
        return None
    return value


def reporter_name(first: str, last: str) -> str:
    """Family name first, as Chinese names are written (张 + 三 = 张三); Latin names keep
    their own order with a space (John Smith)."""
    if _CJK.search(first + last):
        return last + first
    return f"{first} {last}".strip()


def _number(text: str):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return int(value) if value.is_integer() and abs(value) < 2 ** 53 else value


def _attribute_values(errors: _Errors, service: catalog.Service, given: dict[str, list[str]]) -> dict:
    """attribute[code] values checked against the service definition."""
    definitions = {a.code: a for a in service.attributes}
    for code in given:
        if code not in definitions:
            errors.add(f"attribute[{code}]", _("Service %(service)s has no attribute %(code)s.")
                       % {"service": service.code, "code": code})
    values = {}
    for attribute in service.attributes:
        name = f"attribute[{attribute.code}]"
        raw = [v.strip() for v in given.get(attribute.code, []) if v.strip()]
        if not raw:
            if attribute.required and attribute.variable:
                errors.add(name, _("Required: %(description)s.") % {"description": attribute.description
                                                                    or attribute.code})
            continue
        if attribute.datatype != "multivaluelist" and len(raw) > 1:
            errors.add(name, _("Give one value only."))
            continue
        if attribute.datatype in catalog.LIST_TYPES:
            unknown = [v for v in raw if v not in attribute.keys]
            if unknown:
                errors.add(name, _("Not a choice: %(values)s. Choose from %(keys)s.") % {
                    "values": ", ".join(unknown[:5]), "keys": ", ".join(k for k, _n in attribute.values)})
                continue
            values[attribute.code] = list(dict.fromkeys(raw)) if attribute.datatype == "multivaluelist" else raw[0]
        elif attribute.datatype == "number":
            try:
                values[attribute.code] = _number(raw[0])
            except ValueError:
                errors.add(name, _("Not a number: %(value)r.") % {"value": raw[0][:40]})
        elif attribute.datatype == "datetime":
            try:
                values[attribute.code] = w3c(parse_datetime(raw[0], name))
            except Open311Error as exc:
                errors.items.extend(exc.descriptions)
        else:
            limit = DESCRIPTION_MAX if attribute.datatype == "text" else STRING_MAX
            values[attribute.code] = _limit(errors, name, raw[0], limit)
    return values


def _gazetteer_address(errors: _Errors, address_id: str) -> str:
    """address_id is our gazetteer's id: the road or place, and the unit it lies in."""
    entry = None
    if address_id.isdigit() and len(address_id) < 12:
        entry = Gazetteer.objects.select_related("unit").filter(pk=int(address_id)).first()
    if entry is None:
        errors.add("address_id", _("Unknown address_id %(value)r.") % {"value": address_id[:40]})
        return ""
    return f"{entry.unit.name}{entry.name}"


def prepare(sub: Submission, service: catalog.Service, client: str) -> TicketInput:
    """The ticket to create, or Open311Error(400) listing every problem."""
    f = {k: v.strip() for k, v in sub.fields.items()}
    errors = _Errors()

    lat = long = None
    if f.get("lat") or f.get("long"):
        if not (f.get("lat") and f.get("long")):
            errors.add("lat" if not f.get("lat") else "long", _("Send both lat and long."))
        else:
            lat, long = _float(errors, "lat", f["lat"]), _float(errors, "long", f["long"])
    address = _limit(errors, "address_string", f.get("address_string", ""), ADDRESS_MAX)
    address_id = _limit(errors, "address_id", f.get("address_id", ""), ID_MAX)
    if not (f.get("lat") or f.get("long") or address or address_id):
        errors.add("location", _("Required: lat and long, address_string or address_id."))
    elif address_id and not address and lat is None:
        address = _gazetteer_address(errors, address_id)

    description = _limit(errors, "description", f.get("description", ""), DESCRIPTION_MAX)
    name = _limit(errors, "last_name", reporter_name(f.get("first_name", ""), f.get("last_name", "")), NAME_MAX)
    phone = _limit(errors, "phone", _PHONE_NOISE.sub("", f.get("phone", "")), PHONE_MAX)
    email = f.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", _("Not an e-mail address."))
    request_type = f.get("request_type") or service.default_request_type
    if request_type not in REQUEST_TYPES:
        errors.add("request_type", _("One of %(values)s.") % {"values": ", ".join(RequestType.values)})

    extra = {"client": client}
    for key in ("device_id", "account_id"):
        if f.get(key):
            extra[key] = _limit(errors, key, f[key], ID_MAX)
    if address_id:
        extra["address_id"] = address_id
    if f.get("media_url"):
        extra["media_url"] = _limit(errors, "media_url", f["media_url"], URL_MAX)
        try:
            URLValidator(schemes=["http", "https"])(f["media_url"][:URL_MAX])
        except ValidationError:
            errors.add("media_url", _("Not an http(s) URL."))

    attributes = _attribute_values(errors, service, sub.attributes)
    if errors.items:
        raise Open311Error(400, errors.items)
    attributes["open311"] = extra
    return TicketInput(channel=Channel.OPEN311, request_type=request_type, category=service.category,
                       description=description or service.name, address=address, lat=lat, long=long,
                       reporter_name=name, reporter_phone=phone, reporter_email=email, attributes=attributes)


def submit(sub: Submission, service: catalog.Service, client: str) -> Ticket:
    data = prepare(sub, service, client)
    try:
        return take_in(actor=None, data=data)
    except InvalidInput as exc:
        messages = [f"{SERVICE_FIELDS.get(field, field)}: {message}"
                    for field, field_messages in exc.fields.items() for message in field_messages]
        raise Open311Error(400, messages or [exc.message]) from exc

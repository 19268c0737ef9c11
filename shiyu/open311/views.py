"""Open311 GeoReport v2 at /open311/v2/: plain function views, each in .json and .xml.

  GET  discovery.{fmt}                 service discovery
  GET  services.{fmt}                  leaf categories as services
  GET  services/{service_code}.{fmt}   a service definition (its attributes)
  POST requests.{fmt}                  a new service request (api_key required)
  GET  requests.{fmt}                  service requests, filtered
  GET  requests/{service_request_id}.{fmt}

Errors are the spec's list of {code, description} with 400, 403 or 404; nothing a
client sends produces a 500. Reads are public and never show personal data."""
from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import catalog, intake
from .formats import FORMATS, Open311Error, error_response, respond
from .parsing import parse_body, parse_datetime
from .public import STATES_FOR, public_tickets, request_row, service_notice

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_RESULTS = 1000
MAX_SPAN = dt.timedelta(days=90)
DATATYPE_DESCRIPTIONS = {
    "string": lambda: _("A single line of text."),
    "number": lambda: _("A number, such as 3 or 2.5."),
    "datetime": lambda: _("A W3C date and time, such as 2024-05-01T08:00:00+08:00."),
    "text": lambda: _("Text; line breaks are allowed."),
    "singlevaluelist": lambda: _("One key from the values."),
    "multivaluelist": lambda: _("One or more keys from the values: attribute[code][]=key1&attribute[code][]=key2."),
}


def endpoint(*methods: str):
    """csrf-exempt, method check, and every Open311Error answered in the spec's format."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, fmt: str = "xml", **kwargs):
            if request.method not in methods:
                response = error_response(fmt, Open311Error(405, _("Method %(method)s is not allowed here.")
                                                            % {"method": request.method}))
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc)
            except RequestDataTooBig:
                return error_response(fmt, Open311Error(400, _("The request body is too large.")))
            except (MultiPartParserError, SuspiciousOperation) as exc:
                return error_response(fmt, Open311Error(400, _("The request could not be read: %(error)s")
                                                        % {"error": exc}))

        return wrapper

    return decorate


def _values(request, name: str) -> list[str]:
    """A filter given comma-separated, repeated, or both."""
    return [v.strip() for given in request.GET.getlist(name) for v in given.split(",") if v.strip()]


# ---------------------------------------------------------------- discovery and services


@endpoint("GET", "HEAD")
def discovery(request, fmt):
    changeset = getattr(settings, "SHIYU_OPEN311_CHANGESET", "2026-01-01T00:00:00+08:00")
    data = {
        "changeset": changeset,
        "contact": getattr(settings, "SHIYU_OPEN311_CONTACT", "") or _(
            "The city's 12345 hotline service centre."),
        "key_service": getattr(settings, "SHIYU_OPEN311_KEY_SERVICE", "") or _(
            "Ask the 12345 service centre for an api_key; an administrator issues it in the admin site."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
            "changeset": changeset,
            "type": getattr(settings, "SHIYU_OPEN311_ENDPOINT_TYPE", "production"),
            "formats": ["text/xml", "application/json"],
        }],
    }
    return respond(fmt, "discovery", data)


def _service_description(service: catalog.Service) -> str:
    return f"{service.subgroup} · {service.name}。{service_notice(service)}"


@endpoint("GET", "HEAD")
def services(request, fmt):
    rows = [{
        "service_code": s.code,
        "service_name": s.name,
        "description": _service_description(s),
        "metadata": s.metadata,
        "type": "realtime",
        "keywords": ", ".join(s.keywords),
        "group": s.group,
    } for s in catalog.services()]
    return respond(fmt, "services", rows)


@endpoint("GET", "HEAD")
def service_definition(request, service_code, fmt):
    service = catalog.service(service_code)
    if service is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": service_code})
    attributes = [{
        "variable": a.variable,
        "code": a.code,
        "datatype": a.datatype,
        "required": a.required,
        "datatype_description": a.datatype_description or DATATYPE_DESCRIPTIONS[a.datatype](),
        "order": a.order,
        "description": a.description,
        "values": [{"key": key, "name": name} for key, name in a.values],
    } for a in service.attributes]
    return respond(fmt, "service_definition", {"service_code": service.code, "attributes": attributes})


# ---------------------------------------------------------------- requests


def _create(request, fmt):
    submission = parse_body(request)
    api_key = (submission.fields.get("api_key") or request.GET.get("api_key") or "").strip()
    if not api_key:
        raise Open311Error(403, _("api_key is missing -- can't proceed with create_request."))
    client = catalog.client_for(api_key)
    if client is None:
        raise Open311Error(403, _("Invalid api_key received -- can't proceed with create_request."))
    code = (submission.fields.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    service = catalog.service(code)
    if service is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    ticket = intake.submit(submission, service, client)
    row = {"service_request_id": ticket.code, "service_notice": service_notice(service),
           "account_id": (submission.fields.get("account_id") or "").strip() or None}
    return respond(fmt, "service_requests", [row], status=201)


def _window(request) -> tuple[dt.datetime, dt.datetime]:
    """start_date and end_date; by default the last 90 days, and never more than 90."""
    start = parse_datetime(request.GET["start_date"], "start_date") if request.GET.get("start_date") else None
    end = parse_datetime(request.GET["end_date"], "end_date") if request.GET.get("end_date") else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > MAX_SPAN:
        raise Open311Error(400, _("start_date to end_date may not span more than 90 days."))
    return start, end


def _list(request, fmt):
    tickets = public_tickets()
    codes = _values(request, "service_request_id")
    if codes:  # the spec: this overrides every other argument
        if len(codes) > MAX_RESULTS:
            raise Open311Error(400, _("At most %(max)d service_request_id at once.") % {"max": MAX_RESULTS})
        tickets = tickets.filter(code__in=[c.upper() for c in codes])
    else:
        start, end = _window(request)
        tickets = tickets.filter(created_at__gte=start, created_at__lte=end)
        service_codes = _values(request, "service_code")
        if service_codes:
            tickets = tickets.filter(category__code__in=service_codes)
        statuses = _values(request, "status")
        if statuses:
            unknown = sorted(set(statuses) - set(STATES_FOR))
            if unknown:
                raise Open311Error(400, _("status: %(values)s; use open or closed.") % {"values": ", ".join(unknown)})
            tickets = tickets.filter(status__in=set().union(*(STATES_FOR[s] for s in statuses)))
    rows = [request_row(t) for t in tickets.order_by("-created_at", "-id")[:MAX_RESULTS]]
    return respond(fmt, "service_requests", rows)


@endpoint("GET", "HEAD", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


@endpoint("GET", "HEAD")
def request_detail(request, service_request_id, fmt):
    ticket = public_tickets().filter(code=service_request_id.strip().upper()).first()
    if ticket is None:
        raise Open311Error(404, _("service_request_id %(id)s was not found.") % {"id": service_request_id})
    return respond(fmt, "service_requests", [request_row(ticket)])


@csrf_exempt
def not_found(request, rest: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: the spec's 404, in the format the path asks for."""
    fmt = rest.rsplit(".", 1)[-1] if "." in rest else "xml"
    return error_response(fmt if fmt in FORMATS else "xml",
                          Open311Error(404, _("No such resource: %(path)s. Formats are .xml and .json.")
                                       % {"path": rest or "/"}))

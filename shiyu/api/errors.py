"""One error shape for the staff API: {"code", "detail", "fields"?} with a 4xx status.

Domain errors carry their own status (403, 404, 409 with current_state and
allowed_actions, 422 with fields); DRF's own exceptions keep theirs; a busy database
answers 503 so a client retries instead of seeing a 500."""
import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from shiyu.core.errors import DomainError

logger = logging.getLogger(__name__)


def _error(code: str, detail: str, http_status: int, **extra) -> Response:
    return Response({"code": code, "detail": detail, **extra}, status=http_status)


def _fields(detail) -> dict:
    if isinstance(detail, dict):
        return detail
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, (ObjectDoesNotExist, Http404)):
        return _error("not_found", _("Not found."), status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return _error("forbidden", str(exc) or _("You may not do this."), status.HTTP_403_FORBIDDEN)
    if isinstance(exc, RequestDataTooBig):
        return _error("too_large", str(exc), status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        return _error("bad_request", str(exc), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, OperationalError):
        logger.warning("database unavailable: %s", exc)
        response = _error("unavailable", _("The database is busy; try again."), status.HTTP_503_SERVICE_UNAVAILABLE)
        response["Retry-After"] = "1"
        return response
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "detail": _("The input has errors."), "fields": _fields(exc.detail)}
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        code = exc.get_codes() if isinstance(detail, str) else exc.default_code
        response.data = {"code": code if isinstance(code, str) else exc.default_code, "detail": str(detail)}
    return response

"""One error shape for the staff API: {"code", "detail", "fields"?} with a 4xx status."""
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from shiyu.core.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, ObjectDoesNotExist):
        return Response({"code": "not_found", "detail": str(exc) or "not found"}, status=status.HTTP_404_NOT_FOUND)
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"code": "invalid", "detail": "invalid input", "fields": fields}
    elif isinstance(exc, Http404):
        response.data = {"code": "not_found", "detail": "not found"}
    else:
        response.data = {"code": getattr(exc, "default_code", "error"), "detail": response.data.get("detail", "")}
    return response

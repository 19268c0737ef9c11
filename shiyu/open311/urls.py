"""Open311 GeoReport v2, mounted at /open311/v2/ by the project's urls.py."""
from django.urls import path, re_path

from . import views

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"
CODE = r"(?P<{name}>[^/]{{1,64}}?)"

urlpatterns = [
    # The spec suggests serving the discovery document at the endpoint's root too.
    path("", views.discovery, {"fmt": "xml"}, name="root"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/" + CODE.format(name="service_code") + FMT, views.service_definition,
            name="service_definition"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/" + CODE.format(name="service_request_id") + FMT, views.request_detail,
            name="request_detail"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]

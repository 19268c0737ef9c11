"""The staff API, mounted at /api/ (the schema and Swagger UI are at /api/schema/ and /api/docs/)."""
from django.urls import include, path, re_path, register_converter
from django.urls.converters import IntConverter
from rest_framework.routers import SimpleRouter

from . import intake, views

app_name = "api"


class RowIdConverter(IntConverter):
    """An id that fits a 64-bit column (a longer one is a 404, not a database overflow)."""

    regex = "[0-9]{1,18}"


register_converter(RowIdConverter, "rowid")

router = SimpleRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    *router.urls,
    path("extensions/<rowid:pk>/decide/", views.ExtensionDecideView.as_view(), name="extension-decide"),
    path("attachments/<rowid:pk>/", views.AttachmentFileView.as_view(), name="attachment-file"),
    path("units/", views.UnitListView.as_view(), name="units"),
    path("categories/", views.CategoryListView.as_view(), name="categories"),
    path("locate/", views.LocateView.as_view(), name="locate"),
    path("intake/check/", intake.IntakeCheckView.as_view(), name="intake-check"),
    path("triage/", intake.TriageListView.as_view(), name="triage"),
    path("similar/<rowid:pk>/merge/", intake.MergeSimilarView.as_view(), name="similar-merge"),
    path("similar/<rowid:pk>/dismiss/", intake.DismissSimilarView.as_view(), name="similar-dismiss"),
    path("summons/", include("shiyu.api.summons")),
    path("", include("shiyu.api.risk")),  # alerts/ and alert-mutes/
    path("metrics/", include("shiyu.api.metrics")),
    path("", include("shiyu.api.proactive")),  # hotspots/ and proactive-tasks/
    re_path(r"^(?P<path>.*)$", views.not_found, name="not-found"),  # JSON 404, not Django's HTML page
]

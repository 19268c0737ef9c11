"""The staff API, mounted at /api/ (the schema and Swagger UI are at /api/schema/ and /api/docs/)."""
from django.urls import path, re_path, register_converter
from django.urls.converters import IntConverter
from rest_framework.routers import SimpleRouter

from . import views

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
    re_path(r"^(?P<path>.*)$", views.not_found, name="not-found"),  # JSON 404, not Django's HTML page
]

"""The staff API of risk alerts (风险预警), mounted at /api/alerts/ and /api/alert-mutes/:
thin views over shiyu.risk.selectors and services, with their serializers.

An alert is always found through selectors.get_visible_alert, so one outside the user's
scope answers 404 whatever the action. Every action answers the updated alert, whose
`allowed_actions` say what the user may do next (acknowledge, assign, report back, resolve)."""
from __future__ import annotations

from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from shiyu.core.errors import NotFound
from shiyu.core.models import User
from shiyu.geo.models import AdminUnit
from shiyu.org.models import HandlingUnit
from shiyu.risk import selectors, services
from shiyu.risk.models import Level, RiskAlert, RiskMute, Signal
from shiyu.tickets.models import Category

from .pagination import NoCountLimitOffsetPagination
from .schema import EnumChoiceField
from .serializers import (AdminUnitRefSerializer, CategoryRefSerializer, ErrorSerializer, Text,
                          TimelineEventSerializer, UnitRefSerializer, _actor_display, _optional_text)
from .summons import TicketRefSerializer
from .views import E400, E401, E403, E422, _query, _valid, action_view

ACTIONS = list(services.TRANSITIONS)
TAGS = ["risk alerts"]


def _level_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(Level.choices, component="RiskLevel", **kwargs)


def _kind_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(Signal.choices, component="RiskSignal", **kwargs)


def _status_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(RiskAlert.Status.choices, component="RiskAlertStatus", **kwargs)


# ---------------------------------------------------------------- input


class AlertFilterSerializer(serializers.Serializer):
    level = _level_field(required=False)
    status = _status_field(required=False)
    kind = _kind_field(required=False)


class AlertNoteSerializer(serializers.Serializer):
    note = _optional_text(services.NOTE_MAX)


class AssignSerializer(serializers.Serializer):
    unit = serializers.SlugRelatedField(slug_field="key", queryset=HandlingUnit.objects.all(), required=False,
                                        allow_null=True, default=None, help_text="Key of the handling unit.")
    user = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all(), required=False,
                                        allow_null=True, default=None,
                                        help_text="Username of the person; their unit unless `unit` is given.")
    note = _optional_text(services.NOTE_MAX)


class ResolveSerializer(serializers.Serializer):
    note = Text(max_length=services.NOTE_MAX, help_text="How the risk was dealt with.")


class AlertReportSerializer(serializers.Serializer):
    note = Text(max_length=services.NOTE_MAX, help_text="What the assignee did.")


class MuteCreateSerializer(serializers.Serializer):
    alert = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                     help_text="Mute the signal this alert came from (its kind and key).")
    kind = _kind_field(required=False, help_text="Without `alert`: the signal, with a subdistrict and/or category.")
    subdistrict = serializers.SlugRelatedField(
        slug_field="code", queryset=AdminUnit.objects.filter(level=AdminUnit.Level.SUBDISTRICT), required=False,
        allow_null=True, default=None, help_text="Code of the subdistrict.")
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all(), required=False,
                                            allow_null=True, default=None,
                                            help_text="Code of the top-level category.")
    reason = Text(max_length=services.REASON_MAX, help_text="Why the signal is noise here.")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                           help_text="Until when; for good when left out.")

    def validate_alert(self, value: int | None) -> RiskAlert | None:
        if value is None:
            return None
        try:
            return selectors.get_visible_alert(self.context["request"].user, value)
        except NotFound:
            raise serializers.ValidationError(_("No such alert.")) from None


class MuteFilterSerializer(serializers.Serializer):
    active = serializers.BooleanField(required=False, allow_null=True, default=None,
                                      help_text="true: mutes in force; false: unmuted or expired.")


# ---------------------------------------------------------------- output


class AlertSerializer(serializers.ModelSerializer):
    kind = _kind_field(read_only=True)
    level = _level_field(read_only=True)
    status = _status_field(read_only=True)
    subdistrict = AdminUnitRefSerializer(allow_null=True)
    category = CategoryRefSerializer(allow_null=True)
    assigned_unit = UnitRefSerializer(allow_null=True)
    assigned_user = serializers.SerializerMethodField()

    class Meta:
        model = RiskAlert
        fields = ["id", "kind", "key", "level", "status", "reason", "subdistrict", "category", "raised_at",
                  "updated_at", "times_raised", "assigned_unit", "assigned_user"]
        read_only_fields = fields

    def get_assigned_user(self, alert: RiskAlert) -> str | None:
        return alert.assigned_user and _actor_display(alert.assigned_user)


class AlertDetailSerializer(AlertSerializer):
    """An alert with its tickets, its audit trail, and what you may do with it now."""

    tickets = serializers.SerializerMethodField()
    acknowledged_by = serializers.SerializerMethodField()
    reported_by = serializers.SerializerMethodField()
    resolved_by = serializers.SerializerMethodField()
    trail = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "tickets", "acknowledged_by", "acknowledged_at", "assigned_at",
                  "reported_by", "reported_at", "report_note", "resolved_by", "resolved_at", "resolution_note",
                  "trail", "allowed_actions"]
        read_only_fields = fields

    @extend_schema_field(TicketRefSerializer(many=True))
    def get_tickets(self, alert: RiskAlert) -> list[dict]:
        return TicketRefSerializer(alert.tickets.order_by("created_at", "id"), many=True).data

    def get_acknowledged_by(self, alert: RiskAlert) -> str | None:
        return alert.acknowledged_by and _actor_display(alert.acknowledged_by)

    def get_reported_by(self, alert: RiskAlert) -> str | None:
        return alert.reported_by and _actor_display(alert.reported_by)

    def get_resolved_by(self, alert: RiskAlert) -> str | None:
        return alert.resolved_by and _actor_display(alert.resolved_by)

    @extend_schema_field(TimelineEventSerializer(many=True))
    def get_trail(self, alert: RiskAlert) -> list[dict]:
        return TimelineEventSerializer(selectors.alert_trail(alert), many=True).data

    @extend_schema_field(serializers.ListField(child=EnumChoiceField(ACTIONS, component="RiskAlertAction")))
    def get_allowed_actions(self, alert: RiskAlert) -> list[str]:
        return services.allowed_actions(self.context["request"].user, alert)


class MuteSerializer(serializers.ModelSerializer):
    kind = _kind_field(read_only=True)
    subdistrict = AdminUnitRefSerializer(allow_null=True)
    category = CategoryRefSerializer(allow_null=True)
    muted_by = serializers.SerializerMethodField()
    unmuted_by = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()

    class Meta:
        model = RiskMute
        fields = ["id", "kind", "key", "subdistrict", "category", "reason", "muted_by", "muted_at", "expires_at",
                  "unmuted_by", "unmuted_at", "active"]
        read_only_fields = fields

    def get_muted_by(self, mute: RiskMute) -> str:
        return _actor_display(mute.muted_by)

    def get_unmuted_by(self, mute: RiskMute) -> str | None:
        return mute.unmuted_by and _actor_display(mute.unmuted_by)

    def get_active(self, mute: RiskMute) -> bool:
        return mute.active_at(self.context["now"])


class AlertConflictSerializer(ErrorSerializer):
    current_state = EnumChoiceField([*RiskAlert.Status.choices, ("unmuted", "unmuted"), ("expired", "expired")],
                                    component="RiskConflictState",
                                    help_text="The alert's status, or for unmute the mute's state.")
    allowed_actions = serializers.ListField(child=EnumChoiceField(ACTIONS, component="RiskAlertAction"))


# ---------------------------------------------------------------- views

ID_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The alert's id.")
MUTE_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The mute's id.")
E404 = OpenApiResponse(ErrorSerializer, description="No such alert in your data scope.")
E409 = OpenApiResponse(AlertConflictSerializer, description="The alert's status does not allow this.")
ACTION_ERRORS = {400: E400, 401: E401, 403: E403, 404: E404, 409: E409, 422: E422}
RELATED = ("subdistrict", "category", "assigned_unit", "assigned_user", "acknowledged_by", "reported_by",
           "resolved_by")


def _alert(request, pk: str) -> RiskAlert:
    return selectors.get_visible_alert(request.user, int(pk))


def _render(request, alert: RiskAlert) -> Response:
    """The alert as the user sees it now, read afresh with its trail."""
    alert = RiskAlert.objects.select_related(*RELATED).get(pk=alert.pk)
    return Response(AlertDetailSerializer(alert, context={"request": request}).data)


class AlertListView(APIView):
    pagination_class = NoCountLimitOffsetPagination

    @extend_schema(summary="Risk alerts in your scope (风险预警)", parameters=[AlertFilterSerializer],
                   responses={200: AlertSerializer(many=True), 400: E400, 401: E401}, tags=TAGS,
                   description="Newest first (by when a signal last raised it). Supervisors, leaders and admins "
                               "see all; a handler those assigned to them or their unit, and a subdistrict or "
                               "district government those in its area.")
    def get(self, request):
        params = _valid(AlertFilterSerializer, _query(request), request)
        alerts = selectors.visible_alerts(request.user).select_related(*RELATED).filter(**params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(alerts.order_by("-updated_at", "-id"), request, view=self)
        return paginator.get_paginated_response(AlertSerializer(page, many=True).data)


class AlertDetailView(APIView):
    @extend_schema(summary="One alert with its tickets and audit trail", parameters=[ID_PARAM],
                   responses={200: AlertDetailSerializer, 401: E401, 404: E404}, tags=TAGS)
    def get(self, request, id):
        return _render(request, _alert(request, id))


def _alert_action(service, request_serializer, summary: str, description: str = "") -> type[APIView]:
    return action_view(service, target="alert", find=_alert, render=_render, request_serializer=request_serializer,
                       summary=summary, description=description, parameters=[ID_PARAM],
                       responses={200: AlertDetailSerializer, **ACTION_ERRORS}, tags=TAGS)


AcknowledgeView = _alert_action(services.acknowledge, AlertNoteSerializer, "Acknowledge (确认)",
                                "A supervisor takes the open alert in hand.")
AssignView = _alert_action(services.assign, AssignSerializer, "Assign (交办) to a unit or a person",
                           "Name a handling unit, a person, or both; assigning again reassigns.")
ReportView = _alert_action(services.report, AlertReportSerializer, "Report back (处置反馈), by the assignee",
                           "The person or a handler of the unit the alert is assigned to says what was done; "
                           "a supervisor then resolves it or assigns it again.")
ResolveView = _alert_action(services.resolve, ResolveSerializer, "Resolve, with a note",
                            "Final: if the signal fires again it raises a new alert.")


class MuteListView(APIView):
    pagination_class = NoCountLimitOffsetPagination

    @extend_schema(summary="Muted signals", parameters=[MuteFilterSerializer],
                   responses={200: MuteSerializer(many=True), 400: E400, 401: E401}, tags=TAGS,
                   description="Newest first; supervisors, leaders and admins see them.")
    def get(self, request):
        params = _valid(MuteFilterSerializer, _query(request), request)
        mutes = selectors.visible_mutes(request.user).select_related("subdistrict", "category", "muted_by",
                                                                     "unmuted_by")
        now = timezone.now()
        if params["active"] is not None:
            in_force = selectors.in_force(now)
            mutes = mutes.filter(in_force) if params["active"] else mutes.exclude(in_force)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(mutes.order_by("-muted_at", "-id"), request, view=self)
        return paginator.get_paginated_response(MuteSerializer(page, many=True, context={"now": now}).data)

    @extend_schema(summary="Mute a noisy signal", request=MuteCreateSerializer,
                   responses={201: MuteSerializer, 400: E400, 401: E401, 403: E403, 422: E422}, tags=TAGS,
                   description="The signal of an alert (`alert`), or a signal (`kind`) in a subdistrict and/or a "
                               "top-level category. A muted signal raises nothing until unmuted or expired.")
    def post(self, request):
        data = _valid(MuteCreateSerializer, request.data, request)
        mute = services.mute(actor=request.user, **{k: v for k, v in data.items() if v is not None})
        return Response(MuteSerializer(mute, context={"now": timezone.now()}).data, status=status.HTTP_201_CREATED)


class UnmuteView(APIView):
    @extend_schema(summary="Unmute", parameters=[MUTE_PARAM], request=None,
                   responses={200: MuteSerializer, 401: E401, 403: E403,
                              404: OpenApiResponse(ErrorSerializer, description="No such mute."),
                              409: OpenApiResponse(AlertConflictSerializer, description="No longer in force.")},
                   tags=TAGS)
    def post(self, request, id):
        mute = selectors.visible_mutes(request.user).filter(pk=int(id)).first()
        if mute is None:
            raise NotFound(f"mute {id} not found")
        mute = services.unmute(actor=request.user, mute=mute)
        return Response(MuteSerializer(mute, context={"now": timezone.now()}).data)


# Mounted by api/urls.py at the API's root. The id pattern stays within a 64-bit column.
ID = r"(?P<id>[0-9]{1,18})"
urlpatterns = [
    re_path(r"^alerts/$", AlertListView.as_view(), name="alert-list"),
    re_path(rf"^alerts/{ID}/$", AlertDetailView.as_view(), name="alert-detail"),
    re_path(rf"^alerts/{ID}/acknowledge/$", AcknowledgeView.as_view(), name="alert-acknowledge"),
    re_path(rf"^alerts/{ID}/assign/$", AssignView.as_view(), name="alert-assign"),
    re_path(rf"^alerts/{ID}/report/$", ReportView.as_view(), name="alert-report"),
    re_path(rf"^alerts/{ID}/resolve/$", ResolveView.as_view(), name="alert-resolve"),
    re_path(r"^alert-mutes/$", MuteListView.as_view(), name="alert-mute-list"),
    re_path(rf"^alert-mutes/{ID}/unmute/$", UnmuteView.as_view(), name="alert-unmute"),
]

"""The staff API of 吹哨报到, mounted at /api/summons/: thin views over
shiyu.summons.selectors and services, with their serializers.

A summons is always found through selectors.get_visible_summons, so one outside the
user's scope answers 404 whatever the action. Every action answers the updated summons,
whose `allowed_actions` say what the user may do next (report, rate, close)."""
from __future__ import annotations

from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from shiyu.core.errors import NotAllowed, NotFound
from shiyu.org.models import HandlingUnit
from shiyu.summons import selectors, services
from shiyu.summons.models import RATING_MAX, RATING_MIN, Summons, SummonsCall
from shiyu.tickets.models import Ticket
from shiyu.tickets.selectors import get_visible_ticket

from .pagination import NoCountLimitOffsetPagination
from .schema import EnumChoiceField
from .serializers import ErrorSerializer, Text, UnitRefSerializer, _actor_display, _optional_text
from .views import E400, E401, E403, E422, _query, _valid

ACTIONS = ["report", "rate", "close"]
TAGS = ["summons"]


# ---------------------------------------------------------------- input


class SummonsCreateSerializer(serializers.Serializer):
    units = serializers.SlugRelatedField(slug_field="key", queryset=HandlingUnit.objects.all(), many=True,
                                         help_text="Keys of the departments summoned (at least one).")
    reason = Text(max_length=services.REASON_MAX, help_text="What needs them on site.")
    place = _optional_text(services.PLACE_MAX, help_text="Where to report; defaults to the ticket's address.")
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    long = serializers.FloatField(required=False, allow_null=True, default=None)
    minutes = serializers.IntegerField(required=False, allow_null=True, default=None,
                                       help_text=f"Minutes to report on site, 1 to {services.MAX_MINUTES}; "
                                                 "30 unless the city sets SHIYU_SUMMONS_REPORT_MINUTES.")
    ticket = Text(max_length=20, required=False, allow_null=True, default=None,
                  help_text="Id or tracking code of the ticket it is about: one the office leads or in its area.")
    unit = serializers.SlugRelatedField(slug_field="key", queryset=HandlingUnit.objects.all(), required=False,
                                        allow_null=True, default=None,
                                        help_text="The whistling subdistrict office: supervisors and admins name "
                                                  "it; a subdistrict's handler whistles for their own.")

    def validate_ticket(self, value: str | None) -> Ticket | None:
        if value is None:
            return None
        try:
            return get_visible_ticket(self.context["request"].user, value.upper())
        except NotFound:
            raise serializers.ValidationError(_("No such ticket.")) from None


class OnSiteSerializer(serializers.Serializer):
    note = _optional_text(services.NOTE_MAX, help_text="Who came, what they found.")


class RateSerializer(serializers.Serializer):
    unit = serializers.SlugRelatedField(slug_field="key", queryset=HandlingUnit.objects.all(),
                                        help_text="Key of the summoned department whose response is rated.")
    rating = serializers.IntegerField(min_value=RATING_MIN, max_value=RATING_MAX,
                                      help_text=f"{RATING_MIN} (poor) to {RATING_MAX} (excellent).")
    note = _optional_text(services.NOTE_MAX)

    def validate_unit(self, unit: HandlingUnit) -> SummonsCall:
        """The call of that unit in this summons (the view passes the summons' calls)."""
        for call in self.context["calls"]:
            if call.unit_id == unit.pk:
                return call
        raise serializers.ValidationError(_("This unit is not summoned here."))


class CloseSerializer(serializers.Serializer):
    note = _optional_text(services.NOTE_MAX, help_text="How the case was settled.")


class SummonsFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=Summons.State.choices, required=False)


# ---------------------------------------------------------------- output


class TicketRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ["id", "code"]
        read_only_fields = fields


class SummonsCallSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    state = EnumChoiceField(SummonsCall.State.choices, component="SummonsCallState", read_only=True)
    reported_by = serializers.SerializerMethodField()
    rated_by = serializers.SerializerMethodField()

    class Meta:
        model = SummonsCall
        fields = ["id", "unit", "state", "reported_at", "reported_by", "on_site_note", "late", "missing_at",
                  "rating", "rated_at", "rated_by", "rating_note"]
        read_only_fields = fields

    def get_reported_by(self, call: SummonsCall) -> str | None:
        return call.reported_by and _actor_display(call.reported_by)

    def get_rated_by(self, call: SummonsCall) -> str | None:
        return call.rated_by and _actor_display(call.rated_by)


class SummonsSerializer(serializers.ModelSerializer):
    """A summons with its calls, and what you may do with it now."""

    unit = UnitRefSerializer(help_text="The whistling subdistrict office.")
    ticket = TicketRefSerializer(allow_null=True)
    state = EnumChoiceField(Summons.State.choices, component="SummonsState", read_only=True)
    created_by = serializers.SerializerMethodField()
    closed_by = serializers.SerializerMethodField()
    calls = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Summons
        fields = ["id", "unit", "ticket", "place", "lat", "long", "reason", "minutes", "report_by", "state",
                  "created_by", "created_at", "closed_by", "closed_at", "closing_note", "calls", "allowed_actions"]
        read_only_fields = fields

    def get_created_by(self, summons: Summons) -> str:
        return _actor_display(summons.created_by)

    def get_closed_by(self, summons: Summons) -> str | None:
        return summons.closed_by and _actor_display(summons.closed_by)

    @extend_schema_field(SummonsCallSerializer(many=True))
    def get_calls(self, summons: Summons) -> list[dict]:
        return SummonsCallSerializer(summons.calls.all(), many=True).data

    @extend_schema_field(serializers.ListField(child=EnumChoiceField(ACTIONS, component="SummonsAction")))
    def get_allowed_actions(self, summons: Summons) -> list[str]:
        return services.actions_for(self.context["request"].user, summons, summons.calls.all(), self.context["now"])


class SummonsConflictSerializer(ErrorSerializer):
    current_state = EnumChoiceField([*Summons.State.choices, *SummonsCall.State.choices],
                                    component="SummonsConflictState",
                                    help_text="The summons' state, or the call's for report and rate.")
    allowed_actions = serializers.ListField(child=EnumChoiceField(ACTIONS, component="SummonsAction"))


# ---------------------------------------------------------------- views

ID_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The summons' id.")
E404 = OpenApiResponse(ErrorSerializer, description="No such summons in your data scope.")
E409 = OpenApiResponse(SummonsConflictSerializer, description="The summons' or call's state does not allow this.")
ACTION_ERRORS = {400: E400, 401: E401, 403: E403, 404: E404, 409: E409, 422: E422}
WITH_CALLS = ("unit", "ticket", "created_by", "closed_by")
CALLS = ("calls__unit", "calls__reported_by", "calls__rated_by")


def _summons(request, pk: str) -> Summons:
    return selectors.get_visible_summons(request.user, int(pk))


def _render(request, summons: Summons, code: int = status.HTTP_200_OK) -> Response:
    """The summons as the user sees it now, with its calls read afresh."""
    summons = Summons.objects.select_related(*WITH_CALLS).prefetch_related(*CALLS).get(pk=summons.pk)
    context = {"request": request, "now": timezone.now()}
    return Response(SummonsSerializer(summons, context=context).data, status=code)


class SummonsListView(APIView):
    pagination_class = NoCountLimitOffsetPagination

    @extend_schema(summary="Summonses in your scope (吹哨报到)", parameters=[SummonsFilterSerializer],
                   responses={200: SummonsSerializer(many=True), 400: E400, 401: E401}, tags=TAGS,
                   description="Newest first. A subdistrict office sees its own, a department those it is "
                               "summoned to; supervisors, leaders and admins see all.")
    def get(self, request):
        params = _valid(SummonsFilterSerializer, _query(request), request)
        summonses = selectors.visible_summonses(request.user).select_related(*WITH_CALLS).prefetch_related(*CALLS)
        if params.get("state"):
            summonses = summonses.filter(state=params["state"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(summonses.order_by("-created_at", "-id"), request, view=self)
        context = {"request": request, "now": timezone.now()}
        return paginator.get_paginated_response(SummonsSerializer(page, many=True, context=context).data)

    @extend_schema(summary="Whistle (吹哨): summon departments on site", request=SummonsCreateSerializer,
                   responses={201: SummonsSerializer, 400: E400, 401: E401, 403: E403, 422: E422}, tags=TAGS,
                   description="A subdistrict office's handler (or a supervisor or admin naming the office) "
                               "calls active departments to a place; each must report within `minutes`.")
    def post(self, request):
        data = _valid(SummonsCreateSerializer, request.data, request)
        return _render(request, services.whistle(actor=request.user, **data), status.HTTP_201_CREATED)


class SummonsDetailView(APIView):
    @extend_schema(summary="One summons with its calls", parameters=[ID_PARAM],
                   responses={200: SummonsSerializer, 401: E401, 404: E404}, tags=TAGS)
    def get(self, request, id):
        return _render(request, _summons(request, id))


class ReportView(APIView):
    @extend_schema(summary="Report on site (报到)", parameters=[ID_PARAM], request=OnSiteSerializer,
                   responses={200: SummonsSerializer, **ACTION_ERRORS}, tags=TAGS,
                   description="For your own department. After the deadline the report is recorded as late; "
                               "a department marked missing may still report while the summons is open.")
    def post(self, request, id):
        summons = _summons(request, id)
        data = _valid(OnSiteSerializer, request.data, request)
        call = next((c for c in selectors.calls_of(summons) if c.unit_id == request.user.unit_id), None)
        if call is None:
            raise NotAllowed(_("Your unit is not summoned here."))
        services.report_on_site(actor=request.user, call=call, **data)
        return _render(request, summons)


class RateView(APIView):
    @extend_schema(summary="Rate a department's response", parameters=[ID_PARAM], request=RateSerializer,
                   responses={200: SummonsSerializer, **ACTION_ERRORS}, tags=TAGS,
                   description="The whistling subdistrict office rates each department that reported, once.")
    def post(self, request, id):
        summons = _summons(request, id)
        serializer = RateSerializer(data=request.data, context={"request": request,
                                                                "calls": selectors.calls_of(summons)})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.rate_response(actor=request.user, call=data["unit"], rating=data["rating"], note=data["note"])
        return _render(request, summons)


class CloseView(APIView):
    @extend_schema(summary="Close the summons", parameters=[ID_PARAM], request=CloseSerializer,
                   responses={200: SummonsSerializer, **ACTION_ERRORS}, tags=TAGS,
                   description="Once every department has reported or is past the deadline (then marked "
                               "missing); before that, 409.")
    def post(self, request, id):
        summons = _summons(request, id)
        services.close_summons(actor=request.user, summons=summons, **_valid(CloseSerializer, request.data, request))
        return _render(request, summons)


# Mounted by api/urls.py under summons/. The id pattern stays within a 64-bit column.
ID = r"(?P<id>[0-9]{1,18})"
urlpatterns = [
    re_path(r"^$", SummonsListView.as_view(), name="summons-list"),
    re_path(rf"^{ID}/$", SummonsDetailView.as_view(), name="summons-detail"),
    re_path(rf"^{ID}/report/$", ReportView.as_view(), name="summons-report"),
    re_path(rf"^{ID}/rate/$", RateView.as_view(), name="summons-rate"),
    re_path(rf"^{ID}/close/$", CloseView.as_view(), name="summons-close"),
]

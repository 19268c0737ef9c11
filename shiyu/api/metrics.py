"""The staff API of the three rates, rankings and the monthly priority problem,
mounted at /api/metrics/: thin views over shiyu.metrics.selectors.

Leaders, supervisors and admins read every ranking, the Excel export and the
priority problem; a handling unit's staff read their own unit's ranking row (a
subdistrict office its subdistrict's, a district government its district's)."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView
from rest_framework.response import Response

from shiyu.core.errors import NotAllowed
from shiyu.metrics import core, export, selectors

from .schema import EnumChoiceField
from .proactive import HotIssueSerializer
from .serializers import AdminUnitRefSerializer, CategoryRefSerializer, ErrorSerializer
from .views import E400, E401, _query, _valid

TAGS = ["metrics"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
E403 = OpenApiResponse(ErrorSerializer, description="Your role may not read this.")
E503 = OpenApiResponse(ErrorSerializer, description="The analytics copy has not been made yet.")


# ---------------------------------------------------------------- input


class MonthField(serializers.CharField):
    """YYYY-MM, not after the current month; read as core's month index."""

    def to_internal_value(self, data) -> int:
        try:
            month = core.parse_month(super().to_internal_value(data))
        except ValueError:
            raise serializers.ValidationError(_("A month as YYYY-MM, such as 2026-10.")) from None
        if month > core.month_of_datetime(timezone.now(), settings.TIME_ZONE):
            raise serializers.ValidationError(_("That month has not begun."))
        return month


def _last_month() -> int:
    return core.month_of_datetime(timezone.now(), settings.TIME_ZONE) - 1


class MonthQuerySerializer(serializers.Serializer):
    month = MonthField(required=False, help_text="YYYY-MM; default: last month.")

    def validate(self, attrs):
        attrs.setdefault("month", _last_month())
        return attrs


class RankingQuerySerializer(MonthQuerySerializer):
    kind = EnumChoiceField(core.KINDS, component="RankingKind", required=False, default="subdistrict",
                           help_text="Which units: district, subdistrict, department or enterprise.")


class ExportQuerySerializer(MonthQuerySerializer):
    kind = EnumChoiceField(core.KINDS, component="RankingKind", required=False,
                           help_text="One kind's sheet; default: a sheet for every kind.")


# ---------------------------------------------------------------- output


def _rate(help_text: str):
    return serializers.FloatField(allow_null=True, help_text=help_text)


class RankingRowSerializer(serializers.Serializer):
    kind = EnumChoiceField(core.KINDS, component="RankingKind")
    unit_id = serializers.IntegerField(help_text="AdminUnit id (districts, subdistricts) or HandlingUnit id.")
    name = serializers.CharField()
    code = serializers.CharField(help_text="Division code, or the handling unit's key.")
    month = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True, help_text="1 is best; null: not ranked this month.")
    ranked_units = serializers.IntegerField(help_text="Units of this kind ranked this month.")
    score = _rate("Composite score 0-100.")
    rank_change = serializers.IntegerField(allow_null=True, help_text="Last month's rank minus this month's.")
    score_change = serializers.FloatField(allow_null=True)
    response_rate = _rate("Signed for on time / dispatched.")
    resolution_rate = _rate("Resolved, says the resident / called back.")
    satisfaction_rate = _rate("(satisfied + factor x basically satisfied) / called back.")
    punctuality_rate = _rate("吹哨报到 reports on time / summoned (departments and enterprises).")
    received = serializers.IntegerField()
    per_10k = serializers.FloatField(allow_null=True, help_text="Received per 10,000 residents.")
    dispatched = serializers.IntegerField()
    on_time = serializers.IntegerField()
    called_back = serializers.IntegerField()
    resolved = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    basically_satisfied = serializers.IntegerField()
    overdue = serializers.IntegerField()
    summoned = serializers.IntegerField()
    reported_on_time = serializers.IntegerField()
    bottom = serializers.BooleanField(help_text="In the bottom group this month.")
    bottom_months = serializers.IntegerField(help_text="Months running in the bottom group, up to this one.")
    governance = serializers.BooleanField(help_text="Flagged for governance (治理类): bottom group for "
                                                    "SHIYU_GOVERNANCE_MONTHS months running.")


class WeightsSerializer(serializers.Serializer):
    response = serializers.FloatField()
    resolution = serializers.FloatField()
    satisfaction = serializers.FloatField()
    punctuality = serializers.FloatField()


class DefinitionsSerializer(serializers.Serializer):
    weights = WeightsSerializer()
    basically_satisfied_factor = serializers.FloatField()
    bottom_group = serializers.CharField()
    governance_months = serializers.IntegerField()


class RankingSerializer(serializers.Serializer):
    month = serializers.CharField()
    kind = EnumChoiceField(core.KINDS, component="RankingKind")
    as_of = serializers.DateTimeField(help_text="Open tickets are judged as of this time.")
    source = serializers.CharField(help_text="database, or analytics (the copy, as of its last sync).")
    definitions = DefinitionsSerializer()
    rows = RankingRowSerializer(many=True)


class PriorityTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class PriorityPairSerializer(serializers.Serializer):
    category = CategoryRefSerializer(help_text="Second-level category.")
    subdistrict = AdminUnitRefSerializer()
    district = AdminUnitRefSerializer(allow_null=True)
    tickets_count = serializers.IntegerField(help_text="Tickets received this month.")
    previous_count = serializers.IntegerField(help_text="Tickets received last month.")
    growth = serializers.FloatField(help_text="(this month - last month) / max(last month, 1).")
    tickets = PriorityTicketSerializer(many=True, help_text="The newest of them (SHIYU_PRIORITY_TICKETS).")


class PrioritySerializer(serializers.Serializer):
    month = serializers.CharField()
    min_tickets = serializers.IntegerField(help_text="Tickets a pair needs this month to count as growing.")
    most = PriorityPairSerializer(many=True)
    fastest = PriorityPairSerializer(many=True)
    hot_issues = HotIssueSerializer(many=True, help_text="The month's hottest issues (热点问题), as /api/hotspots/.")


# ---------------------------------------------------------------- views


def _require_leader(user) -> None:
    if not user.has_role(*selectors.LEADER_ROLES):
        raise NotAllowed(_("Only leaders, supervisors and admins may read this."))


class RankingView(APIView):
    @extend_schema(summary="Monthly ranking of one kind of unit (三率排名)", parameters=[RankingQuerySerializer],
                   responses={200: RankingSerializer, 400: E400, 401: E401, 403: E403, 503: E503}, tags=TAGS,
                   description="Rates, volume, tickets per 10,000 residents, overdue count, composite score, rank, "
                               "change from last month, bottom group and governance flag. Handlers get their "
                               "own unit's row only.")
    def get(self, request):
        if not selectors.may_read_rankings(request.user):
            raise NotAllowed(_("Your role may not read rankings."))
        params = _valid(RankingQuerySerializer, _query(request), request)
        ranking = selectors.monthly_ranking(params["month"])
        return Response(RankingSerializer({
            "month": core.month_label(ranking.month), "kind": params["kind"], "as_of": ranking.as_of,
            "source": ranking.source, "definitions": ranking.definitions.as_dict(),
            "rows": selectors.own_rows(request.user, ranking, params["kind"])}).data)


class RankingExportView(APIView):
    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)  # errors stay JSON

    @extend_schema(summary="Monthly rankings as an Excel workbook", parameters=[ExportQuerySerializer],
                   responses={(200, XLSX): OpenApiTypes.BINARY, 400: E400, 401: E401, 403: E403, 503: E503},
                   tags=TAGS, description="One sheet per kind, headers in the request's language (Chinese "
                                          "by default).")
    def get(self, request):
        _require_leader(request.user)
        params = _valid(ExportQuerySerializer, _query(request), request)
        ranking = selectors.monthly_ranking(params["month"])
        kinds = [params["kind"]] if params.get("kind") else list(core.KINDS)
        body = export.rankings_workbook(ranking.month, {kind: ranking.rows(kind) for kind in kinds})
        response = HttpResponse(body, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{export.filename(ranking.month)}"'
        return response


class PriorityView(APIView):
    @extend_schema(summary="Monthly priority problem (每月一题)", parameters=[MonthQuerySerializer],
                   responses={200: PrioritySerializer, 400: E400, 401: E401, 403: E403}, tags=TAGS,
                   description="Second-level category x subdistrict pairs with the most tickets this month, and "
                               "with the fastest growth over last month, each with its newest tickets.")
    def get(self, request):
        _require_leader(request.user)
        params = _valid(MonthQuerySerializer, _query(request), request)
        problems = selectors.priority_problems(params["month"])
        return Response(PrioritySerializer({**problems, "month": core.month_label(problems["month"])}).data)


urlpatterns = [
    path("rankings/", RankingView.as_view(), name="metrics-rankings"),
    path("rankings.xlsx", RankingExportView.as_view(), name="metrics-rankings-xlsx"),
    path("priority/", PriorityView.as_view(), name="metrics-priority"),
]

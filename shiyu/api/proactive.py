"""The staff API of hot issues and proactive tasks (未诉先办), mounted at /api/hotspots/ and
/api/proactive-tasks/: thin views over shiyu.proactive.selectors and services.

A task is always found through selectors.get_visible_task, so one outside the user's scope
answers 404 whatever the action. Every action answers the updated task, whose
`allowed_actions` say what the user may do next (accept, complete, cancel)."""
from __future__ import annotations

import datetime as dt

from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from shiyu.core.errors import NotAllowed
from shiyu.geo.models import AdminUnit
from shiyu.org.models import HandlingUnit
from shiyu.proactive import selectors, services
from shiyu.proactive.models import ProactiveTask
from shiyu.tickets.models import DeadlineState
from shiyu.tickets.selectors import visible_tickets

from .pagination import NoCountLimitOffsetPagination
from .schema import EnumChoiceField
from .serializers import ErrorSerializer, Text, UnitRefSerializer, _actor_display, _optional_text
from .summons import TicketRefSerializer
from .views import E400, E401, E403, E422, _query, _valid, action_view

ACTIONS = list(services.TRANSITIONS)
TAGS = ["proactive governance"]
DEFAULT_DAYS, MAX_DAYS, MAX_TOP = 30, 366, 50


def _state_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(ProactiveTask.State.choices, component="ProactiveTaskState", **kwargs)


# ---------------------------------------------------------------- hot issues


class HotspotQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False, help_text=f"First day (default: {DEFAULT_DAYS} days before `until`).")
    until = serializers.DateField(required=False, help_text="Last day, included (default: today).")
    top = serializers.IntegerField(required=False, default=10, min_value=1, max_value=MAX_TOP)
    area = serializers.SlugRelatedField(slug_field="code", queryset=AdminUnit.objects.all(), required=False,
                                        help_text="Code of a district, subdistrict or community (default: the city).")

    def validate(self, data):
        until = data.get("until") or timezone.localdate()
        since = data.get("since") or until - dt.timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            raise serializers.ValidationError({"since": [_("Must not be after until.")]})
        if (until - since).days >= MAX_DAYS:
            raise serializers.ValidationError({"since": [_("At most %(max)d days.") % {"max": MAX_DAYS}]})
        return {**data, "since": since, "until": until}


class HotIssueSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    heat = serializers.FloatField(help_text="Grows with the distinct reporters and with recency (shiyu.nlp.hotspots).")
    title = serializers.CharField(help_text="The title of its most typical ticket.")
    place = serializers.CharField(help_text="The place most of its tickets name; may be empty.")
    start = serializers.DateTimeField(help_text="Its first ticket's time.")
    end = serializers.DateTimeField(help_text="Its last ticket's time.")
    ids = serializers.ListField(child=serializers.IntegerField(), help_text="Its tickets' ids, oldest first.")
    size = serializers.IntegerField(help_text="How many tickets.")
    reporters = serializers.IntegerField(help_text="How many distinct reporters.")


class HotspotsSerializer(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    area = serializers.CharField(allow_null=True, help_text="The area's code, null for the whole city.")
    hotspots = HotIssueSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


class HotspotsView(APIView):
    @extend_schema(summary="Hot issues of a period (热点问题)", parameters=[HotspotQuerySerializer],
                   responses={200: HotspotsSerializer, 400: E400, 401: E401, 403: E403}, tags=TAGS,
                   description="Tickets about the same problem at the same place from two residents or more, "
                               "hottest first. For supervisors, leaders, dispatchers and admins.")
    def get(self, request):
        if not request.user.has_role(*selectors.CITY_WIDE_ROLES):
            raise NotAllowed(_("Only supervisors, leaders and dispatchers read hot issues."))
        params = _valid(HotspotQuerySerializer, _query(request), request)
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(params["since"], dt.time(), tz)
        end = dt.datetime.combine(params["until"] + dt.timedelta(days=1), dt.time(), tz)
        found = selectors.hot_issues(start, end, params.get("area"), top=params["top"])
        return Response(HotspotsSerializer({
            "since": params["since"], "until": params["until"],
            "area": params["area"].code if params.get("area") else None,
            "hotspots": [issue.as_dict() for issue in found.issues], "warnings": found.warnings}).data)


# ---------------------------------------------------------------- proactive tasks: input


class ProactiveTaskCreateSerializer(serializers.Serializer):
    unit = serializers.SlugRelatedField(slug_field="key", queryset=HandlingUnit.objects.all(),
                                        help_text="Key of the handling unit asked to act.")
    title = Text(max_length=services.TITLE_MAX, help_text="What the issue is, e.g. the hot issue's title.")
    note = _optional_text(services.NOTE_MAX, help_text="What the unit should do.")
    place = _optional_text(services.PLACE_MAX)
    tickets = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                    max_length=services.MAX_TICKETS, help_text="Ids of the hot issue's tickets.")
    working_days = serializers.IntegerField(required=False, default=services.DEFAULT_WORKING_DAYS, min_value=1,
                                            max_value=services.MAX_WORKING_DAYS,
                                            help_text="Working days to complete it (holidays do not count).")
    heat = serializers.FloatField(required=False, allow_null=True, default=None, min_value=0)

    def validate_tickets(self, ids: list[int]):
        found = list(visible_tickets(self.context["request"].user).filter(pk__in=ids))
        missing = sorted(set(ids) - {t.pk for t in found})
        if missing:
            raise serializers.ValidationError(_("No such tickets: %(ids)s.") % {"ids": ", ".join(map(str, missing))})
        return found


class ProactiveTaskFilterSerializer(serializers.Serializer):
    state = _state_field(required=False)
    unit = serializers.SlugRelatedField(slug_field="key", queryset=HandlingUnit.objects.all(), required=False)


class ProactiveCompleteSerializer(serializers.Serializer):
    note = Text(max_length=services.NOTE_MAX, help_text="What the unit did.")


class ProactiveCancelSerializer(serializers.Serializer):
    note = _optional_text(services.NOTE_MAX, help_text="Why it is no longer needed.")


# ---------------------------------------------------------------- proactive tasks: output


class ProactiveTaskSerializer(serializers.ModelSerializer):
    """A proactive task, and what you may do with it now."""

    unit = UnitRefSerializer()
    state = _state_field(read_only=True)
    deadline_state = EnumChoiceField(DeadlineState.choices, component="DeadlineState", read_only=True)
    tickets = TicketRefSerializer(many=True)
    created_by = serializers.SerializerMethodField()
    accepted_by = serializers.SerializerMethodField()
    finished_by = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = ProactiveTask
        fields = ["id", "title", "note", "place", "heat", "unit", "tickets", "state", "due_at", "deadline_state",
                  "created_by", "created_at", "accepted_by", "accepted_at", "finished_by", "finished_at",
                  "finishing_note", "allowed_actions"]
        read_only_fields = fields

    def get_created_by(self, task: ProactiveTask) -> str:
        return _actor_display(task.created_by)

    def get_accepted_by(self, task: ProactiveTask) -> str | None:
        return task.accepted_by and _actor_display(task.accepted_by)

    def get_finished_by(self, task: ProactiveTask) -> str | None:
        return task.finished_by and _actor_display(task.finished_by)

    @extend_schema_field(serializers.ListField(child=EnumChoiceField(ACTIONS, component="ProactiveTaskAction")))
    def get_allowed_actions(self, task: ProactiveTask) -> list[str]:
        return services.actions_for(self.context["request"].user, task)


class ProactiveTaskConflictSerializer(ErrorSerializer):
    current_state = _state_field()
    allowed_actions = serializers.ListField(child=EnumChoiceField(ACTIONS, component="ProactiveTaskAction"))


# ---------------------------------------------------------------- proactive tasks: views

ID_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The task's id.")
E404 = OpenApiResponse(ErrorSerializer, description="No such task in your data scope.")
E409 = OpenApiResponse(ProactiveTaskConflictSerializer, description="The task's state does not allow this.")
ACTION_ERRORS = {400: E400, 401: E401, 403: E403, 404: E404, 409: E409, 422: E422}
RELATED = ("unit", "created_by", "accepted_by", "finished_by")


def _task(request, pk: str) -> ProactiveTask:
    return selectors.get_visible_task(request.user, int(pk))


def _render(request, task: ProactiveTask, code: int = status.HTTP_200_OK) -> Response:
    task = ProactiveTask.objects.select_related(*RELATED).prefetch_related("tickets").get(pk=task.pk)
    return Response(ProactiveTaskSerializer(task, context={"request": request}).data, status=code)


class TaskListView(APIView):
    pagination_class = NoCountLimitOffsetPagination

    @extend_schema(summary="Proactive tasks in your scope (未诉先办)", parameters=[ProactiveTaskFilterSerializer],
                   responses={200: ProactiveTaskSerializer(many=True), 400: E400, 401: E401}, tags=TAGS,
                   description="Newest first. A handler sees their own unit's tasks; supervisors, leaders, "
                               "dispatchers and admins see all.")
    def get(self, request):
        params = _valid(ProactiveTaskFilterSerializer, _query(request), request)
        tasks = selectors.visible_tasks(request.user).select_related(*RELATED).prefetch_related("tickets")
        if params.get("state"):
            tasks = tasks.filter(state=params["state"])
        if params.get("unit"):
            tasks = tasks.filter(unit=params["unit"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(tasks.order_by("-created_at", "-id"), request, view=self)
        serializer = ProactiveTaskSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(serializer.data)

    @extend_schema(summary="Open a proactive task from a hot issue", request=ProactiveTaskCreateSerializer,
                   responses={201: ProactiveTaskSerializer, 400: E400, 401: E401, 403: E403, 422: E422}, tags=TAGS,
                   description="Supervisors and admins ask a handling unit to act on a hot issue within "
                               "`working_days` working days.")
    def post(self, request):
        data = _valid(ProactiveTaskCreateSerializer, request.data, request)
        return _render(request, services.open_task(actor=request.user, **data), status.HTTP_201_CREATED)


class TaskDetailView(APIView):
    @extend_schema(summary="One proactive task", parameters=[ID_PARAM],
                   responses={200: ProactiveTaskSerializer, 401: E401, 404: E404}, tags=TAGS)
    def get(self, request, id):
        return _render(request, _task(request, id))


def _task_action(service, request_serializer, summary: str, description: str) -> type[APIView]:
    return action_view(service, target="task", find=_task, render=_render, request_serializer=request_serializer,
                       summary=summary, description=description, parameters=[ID_PARAM],
                       responses={200: ProactiveTaskSerializer, **ACTION_ERRORS}, tags=TAGS)


AcceptView = _task_action(services.accept_task, None, "Accept the task",
                          "For the handling unit's staff, while the task is open.")
CompleteView = _task_action(services.complete_task, ProactiveCompleteSerializer,
                            "Complete the task, saying what was done",
                            "For the handling unit's staff, once the task is accepted.")
CancelView = _task_action(services.cancel_task, ProactiveCancelSerializer, "Cancel the task",
                          "For supervisors and admins, while the task is open or accepted.")


# Mounted by api/urls.py at the API's root. The id pattern stays within a 64-bit column.
ID = r"(?P<id>[0-9]{1,18})"
urlpatterns = [
    re_path(r"^hotspots/$", HotspotsView.as_view(), name="hotspots"),
    re_path(r"^proactive-tasks/$", TaskListView.as_view(), name="proactive-task-list"),
    re_path(rf"^proactive-tasks/{ID}/$", TaskDetailView.as_view(), name="proactive-task-detail"),
    re_path(rf"^proactive-tasks/{ID}/accept/$", AcceptView.as_view(), name="proactive-task-accept"),
    re_path(rf"^proactive-tasks/{ID}/complete/$", CompleteView.as_view(), name="proactive-task-complete"),
    re_path(rf"^proactive-tasks/{ID}/cancel/$", CancelView.as_view(), name="proactive-task-cancel"),
]

"""The staff JSON API: thin views over tickets.selectors and tickets.services.

Each view parses its input with a serializer, calls one selector or service and
renders the result. A ticket is always found through selectors.get_visible_ticket, so
a ticket outside the user's data scope answers 404 whatever the action.

Lifecycle action names (as in `allowed_actions` and in 409 answers) and their paths:
dispatch -> dispatch/, answer_directly -> answer/, accept and assist_accept -> sign-for/,
start -> start/, assist_report -> assist-report/, return -> return/, resolve -> resolve/,
request_extension -> extensions/, decide_extension -> /api/extensions/{id}/decide/,
callback -> callback/, callback_attempt -> callback-attempt/, reopen -> reopen/, close -> close/, merge -> merge/,
mark_invalid -> invalid/, categorize -> category/, attach -> photos/."""
from __future__ import annotations

from django.http import FileResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action, api_view, authentication_classes, permission_classes
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from shiyu.core.errors import InvalidInput, NotFound
from shiyu.geo.locate import locate
from shiyu.intake import services as intake
from shiyu.intake.analysis import suggest_answers
from shiyu.intake.engine import ticket_text
from shiyu.intake.selectors import similar_links
from shiyu.geo.models import Grid
from shiyu.org.models import HandlingUnit
from shiyu.tickets import services
from shiyu.tickets.models import Category, Ticket
from shiyu.tickets.selectors import (get_visible_attachment, get_visible_extension, get_visible_ticket,
                                     reporter_contacts, search_tickets, ticket_timeline, visible_tickets)

from . import intake_serializers as i
from . import serializers as s
from .pagination import NoCountLimitOffsetPagination

TICKET_PARAM = OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH,
                                description="The ticket's id or its tracking code.")
E400 = OpenApiResponse(s.ErrorSerializer, description="Malformed request or missing/wrong fields.")
E401 = OpenApiResponse(s.ErrorSerializer, description="Not signed in: send `Authorization: Token <token>`.")
E403 = OpenApiResponse(s.ErrorSerializer, description="Your role may not do this.")
E404 = OpenApiResponse(s.ErrorSerializer, description="No such ticket in your data scope.")
E409 = OpenApiResponse(s.IllegalTransitionSerializer,
                       description="The ticket's current state does not allow this action.")
E422 = OpenApiResponse(s.ErrorSerializer, description="Well-formed but unacceptable input.")
ACTION_ERRORS = {400: E400, 401: E401, 403: E403, 404: E404, 409: E409, 422: E422}


def errors(*codes: int) -> dict:
    return {code: ACTION_ERRORS[code] for code in codes}


def _valid(serializer_class, data, request) -> dict:
    serializer = serializer_class(data=data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def action_view(service, *, target: str, find, render, request_serializer=None, **schema) -> type[APIView]:
    """A POST that is one service call on one object of the user's scope, as ticket actions
    are (TicketViewSet._act): the object through `find(request, id)` (404 outside the
    scope), the body through `request_serializer` (its fields are the service's keywords,
    after `target`, the object's), the object the service returns through `render`.
    `schema`: extend_schema's keywords."""
    class ActionView(APIView):
        @extend_schema(request=request_serializer, **schema)
        def post(self, request, id):
            found = find(request, id)
            data = _valid(request_serializer, request.data, request) if request_serializer else {}
            return render(request, service(actor=request.user, **{target: found}, **data))

    return ActionView


def _query(request) -> dict:
    """Query parameters as a plain dict (a repeated status joins into one comma list)."""
    return {key: ",".join(values) if key == "status" else values[-1]
            for key, values in request.query_params.lists()}


def _detail(request, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
    """The ticket as the user sees it now (re-read through the scope, masked, audited)."""
    try:
        ticket = get_visible_ticket(request.user, ticket.pk)
    except NotFound:  # an action can take a ticket out of its actor's scope; show what they did
        pass
    context = {"request": request, "contacts": reporter_contacts(request.user, [ticket]),
               "timeline": ticket_timeline(ticket), "now": timezone.now()}
    return Response(s.TicketDetailSerializer(ticket, context=context).data, status=code)


def _ticket_action(url_path: str, *, request=None, summary: str, description: str = ""):
    """@action + @extend_schema for a POST on one ticket that answers the ticket detail."""
    def decorate(view):
        view = action(detail=True, methods=["post"], url_path=url_path)(view)
        return extend_schema(summary=summary, description=description, parameters=[TICKET_PARAM],
                             request=request, responses={200: s.TicketDetailSerializer, **ACTION_ERRORS},
                             tags=["ticket actions"])(view)
    return decorate


class TicketViewSet(GenericViewSet):
    queryset = Ticket.objects.none()  # every read goes through the selectors
    serializer_class = s.TicketDetailSerializer
    pagination_class = NoCountLimitOffsetPagination
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[0-9A-Za-z]{1,20}"

    def _ticket(self, request, key: str) -> Ticket:
        return get_visible_ticket(request.user, key.upper())

    def _act(self, request, key: str, service, serializer_class=None) -> Response:
        """One ticket action: the ticket through the scope, the body through its serializer
        (whose fields are the service's keywords), one service call, the updated detail."""
        ticket = self._ticket(request, key)
        data = _valid(serializer_class, request.data, request) if serializer_class else {}
        return _detail(request, service(actor=request.user, ticket=ticket, **data))

    @extend_schema(summary="Tickets in your data scope", parameters=[s.TicketFilterSerializer],
                   responses={200: s.TicketListSerializer(many=True), 400: E400, 401: E401}, tags=["tickets"],
                   description="Newest first unless `ordering` says otherwise. Pages carry `next` and "
                               "`previous` links and no total count. Reporter contact is masked for most roles.")
    def list(self, request):
        params = _valid(s.TicketFilterSerializer, _query(request), request)
        page = self.paginate_queryset(search_tickets(visible_tickets(request.user), params))
        context = {"request": request, "contacts": reporter_contacts(request.user, page), "now": timezone.now()}
        return self.get_paginated_response(s.TicketListSerializer(page, many=True, context=context).data)

    @extend_schema(summary="Take in a ticket (受理)", request=s.TicketCreateSerializer,
                   responses={201: s.TicketDetailSerializer, 400: E400, 401: E401, 403: E403, 422: E422},
                   tags=["tickets"],
                   description="Give coordinates (lat and long) or an address; enquiries may have neither.")
    def create(self, request):
        data = s.TicketCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        ticket = intake.take_in(actor=request.user, data=data.to_input())
        return _detail(request, ticket, status.HTTP_201_CREATED)

    @extend_schema(summary="One ticket, with its timeline and what you may do next", parameters=[TICKET_PARAM],
                   responses={200: s.TicketDetailSerializer, 401: E401, 404: E404}, tags=["tickets"])
    def retrieve(self, request, id):
        return _detail(request, self._ticket(request, id))

    @_ticket_action("dispatch", request=s.DispatchSerializer, summary="Dispatch (派单)",
                    description="Name the lead unit and any assisting units; the deadlines start now.")
    def dispatch_ticket(self, request, id):
        return self._act(request, id, intake.dispatch, s.DispatchSerializer)

    @_ticket_action("answer", request=s.ReplySerializer, summary="Answer an enquiry directly and close it")
    def answer(self, request, id):
        return self._act(request, id, services.answer_directly, s.ReplySerializer)

    @_ticket_action("sign-for", request=None, summary="Sign for (签收)",
                    description="The lead unit signs for the ticket; an assisting unit for its part.")
    def sign_for(self, request, id):
        return self._act(request, id, services.sign_for)

    @_ticket_action("start", request=s.StartSerializer, summary="Start work")
    def start(self, request, id):
        return self._act(request, id, services.start_work, s.StartSerializer)

    @_ticket_action("assist-report", request=s.ReportSerializer, summary="Report as an assisting unit")
    def assist_report(self, request, id):
        return self._act(request, id, services.report_assist, s.ReportSerializer)

    @_ticket_action("return", request=s.ReasonSerializer, summary="Return to the dispatcher (退单)")
    def return_ticket(self, request, id):
        return self._act(request, id, services.return_ticket, s.ReasonSerializer)

    @_ticket_action("resolve", request=s.ReplySerializer, summary="Reply to the resident (办结)")
    def resolve(self, request, id):
        return self._act(request, id, services.resolve_ticket, s.ReplySerializer)

    @extend_schema(summary="Ask for an extension (延期)", parameters=[TICKET_PARAM],
                   request=s.ExtensionRequestSerializer,
                   responses={201: s.ExtensionResultSerializer, **ACTION_ERRORS}, tags=["ticket actions"])
    @action(detail=True, methods=["post"], url_path="extensions")
    def extensions(self, request, id):
        ticket = self._ticket(request, id)
        data = _valid(s.ExtensionRequestSerializer, request.data, request)
        extension = services.request_extension(actor=request.user, ticket=ticket, days=data["days"],
                                               reason=data["reason"])
        return Response(s.ExtensionResultSerializer(extension).data, status=status.HTTP_201_CREATED)

    @_ticket_action("callback", request=s.CallbackSerializer, summary="Record the callback (回访)",
                    description="An unsatisfied rating reopens the ticket (重办).")
    def callback(self, request, id):
        return self._act(request, id, services.record_callback, s.CallbackSerializer)

    @_ticket_action("callback-attempt", request=s.NoteSerializer, summary="A callback that reached nobody (未接通)",
                    description="After SHIYU_CALLBACK_TRIES of them (default 3) the callback is recorded as "
                                "unreachable, without a rating, and the ticket can be closed.")
    def callback_attempt(self, request, id):
        return self._act(request, id, services.record_unreachable, s.NoteSerializer)

    @_ticket_action("reopen", request=s.ReasonSerializer, summary="Reopen (重办)")
    def reopen(self, request, id):
        return self._act(request, id, services.reopen_ticket, s.ReasonSerializer)

    @_ticket_action("close", request=s.NoteSerializer, summary="Close (结案)")
    def close(self, request, id):
        return self._act(request, id, services.close_ticket, s.NoteSerializer)

    @_ticket_action("merge", request=s.MergeSerializer, summary="Merge into another ticket as a duplicate")
    def merge(self, request, id):
        return self._act(request, id, services.merge_ticket, s.MergeSerializer)

    @_ticket_action("invalid", request=s.InvalidSerializer, summary="Mark invalid (无效)")
    def invalid(self, request, id):
        return self._act(request, id, services.mark_invalid, s.InvalidSerializer)

    @_ticket_action("category", request=i.ChooseCategorySerializer, summary="Choose the category (归类)",
                    description="Before dispatch. A choice other than the classifier's best is kept as "
                                "training data.")
    def category(self, request, id):
        return self._act(request, id, intake.choose_category, i.ChooseCategorySerializer)

    @extend_schema(summary="Earlier tickets this one repeats or duplicates", parameters=[TICKET_PARAM],
                   responses={200: i.SimilarLinkSerializer(many=True), **errors(401, 404)}, tags=["intake"])
    @action(detail=True, methods=["get"], url_path="similar")
    def similar(self, request, id):
        links = similar_links(request.user, self._ticket(request, id))
        return Response(i.SimilarLinkSerializer(links, many=True).data)

    @extend_schema(summary="Replies of the 5 most similar resolved tickets", parameters=[TICKET_PARAM],
                   responses={200: i.AnswerSerializer(many=True), **errors(401, 404)}, tags=["intake"])
    @action(detail=True, methods=["get"], url_path="answers")
    def answers(self, request, id):
        ticket = self._ticket(request, id)
        found = suggest_answers(ticket_text(ticket.title, ticket.description), k=6)
        return Response(i.AnswerSerializer(i.answers([f for f in found if f[0].pk != ticket.pk][:5]), many=True).data)

    @extend_schema(summary="Attach a photo", parameters=[TICKET_PARAM],
                   request={"multipart/form-data": s.PhotoSerializer},
                   responses={201: s.TicketDetailSerializer, **ACTION_ERRORS}, tags=["ticket actions"])
    @action(detail=True, methods=["post"], url_path="photos", parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, id):
        ticket = self._ticket(request, id)
        data = _valid(s.PhotoSerializer, request.data, request)
        attachment = services.add_attachment(actor=request.user, ticket=ticket, upload=data["photo"])
        return _detail(request, attachment.ticket, status.HTTP_201_CREATED)


class ExtensionDecideView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(summary="Approve or reject an extension", request=s.ExtensionDecisionSerializer,
                   responses={200: s.ExtensionResultSerializer, **ACTION_ERRORS}, tags=["ticket actions"],
                   description="Approval moves the resolution deadline by the working days asked.")
    def post(self, request, pk: int):
        extension = get_visible_extension(request.user, pk)
        data = _valid(s.ExtensionDecisionSerializer, request.data, request)
        extension = services.decide_extension(actor=request.user, extension=extension, approve=data["approve"],
                                              note=data["note"])
        return Response(s.ExtensionResultSerializer(extension).data)


class AttachmentFileView(APIView):
    """A ticket's photo, to whoever can see the ticket (media files are not public)."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)  # an image client still gets JSON errors

    @extend_schema(summary="Download a photo", tags=["tickets"],
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 401: E401, 404: E404})
    def get(self, request, pk: int):
        attachment = get_visible_attachment(request.user, pk)
        try:
            handle = attachment.file.open("rb")
        except OSError:
            raise NotFound(_("The file of attachment %(id)s is missing.") % {"id": pk}) from None
        return FileResponse(handle, content_type=attachment.content_type)


class UnitListView(APIView):
    @extend_schema(summary="Handling units (承办单位)", responses={200: s.UnitSerializer(many=True), 401: E401},
                   tags=["reference"])
    def get(self, request):
        units = HandlingUnit.objects.select_related("area").order_by("kind", "key")
        return Response(s.UnitSerializer(units, many=True).data)


class CategoryListView(APIView):
    @extend_schema(summary="Categories, flat, parents before children", parameters=[s.CategoryQuerySerializer],
                   responses={200: s.CategorySerializer(many=True), 400: E400, 401: E401}, tags=["reference"])
    def get(self, request):
        params = _valid(s.CategoryQuerySerializer, _query(request), request)
        categories = Category.objects.select_related("parent", "default_unit").order_by("code")
        if params.get("level"):
            categories = categories.filter(level=params["level"])
        return Response(s.CategorySerializer(categories, many=True).data)


class LocateView(APIView):
    @extend_schema(summary="The grid and units at a point", parameters=[s.LocateQuerySerializer],
                   responses={200: s.LocateSerializer, 400: E400, 401: E401, 422: E422}, tags=["reference"])
    def get(self, request):
        params = _valid(s.LocateQuerySerializer, _query(request), request)
        location = locate(params["lat"], params["long"])
        if location is None:
            raise InvalidInput(_("The point is outside the city."), fields={"lat": [_("Outside the city.")]})
        grid = Grid.objects.select_related("community__parent__parent").get(pk=location.grid_id)
        community = grid.community
        subdistrict = community.parent
        office = (HandlingUnit.objects.filter(area_id=location.subdistrict_id, kind=HandlingUnit.Kind.SUBDISTRICT)
                  .first() if location.subdistrict_id else None)
        return Response(s.LocateSerializer({
            **params, "grid": grid, "community": community, "subdistrict": subdistrict,
            "district": subdistrict and subdistrict.parent, "subdistrict_office": office}).data)


class LoginThrottle(SimpleRateThrottle):
    """At most 10 attempts a minute per client address and username."""

    rate = "10/min"
    scope = "login"

    def get_cache_key(self, request, view):
        username = str(request.data.get("username", ""))[:150] if hasattr(request.data, "get") else ""
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{username}"}


class TokenView(ObtainAuthToken):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(summary="Get your API token", request=s.TokenRequestSerializer,
                   responses={200: s.TokenSerializer, 400: E400}, tags=["auth"], auth=[],
                   description="Send it as `Authorization: Token <token>`.")
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([AllowAny])
def not_found(request, path=""):
    message = _("No such API endpoint.")
    if not path.endswith("/"):
        try:
            if resolve(request.path + "/").url_name != "not-found":
                message = _("No such API endpoint; API paths end with a slash: %(path)s/") % {"path": request.path}
        except Resolver404:
            pass
    raise NotFound(message)

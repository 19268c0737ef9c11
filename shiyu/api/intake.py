"""The staff API of intake intelligence: the operator form's live check, the triage
queue and deciding on a similar pair. Thin views over shiyu.intake's selectors and
services; the intake actions on one ticket live with the others in views.TicketViewSet."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from shiyu.intake import selectors, services
from shiyu.tickets.selectors import reporter_contacts

from . import intake_serializers as i
from .pagination import NoCountLimitOffsetPagination
from .serializers import TicketListSerializer
from .views import ACTION_ERRORS, _valid, errors


# ---------------------------------------------------------------- views


class IntakeCheckView(APIView):
    @extend_schema(summary="Check a ticket while it is typed in", request=i.IntakeCheckSerializer,
                   responses={200: i.IntakeCheckResultSerializer, **errors(400, 401, 403)}, tags=["intake"],
                   description="Category suggestions with probabilities, the place read from the address or "
                               "point, the routing decision with its reason, earlier tickets it repeats (same "
                               "phone, 30 days) or duplicates (same place), and the replies of the most similar "
                               "resolved tickets. Reads only; nothing is written.")
    def post(self, request):
        data = _valid(i.IntakeCheckSerializer, request.data, request)
        preview = selectors.preview_intake(
            request.user, title=data["title"], description=data["description"], phone=data["reporter_phone"],
            address=data["address"], lat=data["lat"], long=data["long"], category=data["category"])
        return Response(i.IntakeCheckResultSerializer({
            "categories": i.guesses(preview.advice), "confident": preview.advice.confident,
            "model": preview.advice.model_version, "place": i.place(preview.place), "route": preview.route,
            "similar": preview.similar, "answers": i.answers(preview.answers),
        }).data)


class TriageListView(APIView):
    pagination_class = NoCountLimitOffsetPagination

    @extend_schema(summary="Tickets waiting for a person to choose the category", tags=["intake"],
                   responses={200: TicketListSerializer(many=True), **errors(401)},
                   description="The classifier was below SHIYU_TRIAGE_THRESHOLD, or there is no model. Oldest "
                               "first. Choose with POST /api/tickets/{id}/category/.")
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.triage_queue(request.user), request, view=self)
        context = {"request": request, "contacts": reporter_contacts(request.user, page), "now": timezone.now()}
        return paginator.get_paginated_response(TicketListSerializer(page, many=True, context=context).data)


class SimilarDecisionView(APIView):
    decide = None  # the service: merge_similar or dismiss_similar

    @extend_schema(request=i.DecisionNoteSerializer, responses={200: i.SimilarLinkSerializer, **ACTION_ERRORS},
                   tags=["intake"])
    def post(self, request, pk):
        link = selectors.get_visible_link(request.user, pk)
        data = _valid(i.DecisionNoteSerializer, request.data, request)
        return Response(i.SimilarLinkSerializer(type(self).decide(actor=request.user, link=link, **data)).data)


class MergeSimilarView(SimilarDecisionView):
    """Merge the new ticket into the earlier one it repeats or duplicates (one action)."""

    decide = staticmethod(services.merge_similar)


class DismissSimilarView(SimilarDecisionView):
    """Not the same matter: keep both; the pair is no longer shown as open."""

    decide = staticmethod(services.dismiss_similar)

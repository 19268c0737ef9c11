"""Shapes of the intake API (shiyu.api.intake and the ticket actions in views)."""
from __future__ import annotations

from rest_framework import serializers

from shiyu.core.pii import mask_text
from shiyu.geo.models import AdminUnit
from shiyu.intake import analysis
from shiyu.intake.models import SimilarTicket
from shiyu.tickets.models import Category

from .schema import EnumChoiceField
from .serializers import (DESCRIPTION_MAX, AdminUnitRefSerializer, CategoryRefSerializer, Text, UnitRefSerializer,
                          _optional_text, _status_field)

# ---------------------------------------------------------------- shapes


class IntakeCheckSerializer(serializers.Serializer):
    title = _optional_text(100)
    description = Text(max_length=DESCRIPTION_MAX)
    reporter_phone = _optional_text(20)
    address = _optional_text(200)
    lat = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    long = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all(), required=False,
                                            allow_null=True, default=None,
                                            help_text="The category the operator chose, if any (routes by it).")

    def validate(self, data):
        if (data["lat"] is None) != (data["long"] is None):
            raise serializers.ValidationError({"long" if data["long"] is None else "lat":
                                               ["Give both latitude and longitude."]})
        return data


class CategoryGuessSerializer(serializers.Serializer):
    category = CategoryRefSerializer(source="category_ref")
    path = serializers.CharField(help_text="Level 1 / level 2 / level 3 names.")
    probability = serializers.FloatField()


class TicketBriefSerializer(serializers.Serializer):
    """An earlier ticket as intake shows it: no reporter, phones in the text masked."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.SerializerMethodField()
    status = _status_field(read_only=True)
    category = CategoryRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_title(self, ticket) -> str:
        return mask_text(ticket.title)


class SimilarSerializer(serializers.Serializer):
    kind = EnumChoiceField(SimilarTicket.Kind.choices, component="SimilarKind")
    score = serializers.FloatField(help_text="Text similarity, 0 to 1.")
    distance_m = serializers.FloatField(allow_null=True)
    ticket = TicketBriefSerializer()


class AnswerSerializer(serializers.Serializer):
    ticket = TicketBriefSerializer()
    score = serializers.FloatField()
    reply = serializers.CharField()
    replied_at = serializers.DateTimeField(source="ticket.resolved_at")


class PlaceSerializer(serializers.Serializer):
    community = AdminUnitRefSerializer(allow_null=True)
    subdistrict = AdminUnitRefSerializer(allow_null=True)
    district = AdminUnitRefSerializer(allow_null=True)


class RouteSerializer(serializers.Serializer):
    unit = UnitRefSerializer(allow_null=True)
    rule = serializers.IntegerField(source="rule.pk", allow_null=True)
    place_source = serializers.CharField()
    reason = serializers.CharField()


class IntakeCheckResultSerializer(serializers.Serializer):
    categories = CategoryGuessSerializer(many=True)
    confident = serializers.BooleanField(help_text="The best category will be applied without triage.")
    model = serializers.CharField(help_text="The classifier's version; empty when there is none.")
    place = PlaceSerializer(allow_null=True)
    route = RouteSerializer()
    similar = SimilarSerializer(many=True)
    answers = AnswerSerializer(many=True)


class SimilarLinkSerializer(serializers.ModelSerializer):
    earlier = TicketBriefSerializer()
    kind = EnumChoiceField(SimilarTicket.Kind.choices, component="SimilarKind", read_only=True)
    state = EnumChoiceField(SimilarTicket.State.choices, component="SimilarState", read_only=True)

    class Meta:
        model = SimilarTicket
        fields = ["id", "kind", "score", "distance_m", "state", "found_at", "decided_at", "earlier"]
        read_only_fields = fields


class ChooseCategorySerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())


class DecisionNoteSerializer(serializers.Serializer):
    note = _optional_text(500)


def _category_path(category: Category) -> str:
    names, node = [], category
    while node is not None:
        names.append(node.name)
        node = node.parent
    return " / ".join(reversed(names))


def guesses(advice: analysis.CategoryAdvice) -> list[dict]:
    return [{"category_ref": g.category, "path": _category_path(g.category), "probability": round(g.probability, 4)}
            for g in advice.guesses]


def answers(found) -> list[dict]:
    return [{"ticket": ticket, "score": round(score, 4), "reply": mask_text(ticket.reply)} for ticket, score in found]


def place(place) -> dict | None:
    if place is None:
        return None
    ids = [place.community_id, place.subdistrict_id, place.district_id]
    units = AdminUnit.objects.in_bulk([i for i in ids if i is not None])
    return {level: units.get(getattr(place, f"{level}_id")) for level in ("community", "subdistrict", "district")}

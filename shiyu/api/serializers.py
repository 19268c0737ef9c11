"""Serializers of the staff API.

Input serializers check the shape of a request (types, required fields, lengths that
the database enforces, references that must exist) and answer 400 naming the field;
what a value means for the ticket (a category that is not a leaf, a point outside the
city, a state that does not allow the action) is the services' to judge (422 / 409).
Output serializers render; personal data arrives already masked from the selectors."""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shiyu.core.errors import NotFound
from shiyu.core.models import Role
from shiyu.core.pii import mask_text
from shiyu.deadlines.selectors import deadline_state
from shiyu.geo.models import AdminUnit
from shiyu.org.models import HandlingUnit
from shiyu.tickets import lifecycle
from shiyu.tickets.models import (Assignment, Attachment, Category, Channel, DeadlineState, Extension, Rating,
                                  RequestType, Status, Ticket)
from shiyu.tickets.selectors import get_visible_ticket
from shiyu.tickets.services import DESCRIPTION_MAX, TicketInput

from shiyu.tickets.selectors import ORDERINGS, is_overdue
from shiyu.tickets.permissions import actions_for
from .schema import EnumChoiceField

ACTION_NAMES = list(lifecycle.TRANSITIONS)


def _status_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(Status.choices, component="TicketStatus", **kwargs)


def _actions_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=EnumChoiceField(ACTION_NAMES, component="TicketAction"), **kwargs)


class Text(serializers.CharField):
    """A CharField that also refuses text the database cannot store (lone surrogates
    such as "\\ud800", which JSON allows): a 400 instead of an encoding error."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise serializers.ValidationError(_("Not valid Unicode text.")) from None
        return value


def _optional_text(max_length: int = DESCRIPTION_MAX, **kwargs) -> Text:
    return Text(required=False, allow_blank=True, default="", max_length=max_length, **kwargs)


# ---------------------------------------------------------------- errors and small shapes


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable: invalid, parse_error, not_found, forbidden, ...")
    detail = serializers.CharField(help_text="A sentence for people, in the request's language.")
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False,
                                   help_text="Field name -> its errors (400 and 422 only).")


class IllegalTransitionSerializer(ErrorSerializer):
    current_state = _status_field()
    allowed_actions = _actions_field(help_text="What the current state allows next.")


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandlingUnit
        fields = ["key", "name", "short_name"]
        read_only_fields = fields


class AdminUnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdminUnit
        fields = ["code", "name"]
        read_only_fields = fields


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["code", "name", "level"]
        read_only_fields = fields


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    masked = serializers.BooleanField(help_text="False only for roles that may see it; that read is audited.")


# ---------------------------------------------------------------- reference reads


class UnitSerializer(serializers.ModelSerializer):
    area = AdminUnitRefSerializer(allow_null=True)

    class Meta:
        model = HandlingUnit
        fields = ["key", "name", "short_name", "kind", "area", "active"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    default_unit = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)

    class Meta:
        model = Category
        fields = ["code", "name", "level", "parent", "accept_hours", "resolve_days", "urgent",
                  "default_unit", "route_to_subdistrict", "request_types", "active"]
        read_only_fields = fields


class CategoryQuerySerializer(serializers.Serializer):
    level = serializers.IntegerField(required=False, min_value=1, max_value=3, help_text="1, 2 or 3 (leaves)")


class LocateQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    long = serializers.FloatField(min_value=-180, max_value=180)


class LocationSerializer(serializers.Serializer):
    grid = AdminUnitRefSerializer(allow_null=True)
    community = AdminUnitRefSerializer(allow_null=True)
    subdistrict = AdminUnitRefSerializer(allow_null=True)
    district = AdminUnitRefSerializer(allow_null=True)


class LocateSerializer(LocationSerializer):
    lat = serializers.FloatField()
    long = serializers.FloatField()
    subdistrict_office = UnitRefSerializer(allow_null=True,
                                           help_text="The handling unit that answers for the subdistrict.")


# ---------------------------------------------------------------- ticket input


class TicketCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    request_type = serializers.ChoiceField(choices=RequestType.choices)
    title = _optional_text(100, help_text="Defaults to the start of the description.")
    description = Text(max_length=DESCRIPTION_MAX)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all(), required=False,
                                            allow_null=True, default=None,
                                            help_text="Code of an active third-level category.")
    address = _optional_text(200)
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    long = serializers.FloatField(required=False, allow_null=True, default=None)
    reporter_name = _optional_text(64)
    reporter_phone = _optional_text(20)
    reporter_email = _optional_text(254)
    urgent = serializers.BooleanField(required=False, default=False,
                                      help_text="紧急: to be signed for within 30 minutes (SHIYU_URGENT_ACCEPT_MINUTES), day or night.")

    def to_input(self) -> TicketInput:
        return TicketInput(**self.validated_data)


class DispatchSerializer(serializers.Serializer):
    lead_unit = serializers.SlugRelatedField(slug_field="key", queryset=HandlingUnit.objects.all())
    assist_units = serializers.SlugRelatedField(slug_field="key", queryset=HandlingUnit.objects.all(), many=True,
                                                required=False, default=list)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all(), required=False,
                                            allow_null=True, default=None,
                                            help_text="Sets or corrects the category (a leaf).")
    note = _optional_text()


class ReplySerializer(serializers.Serializer):
    reply = Text(max_length=DESCRIPTION_MAX)


class NoteSerializer(serializers.Serializer):
    note = _optional_text(500)


class StartSerializer(serializers.Serializer):
    note = _optional_text()


class ReportSerializer(serializers.Serializer):
    report = Text(max_length=DESCRIPTION_MAX)


class ReasonSerializer(serializers.Serializer):
    reason = Text(max_length=500)


class InvalidSerializer(serializers.Serializer):
    reason = Text(max_length=200)


class ExtensionRequestSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=30, help_text="Working days to add.")
    reason = Text(max_length=500)


class ExtensionDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = _optional_text(500)


class CallbackSerializer(serializers.Serializer):
    rating = EnumChoiceField(Rating.choices, component="Rating")
    resolved = serializers.BooleanField(help_text="Does the resident consider the problem resolved?")
    note = _optional_text(500)


class MergeSerializer(serializers.Serializer):
    into = Text(max_length=20, help_text="Id or tracking code of the ticket that carries on.")
    note = _optional_text(500)

    def validate_into(self, value: str) -> Ticket:
        try:
            return get_visible_ticket(self.context["request"].user, value.upper())
        except NotFound:
            raise serializers.ValidationError(_("No such ticket.")) from None


class PhotoSerializer(serializers.Serializer):
    photo = serializers.FileField(help_text="JPEG, PNG or WebP.")


class TicketFilterSerializer(serializers.Serializer):
    status = Text(required=False, help_text="One status or several, comma-separated: received,dispatched")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    request_type = serializers.ChoiceField(choices=RequestType.choices, required=False)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all(), required=False,
                                            help_text="A category code; a parent's code includes its children.")
    lead_unit = serializers.SlugRelatedField(slug_field="key", queryset=HandlingUnit.objects.all(), required=False,
                                             help_text="Handling unit key.")
    subdistrict = serializers.SlugRelatedField(
        slug_field="code", queryset=AdminUnit.objects.filter(level=AdminUnit.Level.SUBDISTRICT), required=False,
        help_text="Subdistrict code.")
    created_after = serializers.DateTimeField(required=False, help_text="Inclusive; ISO 8601.")
    created_before = serializers.DateTimeField(required=False, help_text="Exclusive; ISO 8601.")
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None,
                                       help_text="true: past the resolution deadline and still open.")
    q = Text(required=False, max_length=100, help_text="Contained in the title or description.")
    ordering = serializers.ChoiceField(choices=[o for f in ORDERINGS for o in (f, "-" + f)], required=False,
                                       default="-created_at")

    def validate_status(self, value: str) -> list[str]:
        statuses = [s.strip() for s in value.split(",") if s.strip()]
        unknown = [s for s in statuses if s not in Status.values]
        if unknown:
            raise serializers.ValidationError(_("Unknown status: %(values)s. One of %(known)s.") % {
                "values": ", ".join(unknown), "known": ", ".join(Status.values)})
        return statuses


# ---------------------------------------------------------------- ticket output


def _actor_display(user) -> str:
    """Staff by name; a resident only by role, so the timeline does not expose them."""
    if user is None:
        return str(_("system"))
    if user.role == Role.CITIZEN:
        return str(Role.CITIZEN.label)
    return user.get_full_name() or user.username


class TicketListSerializer(serializers.ModelSerializer):
    """A ticket in a list. Times are in Asia/Shanghai; the reporter's contact is masked
    unless your role needs it (such reads are audited)."""

    status = _status_field(read_only=True)
    category = CategoryRefSerializer(allow_null=True)
    subdistrict = AdminUnitRefSerializer(allow_null=True)
    lead_unit = UnitRefSerializer(allow_null=True)
    reporter = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    deadline_state = serializers.SerializerMethodField(
        help_text="The resolution deadline's colour now: on_time, due_soon or overdue; null when no clock runs.")

    class Meta:
        model = Ticket
        fields = ["id", "code", "channel", "request_type", "status", "title", "category", "address",
                  "subdistrict", "lead_unit", "reporter", "created_at", "updated_at", "accept_due_at",
                  "resolve_due_at", "overdue", "urgent", "deadline_state"]
        read_only_fields = fields

    def _masked(self, ticket: Ticket) -> bool:
        return self.context["contacts"][ticket.pk]["masked"]

    @extend_schema_field(ContactSerializer)
    def get_reporter(self, ticket: Ticket) -> dict:
        return self.context["contacts"][ticket.pk]

    def get_overdue(self, ticket: Ticket) -> bool:
        return is_overdue(ticket, self.context.get("now") or timezone.now())

    @extend_schema_field(EnumChoiceField(DeadlineState.choices, component="DeadlineState", allow_null=True))
    def get_deadline_state(self, ticket: Ticket) -> str | None:
        return deadline_state(ticket, self.context.get("now") or timezone.now())

    def to_representation(self, ticket: Ticket) -> dict:
        data = super().to_representation(ticket)
        if self._masked(ticket):  # phone and ID numbers residents type into free text
            data["title"] = mask_text(data["title"])
        return data


class AssignmentSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    state = EnumChoiceField(Assignment.State.choices, component="AssignmentState", read_only=True)

    class Meta:
        model = Assignment
        fields = ["unit", "role", "state", "dispatched_at", "accepted_at", "reported_at", "report"]
        read_only_fields = fields


class ExtensionSerializer(serializers.ModelSerializer):
    state = EnumChoiceField(Extension.State.choices, component="ExtensionState", read_only=True)
    requested_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Extension
        fields = ["id", "days", "reason", "state", "requested_by", "requested_at", "decided_by", "decided_at",
                  "decision_note"]
        read_only_fields = fields

    def get_requested_by(self, extension: Extension) -> str:
        return _actor_display(extension.requested_by)

    def get_decided_by(self, extension: Extension) -> str | None:
        return extension.decided_by and _actor_display(extension.decided_by)


class TicketSummarySerializer(serializers.ModelSerializer):
    status = _status_field(read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "code", "status", "resolve_due_at", "extension_count"]
        read_only_fields = fields


class ExtensionResultSerializer(ExtensionSerializer):
    ticket = TicketSummarySerializer()

    class Meta(ExtensionSerializer.Meta):
        fields = read_only_fields = [*ExtensionSerializer.Meta.fields, "ticket"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Served to users who can see the ticket.")

    class Meta:
        model = Attachment
        fields = ["id", "url", "content_type", "size", "uploaded_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment: Attachment) -> str:
        path = reverse("api:attachment-file", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TimelineEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()
    data = serializers.DictField()

    def get_actor(self, event) -> str:
        return _actor_display(event.actor)


class DeadlinesSerializer(serializers.Serializer):
    accept_due_at = serializers.DateTimeField(allow_null=True, help_text="Sign for by.")
    resolve_due_at = serializers.DateTimeField(allow_null=True, help_text="Reply by (moves with extensions).")
    overdue = serializers.BooleanField()


class TicketDetailSerializer(TicketListSerializer):
    """Everything about one ticket: where, what, who handles it, its deadlines, its
    history, and `allowed_actions`, what you may do with it now."""

    district = AdminUnitRefSerializer(allow_null=True)
    category_path = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    received_by = serializers.SerializerMethodField()
    duplicate_of = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    assignments = serializers.SerializerMethodField()
    extensions = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    callback_rating = EnumChoiceField([*Rating.choices, ("", _("Not called back yet"))], component="CallbackRating",
                                      read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    state_actions = serializers.SerializerMethodField()

    class Meta(TicketListSerializer.Meta):
        fields = read_only_fields = [
            *TicketListSerializer.Meta.fields, "description", "category_path", "lat", "long", "district",
            "location", "received_by", "attributes", "dispatched_at", "accepted_at", "resolved_at", "closed_at",
            "deadlines", "reply", "callback_rating", "callback_resolved", "callback_at", "callback_tries",
            "callback_unreachable", "duplicate_of",
            "invalid_reason", "return_count", "extension_count", "reopen_count", "assignments", "extensions",
            "attachments", "timeline", "allowed_actions", "state_actions"]

    def to_representation(self, ticket: Ticket) -> dict:
        # Read the related rows once: allowed_actions needs them too.
        self._assignments = list(ticket.assignments.select_related("unit").order_by("dispatched_at", "id"))
        self._extensions = list(ticket.extensions.select_related("requested_by", "decided_by")
                                .order_by("requested_at", "id"))
        return super().to_representation(ticket)

    def get_description(self, ticket: Ticket) -> str:
        return mask_text(ticket.description) if self._masked(ticket) else ticket.description

    @extend_schema_field(CategoryRefSerializer(many=True))
    def get_category_path(self, ticket: Ticket) -> list[dict]:
        path, node = [], ticket.category
        while node is not None:
            path.append(node)
            node = node.parent
        return CategoryRefSerializer(reversed(path), many=True).data

    @extend_schema_field(LocationSerializer)
    def get_location(self, ticket: Ticket) -> dict:
        return LocationSerializer({"grid": ticket.grid, "community": ticket.community,
                                   "subdistrict": ticket.subdistrict, "district": ticket.district}).data

    def get_received_by(self, ticket: Ticket) -> str | None:
        return ticket.received_by and _actor_display(ticket.received_by)

    @extend_schema_field(TicketSummarySerializer(allow_null=True))
    def get_duplicate_of(self, ticket: Ticket) -> dict | None:
        return ticket.duplicate_of and TicketSummarySerializer(ticket.duplicate_of).data

    @extend_schema_field(DeadlinesSerializer)
    def get_deadlines(self, ticket: Ticket) -> dict:
        return DeadlinesSerializer({"accept_due_at": ticket.accept_due_at, "resolve_due_at": ticket.resolve_due_at,
                                    "overdue": self.get_overdue(ticket)}).data

    @extend_schema_field(AssignmentSerializer(many=True))
    def get_assignments(self, ticket: Ticket) -> list[dict]:
        return AssignmentSerializer(self._assignments, many=True).data

    @extend_schema_field(ExtensionSerializer(many=True))
    def get_extensions(self, ticket: Ticket) -> list[dict]:
        return ExtensionSerializer(self._extensions, many=True).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, ticket: Ticket) -> list[dict]:
        return AttachmentSerializer(ticket.attachments.order_by("uploaded_at", "id"), many=True,
                                    context=self.context).data

    @extend_schema_field(TimelineEventSerializer(many=True))
    def get_timeline(self, ticket: Ticket) -> list[dict]:
        return TimelineEventSerializer(self.context["timeline"], many=True).data

    @extend_schema_field(_actions_field())
    def get_allowed_actions(self, ticket: Ticket) -> list[str]:
        """What this user may do now (the state allows it and the role may)."""
        return actions_for(self.context["request"].user, ticket, self._assignments, self._extensions)

    @extend_schema_field(_actions_field())
    def get_state_actions(self, ticket: Ticket) -> list[str]:
        """What the current state allows anyone (lifecycle.allowed_actions)."""
        return lifecycle.allowed_actions(ticket.status)

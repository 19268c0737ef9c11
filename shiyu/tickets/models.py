from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shiyu.geo.locate import Location


class Category(models.Model):
    """Three-level 12345 taxonomy. Leaves (level 3) carry the deadlines and default unit."""

    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    level = models.PositiveSmallIntegerField(_("level"))
    accept_hours = models.FloatField(_("hours to sign for"), default=2)
    resolve_days = models.PositiveSmallIntegerField(_("working days to resolve"), default=7)
    urgent = models.BooleanField(_("urgent (deadlines run around the clock)"), default=False)
    default_unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("default handling unit"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    # True: the subdistrict office where the problem is handles it (物业纠纷, 邻里纠纷 ...).
    route_to_subdistrict = models.BooleanField(_("handled by the local subdistrict"), default=False)
    request_types = models.JSONField(_("typical request types"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    # Open311 service definition attributes: [{"code", "datatype", "required", "description", ...}]
    attributes = models.JSONField(_("Open311 attributes"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_leaf(self) -> bool:
        return self.level == 3


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("12345 hotline")
    WEB = "web", _("Website")
    APP = "app", _("App")
    GRID = "grid", _("Grid report")
    VIDEO = "video", _("Video alert")
    OPEN311 = "open311", _("Open311")


class RequestType(models.TextChoices):
    ENQUIRY = "enquiry", _("Enquiry")
    HELP = "help", _("Help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Signed for")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Replied")
    CALLBACK = "callback", _("Called back")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")
    MERGED = "merged", _("Merged")
    INVALID = "invalid", _("Invalid")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class DeadlineState(models.TextChoices):
    """The colour of the resolution deadline (shiyu.deadlines): green, yellow, red."""

    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class Ticket(models.Model):
    code = models.CharField(_("tracking code"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    request_type = models.CharField(_("request type"), max_length=12, choices=RequestType.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 db_index=False, on_delete=models.PROTECT, related_name="tickets")
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    long = models.FloatField(_("longitude"), null=True, blank=True)
    # Where it is, resolved once at intake; denormalised so that scopes and rankings
    # filter on one column instead of walking the unit tree. Foreign keys that lead a
    # composite index below get no index of their own: it would only slow every insert.
    grid = models.ForeignKey("geo.Grid", verbose_name=_("grid"), null=True, blank=True,
                             db_index=False, on_delete=models.PROTECT, related_name="tickets")
    community = models.ForeignKey("geo.AdminUnit", verbose_name=_("community"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    subdistrict = models.ForeignKey("geo.AdminUnit", verbose_name=_("subdistrict"), null=True, blank=True,
                                    db_index=False, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("geo.AdminUnit", verbose_name=_("district"), null=True, blank=True,
                                 db_index=False, on_delete=models.PROTECT, related_name="+")
    reporter_name = models.CharField(_("reporter name"), max_length=64, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, blank=True)
    reporter_email = models.EmailField(_("reporter email"), blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reporter account"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="reported_tickets")
    # 首接负责: whoever first took the ticket in stays responsible for it.
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="received_tickets")
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    lead_unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("lead unit"), null=True, blank=True,
                                  db_index=False, on_delete=models.PROTECT, related_name="lead_tickets")
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    accept_due_at = models.DateTimeField(_("sign-for deadline"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolution deadline"), null=True, blank=True)
    # 紧急: signed for within minutes, round the clock (SHIYU_URGENT_ACCEPT_MINUTES); set at intake.
    urgent = models.BooleanField(_("urgent"), default=False)
    # As the last deadline sweep saw it (shiyu.deadlines); deadlines.selectors.deadline_state
    # gives it live. Meaningful for open tickets only: the sweep turns the others green.
    deadline_state = models.CharField(_("deadline state"), max_length=8, choices=DeadlineState.choices,
                                      default=DeadlineState.ON_TIME)

    reply = models.TextField(_("reply"), blank=True)
    callback_rating = models.CharField(_("callback rating"), max_length=20, choices=Rating.choices, blank=True)
    callback_resolved = models.BooleanField(_("resolved, says the resident"), null=True, blank=True)
    callback_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    # 回访未接通: after SHIYU_CALLBACK_TRIES tries the callback is recorded as unreachable,
    # without a rating, and the ticket may be closed (it counts in no rate's denominator).
    callback_tries = models.PositiveSmallIntegerField(_("callback tries that reached nobody"), default=0)
    callback_unreachable = models.BooleanField(_("resident unreachable at callback"), default=False)
    duplicate_of = models.ForeignKey("self", verbose_name=_("duplicate of"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="duplicates")
    invalid_reason = models.CharField(_("invalid reason"), max_length=200, blank=True)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopens"), default=0)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="ticket_status_idx"),
            models.Index(fields=["lead_unit", "status"], name="ticket_unit_idx"),
            models.Index(fields=["lead_unit", "created_at"], name="ticket_unit_created_idx"),
            # Overdue lists look only at open tickets (lifecycle.OPEN_STATES; spelled out
            # here because lifecycle imports this module): a partial index keeps it small.
            models.Index(fields=["resolve_due_at"], name="ticket_open_due_idx",
                         condition=models.Q(status__in=["received", "dispatched", "accepted", "in_progress",
                                                        "returned"])),
            # Only yellow and red tickets: the sweep turns them green again through it,
            # and a unit's alert counts read it alone. Written as "not on time" because
            # SQLite matches a partial index against `x <> ?` but not against `x IN (?, ?)`.
            models.Index(fields=["lead_unit", "deadline_state"], name="ticket_alert_idx",
                         condition=~models.Q(deadline_state="on_time")),
            models.Index(fields=["subdistrict", "status"], name="ticket_subdistrict_idx"),
            models.Index(fields=["district", "created_at"], name="ticket_district_idx"),
            models.Index(fields=["grid", "status"], name="ticket_grid_idx"),
            models.Index(fields=["created_at"], name="ticket_created_idx"),
            models.Index(fields=["category", "created_at"], name="ticket_category_idx"),
            models.Index(fields=["reporter_phone", "created_at"], name="ticket_phone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def place(self) -> Location | None:
        """Where intake placed the ticket, as routing reads a place; None when it was not
        placed as far as a community."""
        if self.community_id is None:
            return None
        return Location(self.grid_id, self.community_id, self.subdistrict_id, self.district_id)


class Assignment(models.Model):
    """A unit's part in a ticket: one lead unit (主办), any number of assisting units (协办)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        ASSIST = "assist", _("Assist")

    class State(models.TextChoices):
        DISPATCHED = "dispatched", _("Dispatched")
        ACCEPTED = "accepted", _("Signed for")
        REPORTED = "reported", _("Reported")
        RETURNED = "returned", _("Returned")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="assignments")
    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="assignments")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DISPATCHED)
    dispatched_at = models.DateTimeField(_("dispatched at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    report = models.TextField(_("report"), blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["unit", "state"], name="assignment_unit_idx")]

    @property
    def active(self) -> bool:
        return self.state not in {self.State.RETURNED, self.State.WITHDRAWN}


class Extension(models.Model):
    """延期: asked by the lead unit, decided by a supervisor; approval moves the deadline."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    days = models.PositiveSmallIntegerField(_("working days asked"))
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="attachments")
    file = models.FileField(_("file"), upload_to="tickets/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=32)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

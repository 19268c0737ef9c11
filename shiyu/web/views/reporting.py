"""The report form that the portal and the grid pages share, and how a service's
refusal shows on it: the same fields, the same messages, a 4xx answer."""
from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from shiyu.core.errors import DomainError
from shiyu.tickets.models import Category, RequestType, Ticket
from shiyu.tickets.services import ADDRESS_MAX, DESCRIPTION_MAX, NAME_MAX, PHONE_MAX, TicketInput

PHOTO_TYPES = "image/jpeg,image/png,image/webp"  # what tickets.services accepts


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, category: Category) -> str:
        return f"{category.parent.name} · {category.name}"


def _coordinate(label, bound: int) -> forms.FloatField:
    # A visible number input: filled by a tap on the map or the phone's position, and
    # still typeable where neither works.
    return forms.FloatField(label=label, required=False, min_value=-bound, max_value=bound,
                            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))


class ReportForm(forms.Form):
    description = forms.CharField(label=_("What is the problem?"), max_length=DESCRIPTION_MAX,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    category = CategoryChoice(label=_("Category (optional)"), required=False, queryset=Category.objects.none(),
                              empty_label=_("Not sure: the city will choose"))
    lat = _coordinate(_("Latitude"), 90)
    long = _coordinate(_("Longitude"), 180)
    address = forms.CharField(label=_("Address or landmark"), max_length=ADDRESS_MAX, required=False)
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": PHOTO_TYPES}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (Category.objects.filter(level=3, active=True)
                                            .select_related("parent").order_by("code"))

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("long") is None) and not self.has_error("lat"):
            self.add_error("lat", _("Give both latitude and longitude, or tap the map."))
        return data

    def has_point(self) -> bool:
        return self.cleaned_data.get("lat") is not None and self.cleaned_data.get("long") is not None

    def ticket_input(self, channel: str, request_type: str) -> TicketInput:
        data = self.cleaned_data
        return TicketInput(channel=channel, request_type=request_type, description=data["description"],
                           category=data["category"], lat=data["lat"], long=data["long"], address=data["address"],
                           reporter_name=data.get("reporter_name", ""), reporter_phone=data.get("reporter_phone", ""))


class GridReportForm(ReportForm):
    def clean(self):
        data = super().clean()
        if not self.has_point() and not self.has_error("lat"):
            self.add_error("lat", _("Tap the map or use your position to place the event."))
        return data


class PortalReportForm(ReportForm):
    request_type = forms.ChoiceField(label=_("This is a"), choices=RequestType.choices, initial=RequestType.COMPLAINT)
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=NAME_MAX, required=False)
    reporter_phone = forms.CharField(
        label=_("Your phone (optional, needed for a callback)"), max_length=PHONE_MAX, required=False,
        validators=[RegexValidator(r"^\+?[0-9-]{5,20}$", _("Digits only, as in 13812345678 or 010-12345678."))],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))

    def clean(self):
        data = super().clean()
        placed = self.has_point() or data.get("address", "").strip()
        if not placed and data.get("request_type") != RequestType.ENQUIRY and not self.has_error("lat"):
            self.add_error("address", _("Tap the map or give an address, so the right unit can find it."))
        return data


def refuse(form: forms.Form, error: DomainError) -> int:
    """Show a service's refusal on the form; returns the status to answer with."""
    form.add_error(None, error.message)
    for name, messages in error.fields.items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
    return error.status


def submit_report(form: ReportForm, take: Callable[[ReportForm], Ticket]) -> tuple[Ticket | None, int]:
    """The new ticket from a valid form, or None and the 4xx status to show the form again with."""
    if not form.is_valid():
        return None, 400
    try:
        return take(form), 201
    except DomainError as error:
        return None, refuse(form, error)

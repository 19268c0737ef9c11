"""受理: the operator's form for a hotline call. While the call is typed in, the panel
beside it shows what intake.selectors.preview_intake reads of it: category suggestions,
the place and route, repeats and duplicates, and replies to similar tickets."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shiyu.core.errors import DomainError
from shiyu.geo.places import places
from shiyu.intake.selectors import preview_intake
from shiyu.intake.services import take_in
from shiyu.tickets.models import Channel, RequestType
from shiyu.tickets.selectors import get_visible_ticket
from shiyu.tickets.services import (ADDRESS_MAX, DESCRIPTION_MAX, NAME_MAX, PHONE_MAX, TITLE_MAX, TicketInput,
                                    answer_directly)

from .workbench import category_field, error_response, for_page, invalid_form

TEMPLATE = "web/workbench/intake.html"


class IntakeForm(forms.Form):
    # In the order an operator hears a call; the description has the focus first.
    description = forms.CharField(label=gettext_lazy("What the caller says"), max_length=DESCRIPTION_MAX,
                                  widget=forms.Textarea(attrs={"rows": 5, "autofocus": True}))
    title = forms.CharField(label=gettext_lazy("Title (optional)"), max_length=TITLE_MAX, required=False)
    request_type = forms.ChoiceField(label=gettext_lazy("Request type"), choices=RequestType.choices,
                                     initial=RequestType.COMPLAINT)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=ADDRESS_MAX, required=False)
    lat = forms.FloatField(label=gettext_lazy("Latitude"), required=False, min_value=-90, max_value=90,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    long = forms.FloatField(label=gettext_lazy("Longitude"), required=False, min_value=-180, max_value=180,
                            widget=forms.NumberInput(attrs={"step": "any"}))
    reporter_name = forms.CharField(label=gettext_lazy("Caller's name"), max_length=NAME_MAX, required=False)
    reporter_phone = forms.CharField(label=gettext_lazy("Caller's phone"), max_length=PHONE_MAX, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel"}))
    urgent = forms.BooleanField(label=gettext_lazy("Urgent"), required=False)
    category = category_field(label=gettext_lazy("Category"), required=False,
                              empty_label=gettext_lazy("Not sure: the dispatcher chooses"))
    reply = forms.CharField(label=gettext_lazy("Answer given on the phone (enquiries)"), required=False,
                            max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def ticket_input(self) -> TicketInput:
        data = {name: value for name, value in self.cleaned_data.items() if name != "reply"}
        return TicketInput(channel=Channel.HOTLINE, **data)


@for_page("intake")
def intake(request):
    form = IntakeForm(request.POST or None)
    if request.method == "POST":
        try:
            ticket = _take_in(request, form)
        except DomainError as error:
            return error_response(request, error, TEMPLATE, {"form": form}, form=form)
        messages.success(request, _("Ticket %(code)s taken in.") % {"code": ticket.code})
        return redirect(f"{reverse('web:intake')}?taken={ticket.code}")
    taken = request.GET.get("taken")
    return render(request, TEMPLATE, {"form": form, "taken": taken and get_visible_ticket(request.user, taken)})


def _take_in(request, form: IntakeForm):
    if not form.is_valid():
        raise invalid_form()
    # "Take in and answer" is one step for the operator: both happen, or neither.
    with transaction.atomic():
        ticket = take_in(actor=request.user, data=form.ticket_input())
        if "answer" in request.POST:
            ticket = answer_directly(actor=request.user, ticket=ticket, reply=form.cleaned_data["reply"])
    return ticket


@for_page("intake")
@require_POST
def preview(request):
    """The panel beside the form, redrawn as the operator types (htmx)."""
    form = IntakeForm(request.POST)
    form.is_valid()  # reads whatever is valid so far
    data = form.cleaned_data
    if not data.get("description"):
        return render(request, "web/workbench/_preview.html", {})
    placed = data.get("lat") is not None and data.get("long") is not None
    found = preview_intake(request.user, title=data.get("title", ""), description=data["description"],
                           phone=data.get("reporter_phone", ""), address=data.get("address", ""),
                           lat=data["lat"] if placed else None, long=data["long"] if placed else None,
                           category=data.get("category"))
    return render(request, "web/workbench/_preview.html", {"preview": found, "place": _place_names(found.place)})


def _place_names(location) -> list[str]:
    """District, subdistrict and community of a place, from the in-memory unit tree."""
    if location is None:
        return []
    units = places().units
    ids = (location.district_id, location.subdistrict_id, location.community_id)
    return [units[pk].name for pk in ids if pk in units]

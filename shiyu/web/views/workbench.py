"""What the staff workbench pages share: who may open a page, how a service's refusal
is shown, where to go after a successful POST, and one page of a long list."""
from __future__ import annotations

import functools

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page as ListPage
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from shiyu.core.errors import DomainError, InvalidInput, NotAllowed
from shiyu.tickets.models import Category
from shiyu.tickets.selectors import visible_tickets

from ..pages import PAGES
from .reporting import CategoryChoice

PER_PAGE = 25
ERROR_TEMPLATE = "web/workbench/error.html"
LEAVES = Category.objects.filter(level=3, active=True).select_related("parent").order_by("code")


def error_response(request, error: DomainError, template: str = ERROR_TEMPLATE, context: dict | None = None,
                   form: forms.Form | None = None) -> HttpResponse:
    """A refusal as a page: the page again with the message on top and the service's
    field errors at their fields, answered with the error's own status (403, 404, 409,
    422), never a 500."""
    for name, messages in error.fields.items():
        if form is not None and name in form.fields:
            form.add_error(name, messages)
    return render(request, template, {**(context or {}), "error": error}, status=error.status)


def invalid_form() -> InvalidInput:
    """A form that did not validate, as the error a service would raise for it (the
    form shows its own field errors)."""
    return InvalidInput(_("Please correct the errors below."), fields={})


def run_form(form: forms.Form, run) -> DomainError | None:
    """Validate an action's form and run the service on its data: None when done, else the
    refusal to show on the page again (an invalid form counts as one)."""
    try:
        if not form.is_valid():
            raise invalid_form()
        run(dict(form.cleaned_data))
    except DomainError as error:
        return error
    return None


def action_forms(actions: dict, names, failed: tuple[str, forms.Form] | None = None) -> list[tuple]:
    """(action, its form) for each of `names` the user may take now: the one that failed
    as it was sent, with its errors; the others blank, their ids prefixed by the action's
    name (a page holds several forms)."""
    failed_name, failed_form = failed or (None, None)
    return [(actions[name], failed_form if name == failed_name else actions[name].form(auto_id=f"id_{name}_%s"))
            for name in names]


def linked_tickets(user, linked, shown: int) -> dict:
    """What web/_linked_tickets.html draws: of the `linked` tickets, the first `shown` the
    user may see, oldest first, and how many are linked in all."""
    tickets = list(visible_tickets(user).filter(pk__in=linked.values("pk")).select_related("lead_unit")
                   .order_by("created_at", "id")[:shown])
    return {"tickets": tickets, "ticket_total": linked.count()}


def for_roles(roles):
    """Signed-in users of these roles only (anonymous ones go to the login page); any
    domain error the view does not show on its own page is shown on the error page."""
    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_role(*roles):
                return error_response(request, NotAllowed(_("This page is not for your role.")))
            try:
                return view(request, *args, **kwargs)
            except DomainError as error:
                return error_response(request, error)
        return checked
    return decorate


def for_page(url_name: str):
    """The roles that PAGES gives the page: whoever sees it in the navigation may open it."""
    return for_roles(next(page.roles for page in PAGES if page.url_name == url_name))


def next_url(request) -> str | None:
    """Where a form asked to go back to after success (a list it was sent from), if local."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return url
    return None


def query_without(request, param: str) -> str:
    """The list's query string without one parameter (its page number), for page links."""
    query = request.GET.copy()
    query.pop(param, None)
    return query.urlencode()


def page_of(request, queryset, param: str = "page") -> ListPage:
    """One page of a selector's queryset: LIMIT and OFFSET in the database."""
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get(param))


def category_field(**kwargs) -> CategoryChoice:
    """A leaf category, chosen by its code (stable in forms and browser tests)."""
    return CategoryChoice(queryset=LEAVES, to_field_name="code", **kwargs)

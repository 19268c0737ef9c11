"""Which pages exist and who works on them. One list serves the navigation bar, the
landing page's shortcuts and the browser tests that open every role's pages."""
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shiyu.core.models import Role

STAFF = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.HANDLER, Role.GRIDWORKER, Role.SUPERVISOR,
                   Role.LEADER, Role.ADMIN})


@dataclass(frozen=True)
class Page:
    url_name: str            # in the "web" namespace; takes no arguments
    title: str
    roles: frozenset         # who gets it in the navigation; empty: anyone, signed in or not
    summary: str = ""        # one line on the landing page

    @property
    def url(self) -> str:
        return reverse(f"web:{self.url_name}")


PAGES: list[Page] = [
    Page("home", _("Home"), STAFF | {Role.CITIZEN}),
    Page("intake", _("Intake"), frozenset({Role.OPERATOR, Role.ADMIN}),
         _("Take in a hotline call; category, repeats and answers appear as you type")),
    Page("dispatch-queue", _("Dispatch"), frozenset({Role.DISPATCHER, Role.ADMIN}),
         _("New, unsorted and returned tickets, each with the unit the rules suggest")),
    Page("inbox", _("Inbox"), frozenset({Role.HANDLER, Role.ADMIN}),
         _("Your unit's tickets by deadline: sign for, reply, ask for more time")),
    Page("supervision", _("Supervision"), frozenset({Role.SUPERVISOR, Role.ADMIN}),
         _("Overdue tickets, extension requests and notifications")),
    Page("dashboard", _("Command dashboard"), frozenset({Role.SUPERVISOR, Role.LEADER, Role.ADMIN}),
         _("The city's grids, volumes, rates, rankings, alerts and hot issues, refreshed each minute")),
    Page("alerts", _("Risk alerts"), frozenset({Role.SUPERVISOR, Role.LEADER, Role.HANDLER, Role.ADMIN}),
         _("Red, orange, yellow and blue alerts: acknowledge, assign, report back, resolve, mute a noisy signal")),
    Page("hot-issues", _("Hot issues"), frozenset({Role.SUPERVISOR, Role.LEADER, Role.DISPATCHER, Role.ADMIN}),
         _("What many residents raise about one place, hottest first; open a proactive task from it")),
    Page("proactive-tasks", _("Proactive tasks"), frozenset({Role.SUPERVISOR, Role.HANDLER, Role.ADMIN}),
         _("Acting before residents call: tasks by deadline, to accept and complete")),
    Page("grid", _("My grid"), frozenset({Role.GRIDWORKER}), _("Your grids on a map, with their open tickets")),
    Page("grid-report", _("Report an event"), frozenset({Role.GRIDWORKER}),
         _("What you find on patrol, with its place and a photo")),
    Page("grid-tasks", _("My tasks"), frozenset({Role.GRIDWORKER}), _("Open tickets in your grids, by deadline")),
    Page("portal", _("Speak up"), frozenset(), _("Report a problem or make a suggestion to the city")),
    Page("portal-track", _("Follow progress"), frozenset(), _("Where your report stands, by its tracking code")),
    Page("portal-resolved", _("Resolved cases"), frozenset(), _("What the city has answered, without personal data")),
    Page("portal-mine", _("My reports"), frozenset({Role.CITIZEN}), _("Everything you have reported while signed in")),
]


def pages_for(user) -> list[Page]:
    """The pages in the user's navigation, in the order of PAGES."""
    if not user.is_authenticated:
        return [page for page in PAGES if not page.roles]
    role = Role.ADMIN if user.is_superuser else user.role
    # A resident who signs in keeps the public portal; staff have their own pages instead.
    return [page for page in PAGES if role in page.roles or (not page.roles and role == Role.CITIZEN)]


def navigation(request) -> dict:
    """Template context processor: the navigation bar."""
    return {"nav_pages": pages_for(request.user)}

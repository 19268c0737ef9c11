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
]


def pages_for(user) -> list[Page]:
    """The pages in the user's navigation, in the order of PAGES."""
    if not user.is_authenticated:
        return [page for page in PAGES if not page.roles]
    role = Role.ADMIN if user.is_superuser else user.role
    return [page for page in PAGES if role in page.roles]


def navigation(request) -> dict:
    """Template context processor: the navigation bar."""
    return {"nav_pages": pages_for(request.user)}

"""Reading rendered pages in the page tests, and what the actions left in the audit trail."""
import re

from shiyu.core.audit import trail


def html(response) -> str:
    return response.content.decode()


def buttons(page: str) -> set[str]:
    """The actions a page offers: its buttons' data-action names."""
    return set(re.findall(r'<button[^>]*data-action="([a-z_]+)"', page))


def post(client, url: str, data=None, status: int = 302):
    """POST a page's form and expect `status` (302: done, and sent on)."""
    response = client.post(url, data or {})
    assert response.status_code == status, html(response)[:3000]
    return response


def audit_actions(target_type: str, target_id: int) -> list[str]:
    """The actions of one object's audit trail, oldest first."""
    return [event.action for event in trail(target_type, target_id)]

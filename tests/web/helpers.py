"""Reading rendered pages in the page tests."""
import re


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

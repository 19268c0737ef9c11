"""Who is asking: the client's address, as far as the proxies in front of us tell it.

Behind a reverse proxy (nginx on the intranet's gateway), REMOTE_ADDR is the proxy's
address for every resident. Each proxy named in SHIYU_TRUSTED_PROXIES appends the
address it received the request from to X-Forwarded-For; reading that list from the
right, the first address that is not a trusted proxy is the client. Addresses to its
left were written by the client itself and are never believed."""
from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.SHIYU_TRUSTED_PROXIES
    if remote not in trusted:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        if hop and hop not in trusted:
            return hop
    return remote  # only proxies: the nearest one stands for the client

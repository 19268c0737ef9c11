"""Reads: hot issues in the tickets of a period and an area, and who sees which proactive task.

Hot issues are not stored. `hot_issues` runs shiyu.nlp.hotspots over the tickets received in
[since, until), one subdistrict at a time (about 1.5 ms of CPU a ticket: a month of a busy
district, a few seconds) and
keeps the answer in Django's cache for CACHE_SECONDS, keyed by the arguments and by the count
and the newest id of those tickets, so that a new ticket gives a fresh answer. The dashboard
and the monthly priority problem read it; a supervisor opens proactive tasks from it."""
from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from shiyu.core.errors import NotFound
from shiyu.core.models import Role
from shiyu.geo.models import AdminUnit
from shiyu.nlp.hotspots import HotSpots, Message, find_hot_issues
from shiyu.tickets.models import Status, Ticket

from .models import ProactiveTask

CACHE_SECONDS = 600
# Who reads hot issues and every proactive task: they look at the whole city (a handler sees
# their own unit's tasks only).
CITY_WIDE_ROLES = {Role.SUPERVISOR, Role.LEADER, Role.DISPATCHER, Role.ADMIN}
# Each subdistrict is clustered on its own (a place lies in one), so the work grows with the
# tickets, not with their square; this bounds the memory of one call (about a minute of CPU).
MAX_TICKETS = 50_000
# On tickets a hot issue is one that two residents at least raised: one ticket is just a ticket.
MIN_REPORTERS = 2
_AREA_FIELD = {AdminUnit.Level.DISTRICT: "district", AdminUnit.Level.SUBDISTRICT: "subdistrict",
               AdminUnit.Level.COMMUNITY: "community"}


# ---------------------------------------------------------------- hot issues


def _tickets(since: dt.datetime, until: dt.datetime, area: AdminUnit | None) -> QuerySet[Ticket]:
    """Tickets received in [since, until) in `area` (the city when None or the city itself);
    invalid ones (harassment, tests) are not problems. Merged duplicates stay: each is one
    more resident raising the issue."""
    tickets = Ticket.objects.filter(created_at__gte=since, created_at__lt=until).exclude(status=Status.INVALID)
    field = _AREA_FIELD.get(area.level) if area is not None else None
    return tickets.filter(**{f"{field}_id": area.pk}) if field else tickets


def _message(ticket: Ticket) -> Message:
    """A ticket as the hot-spot finder reads it. The reporter is their phone (or account);
    their community is the place hint. Tickets have no likes."""
    reporter = ticket.reporter_phone or (f"account:{ticket.reporter_id}" if ticket.reporter_id else "")
    return Message(id=ticket.pk, title=ticket.title, body=ticket.description, user=reporter,
                   created=ticket.created_at, place=ticket.community.name if ticket.community_id else "",
                   region=ticket.subdistrict_id)


def hot_issues(since: dt.datetime, until: dt.datetime, area: AdminUnit | None = None, *, top: int = 10,
               min_reporters: int = MIN_REPORTERS) -> HotSpots:
    """The `top` hottest issues among the tickets received in [since, until) in `area`, each
    raised by `min_reporters` residents at least. Each issue's `ids` are ticket ids."""
    tickets = _tickets(since, until, area)
    stamp = tickets.aggregate(n=Count("id"), newest=Max("id"))
    key = (f"shiyu:hotspots:{since.isoformat()}:{until.isoformat()}:{area.pk if area else ''}:{top}:{min_reporters}"
           f":{stamp['n']}:{stamp['newest']}")
    found = cache.get(key)
    if found is None:
        found = _find(tickets, top, min_reporters)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _find(tickets: QuerySet[Ticket], top: int, min_reporters: int) -> HotSpots:
    rows = list(tickets.select_related("community").order_by("-created_at", "-id")
                .only("id", "title", "description", "reporter_phone", "reporter_id", "created_at",
                      "subdistrict_id", "community__name")[:MAX_TICKETS + 1])
    found = find_hot_issues([_message(t) for t in rows[:MAX_TICKETS]], top=top, min_reporters=min_reporters)
    # Worded here, lazily: the answer is cached for every reader, each in their own language.
    # (The core's other warnings, undated or repeated messages, cannot happen to tickets.)
    warnings = [format_lazy(gettext_lazy("only the newest {kept} of the {count} tickets of a subdistrict are "
                                         "clustered"), kept=kept, count=count)
                for kept, count in found.truncated.values()]
    if len(rows) > MAX_TICKETS:
        warnings.append(format_lazy(gettext_lazy("only the newest {count} tickets of the period are clustered"),
                                    count=MAX_TICKETS))
    return dataclasses.replace(found, warnings=warnings)


# ---------------------------------------------------------------- proactive tasks


def visible_tasks(user) -> QuerySet[ProactiveTask]:
    """Supervisors, leaders, dispatchers and admins see every task; a handler its own unit's."""
    tasks = ProactiveTask.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return tasks.none()
    if user.has_role(*CITY_WIDE_ROLES):
        return tasks
    if user.role == Role.HANDLER and user.unit_id is not None:
        return tasks.filter(unit_id=user.unit_id)
    return tasks.none()


def get_visible_task(user, pk: int) -> ProactiveTask:
    """One task, or NotFound (also outside the scope, so a scope never leaks what exists)."""
    task = (visible_tasks(user).select_related("unit", "created_by", "accepted_by", "finished_by")
            .filter(pk=pk).first())
    if task is None:
        raise NotFound(f"proactive task {pk} not found")
    return task

"""`shiyu demo`: a whole plausible city, generated deterministically from a seed."""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass

from django.conf import settings

from shiyu.geo.citygen import generate_city
from shiyu.geo.models import AdminUnit
from shiyu.open311.models import ApiKey
from shiyu.org.services import load_departments
from shiyu.routing.services import seed_rules
from shiyu.tickets.reference import load_taxonomy, read_taxonomy

from .city import load_city
from .users import ensure_demo_users

DEPARTMENTS = settings.BASE_DIR / "org" / "data" / "departments.json"
DEMO_CLIENT = "demo"


@dataclass(frozen=True)
class DemoAccess:
    password: str
    api_key: str
    password_generated: bool
    api_key_generated: bool


def demo_exists() -> bool:
    return AdminUnit.objects.filter(level=AdminUnit.Level.CITY).exists()


def build_city(seed: int, progress=None) -> None:
    step = progress or (lambda _label: None)
    step("city plan")
    plan = generate_city(seed=seed)
    step("units and grids")
    units = load_city(plan)
    step("departments and categories")
    load_departments(json.loads(DEPARTMENTS.read_text(encoding="utf-8")), city=units[plan.code])
    load_taxonomy(read_taxonomy())
    seed_rules()


def demo_access() -> DemoAccess:
    """Password and api_key from the environment, else generated once and kept in var/
    so that `make demo` prints the same ones every time."""
    path = settings.VAR_DIR / "demo_access.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    password = os.environ.get("SHIYU_DEMO_PASSWORD") or stored.get("password") or secrets.token_urlsafe(9)
    api_key = os.environ.get("SHIYU_DEMO_API_KEY") or stored.get("api_key") or secrets.token_urlsafe(24)
    if stored != {"password": password, "api_key": api_key}:
        path.write_text(json.dumps({"password": password, "api_key": api_key}))
        path.chmod(0o600)
    return DemoAccess(password, api_key, "SHIYU_DEMO_PASSWORD" not in os.environ,
                      "SHIYU_DEMO_API_KEY" not in os.environ)


def grant_demo_access(access: DemoAccess) -> None:
    ensure_demo_users(access.password)
    ApiKey.objects.update_or_create(name=DEMO_CLIENT, defaults={"key_hash": ApiKey.hash(access.api_key),
                                                                "active": True})

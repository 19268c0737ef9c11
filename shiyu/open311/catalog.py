"""In-process snapshots of what every POST needs: the active api_key hashes and the
service catalogue (leaf categories with their attribute definitions).

Each is loaded in one query and kept for TTL_SECONDS, so that taking in a service
request costs one insert transaction and nothing else. Changes made in this process
(admin saves) clear the snapshot at once through signals; other processes see them
within TTL_SECONDS. An api_key not in the snapshot triggers a reload at most every
MISS_RELOAD_SECONDS, so a new key works at once and random keys cannot hammer the DB."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from shiyu.tickets.models import Category, RequestType

from .models import ApiKey

TTL_SECONDS = 30.0
MISS_RELOAD_SECONDS = 1.0
LIST_TYPES = ("singlevaluelist", "multivaluelist")
DATATYPES = ("string", "number", "datetime", "text", *LIST_TYPES)


@dataclass(frozen=True)
class AttributeDef:
    code: str
    datatype: str
    required: bool
    description: str
    order: int
    variable: bool
    datatype_description: str  # "" when the definition gives none: a default is shown per language
    values: tuple[tuple[str, str], ...]  # (key, name)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(key for key, _name in self.values)


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    group: str  # the first-level category
    subgroup: str  # the second-level category
    keywords: tuple[str, ...]
    urgent: bool
    accept_hours: float
    resolve_days: int
    default_request_type: str
    attributes: tuple[AttributeDef, ...]
    category: Category  # the model instance a new ticket points at

    @property
    def metadata(self) -> bool:
        return bool(self.attributes)


@dataclass
class _Catalog:
    services: dict[str, Service]
    ordered: list[Service]
    loaded_at: float


@dataclass
class _Keys:
    clients: dict[str, str]  # sha256 hash -> client name
    loaded_at: float
    known: dict[str, str] = field(default_factory=dict)  # keys seen as sent -> client name (no hashing)


_lock = threading.Lock()
_catalog: _Catalog | None = None
_keys: _Keys | None = None


def _attribute(raw: dict, position: int) -> AttributeDef | None:
    code = str(raw.get("code") or "").strip()
    if not code:
        return None
    datatype = raw.get("datatype") if raw.get("datatype") in DATATYPES else "string"
    values = tuple((str(v.get("key")), str(v.get("name", v.get("key")))) for v in raw.get("values") or []
                   if isinstance(v, dict) and v.get("key") is not None)
    try:
        order = int(raw.get("order") or position)
    except (TypeError, ValueError):
        order = position
    return AttributeDef(code=code, datatype=datatype, required=bool(raw.get("required")),
                        description=str(raw.get("description") or ""), order=order,
                        variable=raw.get("variable", True) is not False,
                        datatype_description=str(raw.get("datatype_description") or ""), values=values)


def _load_catalog() -> _Catalog:
    categories = list(Category.objects.all())
    by_id = {c.pk: c for c in categories}
    services = {}
    for category in categories:
        if not category.is_leaf or not category.active:
            continue
        parent = by_id.get(category.parent_id)
        grandparent = by_id.get(parent.parent_id) if parent else None
        definitions = [a for a in (_attribute(raw, i) for i, raw in enumerate(category.attributes or [], 1)
                                   if isinstance(raw, dict)) if a is not None]
        typical = [t for t in (category.request_types or []) if t in RequestType.values]
        services[category.code] = Service(
            code=category.code, name=category.name,
            group=grandparent.name if grandparent else (parent.name if parent else ""),
            subgroup=parent.name if parent else "",
            keywords=tuple(str(k) for k in category.keywords or []),
            urgent=category.urgent, accept_hours=category.accept_hours, resolve_days=category.resolve_days,
            default_request_type=typical[0] if typical else RequestType.COMPLAINT,
            attributes=tuple(sorted(definitions, key=lambda a: (a.order, a.code))), category=category,
        )
    return _Catalog(services, [services[code] for code in sorted(services)], time.monotonic())


def _fresh_catalog() -> _Catalog:
    global _catalog
    current = _catalog
    if current is not None and time.monotonic() - current.loaded_at < TTL_SECONDS:
        return current
    with _lock:
        if _catalog is None or time.monotonic() - _catalog.loaded_at >= TTL_SECONDS:
            _catalog = _load_catalog()
        return _catalog


def services() -> list[Service]:
    return _fresh_catalog().ordered


def service(code: str) -> Service | None:
    return _fresh_catalog().services.get(code)


def _load_keys() -> _Keys:
    return _Keys(dict(ApiKey.objects.filter(active=True).values_list("key_hash", "name")), time.monotonic())


def client_for(api_key: str) -> str | None:
    """The client's name for an active api_key, else None."""
    global _keys
    current = _keys
    now = time.monotonic()
    if current is not None and now - current.loaded_at < TTL_SECONDS:
        name = current.known.get(api_key)
        if name is not None:
            return name
        name = current.clients.get(ApiKey.hash(api_key))
        if name is not None:
            if len(current.known) < 1000:
                current.known[api_key] = name
            return name
        if now - current.loaded_at < MISS_RELOAD_SECONDS:
            return None
    with _lock:
        if _keys is None or _keys is current:
            _keys = _load_keys()
        return _keys.clients.get(ApiKey.hash(api_key))


def clear() -> None:
    """Forget both snapshots (signals on save and delete; tests)."""
    global _catalog, _keys
    with _lock:
        _catalog = None
        _keys = None

"""Domain errors. Services raise them; the HTTP layers turn each into its status code,
so a bad request is a clear 4xx and never a 500."""
from django.utils.translation import gettext as _


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def as_dict(self) -> dict:
        body = {"code": self.code, "detail": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class InvalidInput(DomainError):
    """Input that is well-formed but wrong: a missing field, a point outside the city."""
    status = 422
    code = "invalid"


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class IllegalTransition(DomainError):
    """The ticket's current state does not allow the action."""
    status = 409
    code = "illegal_transition"

    def __init__(self, message: str, *, current: str, allowed: list[str]):
        super().__init__(message)
        self.current = current
        self.allowed = allowed

    def as_dict(self) -> dict:
        return {**super().as_dict(), "current_state": self.current, "allowed_actions": self.allowed}


def clean_text(value: str | None, name: str, limit: int, *, required: bool = False) -> str:
    """A free-text field stripped, or InvalidInput naming the field: missing when required, too long."""
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("%(field)s is required.") % {"field": name}, fields={name: [_("Required.")]})
    if len(value) > limit:
        raise InvalidInput(_("%(field)s is too long.") % {"field": name},
                           fields={name: [_("At most %(max)d characters.") % {"max": limit}]})
    return value

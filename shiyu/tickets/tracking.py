"""Tracking codes (查询码) that let a resident follow a report and rate the answer
without an account: the ticket's code, a dash and six characters of an HMAC of it.

The ticket code alone is printed on receipts and read out on the phone, so it is no
secret; the signature is what a stranger cannot guess. Derived rather than stored, so
no column and no migration; SECRET_KEY_FALLBACKS keep old codes valid across a key
rotation, as they do for Django's own signatures."""
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford, as the ticket codes: nothing to misread
_SALT = "shiyu.tickets.tracking"
SIGNATURE_LENGTH = 6  # 30 bits: a stranger needs about a billion guesses per ticket
CODE_MAX = 20  # Ticket.code's max_length


def _signature(ticket_code: str, secret: str) -> str:
    digest = salted_hmac(_SALT, ticket_code, secret=secret, algorithm="sha256").digest()
    bits = int.from_bytes(digest[:4], "big")
    return "".join(_ALPHABET[(bits >> (5 * i)) & 31] for i in range(SIGNATURE_LENGTH))


def make_tracking_code(ticket_code: str) -> str:
    return f"{ticket_code}-{_signature(ticket_code, settings.SECRET_KEY)}"


def verify_tracking_code(tracking_code: str) -> str | None:
    """The ticket code a tracking code was made for, or None for a forged or mistyped one."""
    ticket_code, dash, signature = (tracking_code or "").strip().upper().rpartition("-")
    if not dash or not ticket_code or len(ticket_code) > CODE_MAX:
        return None
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        if constant_time_compare(signature, _signature(ticket_code, secret)):
            return ticket_code
    return None

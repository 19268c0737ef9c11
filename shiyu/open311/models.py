import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """An Open311 client (a city app, a partner site). Only the key's hash is stored."""

    name = models.CharField(_("client name"), max_length=64, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return secrets.token_urlsafe(24)

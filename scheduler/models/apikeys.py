"""API keys: a person's credential for the REST API in one workspace."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scheduler.models.people import Membership, User, Workspace


class ApiKey(models.Model):
    """Acts as the membership's person with their role in its workspace, and only there.

    Only a SHA-256 of the secret is stored (scheduler/apikeys.py says why that
    is enough); `lookup` is the public part of the key, used to find the row.
    """

    # The membership, not the person and the workspace apart: the key acts with
    # the role the person has there now, and leaving the workspace deletes it.
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    lookup = models.CharField(max_length=16, unique=True)
    hashed = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # Written at most once a minute (apikeys.TOUCH_EVERY), so this is "about when".
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def workspace(self) -> Workspace:
        return self.membership.workspace

    @property
    def prefix(self) -> str:
        """The part of the key that may be shown: enough to tell keys apart."""
        return f"smo_{self.lookup}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

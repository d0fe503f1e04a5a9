"""Connected accounts, and the sandbox network's own feed."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from channels.fields import EncryptedJSONField
from channels.words import say


class SocialAccount(models.Model):
    """One account on one network that a workspace publishes to."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Connected")
        NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnecting")
        DISCONNECTED = "disconnected", _("Disconnected")

    workspace = models.ForeignKey(
        "scheduler.Workspace", on_delete=models.CASCADE, related_name="accounts"
    )
    network = models.CharField(max_length=32)
    external_id = models.CharField(max_length=255)
    name = models.CharField(max_length=200)
    handle = models.CharField(max_length=200, blank=True)
    # Tokens, app passwords: encrypted, never logged or rendered.
    credentials = EncryptedJSONField(blank=True, default=dict)
    credentials_expire_at = models.DateTimeField(null=True, blank=True)
    # Settings that are not secret (sandbox behaviour, instance URL, page id).
    options = models.JSONField(blank=True, default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_detail = models.CharField(max_length=500, blank=True)  # English, for logs
    status_words = models.JSONField(default=dict, blank=True)  # channels.words.Words JSON
    # Paused on its own (the workspace has a pause of its own too): held, not lost.
    paused_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "external_id"], name="account_unique_per_workspace"
            )
        ]
        ordering = ["network", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.network})"

    @property
    def status_reason(self) -> str:
        """Why the account needs a person, in the reader's language."""
        return say(self.status_words) or self.status_detail

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class SandboxPost(models.Model):
    """A post on the built-in sandbox network: the local feed it publishes to.

    Keyed by the sandbox account's external id, not by a foreign key, because the
    sandbox plays a network that knows nothing of SMO's tables.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account_ref = models.CharField(max_length=255, db_index=True)
    text = models.TextField(blank=True)
    media = models.JSONField(blank=True, default=list)
    # Stored so the reconciler can look a post up, but not enforced unique: like
    # most networks, the sandbox would take the same post twice.
    idempotency_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"sandbox post {self.public_id}"

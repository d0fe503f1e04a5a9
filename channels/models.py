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

    class Publishing(models.TextChoices):
        AUTO = "auto", _("Publish automatically")
        # The engine tells a person when a delivery comes due, who posts it by
        # hand (scheduler/reminders.py); Buffer calls this "notification publishing".
        REMINDER = "reminder", _("Send me a reminder")

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
    # Networks that cannot publish (Adapter.can_publish False) always remind,
    # whatever this says; see `by_reminder`.
    publishing = models.CharField(
        max_length=10, choices=Publishing.choices, default=Publishing.AUTO
    )
    # When a person disconnected it: credentials wiped, history kept, deliveries held.
    disconnected_at = models.DateTimeField(null=True, blank=True)
    # The reset time of the network's last rate-limit answer (RateLimited), for
    # the Accounts page; the deliveries themselves wait in retry_wait.
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    # The last "reconnect before access ends" warning (scheduler/expiry.py): the
    # end it was about and its threshold in days, so none goes out twice.
    expiry_warned_for = models.DateTimeField(null=True, blank=True)
    expiry_warned_days = models.PositiveSmallIntegerField(null=True, blank=True)
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

    @property
    def can_publish(self) -> bool:
        """Whether SMO can post to this account's network at all (Snapchat cannot)."""
        from channels.adapters.registry import UnknownNetwork, adapter_class

        try:
            return adapter_class(self.network).can_publish
        except UnknownNetwork:
            return True  # a network taken out of the registry fails at publish, as before

    @property
    def by_reminder(self) -> bool:
        """Whether due deliveries become reminders to a person instead of network calls."""
        return self.publishing == self.Publishing.REMINDER or not self.can_publish


class InstanceApp(models.Model):
    """SMO's registration on one server an admin connected (a Mastodon instance).

    Registered once per server and callback URL (POST /api/v1/apps) and kept for
    the next connection there; the client secret is encrypted like credentials.
    """

    network = models.CharField(max_length=32)
    server = models.CharField(max_length=255)  # "https://host[:port]"
    redirect_uri = models.CharField(max_length=500)
    client_id = models.CharField(max_length=255)
    client_secret = EncryptedJSONField(blank=True, default=dict)  # {"secret": ...}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "server", "redirect_uri"], name="instance_app_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network} app on {self.server}"


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
    # What visitors did with it on the sandbox's pages: the figures the sandbox
    # reports to SMO's analytics (channels/sandbox_feed.py).
    views = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"sandbox post {self.public_id}"


class SandboxFollow(models.Model):
    """A visitor following a sandbox account: its follower count is how many."""

    account_ref = models.CharField(max_length=255, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"a follower of {self.account_ref}"


class SandboxComment(models.Model):
    """A visitor's comment on a sandbox post, an answer to one, or a private
    message to a sandbox account (no post; `thread` names the conversation).

    Written from the sandbox pages by anyone trying SMO, and by the account's
    answers sent from the inbox, so the whole inbox flow runs with no API keys.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account_ref = models.CharField(max_length=255, db_index=True)
    post = models.ForeignKey(
        SandboxPost, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    in_reply_to = models.CharField(max_length=64, blank=True)
    thread = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=100)
    text = models.TextField()
    own = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    deleted = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"sandbox comment {self.public_id}"

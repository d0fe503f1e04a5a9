"""The inbox: what people say to and about the workspace's accounts, and the answers.

Items are fetched from each network (scheduler/inbox_sync.py) and stored once per
account by the network's own id. Answers are `Reply` rows, sent by a task with
the same claim-by-conditional-update care as deliveries (scheduler/replies.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from channels.words import say


class InboxItem(models.Model):
    """One comment, reply, mention or message on a connected account."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        REPLY = "reply", _("Reply")
        MENTION = "mention", _("Mention")
        MESSAGE = "message", _("Message")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ASSIGNED = "assigned", _("Assigned")
        DONE = "done", _("Done")

    workspace = models.ForeignKey(
        "scheduler.Workspace", on_delete=models.CASCADE, related_name="inbox_items"
    )
    account = models.ForeignKey(
        "channels.SocialAccount", on_delete=models.CASCADE, related_name="inbox_items"
    )
    network = models.CharField(max_length=32)
    external_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    author_handle = models.CharField(max_length=200, blank=True)
    author_id = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    # When the network says it was written; `fetched_at` when SMO first saw it.
    posted_at = models.DateTimeField()
    fetched_at = models.DateTimeField(auto_now_add=True)
    # The account's post it sits under, as the network names it, and SMO's
    # delivery of that post when SMO published it.
    parent_post_id = models.CharField(max_length=255, blank=True)
    delivery = models.ForeignKey(
        "scheduler.Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbox_items",
    )
    in_reply_to_id = models.CharField(max_length=255, blank=True)
    thread_id = models.CharField(max_length=255, blank=True)
    # Written by the account itself (an answer sent from SMO or the network's app).
    own = models.BooleanField(default=False)
    # What the adapter needs to answer or moderate it later (never a secret).
    extra = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbox_assignments",
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # "hide", "unhide" or "delete" while that request waits for the network.
    moderation_pending = models.CharField(max_length=10, blank=True)
    moderation_words = models.JSONField(default=dict, blank=True)  # why it last failed
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # However often a network returns it, an item is stored once per
            # account (the account fixes the network). The same Page connected
            # in two workspaces has a copy in each, so one team's "done" does
            # not close the other's.
            models.UniqueConstraint(
                fields=["account", "external_id"], name="inbox_item_once_per_account"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "-posted_at"], name="inbox_newest_idx"),
            models.Index(fields=["workspace", "state", "-posted_at"], name="inbox_state_idx"),
            models.Index(fields=["account", "parent_post_id"], name="inbox_post_idx"),
        ]
        ordering = ["-posted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id} on account {self.account_id}"

    @property
    def moderation_reason(self) -> str:
        return say(self.moderation_words)


class Reply(models.Model):
    """An answer to an inbox item, written in SMO and sent through the adapter.

    Only `scheduler.replies` changes `state`, each change one conditional UPDATE.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Sending")
        SENDING = "sending", _("Sending")
        RETRY_WAIT = "retry_wait", _("Waiting to retry")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Checking with the network")
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="answers")
    account = models.ForeignKey(
        "channels.SocialAccount", on_delete=models.CASCADE, related_name="inbox_replies"
    )
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    attempts = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)  # English, for logs
    error_words = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["state", "due_at"],
                condition=models.Q(state__in=["queued", "sending", "retry_wait", "unknown"]),
                name="reply_open_idx",
            )
        ]
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"reply {self.pk} to item {self.item_id} ({self.state})"

    @property
    def reason(self) -> str:
        return say(self.error_words) or self.last_error

    @property
    def in_flight(self) -> bool:
        return self.state in (
            self.State.QUEUED,
            self.State.SENDING,
            self.State.RETRY_WAIT,
            self.State.UNKNOWN,
        )


class SavedReply(models.Model):
    """A reusable answer ("Thanks, we've passed this on to the team")."""

    workspace = models.ForeignKey(
        "scheduler.Workspace", on_delete=models.CASCADE, related_name="saved_replies"
    )
    title = models.CharField(max_length=100)
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "title"], name="saved_reply_title_unique")
        ]

    def __str__(self) -> str:
        return self.title


class InboxSync(models.Model):
    """Where each account's inbox fetching stands: claimed, backed off, or due.

    `since` only moves when a fetch reads to the end, so a fetch stopped halfway
    (a crash, a rate limit on page three) starts over from the same point next
    time; what it stored before stopping is kept, and stored once.
    """

    account = models.OneToOneField(
        "channels.SocialAccount", on_delete=models.CASCADE, primary_key=True, related_name="inbox"
    )
    since = models.DateTimeField(null=True, blank=True)
    next_at = models.DateTimeField(null=True, blank=True)
    running_since = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_count = models.PositiveIntegerField(default=0)  # new items in the last fetch
    error_words = models.JSONField(default=dict, blank=True)
    rate_limited_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"inbox of account {self.account_id}"

    @property
    def reason(self) -> str:
        return say(self.error_words)

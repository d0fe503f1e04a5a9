"""People working together on posts: comments (approvals among them) and notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Comment(models.Model):
    """A note on a post; approving, rejecting and asking for changes leave one too."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    post = models.ForeignKey("scheduler.Post", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    # Who decided through a review link (no account, so no author).
    reviewer_name = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    # People named with @username in the body; each is notified.
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on post {self.post_id}"


class Notification(models.Model):
    """Something a person should know: shown under the bell, and emailed."""

    class Kind(models.TextChoices):
        DELIVERY_FAILED = "delivery_failed", _("A post failed")
        APPROVAL_NEEDED = "approval_needed", _("A post needs approval")
        APPROVED = "approved", _("A post was approved")
        REJECTED = "rejected", _("A post was rejected")
        CHANGES_REQUESTED = "changes_requested", _("Changes were asked for")
        MENTIONED = "mentioned", _("You were mentioned")
        ACCOUNT_NEEDS_RECONNECT = "account_needs_reconnect", _("An account needs reconnecting")
        REMINDER = "reminder", _("Time to post by hand")
        INBOX_ASSIGNED = "inbox_assigned", _("An inbox item was assigned to you")
        FEED_BROKEN = "feed_broken", _("A feed cannot be read")
        APPROVAL_EXPIRED = "approval_expired", _("A post expired before approval")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    workspace = models.ForeignKey(
        "scheduler.Workspace", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    # The delivery a reminder is about: its e-mail carries the caption and media links.
    delivery = models.ForeignKey(
        "scheduler.Delivery", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"

"""The audit log: who did what, and when, in a workspace (issue 8).

One row per event, written in the same transaction as the change it records
where there is one, and never edited. `actor` is empty for what SMO's workers
do (publishing); `actor_name` keeps the name after a person is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from scheduler.models.people import Workspace


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        POST_CREATED = "post.created", gettext_lazy("Post created")
        POST_EDITED = "post.edited", gettext_lazy("Post edited")
        POST_RESCHEDULED = "post.rescheduled", gettext_lazy("Post rescheduled")
        POST_APPROVED = "post.approved", gettext_lazy("Post approved")
        POST_REJECTED = "post.rejected", gettext_lazy("Post rejected")
        POST_DELETED = "post.deleted", gettext_lazy("Post deleted")
        POST_PUBLISHED = "post.published", gettext_lazy("Post published")
        POST_FAILED = "post.failed", gettext_lazy("Post failed")
        ACCOUNT_CONNECTED = "account.connected", gettext_lazy("Account connected")
        ACCOUNT_DISCONNECTED = "account.disconnected", gettext_lazy("Account disconnected")
        MEMBER_INVITED = "member.invited", gettext_lazy("Member invited")
        MEMBER_JOINED = "member.joined", gettext_lazy("Member joined")
        ROLE_CHANGED = "member.role_changed", gettext_lazy("Role changed")
        MEMBER_REMOVED = "member.removed", gettext_lazy("Member removed")
        INVITE_REVOKED = "invite.revoked", gettext_lazy("Invitation revoked")
        API_KEY_CREATED = "api_key.created", gettext_lazy("API key created")
        API_KEY_REVOKED = "api_key.revoked", gettext_lazy("API key revoked")
        WEBHOOK_ADDED = "webhook.added", gettext_lazy("Webhook added")
        WEBHOOK_ENABLED = "webhook.enabled", gettext_lazy("Webhook enabled")
        WEBHOOK_DISABLED = "webhook.disabled", gettext_lazy("Webhook disabled")
        WEBHOOK_DELETED = "webhook.deleted", gettext_lazy("Webhook deleted")
        INBOX_REPLIED = "inbox.replied", gettext_lazy("Answered in the inbox")
        INBOX_ASSIGNED = "inbox.assigned", gettext_lazy("Inbox item assigned")
        INBOX_HIDDEN = "inbox.hidden", gettext_lazy("Comment hidden")
        INBOX_UNHIDDEN = "inbox.unhidden", gettext_lazy("Comment shown again")
        INBOX_DELETED = "inbox.deleted", gettext_lazy("Comment deleted")
        APPROVAL_STEPS_CHANGED = "approval.steps_changed", gettext_lazy("Approval steps changed")
        REVIEW_LINK_CREATED = "review_link.created", gettext_lazy("Review link created")
        REVIEW_LINK_REVOKED = "review_link.revoked", gettext_lazy("Review link revoked")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    # What it was done to: a model's name ("post", "socialaccount", "apikey", ...).
    target_type = models.CharField(max_length=20)
    target_id = models.CharField(max_length=64, blank=True)
    # A short description of the target at the time (a post's first words, an
    # account's name), so the log reads well after the target is gone.
    target_label = models.CharField(max_length=200, blank=True)
    # The facts of the change, plain JSON (a new time, a role before and after).
    details = models.JSONField(blank=True, default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="audit_workspace_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name or 'SMO'} {self.action}"

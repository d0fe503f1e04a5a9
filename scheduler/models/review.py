"""Multi-step approval: a workspace's steps, each post's decisions, and the signed
links through which a client without an account reviews posts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApprovalWorkflow(models.Model):
    """A workspace's approval steps, in order. No row means one team step and only
    contributors' posts need approval (scheduler/workflow.py DEFAULT_STEPS)."""

    class By(models.TextChoices):
        TEAM = "team", _("Team (owners, admins, editors)")
        CLIENT = "client", _("Client (review link or viewer)")

    workspace = models.OneToOneField(
        "scheduler.Workspace", on_delete=models.CASCADE, related_name="approval_workflow"
    )
    # [{"name": "Editor", "by": "team"}, {"name": "Client", "by": "client"}]
    steps = models.JSONField(default=list)
    # Off: only contributors' posts wait for approval, as before steps existed.
    every_post = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"approval steps of {self.workspace_id}"


class ApprovalDecision(models.Model):
    """One decision on a post at one step: by a member, or by a review link's holder."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        REJECTED = "rejected", _("Rejected")

    post = models.ForeignKey(
        "scheduler.Post", on_delete=models.CASCADE, related_name="approval_decisions"
    )
    step = models.PositiveSmallIntegerField()
    step_name = models.CharField(max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_link = models.ForeignKey(
        "scheduler.ReviewLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_name = models.CharField(max_length=200, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} at step {self.step} of post {self.post_id}"

    @property
    def who(self) -> str:
        return self.user.username if self.user is not None else self.reviewer_name


class ReviewLink(models.Model):
    """A signed, expiring link for a reviewer without an account.

    Only a SHA-256 of the token is stored (as scheduler/invites.py does): the
    token is shown once, in the URL given to the person who made the link.
    """

    workspace = models.ForeignKey(
        "scheduler.Workspace", on_delete=models.CASCADE, related_name="review_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    reviewer_name = models.CharField(max_length=200)
    reviewer_email = models.EmailField(blank=True)
    posts = models.ManyToManyField("scheduler.Post", related_name="review_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"review link for {self.reviewer_name} in {self.workspace_id}"

    @property
    def is_open(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

"""People, workspaces and what each person may do in each workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scheduler.localtime import validate_timezone

if TYPE_CHECKING:
    from scheduler.models.posts import Post


def _default_timezone() -> str:
    return settings.SMO_DEFAULT_TIMEZONE


class User(AbstractUser):
    timezone = models.CharField(
        max_length=64, default=_default_timezone, validators=[validate_timezone]
    )
    # A code from settings.LANGUAGES; empty follows the browser's language.
    language = models.CharField(max_length=10, blank=True)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Workspace(models.Model):
    """A team or a client: every object belongs to exactly one."""

    name = models.CharField(max_length=200)
    timezone = models.CharField(
        max_length=64, default=_default_timezone, validators=[validate_timezone]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # "Pause publishing" for when bad news breaks: due deliveries are held, not
    # lost and not published, until someone resumes (scheduler/pause.py).
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pause_reason = models.CharField(max_length=500, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="workspaces"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    EDITOR = "editor", _("Editor")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    # What each role may do, from DESIGN.md "Data".
    CAN_MANAGE_ACCOUNTS = {Role.OWNER, Role.ADMIN}
    CAN_SCHEDULE = {Role.OWNER, Role.ADMIN, Role.EDITOR}
    CAN_WRITE = {Role.OWNER, Role.ADMIN, Role.EDITOR, Role.CONTRIBUTOR}
    CAN_MANAGE_PEOPLE = {Role.OWNER, Role.ADMIN}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace"], name="one_membership_per_workspace"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.workspace}"

    @property
    def can_manage_accounts(self) -> bool:
        return self.role in self.CAN_MANAGE_ACCOUNTS

    @property
    def can_manage_people(self) -> bool:
        """Invite people, change roles, remove members (owners only by owners)."""
        return self.role in self.CAN_MANAGE_PEOPLE

    @property
    def can_schedule(self) -> bool:
        """Schedule without approval."""
        return self.role in self.CAN_SCHEDULE

    @property
    def can_write(self) -> bool:
        return self.role in self.CAN_WRITE

    def can_cancel(self, post: Post) -> bool:
        """Cancel a post: those who schedule, or a contributor their own post.

        A contributor's posts need approval (DESIGN.md "Data"); cancelling someone
        else's approved post would undo a decision they were not given.
        """
        return self.can_schedule or (self.can_write and post.author_id == self.user_id)

    @property
    def can_answer(self) -> bool:
        """Answer, assign, close and moderate in the inbox: the workspace speaks
        in public through these, with no approval step, like scheduling."""
        return self.role in self.CAN_SCHEDULE

    @property
    def can_approve(self) -> bool:
        """Approve, reject or ask for changes on posts awaiting approval."""
        return self.role in self.CAN_SCHEDULE


class Invite(models.Model):
    """An e-mailed, expiring, single-use invitation to join a workspace with a role.

    Only a SHA-256 of the link's token is stored, so a database dump cannot be
    used to join; the token itself exists only in the e-mail (scheduler/invites.py).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EDITOR)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "email"], name="invite_workspace_email")]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.workspace_id} as {self.role}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )

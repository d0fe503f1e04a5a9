"""Reusable pieces of posts: snippets and hashtag groups, account signatures,
and post templates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Snippet(models.Model):
    """A piece of text inserted from the composer's Insert menu."""

    class Kind(models.TextChoices):
        SNIPPET = "snippet", _("Snippet")
        HASHTAGS = "hashtags", _("Hashtag group")

    workspace = models.ForeignKey(
        "scheduler.Workspace", on_delete=models.CASCADE, related_name="snippets"
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SNIPPET)
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="snippet_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AccountSignature(models.Model):
    """Text an account adds under what it publishes ("— Ana, support team")."""

    account = models.OneToOneField(
        "channels.SocialAccount", on_delete=models.CASCADE, related_name="signature"
    )
    text = models.CharField(max_length=500, blank=True)
    # Added to every new post of the account unless the post opts out.
    auto_add = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"signature of account {self.account_id}"


class PostTemplate(models.Model):
    """What a post says and where it goes, saved to start new posts from.

    Accounts and media are kept as ordered ids, not foreign keys: a template
    outlives a disconnected account or a deleted file, and starting from it says
    what was dropped (scheduler/library.py).
    """

    workspace = models.ForeignKey(
        "scheduler.Workspace", on_delete=models.CASCADE, related_name="post_templates"
    )
    name = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    link = models.URLField(max_length=2000, blank=True)
    first_comment = models.TextField(blank=True)
    thread = models.JSONField(default=list, blank=True)
    overrides = models.JSONField(default=dict, blank=True)
    media_ids = models.JSONField(default=list, blank=True)
    account_ids = models.JSONField(default=list, blank=True)
    campaign = models.ForeignKey(
        "scheduler.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    track_links = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="post_template_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

"""RSS and Atom feeds a workspace follows (issue 11): each new item becomes a
draft or a queued post from the feed's template (scheduler/feeds.py).

A FeedItem row is written in the same transaction as the post it made, and
(feed, guid) is unique, so an item read twice (a second worker, a retried task,
a crash between the two) never makes a second post.
"""

from __future__ import annotations

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from scheduler.models.people import Workspace

PLACEHOLDERS = ("title", "link", "summary")
DEFAULT_TEMPLATE = "{title}\n\n{summary}\n\n{link}"


def template_fields(template: str) -> list[str]:
    """Return the placeholder names in `template`; raise ValueError for a broken brace."""
    return [name for _text, name, _spec, _conv in string.Formatter().parse(template) if name]


def validate_template(template: str) -> None:
    """Accept only {title}, {link} and {summary}, naming any other placeholder."""
    try:
        names = template_fields(template)
    except ValueError as exc:
        raise ValidationError(
            _("The template has an unmatched brace; write {{ and }} for a brace of its own."),
            code="braces",
        ) from exc
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(names)s; use {title}, {link} and {summary}."),
            code="placeholder",
            params={"names": ", ".join("{" + n + "}" for n in unknown)},
        )


class Feed(models.Model):
    class Mode(models.TextChoices):
        DRAFT = "draft", _("Save as drafts")
        QUEUE = "queue", _("Add to the queue")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(max_length=1000)
    name = models.CharField(max_length=200)
    accounts = models.ManyToManyField("channels.SocialAccount", related_name="feeds")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.DRAFT)
    template = models.TextField(default=DEFAULT_TEMPLATE, validators=[validate_template])
    campaign = models.ForeignKey(
        "scheduler.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)
    # Conditional requests: the server's validators from the last 200 answer.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # Due when null or past; a claim sets checking_since, so one worker reads it.
    next_check_at = models.DateTimeField(null=True, blank=True)
    checking_since = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    # Broken: why (English, and as Words for each reader's language), since when,
    # and how many checks in a row failed (the backoff grows with it).
    error = models.CharField(max_length=500, blank=True)
    error_words = models.JSONField(default=dict, blank=True)
    broken_since = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["active", "next_check_at"], name="feed_due")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_broken(self) -> bool:
        return self.failures > 0


class FeedItem(models.Model):
    """One entry seen in a feed: the post it became, or why it became none."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="items")
    # The entry's id, else its link: what makes it the same item next time.
    guid = models.CharField(max_length=1000)
    link = models.URLField(max_length=1000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    post = models.ForeignKey(
        "scheduler.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Seen on the first read (older than the newest item) or a repeated link:
    # recorded so it is never posted, and listed so nothing vanishes unexplained.
    skipped = models.BooleanField(default=False)
    note_words = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "guid"], name="feed_item_once"),
        ]
        indexes = [models.Index(fields=["feed", "link"], name="feed_item_link")]

    def __str__(self) -> str:
        return self.title or self.guid

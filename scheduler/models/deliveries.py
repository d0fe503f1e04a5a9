"""Deliveries: one per post and account, the unit that is scheduled and published.

Only `scheduler.engine.transition` changes `Delivery.state` (STYLE.md §4).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from channels.words import say


class Delivery(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        SCHEDULED = "scheduled", _("Scheduled")
        QUEUED = "queued", _("Queued")
        PUBLISHING = "publishing", _("Publishing")
        RETRY_WAIT = "retry_wait", _("Waiting to retry")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Checking with the network")
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")
        # A reminder went to a person, who posts it by hand (scheduler/reminders.py).
        REMINDER_SENT = "reminder_sent", _("Waiting to be posted by hand")
        CANCELLED = "cancelled", _("Cancelled")
        # Its time passed while it still waited for approval: never published as
        # it stands (scheduler/unapproved.py).
        EXPIRED = "expired", _("Expired before approval")

    # States the dispatcher picks up when `due_at` arrives.
    DUE_STATES = (State.SCHEDULED, State.RETRY_WAIT)
    # Not gone out yet: its account's publishing setting decides how it will.
    WAITING_STATES = (
        State.DRAFT,
        State.AWAITING_APPROVAL,
        State.SCHEDULED,
        State.QUEUED,
        State.RETRY_WAIT,
    )

    post = models.ForeignKey("scheduler.Post", on_delete=models.CASCADE, related_name="deliveries")
    account = models.ForeignKey(
        "channels.SocialAccount", on_delete=models.PROTECT, related_name="deliveries"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    # When the person wants it out; `due_at` is when the dispatcher next acts
    # (the scheduled time, or the time of the next retry).
    scheduled_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Attempts that failed in a way worth retrying; SMO_MAX_ATTEMPTS caps them.
    failures = models.PositiveIntegerField(default=0)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(max_length=255, blank=True)
    external_url = models.URLField(max_length=1000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)  # English, for logs and the admin
    # The same sentence as channels.words.Words JSON, shown in each reader's language.
    error_words = models.JSONField(default=dict, blank=True)
    # Steps of a multi-call publish the network already confirmed (thread parts,
    # media containers, ...), so a retry resumes instead of repeating them.
    progress = models.JSONField(default=dict, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    publishing_since = models.DateTimeField(null=True, blank=True)
    # When its account's reminder went out instead of a network call; kept after
    # the person marks it posted or skips it, so it still reads as a reminder.
    reminded_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Stamped by every transition: the sweeps for stuck deliveries use it.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "account"], name="one_delivery_per_account")
        ]
        indexes = [
            # dispatch_due's query: a small index of only what is waiting.
            models.Index(
                fields=["due_at"],
                condition=models.Q(state__in=["scheduled", "retry_wait"]),
                name="delivery_due_idx",
            ),
            models.Index(fields=["state", "updated_at"], name="delivery_state_age_idx"),
            models.Index(fields=["scheduled_at"], name="delivery_scheduled_idx"),
            # A workspace's calendar period, through its accounts (scheduler/calendar.py).
            models.Index(fields=["account", "scheduled_at"], name="delivery_account_time_idx"),
            # The "needs a look" count on every page (scheduler/failures.py).
            models.Index(
                fields=["account"],
                condition=models.Q(state__in=["failed", "needs_attention"]),
                name="delivery_needs_look_idx",
            ),
            # The open reminders count on every page (scheduler/reminders.py).
            models.Index(
                fields=["account"],
                condition=models.Q(state="reminder_sent"),
                name="delivery_reminder_idx",
            ),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.state})"

    @property
    def reason(self) -> str:
        """Why it failed or waits, in the reader's language ("" when nothing is wrong)."""
        return say(self.error_words) or self.last_error

    @property
    def held_by_account(self) -> bool:
        """Whether it waits for its account to be reconnected (the engine holds it)."""
        return (
            self.state in (self.State.SCHEDULED, self.State.QUEUED, self.State.RETRY_WAIT)
            and not self.account.is_active
        )

    @property
    def by_reminder(self) -> bool:
        """Whether a person posts this one by hand: reminded already, or will be when due."""
        if self.reminded_at is not None:
            return True
        return self.state in self.WAITING_STATES and self.account.by_reminder


class DeliveryAttempt(models.Model):
    """One call to a network on behalf of a delivery, and how it ended."""

    class Outcome(models.TextChoices):
        PUBLISHED = "published", _("Published")
        RATE_LIMITED = "rate_limited", _("Rate limited")
        TRANSIENT = "transient", _("Temporary error")
        UNKNOWN = "unknown", _("No answer")
        AUTH_EXPIRED = "auth_expired", _("Credentials expired")
        PERMANENT = "permanent", _("Refused")
        LOST = "lost", _("Worker lost")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    worker = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    error_class = models.CharField(max_length=100, blank=True)
    network_code = models.CharField(max_length=100, blank=True)
    detail = models.TextField(blank=True)
    detail_words = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}: {self.outcome or 'running'}"

    @property
    def reason(self) -> str:
        """What went wrong, in the reader's language."""
        return say(self.detail_words) or self.detail

    @property
    def duration_ms(self) -> int | None:
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds() * 1000)

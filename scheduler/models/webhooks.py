"""Outgoing webhooks (issue 8): URLs a workspace registers to be told when a
delivery is published or fails, and one row per event sent to each of them.

A `WebhookDelivery` is written in the same transaction as the change it
reports (an outbox), so an event is never lost between the commit and the
broker; `scheduler.webhook_sending` sends it and keeps trying with backoff.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from channels.fields import EncryptedJSONField
from scheduler.models.people import Workspace


class WebhookEvent(models.TextChoices):
    """What SMO tells receivers about. New events are added here; endpoints keep
    the list of those they chose, so adding one subscribes nobody to it."""

    DELIVERY_PUBLISHED = "delivery.published", gettext_lazy("A post was published")
    DELIVERY_FAILED = "delivery.failed", gettext_lazy("A post failed to publish")
    # Sent by the "Send a test event" button only; nobody subscribes to it.
    TEST = "webhook.test", gettext_lazy("Test event")


SUBSCRIBABLE = [choice for choice in WebhookEvent.choices if choice[0] != WebhookEvent.TEST]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # A list of WebhookEvent values.
    events = models.JSONField(default=list)
    # {"key": "whsec_..."}, encrypted like an account's credentials: SMO signs
    # with it, so it must be readable, but the database never holds it in clear.
    secret = EncryptedJSONField(default=dict)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def signing_key(self) -> str:
        return str(self.secret.get("key", ""))

    def event_labels(self) -> list[str]:
        names = dict(WebhookEvent.choices)
        return [str(names.get(event, event)) for event in self.events]


class WebhookDelivery(models.Model):
    """One event for one endpoint, and how sending it went so far."""

    class State(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        SUCCEEDED = "succeeded", gettext_lazy("Delivered")
        FAILED = "failed", gettext_lazy("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    # Sent as X-SMO-Delivery and as the payload's "id": the same on every retry,
    # so a receiver can tell a retry from a new event.
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt is due; while one is in flight, when it counts as
    # lost (a worker died) and may be tried again. Empty once finished.
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # Short and written by SMO (never the receiver's body, never a secret).
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_try_at"], name="webhook_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_endpoint_time"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} ({self.state})"

"""Outgoing webhooks: which events go to which endpoint, what they say, and how
they are signed. Sending and retrying is `scheduler.webhook_sending`.

Signature (the scheme Stripe uses, so receivers' existing code fits):

    X-SMO-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

A receiver recomputes the HMAC over the exact bytes of the body, compares it in
constant time, and refuses a `t` more than a few minutes old (a replay).
X-SMO-Delivery carries the event's id, the same on every retry, to de-duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler import public_urls
from scheduler.models import Delivery, WebhookDelivery, WebhookEndpoint, WebhookEvent
from scheduler.public_urls import NotPublic


def check_url(url: str) -> None:
    """Raise NotPublic unless `url` is an https address on the public internet.

    SMO posts to it from inside its own network, so a private address would let
    anyone who can add a webhook probe that network (server-side request forgery).
    Called when an endpoint is saved and again before every attempt, since a
    host name can be pointed elsewhere in between.
    """
    parts = urlsplit(url)
    allowed = {"https", "http"} if settings.SMO_FETCH_PRIVATE_URLS else {"https"}
    if parts.scheme not in allowed or not parts.hostname:
        raise NotPublic(_("Enter an https address, such as https://example.com/smo-webhook."))
    if parts.username or parts.password:
        raise NotPublic(_("Leave the user name and password out of the address."))
    public_urls.check(
        url,
        _("%(host)s is not a public address; SMO sends webhooks only to the internet."),
    )


def body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, timestamp: int, content: bytes) -> str:
    signed = f"{timestamp}.".encode() + content
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def envelope(event: str, workspace: Any, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "event": event,
        "created_at": now.isoformat(),
        "workspace": {"id": workspace.pk, "name": workspace.name},
        "data": data,
    }


def _queue(endpoint: WebhookEndpoint, payload: dict[str, Any], now: datetime) -> WebhookDelivery:
    row = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=payload["event"],
        event_id=payload["id"],
        payload=payload,
        next_try_at=now,
    )
    from scheduler.tasks import send_webhook  # tasks import the engine, which imports this

    send_webhook.delay_on_commit(row.pk)
    return row


def delivery_ended(delivery_id: int, target: str) -> list[int]:
    """Queue one event per active endpoint that asked for it; call inside the
    transaction that moved the delivery, so the event commits with it."""
    published = target == Delivery.State.PUBLISHED
    event = WebhookEvent.DELIVERY_PUBLISHED if published else WebhookEvent.DELIVERY_FAILED
    d = Delivery.objects.select_related("post__workspace", "account").get(pk=delivery_id)
    workspace = d.post.workspace
    # JSON "contains" is not available on SQLite, and a workspace has a handful of endpoints.
    # The secret is not needed here, and a key problem must not undo the publish.
    active = WebhookEndpoint.objects.filter(workspace=workspace, active=True).defer("secret")
    endpoints = [e for e in active if event in e.events]
    if not endpoints:
        return []
    now = timezone.now()
    data = {
        "delivery": {
            "id": d.pk,
            "state": target,
            "external_url": d.external_url if published else None,
            "error": None if published else d.last_error[:500],
        },
        "post": {"id": d.post_id, "text": d.post.text},
        "account": {"id": d.account_id, "name": d.account.name, "network": d.account.network},
    }
    # Each endpoint gets its own event id: it is what that receiver de-duplicates on.
    return [_queue(e, envelope(event, workspace, data, now), now).pk for e in endpoints]


def send_test(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a test event to `endpoint`, whatever events it chose."""
    now = timezone.now()
    data = {"message": _("A test event from SMO. Your endpoint received it.")}
    with transaction.atomic():
        return _queue(endpoint, envelope(WebhookEvent.TEST, endpoint.workspace, data, now), now)

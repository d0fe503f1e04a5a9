"""Shared pieces of the webhook tests: an endpoint, the tasks sent, and the
receiver's side of the signature check (the code the Webhooks page shows)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import pytest

from scheduler.models import WebhookEndpoint, WebhookEvent, Workspace
from tests.fakes.webhook_receiver import Receiver

SECRET = "whsec_test-secret-0123456789abcdef"
BOTH = [WebhookEvent.DELIVERY_PUBLISHED, WebhookEvent.DELIVERY_FAILED]


def endpoint(workspace: Workspace, url: str, **fields: Any) -> WebhookEndpoint:
    fields.setdefault("events", BOTH)
    fields.setdefault("secret", {"key": SECRET})
    return WebhookEndpoint.objects.create(workspace=workspace, url=url, **fields)


def from_smo(secret: str, header: str, body: bytes, now: float) -> bool:
    """The verification snippet shown on the page, with the clock passed in."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    signed = parts["t"].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(now - int(parts["t"])) < 300
    return fresh and hmac.compare_digest(expected, parts.get("v1", ""))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as hook:
        yield hook


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids send_webhook would have been sent with, instead of a broker."""
    from scheduler.tasks import send_webhook

    ids: list[int] = []
    monkeypatch.setattr(send_webhook, "delay", lambda pk: ids.append(pk))
    return ids

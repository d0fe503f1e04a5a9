"""Outgoing webhooks: a delivery that is published or fails sends one signed
event to each endpoint that asked for it; an unanswered event is tried again
with growing waits, then given up; no attempt is ever sent twice."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from scheduler import engine, webhook_sending
from scheduler.models import Delivery, WebhookDelivery, WebhookEvent
from scheduler.webhook_sending import BACKOFF, MAX_ATTEMPTS
from tests.conftest import Cast
from tests.factories import DeliveryFactory, SandboxAccountFactory
from tests.fakes.webhook_receiver import Receiver
from tests.scheduler.webhooks_setup import SECRET, endpoint, from_smo, queued, receiver

__all__ = ["queued", "receiver"]  # fixtures
pytestmark = pytest.mark.django_db
S = Delivery.State
W = WebhookDelivery.State
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def test_a_publish_sends_exactly_one_event_to_each_matching_endpoint(
    cast: Cast,
    account,
    receiver: Receiver,
    queued: list[int],
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    wanted = endpoint(cast.workspace, receiver.url)
    endpoint(cast.workspace, receiver.url + "/failures", events=[WebhookEvent.DELIVERY_FAILED])
    endpoint(cast.workspace, receiver.url + "/off", active=False)
    endpoint(cast.outsider.workspace, receiver.url + "/theirs")
    delivery = DeliveryFactory(
        account=account,
        state=S.QUEUED,
        post__workspace=cast.workspace,
        post__text="Cardamom buns at seven",
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert engine.publish(delivery.pk) == "published"

    [row] = WebhookDelivery.objects.all()
    assert (row.endpoint, row.event, row.state, row.attempts) == (
        wanted,
        WebhookEvent.DELIVERY_PUBLISHED,
        W.PENDING,
        0,
    )
    assert queued == [row.pk]  # sent after commit, by id

    now = row.next_try_at  # due from its creation on
    assert webhook_sending.send(row.pk, now=now) == W.SUCCEEDED
    [request] = receiver.requests
    assert request.path == "/hooks/smo"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-SMO-Event"] == "delivery.published"
    assert request.headers["X-SMO-Delivery"] == str(row.event_id)
    assert request.headers["X-SMO-Signature"].startswith(f"t={int(now.timestamp())},v1=")
    assert from_smo(SECRET, request.headers["X-SMO-Signature"], request.body, now.timestamp())
    assert not from_smo(
        "whsec_wrong", request.headers["X-SMO-Signature"], request.body, now.timestamp()
    )
    assert not from_smo(
        SECRET, request.headers["X-SMO-Signature"], request.body + b" ", now.timestamp()
    )

    delivery.refresh_from_db()
    payload = json.loads(request.body)
    assert payload == {
        "id": str(row.event_id),
        "event": "delivery.published",
        "created_at": row.payload["created_at"],
        "workspace": {"id": cast.workspace.pk, "name": "Acme"},
        "data": {
            "delivery": {
                "id": delivery.pk,
                "state": "published",
                "external_url": delivery.external_url,
                "error": None,
            },
            "post": {"id": delivery.post_id, "text": "Cardamom buns at seven"},
            "account": {"id": account.pk, "name": "Acme Sandbox", "network": "sandbox"},
        },
    }
    assert delivery.external_url
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_status, row.next_try_at) == (
        W.SUCCEEDED,
        1,
        200,
        None,
    )
    assert row.finished_at == now


def test_a_failure_tells_the_endpoints_that_asked_for_failures_why(
    cast: Cast, receiver: Receiver, queued: list[int]
) -> None:
    endpoint(cast.workspace, receiver.url, events=[WebhookEvent.DELIVERY_PUBLISHED])
    failures = endpoint(cast.workspace, receiver.url, events=[WebhookEvent.DELIVERY_FAILED])
    broken = SandboxAccountFactory(
        workspace=cast.workspace, options={"failure_rate": 1, "failure_kind": "permanent"}
    )
    delivery = DeliveryFactory(account=broken, state=S.QUEUED, post__workspace=cast.workspace)
    engine.publish(delivery.pk)

    [row] = WebhookDelivery.objects.all()
    assert (row.endpoint, row.event) == (failures, WebhookEvent.DELIVERY_FAILED)
    delivery.refresh_from_db()
    assert delivery.state == S.FAILED
    assert row.payload["data"]["delivery"] == {
        "id": delivery.pk,
        "state": "failed",
        "external_url": None,
        "error": delivery.last_error,
    }
    assert row.payload["data"]["delivery"]["error"]


def test_a_500_is_retried_with_growing_waits_then_given_up(
    cast: Cast, receiver: Receiver, queued: list[int]
) -> None:
    hook = endpoint(cast.workspace, receiver.url)
    receiver.answers = [500] * 10
    row = WebhookDelivery.objects.create(
        endpoint=hook, event="delivery.published", payload={"id": "x"}, next_try_at=NOW
    )

    now = NOW
    waits = []
    for attempt in range(1, MAX_ATTEMPTS):
        assert webhook_sending.send(row.pk, now=now) == W.PENDING
        row.refresh_from_db()
        assert (row.attempts, row.last_status) == (attempt, 500)
        assert row.last_error == "The endpoint answered HTTP 500."
        waits.append(row.next_try_at - now)
        # Not due yet: nothing is sent.
        assert webhook_sending.send(row.pk, now=row.next_try_at - timedelta(seconds=1)) == "skipped"
        now = row.next_try_at

    assert webhook_sending.send(row.pk, now=now) == W.FAILED
    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_try_at, row.finished_at) == (W.FAILED, 6, None, now)
    assert len(receiver.requests) == MAX_ATTEMPTS
    assert {r.headers["X-SMO-Delivery"] for r in receiver.requests} == {str(row.event_id)}
    for wait, planned in zip(waits, BACKOFF, strict=True):
        assert planned * 0.9 <= wait <= planned * 1.1
    assert webhook_sending.send(row.pk, now=now + timedelta(days=1)) == "skipped"
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_a_receiver_that_does_not_answer_in_time_is_tried_again(
    cast: Cast,
    receiver: Receiver,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.SMO_WEBHOOK_TIMEOUT = 0.3
    hook = endpoint(cast.workspace, receiver.url)
    row = WebhookDelivery.objects.create(
        endpoint=hook, event="delivery.failed", payload={"id": "x"}, next_try_at=NOW
    )
    receiver.hang = True
    assert webhook_sending.send(row.pk, now=NOW) == W.PENDING
    row.refresh_from_db()
    assert (row.attempts, row.last_status) == (1, None)
    assert row.last_error == "No answer within 0.3 seconds."
    assert timedelta(seconds=54) <= row.next_try_at - NOW <= timedelta(seconds=66)

    receiver.hang = False
    assert webhook_sending.send(row.pk, now=row.next_try_at) == W.SUCCEEDED
    assert len(receiver.requests) == 2


def test_a_redirect_is_not_followed(cast: Cast, receiver: Receiver) -> None:
    hook = endpoint(cast.workspace, receiver.url)
    receiver.answers = [302]
    receiver.location = receiver.url + "/elsewhere"
    row = WebhookDelivery.objects.create(
        endpoint=hook, event="delivery.failed", payload={"id": "x"}, next_try_at=NOW
    )
    assert webhook_sending.send(row.pk, now=NOW) == W.PENDING
    assert [r.path for r in receiver.requests] == ["/hooks/smo"]
    row.refresh_from_db()
    assert row.last_status == 302
    assert "does not follow redirects" in row.last_error


def test_a_second_worker_cannot_send_the_attempt_the_first_is_sending(
    cast: Cast, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = endpoint(cast.workspace, receiver.url)
    row = WebhookDelivery.objects.create(
        endpoint=hook, event="delivery.failed", payload={"id": "x"}, next_try_at=NOW
    )
    post = webhook_sending._post
    second: list[str] = []

    def racing_post(claimed, now):  # type: ignore[no-untyped-def]
        # The same task, redelivered to another worker while the first is sending.
        second.append(webhook_sending.send(row.pk, now=now))
        return post(claimed, now)

    monkeypatch.setattr(webhook_sending, "_post", racing_post)
    assert webhook_sending.send(row.pk, now=NOW) == W.SUCCEEDED
    assert second == ["skipped"]
    assert len(receiver.requests) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (W.SUCCEEDED, 1)


def test_a_worker_that_died_mid_attempt_leaves_it_to_be_tried_again(
    cast: Cast,
    receiver: Receiver,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    hook = endpoint(cast.workspace, receiver.url)
    row = WebhookDelivery.objects.create(
        endpoint=hook, event="delivery.failed", payload={"id": "x"}, next_try_at=NOW
    )
    assert webhook_sending.claim(row.pk, NOW) is not None  # and then the worker is gone
    assert webhook_sending.claim(row.pk, NOW + timedelta(seconds=30)) is None
    assert (
        webhook_sending.claim(row.pk, NOW + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT - 1))
        is None
    )
    later = NOW + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    assert webhook_sending.send(row.pk, now=later) == W.SUCCEEDED
    row.refresh_from_db()
    assert row.attempts == 2
    assert len(receiver.requests) == 1


def test_a_disabled_endpoint_gets_nothing(
    cast: Cast,
    account,
    receiver: Receiver,
    queued: list[int],  # type: ignore[no-untyped-def]
) -> None:
    hook = endpoint(cast.workspace, receiver.url)
    waiting = WebhookDelivery.objects.create(
        endpoint=hook, event="delivery.failed", payload={"id": "x"}, next_try_at=NOW
    )
    hook.active = False
    hook.save()
    engine.publish(
        DeliveryFactory(account=account, state=S.QUEUED, post__workspace=cast.workspace).pk
    )

    assert list(WebhookDelivery.objects.all()) == [waiting]
    assert webhook_sending.send(waiting.pk, now=NOW) == W.FAILED
    waiting.refresh_from_db()
    assert waiting.last_error == "The endpoint was disabled."
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("url", "error"),
    [
        (
            "https://127.0.0.1/hook",
            "127.0.0.1 is not a public address; SMO sends webhooks only to the internet.",
        ),
        (
            "https://10.0.0.7/hook",
            "10.0.0.7 is not a public address; SMO sends webhooks only to the internet.",
        ),
        (
            "http://93.184.215.14/hook",
            "Enter an https address, such as https://example.com/smo-webhook.",
        ),
    ],
)
def test_a_private_or_plain_http_address_is_refused_when_sending(
    cast: Cast,
    receiver: Receiver,
    settings,
    url: str,
    error: str,  # type: ignore[no-untyped-def]
) -> None:
    settings.SMO_FETCH_PRIVATE_URLS = False
    hook = endpoint(cast.workspace, url)
    row = WebhookDelivery.objects.create(
        endpoint=hook, event="delivery.failed", payload={"id": "x"}, next_try_at=NOW
    )
    assert webhook_sending.send(row.pk, now=NOW) == W.FAILED
    row.refresh_from_db()
    assert row.last_error == error
    assert receiver.requests == []


def test_the_secret_is_never_logged(
    cast: Cast, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    hook = endpoint(cast.workspace, receiver.url)
    receiver.answers = [500]
    row = WebhookDelivery.objects.create(
        endpoint=hook, event="delivery.failed", payload={"id": "x"}, next_try_at=NOW
    )
    with caplog.at_level(logging.DEBUG):
        webhook_sending.send(row.pk, now=NOW)
        webhook_sending.send(row.pk, now=NOW + timedelta(hours=1))
    assert f"webhook {row.pk}" in caplog.text
    assert SECRET not in caplog.text
    assert all(
        SECRET.encode() not in r.body and SECRET not in str(r.headers) for r in receiver.requests
    )


def test_the_sweep_sends_what_is_due_and_forgets_old_events(cast: Cast, queued: list[int]) -> None:
    hook = endpoint(cast.workspace, "https://example.com/hook")
    due = WebhookDelivery.objects.create(
        endpoint=hook, event="delivery.failed", payload={}, next_try_at=NOW
    )
    WebhookDelivery.objects.create(
        endpoint=hook, event="delivery.failed", payload={}, next_try_at=NOW + timedelta(minutes=1)
    )
    WebhookDelivery.objects.create(
        endpoint=hook,
        event="delivery.failed",
        payload={},
        state=W.SUCCEEDED,
        finished_at=NOW - timedelta(days=31),
    )
    recent = WebhookDelivery.objects.create(
        endpoint=hook,
        event="delivery.failed",
        payload={},
        state=W.FAILED,
        finished_at=NOW - timedelta(days=2),
    )
    assert webhook_sending.send_due(now=NOW) == 1
    assert queued == [due.pk]
    assert WebhookDelivery.objects.count() == 3
    assert WebhookDelivery.objects.filter(pk=recent.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_an_attempt_once(cast: Cast, receiver: Receiver) -> None:
    hook = endpoint(cast.workspace, receiver.url)
    row = WebhookDelivery.objects.create(
        endpoint=hook, event="delivery.failed", payload={"id": "x"}, next_try_at=NOW
    )
    start = threading.Barrier(2)
    results: list[str] = []

    def worker() -> None:
        start.wait()
        try:
            results.append(webhook_sending.send(row.pk, now=NOW))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["skipped", W.SUCCEEDED]
    assert len(receiver.requests) == 1


def test_a_key_problem_does_not_undo_a_publish(
    cast: Cast,
    account,  # type: ignore[no-untyped-def]
    queued: list[int],
) -> None:
    endpoint(cast.workspace, "https://hooks.example.com/smo")
    delivery = DeliveryFactory(account=account, state=S.QUEUED, post__workspace=cast.workspace)
    unreadable = Fernet(Fernet.generate_key()).encrypt(b"{}").decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE scheduler_webhookendpoint SET secret = %s", [unreadable])
    assert engine.publish(delivery.pk) == "published"
    assert WebhookDelivery.objects.count() == 1

"""publish(): one network call per claim, and what each outcome does."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from channels.adapters import registry
from channels.models import SandboxPost, SocialAccount
from scheduler import engine, tasks
from scheduler.models import Delivery, DeliveryAttempt
from tests.factories import DeliveryFactory

S = Delivery.State
pytestmark = pytest.mark.django_db


def queued(**options: object) -> Delivery:
    delivery = DeliveryFactory(
        state=S.QUEUED, account__options=options, post__text="Hello from the tests"
    )
    return delivery


def feed(delivery: Delivery) -> list[SandboxPost]:
    return list(SandboxPost.objects.filter(account_ref=delivery.account.external_id))


def test_a_queued_delivery_is_published_once_with_its_id_and_url() -> None:
    delivery = queued()
    assert engine.publish(delivery.pk, worker="w1") == "published"
    delivery.refresh_from_db()
    [entry] = feed(delivery)
    assert delivery.state == S.PUBLISHED
    assert delivery.external_id == str(entry.public_id)
    assert delivery.external_url == f"http://127.0.0.1:8000/sandbox/posts/{entry.public_id}/"
    assert delivery.published_at == entry.created_at
    assert (entry.text, entry.idempotency_key) == (
        "Hello from the tests",
        str(delivery.idempotency_key),
    )
    assert DeliveryAttempt.objects.get(delivery=delivery).outcome == "published"


def test_a_duplicate_publish_message_does_not_publish_twice() -> None:
    delivery = queued()
    assert tasks.publish_delivery.run(delivery.pk) == "published"
    assert tasks.publish_delivery.run(delivery.pk) == "not-queued"
    assert len(feed(delivery)) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_two_workers_claiming_the_same_delivery_publish_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second worker reads the row as queued, then loses the claim to the first."""
    delivery = queued()
    real_adapter_for = registry.adapter_for
    results = []

    def first_worker_wins_in_between(account):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(engine, "adapter_for", real_adapter_for)
        results.append(engine.publish(delivery.pk, worker="first"))
        return real_adapter_for(account)

    monkeypatch.setattr(engine, "adapter_for", first_worker_wins_in_between)
    assert engine.publish(delivery.pk, worker="second") == "lost-claim"
    assert results == ["published"]
    assert len(feed(delivery)) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.worker) == (S.PUBLISHED, 1, "first")


def test_a_transient_failure_is_retried_after_a_backoff_then_published(sent) -> None:  # type: ignore[no-untyped-def]
    delivery = queued(failure_rate=1, failure_kind="transient")
    before = timezone.now()
    assert engine.publish(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.failures) == (S.RETRY_WAIT, 1)
    assert delivery.last_error == "Sandbox: simulated temporary error (nothing was posted)."
    # First retry waits between half and all of SMO_RETRY_BASE_SECONDS (10 s).
    assert (
        before + timedelta(seconds=5) <= delivery.due_at <= timezone.now() + timedelta(seconds=10)
    )
    assert feed(delivery) == []

    SocialAccount.objects.filter(pk=delivery.account_id).update(options={})
    with time_machine.travel(delivery.due_at, tick=True):
        assert engine.dispatch_due() == 1
        assert engine.publish(delivery.pk) == "published"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (S.PUBLISHED, 2, "")
    assert len(feed(delivery)) == 1
    outcomes = list(
        DeliveryAttempt.objects.filter(delivery=delivery).values_list("number", "outcome")
    )
    assert outcomes == [(1, "transient"), (2, "published")]


def test_transient_failures_end_in_failed_with_the_reason_after_the_last_attempt(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_MAX_ATTEMPTS = 3
    delivery = queued(failure_rate=1, failure_kind="transient")
    for attempt in range(1, 4):
        Delivery.objects.filter(pk=delivery.pk).update(state=S.QUEUED)  # as the dispatcher would
        outcome = engine.publish(delivery.pk)
        assert outcome == ("failed" if attempt == 3 else "retry")
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.failures) == (S.FAILED, 3, 3)
    assert delivery.last_error == (
        "Gave up after 3 attempts. Last error: Sandbox: simulated temporary error (nothing was posted)."
    )


def test_a_permanent_refusal_fails_at_once_with_the_reason() -> None:
    delivery = queued(failure_rate=1, failure_kind="permanent")
    assert engine.publish(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (S.FAILED, 1)
    assert delivery.last_error == "Sandbox: simulated refusal of this post."
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert (attempt.outcome, attempt.error_class, attempt.network_code) == (
        "permanent",
        "Permanent",
        "422",
    )


def test_a_rate_limited_delivery_waits_for_the_networks_reset_time() -> None:
    delivery = queued(failure_rate=1, failure_kind="rate_limited", retry_after_seconds=900)
    before = timezone.now()
    assert engine.publish(delivery.pk) == "rate-limited"
    delivery.refresh_from_db()
    assert delivery.state == S.RETRY_WAIT
    assert (
        before + timedelta(seconds=900)
        <= delivery.due_at
        <= timezone.now() + timedelta(seconds=900)
    )
    assert delivery.failures == 0  # waiting for a reset is not a failure


def test_an_unanswered_call_goes_to_unknown_and_the_reconciler_finds_the_post(sent) -> None:  # type: ignore[no-untyped-def]
    delivery = queued(failure_rate=1, failure_kind="unknown")
    assert engine.publish(delivery.pk) == "unknown"
    delivery.refresh_from_db()
    assert delivery.state == S.UNKNOWN
    assert [s.delivery_id for s in sent["reconcile"]] == [delivery.pk]

    assert tasks.reconcile_delivery.run(delivery.pk) == "published"
    delivery.refresh_from_db()
    [entry] = feed(delivery)
    assert (delivery.state, delivery.external_id) == (S.PUBLISHED, str(entry.public_id))
    assert sent["publish"] == []  # found, so never sent again


def test_an_account_over_its_publish_budget_waits_for_the_next_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dataclasses import replace

    from channels.adapters.sandbox import SandboxAdapter

    monkeypatch.setattr(
        SandboxAdapter, "limits", replace(SandboxAdapter.limits, posts_per_window=1)
    )
    first, second = queued(), queued()
    Delivery.objects.filter(pk=second.pk).update(account=first.account)
    assert engine.publish(first.pk) == "published"
    assert engine.publish(second.pk) == "budget"
    second.refresh_from_db()
    assert second.state == S.RETRY_WAIT
    assert second.due_at > timezone.now()
    assert second.attempts == 0


def test_expired_credentials_are_refreshed_once_then_the_account_needs_reconnecting() -> None:
    delivery = queued(failure_rate=1, failure_kind="auth_expired")
    assert engine.publish(delivery.pk) == "refreshed"
    delivery.refresh_from_db()
    assert delivery.state == S.RETRY_WAIT
    Delivery.objects.filter(pk=delivery.pk).update(state=S.QUEUED)
    assert engine.publish(delivery.pk) == "needs-reconnect"
    delivery.refresh_from_db()
    delivery.account.refresh_from_db()
    assert delivery.state == S.RETRY_WAIT
    assert delivery.account.status == SocialAccount.Status.NEEDS_RECONNECT
    assert delivery.account.status_detail == "Sandbox: simulated expired token."
    # Held: the dispatcher leaves it alone until a person reconnects.
    assert engine.dispatch_due(timezone.now() + timedelta(hours=1)) == 0


def test_an_account_that_needs_reconnecting_holds_a_queued_delivery() -> None:
    delivery = queued()
    SocialAccount.objects.filter(pk=delivery.account_id).update(
        status=SocialAccount.Status.NEEDS_RECONNECT
    )
    assert engine.publish(delivery.pk) == "held"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (S.SCHEDULED, 0)
    assert feed(delivery) == []


def test_a_crash_inside_the_adapter_is_treated_as_unknown_not_retried_blindly(
    monkeypatch: pytest.MonkeyPatch,
    sent,  # type: ignore[no-untyped-def]
) -> None:
    from channels.adapters.sandbox import SandboxAdapter

    def explode(*args: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr(SandboxAdapter, "publish", explode)
    delivery = queued()
    assert engine.publish(delivery.pk) == "unknown"
    delivery.refresh_from_db()
    assert delivery.state == S.UNKNOWN
    assert [s.delivery_id for s in sent["reconcile"]] == [delivery.pk]


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_RETRY_BASE_SECONDS = 10
    settings.SMO_RETRY_MAX_SECONDS = 60
    for failures, ceiling in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
        waits = {engine.backoff(failures).total_seconds() for _ in range(50)}
        assert all(ceiling / 2 <= w <= ceiling for w in waits), (failures, waits)
        assert len(waits) > 1  # jittered


def test_a_post_whose_media_file_is_gone_fails_with_the_reason_before_any_network_call(
    settings,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from scheduler.models import MediaAsset, PostMedia

    settings.MEDIA_ROOT = tmp_path
    delivery = queued()
    asset = MediaAsset.objects.create(
        workspace=delivery.post.workspace,
        file="media/gone.png",
        original_name="gone.png",
        kind="image",
        mime_type="image/png",
        size=10,
    )
    PostMedia.objects.create(post=delivery.post, asset=asset)
    MediaAsset.objects.filter(pk=asset.pk).update(file="")  # the file reference is lost
    assert engine.publish(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.state == S.FAILED
    assert delivery.last_error.startswith("Could not prepare the post: ValueError")
    assert feed(delivery) == []

"""The reconciler: deliveries a lost worker or message left behind, never posted twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from channels.adapters import registry
from channels.adapters.base import Content, Credentials, Limits, Progress, Published
from channels.adapters.sandbox import SandboxAdapter
from channels.models import SandboxPost
from scheduler import engine
from scheduler.models import Delivery, DeliveryAttempt
from tests.factories import DeliveryFactory

S = Delivery.State
pytestmark = pytest.mark.django_db


def killed_mid_publish(*, reached_network: bool) -> Delivery:
    """A delivery whose worker died inside the network call, as after kill -9."""
    delivery = DeliveryFactory(state=S.QUEUED)
    assert engine.transition(delivery.pk, S.QUEUED, S.PUBLISHING, worker="doomed")
    if reached_network:
        SandboxPost.objects.create(
            account_ref=delivery.account.external_id,
            text=delivery.post.text,
            idempotency_key=str(delivery.idempotency_key),
            created_at=timezone.now(),
        )
    return delivery


def entries(delivery: Delivery) -> int:
    return SandboxPost.objects.filter(account_ref=delivery.account.external_id).count()


def test_a_delivery_stuck_in_publishing_becomes_unknown_then_published_when_the_post_exists(
    settings,
    sent,  # type: ignore[no-untyped-def]
) -> None:
    delivery = killed_mid_publish(reached_network=True)
    with time_machine.travel(timezone.now() + settings.SMO_STUCK_AFTER + timedelta(seconds=1)):
        counts = engine.reconcile_stuck()
    assert counts == {"lost": 1, "resolved": 1, "requeued": 0}
    delivery.refresh_from_db()
    assert delivery.state == S.PUBLISHED
    assert entries(delivery) == 1
    assert sent["publish"] == []
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert attempt.outcome == "lost"


def test_a_delivery_stuck_before_reaching_the_network_is_published_once_more(
    settings, sent
) -> None:  # type: ignore[no-untyped-def]
    delivery = killed_mid_publish(reached_network=False)
    with time_machine.travel(timezone.now() + settings.SMO_STUCK_AFTER + timedelta(seconds=1)):
        engine.reconcile_stuck()
    delivery.refresh_from_db()
    assert delivery.state == S.QUEUED
    assert [s.delivery_id for s in sent["publish"]] == [delivery.pk]
    assert engine.publish(delivery.pk) == "published"
    assert entries(delivery) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_a_slow_publish_inside_the_timeout_is_left_alone(settings) -> None:  # type: ignore[no-untyped-def]
    delivery = killed_mid_publish(reached_network=False)
    with time_machine.travel(timezone.now() + settings.SMO_STUCK_AFTER - timedelta(seconds=5)):
        assert engine.reconcile_stuck() == {"lost": 0, "resolved": 0, "requeued": 0}
    delivery.refresh_from_db()
    assert delivery.state == S.PUBLISHING


def test_the_redelivered_message_of_a_killed_worker_does_not_publish_again(settings) -> None:  # type: ignore[no-untyped-def]
    """acks_late re-delivers the task; it finds the delivery not queued and stops."""
    delivery = killed_mid_publish(reached_network=True)
    assert engine.publish(delivery.pk) == "not-queued"
    assert entries(delivery) == 1


class NoLookupAdapter(SandboxAdapter):
    network = "nolookup"
    display_name = "No-lookup network"
    supports_lookup = False


def test_an_unknown_delivery_on_a_network_that_cannot_tell_goes_to_a_person(
    monkeypatch: pytest.MonkeyPatch,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setitem(registry.ADAPTERS, "sandbox", f"{__name__}.NoLookupAdapter")
    delivery = killed_mid_publish(reached_network=True)
    with time_machine.travel(timezone.now() + settings.SMO_STUCK_AFTER + timedelta(seconds=1)):
        engine.reconcile_stuck()
    delivery.refresh_from_db()
    assert delivery.state == S.NEEDS_ATTENTION
    assert delivery.last_error == (
        "No-lookup network cannot tell whether this post went out. "
        "Check the account, then mark it published or schedule it again."
    )
    assert entries(delivery) == 1


def test_an_unknown_delivery_after_the_last_attempt_goes_to_a_person(settings, sent) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_MAX_ATTEMPTS = 1
    delivery = killed_mid_publish(reached_network=False)
    with time_machine.travel(timezone.now() + settings.SMO_STUCK_AFTER + timedelta(seconds=1)):
        engine.reconcile_stuck()
    delivery.refresh_from_db()
    assert delivery.state == S.NEEDS_ATTENTION
    assert delivery.last_error == "No answer from Sandbox after 1 attempts."
    assert sent["publish"] == []


def test_a_queued_delivery_whose_message_was_lost_is_sent_again(settings, sent) -> None:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(state=S.QUEUED, queued_at=timezone.now())
    with time_machine.travel(timezone.now() + settings.SMO_REQUEUE_AFTER + timedelta(seconds=1)):
        assert engine.reconcile_stuck()["requeued"] == 1
        assert engine.reconcile_stuck()["requeued"] == 0  # not again right away
    assert [s.delivery_id for s in sent["publish"]] == [delivery.pk]


class DuplicateRefusingAdapter(SandboxAdapter):
    """Refuses repeated text as "duplicate", as X and Facebook do."""

    limits = Limits(max_text=500)

    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        from channels.adapters.base import Permanent

        raise Permanent("Duplicate content.", duplicate=True, status=403)


def test_duplicate_content_after_an_unanswered_attempt_is_reconciled_not_failed(
    monkeypatch: pytest.MonkeyPatch,
    sent,  # type: ignore[no-untyped-def]
) -> None:
    delivery = killed_mid_publish(reached_network=True)
    engine.transition(
        delivery.pk, S.PUBLISHING, S.UNKNOWN, outcome=engine.Outcome("unknown", "timeout")
    )
    engine.transition(delivery.pk, S.UNKNOWN, S.QUEUED)
    monkeypatch.setitem(registry.ADAPTERS, "sandbox", f"{__name__}.DuplicateRefusingAdapter")
    assert engine.publish(delivery.pk) == "unknown"
    assert engine.resolve_unknown(delivery.pk) == "published"
    assert entries(delivery) == 1


def test_duplicate_content_on_a_first_attempt_is_a_plain_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(registry.ADAPTERS, "sandbox", f"{__name__}.DuplicateRefusingAdapter")
    delivery = DeliveryFactory(state=S.QUEUED)
    assert engine.publish(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.last_error == "Duplicate content."

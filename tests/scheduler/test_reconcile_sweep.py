"""The reconciler's sweep under load: found by the chaos benchmark (bench/chaos.py).

A sweep that asks slow networks first never reached the lost messages, and a
lookup's "not there" could outlive the attempt it was about.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from channels.adapters import registry
from channels.adapters.base import Content, Credentials, Progress, Published
from channels.adapters.sandbox import SandboxAdapter
from channels.models import SandboxPost
from scheduler import engine
from scheduler.models import Delivery
from tests.factories import DeliveryFactory

S = Delivery.State
pytestmark = pytest.mark.django_db
UNANSWERED = engine.Outcome("unknown", "The network did not answer.")


def unknown_delivery() -> Delivery:
    """A delivery whose last attempt got no answer."""
    delivery = DeliveryFactory(state=S.QUEUED)
    assert engine.transition(delivery.pk, S.QUEUED, S.PUBLISHING, worker="w1")
    assert engine.transition(delivery.pk, S.PUBLISHING, S.UNKNOWN, outcome=UNANSWERED)
    return delivery


def test_lost_messages_are_sent_again_before_any_network_is_asked(
    settings,
    sent,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    queued = DeliveryFactory(state=S.QUEUED, queued_at=timezone.now())
    unknown_delivery()

    def overrun(delivery_id: int) -> str:
        raise SoftTimeLimitExceeded()  # the task's time ran out inside a lookup

    monkeypatch.setattr(engine, "resolve_unknown", overrun)
    with time_machine.travel(timezone.now() + settings.SMO_REQUEUE_AFTER + timedelta(seconds=1)):
        with pytest.raises(SoftTimeLimitExceeded):
            engine.reconcile_stuck()
    assert [s.delivery_id for s in sent["publish"]] == [queued.pk]


def test_a_sweep_stops_asking_the_network_when_its_time_is_up(
    settings,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    settings.SMO_RECONCILE_SECONDS = 0.05
    for _ in range(3):
        unknown_delivery()
    asked: list[int] = []

    def slow(delivery_id: int) -> str:
        asked.append(delivery_id)
        time.sleep(0.06)
        return "unresolved"

    monkeypatch.setattr(engine, "resolve_unknown", slow)
    assert engine.reconcile_stuck() == {"lost": 0, "resolved": 0, "requeued": 0}
    assert len(asked) == 1


class RacedLookupAdapter(SandboxAdapter):
    """Answers "not there" as of before a competing attempt, which meanwhile was
    requeued by another resolver, made the post, and got no answer either."""

    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        delivery = Delivery.objects.get(idempotency_key=key)
        assert engine.transition(delivery.pk, S.UNKNOWN, S.QUEUED)
        assert engine.transition(delivery.pk, S.QUEUED, S.PUBLISHING, worker="w2")
        self.feed.append(creds.external_id, content.text, [], key)
        assert engine.transition(delivery.pk, S.PUBLISHING, S.UNKNOWN, outcome=UNANSWERED)
        return None


def test_a_not_there_answer_about_an_earlier_attempt_does_not_requeue_a_later_one(
    monkeypatch: pytest.MonkeyPatch,
    sent,  # type: ignore[no-untyped-def]
) -> None:
    delivery = unknown_delivery()
    monkeypatch.setitem(registry.ADAPTERS, "sandbox", f"{__name__}.RacedLookupAdapter")
    assert engine.resolve_unknown(delivery.pk) == "moved-on"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (S.UNKNOWN, 2)
    assert sent["publish"] == []

    monkeypatch.setitem(registry.ADAPTERS, "sandbox", "channels.adapters.sandbox.SandboxAdapter")
    assert engine.resolve_unknown(delivery.pk) == "published"
    assert SandboxPost.objects.filter(idempotency_key=str(delivery.idempotency_key)).count() == 1

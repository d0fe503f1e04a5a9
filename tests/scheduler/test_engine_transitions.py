"""Every (from, to) pair of the delivery state machine."""

from __future__ import annotations

import itertools

import pytest

from scheduler import engine
from scheduler.models import Delivery, DeliveryAttempt
from tests.factories import DeliveryFactory

S = Delivery.State
PAIRS = list(itertools.product(S.values, S.values))


def test_the_table_names_every_state() -> None:
    assert set(engine.TRANSITIONS) == set(S.values)
    assert all(targets <= set(S.values) for targets in engine.TRANSITIONS.values())


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_each_transition_is_allowed_or_refused_as_the_table_says(source: str, target: str) -> None:
    delivery = DeliveryFactory(state=source)
    if target in engine.TRANSITIONS[source]:
        assert engine.transition(delivery.pk, source, target) is True
        delivery.refresh_from_db()
        assert delivery.state == target
    else:
        with pytest.raises(engine.InvalidTransition):
            engine.transition(delivery.pk, source, target)
        delivery.refresh_from_db()
        assert delivery.state == source


@pytest.mark.django_db
def test_a_transition_from_a_state_the_delivery_has_left_changes_nothing() -> None:
    delivery = DeliveryFactory(state=S.PUBLISHED)
    assert engine.transition(delivery.pk, S.SCHEDULED, S.QUEUED) is False
    delivery.refresh_from_db()
    assert delivery.state == S.PUBLISHED


@pytest.mark.django_db
def test_entering_publishing_counts_the_attempt_and_opens_its_row() -> None:
    delivery = DeliveryFactory(state=S.QUEUED)
    assert engine.transition(delivery.pk, S.QUEUED, S.PUBLISHING, worker="w1@host")
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.worker) == (1, "w1@host")
    assert delivery.publishing_since is not None
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert (attempt.number, attempt.worker, attempt.finished_at) == (1, "w1@host", None)


@pytest.mark.django_db
def test_leaving_publishing_closes_the_attempt_with_its_outcome() -> None:
    delivery = DeliveryFactory(state=S.QUEUED)
    engine.transition(delivery.pk, S.QUEUED, S.PUBLISHING)
    outcome = engine.Outcome("permanent", "Too long", "Permanent", "422")
    engine.transition(delivery.pk, S.PUBLISHING, S.FAILED, outcome=outcome)
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert (attempt.outcome, attempt.detail, attempt.error_class, attempt.network_code) == (
        "permanent",
        "Too long",
        "Permanent",
        "422",
    )
    assert attempt.finished_at is not None
    delivery.refresh_from_db()
    assert delivery.last_error == "Too long"

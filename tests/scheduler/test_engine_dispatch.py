"""dispatch_due: claims what is due, queues it, sends one task each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channels.models import SocialAccount
from scheduler import engine
from scheduler.models import Delivery
from tests.factories import DeliveryFactory

S = Delivery.State
pytestmark = pytest.mark.django_db


def test_due_deliveries_are_queued_and_sent_with_their_exact_time(sent) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    due_now = DeliveryFactory(post__scheduled_at=now - timedelta(seconds=1))
    due_soon = DeliveryFactory(post__scheduled_at=now + timedelta(seconds=1.5))
    later = DeliveryFactory(post__scheduled_at=now + timedelta(seconds=10))

    assert engine.dispatch_due(now) == 2

    states = dict(Delivery.objects.values_list("pk", "state"))
    assert states == {due_now.pk: S.QUEUED, due_soon.pk: S.QUEUED, later.pk: S.SCHEDULED}
    assert [(s.delivery_id, s.eta) for s in sent["publish"]] == [
        (due_now.pk, due_now.due_at),
        (due_soon.pk, due_soon.due_at),
    ]


def test_a_delivery_waiting_to_retry_is_sent_when_its_wait_ends(sent) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    waiting = DeliveryFactory(state=S.RETRY_WAIT, due_at=now - timedelta(seconds=5))
    engine.dispatch_due(now)
    waiting.refresh_from_db()
    assert waiting.state == S.QUEUED
    assert [s.delivery_id for s in sent["publish"]] == [waiting.pk]


def test_drafts_approvals_and_other_states_are_never_dispatched(sent) -> None:  # type: ignore[no-untyped-def]
    past = timezone.now() - timedelta(minutes=1)
    for state in (
        S.DRAFT,
        S.AWAITING_APPROVAL,
        S.PUBLISHED,
        S.FAILED,
        S.CANCELLED,
        S.NEEDS_ATTENTION,
    ):
        DeliveryFactory(state=state, due_at=past)
    assert engine.dispatch_due() == 0
    assert sent["publish"] == []


def test_deliveries_of_an_account_that_needs_reconnecting_are_held(sent) -> None:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(post__scheduled_at=timezone.now() - timedelta(seconds=1))
    SocialAccount.objects.filter(pk=delivery.account_id).update(
        status=SocialAccount.Status.NEEDS_RECONNECT
    )
    assert engine.dispatch_due() == 0
    delivery.refresh_from_db()
    assert delivery.state == S.SCHEDULED


def test_a_second_dispatch_finds_nothing_left_to_send(sent) -> None:  # type: ignore[no-untyped-def]
    DeliveryFactory(post__scheduled_at=timezone.now())
    assert engine.dispatch_due() == 1
    assert engine.dispatch_due() == 0
    assert len(sent["publish"]) == 1


def test_more_due_than_one_batch_are_all_dispatched_in_one_tick(settings, sent) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_DISPATCH_BATCH = 3
    now = timezone.now()
    for _ in range(7):
        DeliveryFactory(post__scheduled_at=now)
    assert engine.dispatch_due(now) == 7
    assert Delivery.objects.filter(state=S.QUEUED).count() == 7
    assert len({s.delivery_id for s in sent["publish"]}) == 7


def test_a_paused_workspace_or_account_holds_what_is_due_without_losing_it(sent) -> None:  # type: ignore[no-untyped-def]
    from channels.models import SocialAccount
    from scheduler.models import Workspace

    now = timezone.now()
    by_workspace = DeliveryFactory(due_at=now - timedelta(seconds=1))
    by_account = DeliveryFactory(due_at=now - timedelta(seconds=1))
    running = DeliveryFactory(due_at=now - timedelta(seconds=1))
    Workspace.objects.filter(pk=by_workspace.post.workspace_id).update(paused_at=now)
    SocialAccount.objects.filter(pk=by_account.account_id).update(paused_at=now)
    assert engine.dispatch_due(now) == 1
    assert [s.delivery_id for s in sent["publish"]] == [running.pk]
    for held in (by_workspace, by_account):
        held.refresh_from_db()
        assert held.state == Delivery.State.SCHEDULED


def test_a_delivery_queued_just_before_a_pause_goes_back_to_waiting(sent) -> None:  # type: ignore[no-untyped-def]
    from scheduler.models import Workspace

    delivery = DeliveryFactory(state=Delivery.State.QUEUED)
    Workspace.objects.filter(pk=delivery.post.workspace_id).update(paused_at=timezone.now())
    assert engine.publish(delivery.pk) == "held"
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SCHEDULED

"""Accounts that publish by reminder: due deliveries tell a person once, never call the network."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from channels.models import SandboxPost, SocialAccount
from scheduler import engine, notify, pause, reminders, tasks
from scheduler.models import Delivery, DeliveryAttempt, Notification
from tests.conftest import NOW, Cast
from tests.factories import SandboxAccountFactory
from tests.scheduler.reminding import due_to, snapchat

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reminder never builds an adapter, so it can never call a network."""

    def refuse(account: object) -> None:
        raise AssertionError(f"the engine asked for the adapter of {account}")

    monkeypatch.setattr(engine, "adapter_for", refuse)


def told() -> list[tuple[str, str, str]]:
    return sorted(Notification.objects.values_list("user__username", "kind", "url"))


def test_a_due_snapchat_delivery_becomes_one_reminder_to_its_author(
    cast: Cast, sent, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    delivery = due_to(snapchat(cast.admin), cast.editor, NOW, state=S.SCHEDULED)
    assert engine.dispatch_due() == 1
    assert [s.delivery_id for s in sent["publish"]] == [delivery.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.publish_delivery.run(delivery.pk) == "reminder"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reminded_at, delivery.attempts) == (S.REMINDER_SENT, NOW, 0)
    assert delivery.get_state_display() == "Waiting to be posted by hand"
    assert not DeliveryAttempt.objects.exists()
    assert told() == [("editor", "reminder", f"/reminders/{delivery.pk}/")]
    n = Notification.objects.get()
    assert (n.message, n.delivery_id) == (
        "Time to post “Fresh buns at 7” on Acme on Snapchat by hand.",
        delivery.pk,
    )
    assert [m.to for m in mail.outbox] == [["editor@example.com"]]


def test_any_account_set_to_reminders_reminds_instead_of_publishing(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    account = SandboxAccountFactory(
        workspace=cast.workspace, publishing=SocialAccount.Publishing.REMINDER
    )
    delivery = due_to(account, cast.contributor, NOW)
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.publish(delivery.pk) == "reminder"
    assert Delivery.objects.get(pk=delivery.pk).state == S.REMINDER_SENT
    assert not SandboxPost.objects.exists()
    assert told() == [("contributor", "reminder", f"/reminders/{delivery.pk}/")]


def test_a_network_that_cannot_publish_reminds_whatever_its_setting(cast: Cast) -> None:
    account = snapchat(cast.admin)
    SocialAccount.objects.filter(pk=account.pk).update(publishing="auto")
    delivery = due_to(account, cast.editor, NOW)
    assert engine.publish(delivery.pk) == "reminder"
    assert Delivery.objects.get(pk=delivery.pk).state == S.REMINDER_SENT


def test_a_duplicate_message_reminds_once(cast: Cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    delivery = due_to(snapchat(cast.admin), cast.editor, NOW)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.publish_delivery.run(delivery.pk) == "reminder"
        assert tasks.publish_delivery.run(delivery.pk) == "not-queued"
        assert notify.reminder_due(delivery.pk) == []
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_two_workers_with_the_same_delivery_remind_once(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """The second worker reads the row as queued, then loses the claim to the first."""
    delivery = due_to(snapchat(cast.admin), cast.editor, NOW)
    real_is_paused = engine.is_paused
    results = []

    def first_worker_wins_in_between(account: SocialAccount) -> bool:
        monkeypatch.setattr(engine, "is_paused", real_is_paused)
        results.append(engine.publish(delivery.pk, worker="first"))
        return real_is_paused(account)

    monkeypatch.setattr(engine, "is_paused", first_worker_wins_in_between)
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.publish(delivery.pk, worker="second") == "lost-claim"
    assert results == ["reminder"]
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_pause_holds_a_reminder_like_any_delivery(cast: Cast, sent) -> None:  # type: ignore[no-untyped-def]
    account = snapchat(cast.admin)
    due = due_to(account, cast.editor, NOW, state=S.SCHEDULED)
    queued = due_to(account, cast.editor, NOW, text="Queued before the pause")
    assert pause.pause_workspace(cast.owner, "Breaking news")
    assert engine.dispatch_due() == 0
    assert engine.publish(queued.pk) == "held"
    assert set(Delivery.objects.values_list("state", flat=True)) == {S.SCHEDULED}
    assert not Notification.objects.exists()

    assert pause.resume(cast.owner) == 2
    assert engine.dispatch_due() == 2
    assert [engine.publish(d.pk) for d in (due, queued)] == ["reminder", "reminder"]
    assert Notification.objects.count() == 2


def test_an_account_pause_holds_its_reminders(cast: Cast) -> None:
    account = snapchat(cast.admin)
    delivery = due_to(account, cast.editor, NOW)
    assert pause.pause_account(cast.admin, account)
    assert engine.publish(delivery.pk) == "held"
    assert Delivery.objects.get(pk=delivery.pk).state == S.SCHEDULED


def test_the_sweeps_leave_an_open_reminder_alone(cast: Cast, settings, sent) -> None:  # type: ignore[no-untyped-def]
    delivery = due_to(snapchat(cast.admin), cast.editor, NOW)
    assert engine.publish(delivery.pk) == "reminder"
    later = NOW + settings.SMO_STUCK_AFTER + settings.SMO_REQUEUE_AFTER + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        assert engine.reconcile_stuck() == {"lost": 0, "resolved": 0, "requeued": 0}
        assert engine.dispatch_due() == 0
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reminded_at) == (S.REMINDER_SENT, NOW)
    assert (sent["publish"], sent["reconcile"]) == ([], [])
    assert Notification.objects.count() == 1


def test_if_nobody_can_be_told_the_delivery_stays_queued_for_the_sweep(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, settings, sent
) -> None:  # type: ignore[no-untyped-def]
    delivery = due_to(snapchat(cast.admin), cast.editor, NOW)
    real = notify.reminder_due

    def broken(delivery_id: int) -> list[Notification]:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(notify, "reminder_due", broken)
    with pytest.raises(RuntimeError):
        engine.publish(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reminded_at) == (S.QUEUED, None)

    monkeypatch.setattr(notify, "reminder_due", real)
    with time_machine.travel(NOW + settings.SMO_REQUEUE_AFTER + timedelta(seconds=1)):
        assert engine.reconcile_stuck()["requeued"] == 1
        assert engine.publish(delivery.pk) == "reminder"
    assert [s.delivery_id for s in sent["publish"]] == [delivery.pk]


def test_the_author_is_told_else_who_connected_the_account_else_the_admins(cast: Cast) -> None:
    account = snapchat(cast.admin)
    by_author = due_to(account, cast.contributor, NOW, text="One")
    by_viewer = due_to(account, cast.viewer, NOW, text="Two")  # a viewer cannot post it
    nobody = due_to(account, cast.editor, NOW, text="Three")
    nobody.post.author = None
    nobody.post.save()
    for d in (by_author, by_viewer, nobody):
        assert engine.publish(d.pk) == "reminder"
    SocialAccount.objects.filter(pk=account.pk).update(connected_by=None)
    orphan = due_to(account, cast.editor, NOW, text="Four")
    orphan.post.author = None
    orphan.post.save()
    assert engine.publish(orphan.pk) == "reminder"
    assert sorted(Notification.objects.values_list("delivery_id", "user__username")) == sorted(
        [
            (by_author.pk, "contributor"),
            (by_viewer.pk, "admin"),
            (nobody.pk, "admin"),
            (orphan.pk, "admin"),
            (orphan.pk, "owner"),
        ]
    )


def test_the_open_reminders_count_reads_one_workspace(cast: Cast) -> None:
    delivery = due_to(snapchat(cast.admin), cast.editor, NOW)
    engine.publish(delivery.pk)
    assert reminders.count(cast.workspace.pk) == 1
    assert reminders.count(cast.outsider.workspace_id) == 0
    assert list(reminders.open_reminders(cast.workspace)) == [delivery]

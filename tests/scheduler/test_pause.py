"""Pause publishing: held deliveries stay scheduled, then go out, move or wait per the choice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from channels.models import SocialAccount
from scheduler import engine, pause
from scheduler.models import Delivery, Post, Workspace
from tests.conftest import Cast
from tests.factories import DeliveryFactory, PostFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def due(cast: Cast, account: SocialAccount, when: datetime) -> Delivery:
    return DeliveryFactory(
        post=PostFactory(workspace=cast.workspace, scheduled_at=when), account=account
    )


def state(delivery: Delivery) -> tuple[str, datetime | None, datetime | None]:
    d = Delivery.objects.get(pk=delivery.pk)
    return d.state, d.scheduled_at, d.due_at


@pytest.fixture
def paused(cast: Cast, account: SocialAccount) -> tuple[Delivery, Delivery]:
    """Paused at 14:00 UTC; one post due at 14:30 (missed), one at 17:00; resumed at 16:00."""
    missed = due(cast, account, utc(2026, 11, 25, 14, 30))
    later = due(cast, account, utc(2026, 11, 25, 17, 0))
    assert pause.pause_workspace(cast.owner, "  Breaking news  ")
    with time_machine.travel(utc(2026, 11, 25, 15, 0), tick=False):
        assert engine.dispatch_due() == 0
    assert state(missed) == (S.SCHEDULED, utc(2026, 11, 25, 14, 30), utc(2026, 11, 25, 14, 30))
    return missed, later


def test_pausing_records_when_who_and_why(cast: Cast) -> None:
    assert pause.pause_workspace(cast.admin, "  Breaking news  ")
    workspace = Workspace.objects.get(pk=cast.workspace.pk)
    assert (workspace.paused_at, workspace.paused_by, workspace.pause_reason) == (
        utc(2026, 11, 25, 14, 0),
        cast.admin.user,
        "Breaking news",
    )
    assert not pause.pause_workspace(cast.owner, "again")  # the first pause stands
    assert Workspace.objects.get(pk=cast.workspace.pk).paused_by == cast.admin.user


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
def test_only_owners_and_admins_pause_and_resume(cast: Cast, account, role: str) -> None:
    with pytest.raises(PermissionDenied):
        pause.pause_workspace(cast.role(role), "no")
    with pytest.raises(PermissionDenied):
        pause.pause_account(cast.role(role), account)
    pause.pause_workspace(cast.owner, "yes")
    with pytest.raises(PermissionDenied):
        pause.resume(cast.role(role))
    assert Workspace.objects.get(pk=cast.workspace.pk).paused_at is not None


def test_an_account_of_another_workspace_cannot_be_paused(cast: Cast) -> None:
    theirs = SandboxAccountFactory(workspace=cast.outsider.workspace)
    with pytest.raises(PermissionDenied):
        pause.pause_account(cast.owner, theirs)
    assert SocialAccount.objects.get(pk=theirs.pk).paused_at is None


def test_resume_publish_now_lets_the_dispatcher_send_what_was_missed(cast: Cast, paused) -> None:
    missed, later = paused
    with time_machine.travel(utc(2026, 11, 25, 16, 0), tick=False):
        assert pause.resume(cast.owner, what_was_missed="publish_now") == 1
        assert Workspace.objects.get(pk=cast.workspace.pk).paused_at is None
        assert engine.dispatch_due() == 1
    assert state(missed) == (S.QUEUED, utc(2026, 11, 25, 14, 30), utc(2026, 11, 25, 14, 30))
    assert state(later) == (S.SCHEDULED, utc(2026, 11, 25, 17, 0), utc(2026, 11, 25, 17, 0))


def test_resume_reschedule_moves_what_was_missed_by_the_length_of_the_pause(
    cast: Cast, paused
) -> None:
    missed, later = paused
    with time_machine.travel(utc(2026, 11, 25, 16, 0), tick=False):
        assert pause.resume(cast.admin, what_was_missed="reschedule") == 1
        assert engine.dispatch_due() == 0
    # Due 30 minutes into a two-hour pause: out 30 minutes after the resume.
    assert state(missed) == (S.SCHEDULED, utc(2026, 11, 25, 16, 30), utc(2026, 11, 25, 16, 30))
    assert Post.objects.get(pk=missed.post_id).scheduled_at == utc(2026, 11, 25, 16, 30)
    assert state(later) == (S.SCHEDULED, utc(2026, 11, 25, 17, 0), utc(2026, 11, 25, 17, 0))
    with time_machine.travel(utc(2026, 11, 25, 16, 30), tick=False):
        assert engine.dispatch_due() == 1
    assert state(missed)[0] == S.QUEUED


def test_resume_review_sends_what_was_missed_back_to_drafts(cast: Cast, paused) -> None:
    missed, later = paused
    with time_machine.travel(utc(2026, 11, 25, 16, 0), tick=False):
        assert pause.resume(cast.owner, what_was_missed="review") == 1
        assert engine.dispatch_due() == 0
    assert state(missed) == (S.DRAFT, None, None)
    post = Post.objects.prefetch_related("deliveries").get(pk=missed.post_id)
    assert (post.scheduled_at, post.status) == (None, "draft")
    assert state(later) == (S.SCHEDULED, utc(2026, 11, 25, 17, 0), utc(2026, 11, 25, 17, 0))


def test_a_queued_delivery_is_held_back_when_the_pause_comes_after_dispatch(
    cast: Cast, account
) -> None:
    delivery = due(cast, account, utc(2026, 11, 25, 14, 0))
    assert engine.dispatch_due() == 1
    pause.pause_workspace(cast.owner, "stop")
    assert engine.publish(delivery.pk) == "held"
    assert state(delivery)[0] == S.SCHEDULED
    with time_machine.travel(utc(2026, 11, 25, 15, 0), tick=False):
        assert pause.resume(cast.owner, what_was_missed="review") == 1
    assert state(delivery) == (S.DRAFT, None, None)


def test_an_account_pause_holds_only_that_account(cast: Cast, account) -> None:
    other = SandboxAccountFactory(workspace=cast.workspace)
    held = due(cast, account, utc(2026, 11, 25, 14, 30))
    free = due(cast, other, utc(2026, 11, 25, 14, 30))
    assert pause.pause_account(cast.owner, account)
    with time_machine.travel(utc(2026, 11, 25, 15, 0), tick=False):
        assert engine.dispatch_due() == 1
        assert (state(held)[0], state(free)[0]) == (S.SCHEDULED, S.QUEUED)
        assert pause.resume(cast.owner, account, what_was_missed="reschedule") == 1
    # Paused at 14:00 for an hour.
    assert state(held) == (S.SCHEDULED, utc(2026, 11, 25, 15, 30), utc(2026, 11, 25, 15, 30))
    assert SocialAccount.objects.get(pk=account.pk).paused_at is None


def test_resuming_an_account_leaves_what_the_workspace_pause_still_holds(
    cast: Cast, account
) -> None:
    held = due(cast, account, utc(2026, 11, 25, 14, 30))
    pause.pause_account(cast.owner, account)
    pause.pause_workspace(cast.owner, "both")
    with time_machine.travel(utc(2026, 11, 25, 15, 0), tick=False):
        assert pause.resume(cast.owner, account, what_was_missed="review") == 0
        assert engine.dispatch_due() == 0
        assert state(held)[0] == S.SCHEDULED
        # The workspace's resume now decides for it.
        assert pause.resume(cast.owner, what_was_missed="review") == 1
    assert state(held) == (S.DRAFT, None, None)


def test_resuming_what_is_not_paused_does_nothing(cast: Cast, account) -> None:
    delivery = due(cast, account, utc(2026, 11, 25, 13, 0))
    assert pause.resume(cast.owner, what_was_missed="review") == 0
    assert pause.resume(cast.owner, account, what_was_missed="review") == 0
    assert state(delivery)[0] == S.SCHEDULED


def test_an_unknown_choice_is_refused(cast: Cast) -> None:
    pause.pause_workspace(cast.owner, "x")
    with pytest.raises(ValueError, match="unknown choice 'later'"):
        pause.resume(cast.owner, what_was_missed="later")
    assert Workspace.objects.get(pk=cast.workspace.pk).paused_at is not None

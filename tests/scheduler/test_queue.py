"""Queue slots: next free slot times across DST, add to queue, and reordering."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from channels.models import SocialAccount
from scheduler import posts, queue
from scheduler.models import Delivery, Post, QueueSlot
from tests.conftest import Cast
from tests.factories import DeliveryFactory, PostFactory, SandboxAccountFactory

S = Delivery.State
STOCKHOLM = ZoneInfo("Europe/Stockholm")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def slots(account: SocialAccount, *pairs: tuple[int, time]) -> None:
    for weekday, at in pairs:
        QueueSlot.objects.create(account=account, weekday=weekday, time=at)


@pytest.fixture
def weekly(account: SocialAccount) -> SocialAccount:
    """Wednesdays 16:00 and Thursdays 09:00 Stockholm; the clock says Wed 25 Nov, 15:00 there."""
    slots(account, (2, time(16, 0)), (3, time(9, 0)))
    return account


def queue_up(cast: Cast, accounts: list[SocialAccount], text: str, role: str = "editor") -> Post:
    return queue.add_to_queue(cast.role(role), posts.PostInput(text=text, accounts=accounts))


# --- Slot times --------------------------------------------------------------------


def test_next_free_slots_are_the_weekly_times_in_the_workspace_zone(weekly) -> None:
    free = queue.next_free_slots([weekly], utc(2026, 11, 25, 14, 0), count=3)
    assert free == {
        weekly.pk: [utc(2026, 11, 25, 15, 0), utc(2026, 11, 26, 8, 0), utc(2026, 12, 2, 15, 0)]
    }


def test_a_slot_in_the_spring_forward_gap_moves_to_the_first_minute_that_exists(account) -> None:
    # 28 March 2027: Stockholm's clocks jump from 02:00 to 03:00.
    slots(account, (6, time(2, 30)), (6, time(10, 0)))
    free = queue.next_free_slots([account], utc(2027, 3, 20, 12, 0), count=4)
    assert free[account.pk] == [
        utc(2027, 3, 21, 1, 30),  # 02:30 CET
        utc(2027, 3, 21, 9, 0),  # 10:00 CET
        utc(2027, 3, 28, 1, 0),  # 02:30 does not exist: 03:00 CEST
        utc(2027, 3, 28, 8, 0),  # 10:00 CEST
    ]


def test_slots_inside_one_gap_collapse_into_one_instant(account) -> None:
    slots(account, (6, time(2, 15)), (6, time(2, 45)), (6, time(3, 0)))
    free = queue.next_free_slots([account], utc(2027, 3, 27, 12, 0), count=2)
    assert free[account.pk] == [utc(2027, 3, 28, 1, 0), utc(2027, 4, 4, 0, 15)]


def test_a_slot_in_the_fall_back_overlap_is_the_first_of_the_two(account) -> None:
    # 31 October 2027: 02:00-03:00 happens twice in Stockholm.
    slots(account, (6, time(2, 30)), (6, time(10, 0)))
    free = queue.next_free_slots([account], utc(2027, 10, 30, 12, 0), count=3)
    assert free[account.pk] == [
        utc(2027, 10, 31, 0, 30),  # 02:30 CEST, the first time round
        utc(2027, 10, 31, 9, 0),  # 10:00 CET
        utc(2027, 11, 7, 1, 30),  # 02:30 CET
    ]


def test_slots_taken_by_a_waiting_delivery_are_skipped(cast: Cast, weekly) -> None:
    DeliveryFactory(
        post=PostFactory(workspace=cast.workspace, scheduled_at=utc(2026, 11, 25, 15)),
        account=weekly,
    )
    for state in (S.DRAFT, S.CANCELLED, S.FAILED):
        post = PostFactory(workspace=cast.workspace, scheduled_at=utc(2026, 11, 26, 8))
        DeliveryFactory(post=post, account=weekly, state=state)
    free = queue.next_free_slots([weekly], utc(2026, 11, 25, 14, 0), count=2)
    assert free[weekly.pk] == [utc(2026, 11, 26, 8, 0), utc(2026, 12, 2, 15, 0)]


def test_an_account_without_slots_has_no_free_slot(account) -> None:
    assert queue.next_free_slots([account], utc(2026, 11, 25, 14, 0), count=2) == {account.pk: []}


# --- Add to queue ------------------------------------------------------------------


def test_each_delivery_takes_its_own_accounts_next_free_slot(cast: Cast, weekly) -> None:
    other = SandboxAccountFactory(workspace=cast.workspace, name="Other")
    slots(other, (4, time(12, 0)))  # Fridays at noon
    post = queue_up(cast, [weekly, other], "Hello queue")
    post.refresh_from_db()
    assert (post.from_queue, post.scheduled_at) == (True, utc(2026, 11, 25, 15, 0))
    assert sorted(post.deliveries.values_list("account_id", "state", "scheduled_at", "due_at")) == [
        (weekly.pk, S.SCHEDULED, utc(2026, 11, 25, 15, 0), utc(2026, 11, 25, 15, 0)),
        (other.pk, S.SCHEDULED, utc(2026, 11, 27, 11, 0), utc(2026, 11, 27, 11, 0)),
    ]


def test_the_next_post_takes_the_next_slot(cast: Cast, weekly) -> None:
    times = [queue_up(cast, [weekly], f"Post {i}").scheduled_at for i in range(3)]
    assert times == [utc(2026, 11, 25, 15, 0), utc(2026, 11, 26, 8, 0), utc(2026, 12, 2, 15, 0)]


def test_a_contributors_queued_post_waits_for_approval_in_its_slot(cast: Cast, weekly) -> None:
    post = queue_up(cast, [weekly], "Please approve", role="contributor")
    assert list(post.deliveries.values_list("state", "scheduled_at", "due_at")) == [
        (S.AWAITING_APPROVAL, utc(2026, 11, 25, 15, 0), None)
    ]
    assert queue_up(cast, [weekly], "Next").scheduled_at == utc(2026, 11, 26, 8, 0)


def test_adding_to_an_account_without_slots_saves_nothing_and_says_why(cast: Cast, account) -> None:
    with pytest.raises(posts.PostErrors) as error:
        queue_up(cast, [account], "")
    assert error.value.errors == {
        "text": ["Write something to post."],
        "account_ids": [
            "Acme Sandbox: no posting schedule yet. Add a time slot on the queue page."
        ],
    }
    assert not Post.objects.exists()


# --- Reordering --------------------------------------------------------------------


def queued_three(cast: Cast, weekly: SocialAccount) -> list[Delivery]:
    return [queue_up(cast, [weekly], f"Post {i}").deliveries.get() for i in range(3)]


def times_of(deliveries: list[Delivery]) -> list[datetime]:
    return [Delivery.objects.get(pk=d.pk).scheduled_at for d in deliveries]


def test_reorder_hands_the_same_times_out_in_the_new_order(cast: Cast, weekly) -> None:
    first, second, third = queued_three(cast, weekly)
    assert queue.reorder(weekly, [third.pk, first.pk, second.pk]) == 3
    assert times_of([third, first, second]) == [
        utc(2026, 11, 25, 15, 0),
        utc(2026, 11, 26, 8, 0),
        utc(2026, 12, 2, 15, 0),
    ]
    assert [Delivery.objects.get(pk=d.pk).due_at for d in (third, first, second)] == times_of(
        [third, first, second]
    )
    assert Post.objects.get(pk=third.post_id).scheduled_at == utc(2026, 11, 25, 15, 0)
    assert {Delivery.objects.get(pk=d.pk).state for d in (first, second, third)} == {S.SCHEDULED}


def test_move_up_swaps_a_post_with_the_one_before(cast: Cast, weekly) -> None:
    first, second, third = queued_three(cast, weekly)
    assert queue.move(weekly, third.pk, -1) == 2
    assert times_of([first, third, second]) == [
        utc(2026, 11, 25, 15, 0),
        utc(2026, 11, 26, 8, 0),
        utc(2026, 12, 2, 15, 0),
    ]
    assert queue.move(weekly, first.pk, -1) == 0  # already first


def test_reorder_leaves_posts_not_from_the_queue_alone(cast: Cast, weekly) -> None:
    first, second, _third = queued_three(cast, weekly)
    manual = DeliveryFactory(
        post=PostFactory(workspace=cast.workspace, scheduled_at=utc(2026, 11, 25, 20)),
        account=weekly,
    )
    with pytest.raises(queue.QueueChanged):
        queue.reorder(weekly, [manual.pk, first.pk, second.pk])
    assert times_of([first, second, manual]) == [
        utc(2026, 11, 25, 15, 0),
        utc(2026, 11, 26, 8, 0),
        utc(2026, 11, 25, 20, 0),
    ]


def test_reorder_moves_nothing_when_a_delivery_left_the_queue_meanwhile(
    cast: Cast, weekly, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = queued_three(cast, weekly)
    real_move = queue._move

    def racing(pk: int, state: str, when: datetime) -> bool:
        if pk == first.pk:  # the dispatcher claims it between the read and the write
            Delivery.objects.filter(pk=pk).update(state=S.QUEUED)
        return real_move(pk, state, when)

    monkeypatch.setattr(queue, "_move", racing)
    with pytest.raises(queue.QueueChanged):
        queue.reorder(weekly, [third.pk, second.pk, first.pk])
    assert times_of([first, second, third]) == [
        utc(2026, 11, 25, 15, 0),
        utc(2026, 11, 26, 8, 0),
        utc(2026, 12, 2, 15, 0),
    ]

"""Two beats filling one account's evergreen queue at the same moment fill each slot once."""

from __future__ import annotations

import threading
from datetime import time, timedelta

import pytest
from django.db import connections
from django.utils import timezone

from scheduler import evergreen, queue
from scheduler.models import Delivery, Post, QueueSlot
from tests.conftest import Cast
from tests.factories import DeliveryFactory, PostFactory, SandboxAccountFactory

# Runs on SQLite too: IMMEDIATE transactions make the second fill wait for the
# first (smo/settings.py); on PostgreSQL the account row lock does the same.
pytestmark = pytest.mark.django_db(transaction=True)


def test_two_fills_at_once_fill_each_slot_once(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    account = SandboxAccountFactory(workspace=cast.workspace)
    for weekday in range(7):
        QueueSlot.objects.create(account=account, weekday=weekday, time=time(9, 0))
    for n, days in enumerate((90, 60, 45)):
        at = timezone.now() - timedelta(days=days)
        post = PostFactory(workspace=cast.workspace, text=f"Evergreen {n}", scheduled_at=at)
        DeliveryFactory(post=post, account=account, state="published", published_at=at)
        Post.objects.filter(pk=post.pk).update(evergreen=True)
    evergreen.save_settings(account, enabled=True, min_gap_days=30, slots_ahead=3)
    # Hold each fill after it has looked for free slots until the other has looked
    # too (or a second has passed): without the lock both would see them free.
    both_looked = threading.Barrier(2, timeout=1)
    looked = queue.next_free_slots

    def look_then_wait(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = looked(*args, **kwargs)
        try:
            both_looked.wait()
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(queue, "next_free_slots", look_then_wait)
    errors: list[BaseException] = []
    made: list[int] = []

    def fill() -> None:
        try:
            made.append(len(evergreen.fill(account.pk)))
        except BaseException as error:  # reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fill) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(made) == [0, 3]
    times = list(
        Delivery.objects.filter(account=account, post__evergreen_of__isnull=False).values_list(
            "scheduled_at", flat=True
        )
    )
    assert len(times) == 3
    assert len(set(times)) == 3

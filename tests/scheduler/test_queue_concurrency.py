"""Two people pressing "Add to queue" for one account at the same moment get two slots."""

from __future__ import annotations

import threading
from datetime import time

import pytest
from django.db import connection, connections

from scheduler import posts, queue
from scheduler.models import Delivery, QueueSlot
from tests.conftest import Cast
from tests.factories import SandboxAccountFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks between connections: SQLite lets one writer in at a time anyway",
    ),
]


def test_simultaneous_adds_to_queue_take_different_slots(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = SandboxAccountFactory(workspace=cast.workspace)
    for weekday in range(7):
        QueueSlot.objects.create(account=account, weekday=weekday, time=time(9, 0))
    # Hold each request after it has looked for a free slot until the other has
    # looked too (or a second has passed): without a lock both would see the
    # same slot free.
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

    def add(text: str) -> None:
        try:
            queue.add_to_queue(cast.editor, posts.PostInput(text=text, accounts=[account]))
        except BaseException as error:  # reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(f"post {n}",)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    times = list(Delivery.objects.filter(account=account).values_list("scheduled_at", flat=True))
    assert len(times) == 2
    assert len(set(times)) == 2, f"both posts got {times[0]}"

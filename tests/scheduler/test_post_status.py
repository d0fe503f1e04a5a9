from __future__ import annotations

import pytest

from scheduler.poststatus import post_status


@pytest.mark.parametrize(
    ("states", "status"),
    [
        ([], "draft"),
        (["draft", "draft"], "draft"),
        (["scheduled"], "scheduled"),
        (["published", "scheduled"], "scheduled"),
        (["queued", "scheduled"], "publishing"),
        (["retry_wait"], "publishing"),
        (["unknown", "published"], "publishing"),
        (["published", "published"], "published"),
        (["published", "cancelled"], "published"),
        (["failed"], "failed"),
        (["failed", "published"], "partially_published"),
        (["needs_attention", "published"], "needs_attention"),
        (["awaiting_approval"], "awaiting_approval"),
        (["cancelled", "cancelled"], "cancelled"),
        (["reminder_sent"], "reminder_sent"),
        (["reminder_sent", "published"], "reminder_sent"),
        (["reminder_sent", "scheduled"], "reminder_sent"),
        (["reminder_sent", "queued"], "publishing"),
        (["needs_attention", "reminder_sent"], "needs_attention"),
        (["reminder_sent", "cancelled"], "reminder_sent"),
    ],
)
def test_a_posts_status_sums_up_its_deliveries(states: list[str], status: str) -> None:
    assert post_status(iter(states)) == status

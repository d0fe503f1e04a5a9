"""Posts whose time passes while they still wait for approval expire.

They are never published as they stand: each waiting delivery moves to `expired`
("Expired before approval") with a conditional transition, so a run repeated, or
two beats at once, move each delivery once, and only the run that moved a post's
deliveries tells its author and approvers. An approver can still approve it with
a new time or to publish now (scheduler/approvals.py), or send it back.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from scheduler import engine, notify
from scheduler.models import Delivery
from scheduler.posts import PAST_GRACE

logger = logging.getLogger(__name__)

S = Delivery.State
BATCH = 500


def expire_unapproved(now: datetime | None = None) -> int:
    """Expire deliveries awaiting approval whose time has passed; return how many."""
    now = now or timezone.now()
    late = Delivery.objects.filter(
        state=S.AWAITING_APPROVAL, scheduled_at__lt=now - PAST_GRACE
    ).values_list("pk", "post_id")[:BATCH]
    moved_posts: set[int] = set()
    moved = 0
    for delivery_id, post_id in late:
        if engine.transition(delivery_id, S.AWAITING_APPROVAL, S.EXPIRED, due_at=None):
            moved += 1
            moved_posts.add(post_id)
            logger.info("delivery %s: expired before approval", delivery_id)
    for post_id in sorted(moved_posts):
        try:
            notify.approval_expired(post_id)
        except Exception:
            # The deliveries are expired either way and the post page says so.
            logger.exception("post %s: could not tell people it expired", post_id)
    return moved

"""A post's status, summarised from its deliveries' states."""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.models.deliveries import Delivery

S = Delivery.State
_IN_FLIGHT = {S.QUEUED, S.PUBLISHING, S.RETRY_WAIT, S.UNKNOWN}


def post_status(states: Iterable[str]) -> str:
    """Return one Post.Status value for a post whose deliveries are in `states`."""
    states = list(states)
    live = {s for s in states if s != S.CANCELLED}
    if not live:
        return "cancelled" if states else "draft"
    if live & {S.NEEDS_ATTENTION}:
        return "needs_attention"
    if live & _IN_FLIGHT:
        return "publishing"
    # Due, and waiting for a person to post it by hand: that needs someone now,
    # more than another account's later time does.
    if live & {S.REMINDER_SENT}:
        return "reminder_sent"
    if live & {S.SCHEDULED}:
        return "scheduled"
    if live & {S.EXPIRED}:
        return "expired"
    if live & {S.AWAITING_APPROVAL}:
        return "awaiting_approval"
    if live == {S.PUBLISHED}:
        return "published"
    if live == {S.FAILED}:
        return "failed"
    if S.PUBLISHED in live and S.FAILED in live:
        return "partially_published"
    return "draft"

"""Each connected account's health, for the Accounts page.

One query for every account of a workspace, whatever their number: the last
successful publish and the count of held deliveries come as subqueries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from channels.adapters.base import Credentials
from channels.adapters.registry import UnknownNetwork, adapter_class
from channels.models import SocialAccount

# The page shows "expiring" this far ahead of the end of access no refresh can
# renew; the warnings by e-mail (scheduler/expiry.py) start at 7 days.
SHOW_EXPIRY_WITHIN = timedelta(days=14)

# Deliveries an inactive account holds: the engine neither claims nor publishes
# them (scheduler/engine.py `_held_accounts`, `publish`).
HELD_STATES = ("scheduled", "queued", "retry_wait")


@dataclass(frozen=True)
class Health:
    state: str  # ok, expiring, needs_reconnect, rate_limited, disconnected
    until: datetime | None = None  # when access ends, or the rate limit lifts
    days: int | None = None  # whole days left until `until` (days_until)


def access_ends_at(account: SocialAccount) -> datetime | None:
    """When a person must reconnect `account`: its credentials expire then and
    its network cannot renew them. None when they renew (or never expire)."""
    try:
        cls = adapter_class(account.network)
    except UnknownNetwork:
        return None
    creds = Credentials(
        external_id=account.external_id,
        handle=account.handle,
        secrets=dict(account.credentials),
        expires_at=account.credentials_expire_at,
        options=dict(account.options),
    )
    return cls.access_ends_at(creds)


def days_until(moment: datetime, now: datetime) -> int:
    """Whole days left, at least 1 while any time is: "in 5 days" for 5 days 20 hours."""
    left = (moment - now).total_seconds()
    return max(1, math.floor(left / 86400)) if left > 0 else 0


def health(account: SocialAccount, now: datetime | None = None) -> Health:
    """The one state that matters most for a person looking at the account."""
    now = now or timezone.now()
    S = SocialAccount.Status
    if account.status == S.DISCONNECTED:
        return Health("disconnected")
    if account.status == S.NEEDS_RECONNECT:
        return Health("needs_reconnect")
    ends = access_ends_at(account)
    if ends is not None and ends <= now:
        return Health("needs_reconnect", ends, 0)  # the refresh task marks it soon
    if account.rate_limited_until is not None and account.rate_limited_until > now:
        return Health("rate_limited", account.rate_limited_until)
    if ends is not None and ends <= now + SHOW_EXPIRY_WITHIN:
        return Health("expiring", ends, days_until(ends, now))
    return Health("ok")


def with_health(accounts: QuerySet[SocialAccount]) -> QuerySet[SocialAccount]:
    """Add `last_published_at` and `held_count` to each account, in the same query."""
    from scheduler.models import Delivery  # scheduler builds on channels

    published = Delivery.objects.filter(account=OuterRef("pk"), state=Delivery.State.PUBLISHED)
    held = (
        Delivery.objects.filter(account=OuterRef("pk"), state__in=HELD_STATES)
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return accounts.annotate(
        last_published_at=Subquery(published.order_by("-published_at").values("published_at")[:1]),
        held_count=Coalesce(Subquery(held, output_field=IntegerField()), 0),
    )


def held_count(account_id: int) -> int:
    """How many of the account's deliveries wait while it is not connected."""
    from scheduler.models import Delivery

    return Delivery.objects.filter(account_id=account_id, state__in=HELD_STATES).count()

"""Warn owners and admins days ahead when an account's access will end and
only a person can renew it (LinkedIn without refresh tokens: 60 days).

Credentials that refresh() can renew are kept fresh by scheduler/tokens.py
instead. Each warning is claimed on the account first (a conditional UPDATE of
`expiry_warned_for` and `expiry_warned_days`), so a run repeated, or two beats at
once, never tell anyone twice about the same account, end and threshold. A
reconnect gives a new end, so its warnings go out again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from channels.health import access_ends_at, days_until
from channels.models import SocialAccount
from scheduler import notify

logger = logging.getLogger(__name__)

# Days ahead of the end: the first warning, and the last call.
THRESHOLDS = (7, 1)


def threshold_for(ends: datetime, now: datetime) -> int | None:
    """The smallest threshold the time left is within, or None if none is near."""
    left = ends - now
    near = [days for days in THRESHOLDS if left <= timedelta(days=days)]
    return min(near) if near else None


def warn_expiring(now: datetime | None = None) -> int:
    """Warn about every active account whose access ends soon; return how many warnings."""
    now = now or timezone.now()
    warned = 0
    accounts = SocialAccount.objects.filter(
        status=SocialAccount.Status.ACTIVE, credentials_expire_at__isnull=False
    )
    for account in accounts.iterator():
        ends = access_ends_at(account)
        if ends is None or ends <= now:
            continue  # renewable, or over: the refresh task marks it needs_reconnect
        threshold = threshold_for(ends, now)
        if threshold is None:
            continue
        with transaction.atomic():
            claimed = (
                SocialAccount.objects.filter(pk=account.pk, status=SocialAccount.Status.ACTIVE)
                .exclude(expiry_warned_for=ends, expiry_warned_days__lte=threshold)
                .update(expiry_warned_for=ends, expiry_warned_days=threshold)
            )
            if claimed:
                notify.account_access_ending(account.pk, days_until(ends, now))
        if claimed:
            logger.info("account %s: warned that access ends in %s days", account.pk, threshold)
            warned += 1
    return warned

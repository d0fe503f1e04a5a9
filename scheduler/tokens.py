"""Keep expiring credentials fresh (X's access tokens live two hours).

Two workers may find the same token about to expire. Refresh tokens rotate on
use (platforms.md §1), so a second refresh with the old one would fail and
disconnect the account: each refresh holds the account's row lock, and a
worker that waited finds the new credentials already saved and uses them.
On SQLite the lock is the database's write lock (transactions are IMMEDIATE),
held for one HTTP call of at most SMO_HTTP_TIMEOUT; refreshes are rare.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from channels.adapters import base
from channels.adapters.registry import ADAPTERS, adapter_class, get_adapter, networks
from channels.models import SocialAccount
from channels.words import Words, as_words, words
from scheduler import content, notify

logger = logging.getLogger(__name__)


def margin(network: str) -> timedelta:
    """How long before expiry `network`'s credentials are refreshed."""
    own = adapter_class(network).refresh_margin
    return own if own is not None else settings.SMO_TOKEN_REFRESH_MARGIN


def expiring(creds: base.Credentials, now: datetime | None = None, network: str = "") -> bool:
    """Say whether `creds` expire within the refresh margin (of `network`, if named)."""
    if creds.expires_at is None:
        return False
    now = now or timezone.now()
    ahead = margin(network) if network else settings.SMO_TOKEN_REFRESH_MARGIN
    return creds.expires_at <= now + ahead


def fresh(account_id: int, creds: base.Credentials, network: str = "") -> base.Credentials:
    """Return `creds`, refreshed first if they expire within the margin."""
    return refresh_account(account_id, creds) if expiring(creds, network=network) else creds


def refresh_account(account_id: int, stale: base.Credentials) -> base.Credentials:
    """Return fresh credentials for the account whose current ones are `stale`.

    Raises the adapter's AuthExpired when a person must reconnect, after
    marking the account so (its deliveries are then held).
    """
    try:
        with transaction.atomic():
            account = SocialAccount.objects.select_for_update().get(pk=account_id)
            if not account.is_active:
                # Another worker's refresh already failed: don't spend a second call.
                raise base.AuthExpired(
                    Words.from_json(account.status_words)
                    if account.status_words
                    else account.status_detail or words("The account needs reconnecting.")
                )
            current = content.credentials_for(account)
            if current.secrets != stale.secrets:
                return current  # another worker refreshed while this one waited
            fresh = get_adapter(account.network).refresh(current)
            content.save_credentials(account, fresh)
    except base.AuthExpired as error:
        # Outside the transaction, which the error has rolled back.
        mark_needs_reconnect(account_id, error.words)
        raise
    logger.info("account %s: credentials refreshed", account_id)
    return fresh


def mark_needs_reconnect(account_id: int, detail: Words | str) -> None:
    message = as_words(detail)
    SocialAccount.objects.filter(pk=account_id).update(
        status=SocialAccount.Status.NEEDS_RECONNECT,
        status_detail=str(message)[:500],
        status_words=message.as_json(),
    )
    logger.warning("account %s: needs reconnecting", account_id)
    notify.account_needs_reconnect(account_id)


def refresh_expiring(now: datetime | None = None) -> dict[str, int]:
    """Refresh every active account whose credentials expire within the margin."""
    now = now or timezone.now()
    counts = {"refreshed": 0, "needs_reconnect": 0, "failed": 0}
    # Each network has its own margin: ask for the widest, then check each.
    widest = max(margin(network) for network in networks())
    due = SocialAccount.objects.filter(
        status=SocialAccount.Status.ACTIVE,
        credentials_expire_at__lte=now + widest,
    )
    for account in due:
        if account.network not in ADAPTERS or account.credentials_expire_at > now + margin(
            account.network
        ):
            continue
        try:
            refresh_account(account.pk, content.credentials_for(account))
        except base.AuthExpired:
            counts["needs_reconnect"] += 1
        except base.AdapterError as error:
            # Tried again on the next run, and before any publish that needs it.
            logger.info("account %s: refresh failed (%s)", account.pk, error.network_code)
            counts["failed"] += 1
        else:
            counts["refreshed"] += 1
    return counts

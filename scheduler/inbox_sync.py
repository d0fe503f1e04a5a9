"""Fetch each account's comments, replies, mentions and messages into the inbox.

`collect_due` (beat, every minute) sends one `fetch_inbox(account_id)` task per
account whose next fetch is due. `fetch` claims the account with a conditional
UPDATE, so two workers, or a task delivered twice, never fetch one account at
once. Items are inserted with the (account, network id) constraint deciding,
page by page as the adapter yields them: fetching the same item again, or
starting over after a crash halfway, stores nothing twice. `since` moves only
when a fetch reads to the end. A rate limit waits for the network's reset time;
other errors back off exponentially, never more often than the network's
interval.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from channels.adapters import base
from channels.adapters.engagement import Engagement, PostRef
from channels.adapters.registry import ADAPTERS, adapter_class, adapter_for
from channels.models import SocialAccount
from scheduler import content, tokens, turns
from scheduler.models import Delivery, InboxItem, InboxSync

logger = logging.getLogger(__name__)

# Read a little before `since`: networks stamp items with the time they were
# written, which can be before they became visible to a reader.
OVERLAP = timedelta(minutes=5)
BATCH = 50


def collecting_networks() -> list[str]:
    """Networks whose adapters read engagement at all."""
    return [n for n in ADAPTERS if adapter_class(n).engagement.fetches]


def collect_due(now: datetime | None = None) -> int:
    """Send a fetch task for each connected account whose inbox is due."""
    now = now or timezone.now()
    ids = list(
        turns.due(InboxSync, "inbox", collecting_networks(), now).values_list("pk", flat=True)
    )
    for pk in ids:
        enqueue(pk)
    return len(ids)


def enqueue(account_id: int) -> None:
    from scheduler.tasks import fetch_inbox

    fetch_inbox.delay_on_commit(account_id)


def fetch_now(account_ids: list[int]) -> int:
    """A person asked to check now: make the accounts due, and fetch them."""
    InboxSync.objects.filter(pk__in=account_ids, running_since=None).update(next_at=None)
    for pk in account_ids:
        enqueue(pk)
    return len(account_ids)


def fetch(account_id: int, now: datetime | None = None) -> str:
    """Fetch one account's new engagement; return what happened, for the log."""
    now = now or timezone.now()
    try:
        account = SocialAccount.objects.select_related("workspace").get(pk=account_id)
    except SocialAccount.DoesNotExist:
        return "gone"
    adapter = adapter_for(account)
    if not account.is_active or not adapter.engagement.fetches:
        return "skipped"
    sync = turns.claim(InboxSync, account_id, now)
    if sync is None:
        return "busy"
    since = sync.since or now - settings.SMO_INBOX_LOOKBACK
    stored = 0
    creds = content.credentials_for(account)
    try:
        creds = tokens.fresh(account.pk, creds, account.network)
        items = adapter.fetch_engagement(creds, since - OVERLAP, recent_posts(account))
        stored = store(account, items)
    except base.AuthExpired as error:
        return _auth_expired(account, creds, error, stored)
    except (base.AdapterError, SoftTimeLimitExceeded) as error:
        return _stopped(account, error, stored)
    except Exception as error:
        logger.exception("account %s: fetching its inbox failed", account_id)
        return _stopped(account, error, stored)
    turns.finished(InboxSync, account_id, adapter.engagement.interval, since=now, last_count=stored)
    logger.info("account %s: inbox fetched, %s new", account_id, stored)
    return "fetched"


def recent_posts(account: SocialAccount) -> list[PostRef]:
    """The account's posts SMO published lately, newest first: their comments are read."""
    after = timezone.now() - settings.SMO_INBOX_POST_DAYS
    rows = (
        Delivery.objects.filter(
            account=account, state=Delivery.State.PUBLISHED, published_at__gte=after
        )
        .exclude(external_id="")
        .order_by("-published_at")
        .values_list("external_id", "external_url", "published_at")[: settings.SMO_INBOX_POST_LIMIT]
    )
    return [PostRef(eid, url, at) for eid, url, at in rows]


def store(account: SocialAccount, items: Iterable[Engagement]) -> int:
    """Insert the items not already stored, a batch at a time; return how many were new.

    When the adapter fails halfway, what it yielded before failing is stored
    before the error goes up: an error on page three loses nothing of pages one
    and two. (A worker killed outright loses its unsaved batch; the next fetch
    reads the same span again.)
    """
    new = 0
    batch: list[Engagement] = []
    try:
        for item in items:
            batch.append(item)
            if len(batch) >= BATCH:
                new += _insert(account, batch)
                batch = []
    finally:
        if batch:
            new += _insert(account, batch)
    return new


def _insert(account: SocialAccount, batch: list[Engagement]) -> int:
    ids = {item.external_id for item in batch}
    with transaction.atomic():
        known = set(
            InboxItem.objects.filter(account=account, external_id__in=ids).values_list(
                "external_id", flat=True
            )
        )
        fresh = {item.external_id: item for item in batch if item.external_id not in known}
        if not fresh:
            return 0
        deliveries = _deliveries(account, {i.parent_post_id for i in fresh.values()})
        InboxItem.objects.bulk_create(
            [row(account, item, deliveries.get(item.parent_post_id)) for item in fresh.values()],
            # Another fetch of the same account (a claim taken over after
            # SMO_STUCK_AFTER) may have stored some in between: the constraint
            # keeps one, and this batch skips it.
            ignore_conflicts=True,
        )
    return len(fresh)


def _deliveries(account: SocialAccount, post_ids: set[str]) -> dict[str, int]:
    post_ids.discard("")
    if not post_ids:
        return {}
    return dict(
        Delivery.objects.filter(account=account, external_id__in=post_ids).values_list(
            "external_id", "pk"
        )
    )


def row(account: SocialAccount, item: Engagement, delivery_id: int | None) -> InboxItem:
    """An unsaved InboxItem for `item`; what the account wrote itself needs no answer."""
    return InboxItem(
        workspace_id=account.workspace_id,
        account=account,
        network=account.network,
        external_id=item.external_id[:255],
        kind=item.kind,
        text=item.text,
        author_name=item.author_name[:200],
        author_handle=item.author_handle[:200],
        author_id=item.author_id[:255],
        url=item.url[:1000],
        posted_at=item.created_at,
        parent_post_id=item.parent_post_id[:255],
        delivery_id=delivery_id,
        in_reply_to_id=item.in_reply_to_id[:255],
        thread_id=item.thread_id[:255],
        own=item.own,
        extra=dict(item.extra),
        state=InboxItem.State.DONE if item.own else InboxItem.State.OPEN,
        hidden_at=item.created_at if item.hidden else None,
    )


def _stopped(account: SocialAccount, error: BaseException, stored: int) -> str:
    """Release the claim and say when to try again; `since` stays where it was."""
    interval = adapter_class(account.network).engagement.interval
    return turns.stopped(InboxSync, account, interval, error, last_count=stored)


def _auth_expired(
    account: SocialAccount, creds: base.Credentials, error: base.AuthExpired, stored: int
) -> str:
    """Refresh the credentials (the next fetch uses them); a person reconnects if that fails."""
    try:
        tokens.refresh_account(account.pk, creds)
    except base.AdapterError as refresh_error:
        return _stopped(account, refresh_error, stored)
    InboxSync.objects.filter(pk=account.pk).update(running_since=None, next_at=timezone.now())
    return "refreshed"

"""Celery tasks: thin wrappers that take ids and call the engine (STYLE.md §4).

Task names are a wire format: they are explicit and never change.
"""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from scheduler import (
    engine,
    expiry,
    feeds,
    inbox_sync,
    instance_limits,
    links,
    metrics_sync,
    moderation,
    replies,
    tokens,
    webhook_sending,
)


@shared_task(name="scheduler.dispatch_due", ignore_result=True)
def dispatch_due() -> int:
    return engine.dispatch_due()


@shared_task(
    bind=True,
    name="scheduler.publish_delivery",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def publish_delivery(self, delivery_id: int) -> str:  # type: ignore[no-untyped-def]
    return engine.publish(delivery_id, worker=self.request.hostname or "")


@shared_task(name="scheduler.reconcile_delivery", acks_late=True, ignore_result=True)
def reconcile_delivery(delivery_id: int) -> str:
    return engine.resolve_unknown(delivery_id)


@shared_task(name="scheduler.reconcile_stuck", ignore_result=True)
def reconcile_stuck() -> dict[str, int]:
    return engine.reconcile_stuck()


@shared_task(name="scheduler.refresh_tokens", ignore_result=True)
def refresh_tokens() -> dict[str, int]:
    return tokens.refresh_expiring()


@shared_task(name="scheduler.warn_expiring_accounts", ignore_result=True)
def warn_expiring_accounts() -> int:
    return expiry.warn_expiring()


@shared_task(name="scheduler.refresh_instance_limits", ignore_result=True)
def refresh_instance_limits() -> dict[str, int]:
    return instance_limits.refresh()


@shared_task(name="scheduler.send_webhook", acks_late=True, ignore_result=True)
def send_webhook(delivery_id: int) -> str:
    """Make one attempt at a webhook event (a WebhookDelivery id)."""
    return webhook_sending.send(delivery_id)


@shared_task(name="scheduler.send_due_webhooks", ignore_result=True)
def send_due_webhooks() -> int:
    return webhook_sending.send_due()


@shared_task(name="scheduler.collect_inbox", ignore_result=True)
def collect_inbox() -> int:
    return inbox_sync.collect_due()


@shared_task(name="scheduler.fetch_inbox", acks_late=True, ignore_result=True)
def fetch_inbox(account_id: int) -> str:
    """Fetch one account's new comments, replies, mentions and messages."""
    return inbox_sync.fetch(account_id)


@shared_task(
    name="scheduler.send_reply", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def send_reply(reply_id: int) -> str:
    """Send one answer from the inbox (a Reply id)."""
    return replies.send(reply_id)


@shared_task(name="scheduler.resolve_reply", acks_late=True, ignore_result=True)
def resolve_reply(reply_id: int) -> str:
    return replies.resolve_unknown(reply_id)


@shared_task(name="scheduler.sweep_replies", ignore_result=True)
def sweep_replies() -> dict[str, int]:
    return replies.sweep()


@shared_task(name="scheduler.moderate_item", acks_late=True, ignore_result=True)
def moderate_item(item_id: int, action: str) -> str:
    """Hide, show or delete one inbox item on its network."""
    return moderation.run(item_id, action)


@shared_task(name="scheduler.collect_metrics", ignore_result=True)
def collect_metrics() -> int:
    return metrics_sync.collect_due()


@shared_task(name="scheduler.fetch_metrics", acks_late=True, ignore_result=True)
def fetch_metrics(account_id: int) -> str:
    """Read one account's recent posts' figures and its followers."""
    return metrics_sync.fetch(account_id)


@shared_task(name="scheduler.record_click", ignore_result=True)
def record_click(link_id: int, at: str, network: str, country: str) -> None:
    """Count one click on a short link (the redirect hands it over, so it never waits)."""
    links.record(link_id, datetime.fromisoformat(at), network, country)


@shared_task(name="scheduler.poll_feeds", ignore_result=True)
def poll_feeds() -> int:
    return feeds.poll_due()


@shared_task(name="scheduler.fetch_feed", acks_late=True, ignore_result=True)
def fetch_feed(feed_id: int) -> str:
    """Read one RSS or Atom feed and turn its new items into posts."""
    return feeds.check(feed_id)


@shared_task(name="scheduler.fill_evergreen", ignore_result=True)
def fill_evergreen() -> int:
    """Recycle evergreen posts into the free queue slots of accounts that want them."""
    from scheduler import evergreen

    return evergreen.fill_all()


@shared_task(name="scheduler.expire_unapproved", ignore_result=True)
def expire_unapproved() -> int:
    """Expire posts whose time passed while they waited for approval."""
    from scheduler import unapproved

    return unapproved.expire_unapproved()

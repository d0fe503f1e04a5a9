"""The Celery app. Settings come from Django's, under the CELERY_ prefix."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smo.settings")

app = Celery("smo", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# `dispatch_due` every second is what makes a post go out on time; `expires`
# drops ticks a busy worker could not start in time, so they never pile up.
app.conf.beat_schedule = {
    "dispatch-due": {
        "task": "scheduler.dispatch_due",
        "schedule": 1.0,
        "options": {"expires": 5},
    },
    "reconcile-stuck": {
        "task": "scheduler.reconcile_stuck",
        "schedule": 15.0,
        "options": {"expires": 30},
    },
    # Well inside SMO_TOKEN_REFRESH_MARGIN, so a token is refreshed before it expires.
    "refresh-tokens": {
        "task": "scheduler.refresh_tokens",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    # Days-ahead warnings when only a person can renew an account's access
    # (scheduler/expiry.py); each warning goes out once, whenever the run.
    "warn-expiring-accounts": {
        "task": "scheduler.warn_expiring_accounts",
        "schedule": 24 * 3600.0,
        "options": {"expires": 3600},
    },
    # Webhook events whose retry is due (their backoff is a minute at least).
    "send-due-webhooks": {
        "task": "scheduler.send_due_webhooks",
        "schedule": 30.0,
        "options": {"expires": 60},
    },
    # Accounts whose inbox is due (each network sets its own interval, and a
    # rate limit or an error pushes an account's next fetch back).
    "collect-inbox": {
        "task": "scheduler.collect_inbox",
        "schedule": 60.0,
        "options": {"expires": 120},
    },
    # Answers waiting to retry, or left behind by a lost worker or message.
    "sweep-replies": {
        "task": "scheduler.sweep_replies",
        "schedule": 10.0,
        "options": {"expires": 20},
    },
    # Accounts whose posts' figures are due (hourly by default, per network).
    "collect-metrics": {
        "task": "scheduler.collect_metrics",
        "schedule": 300.0,
        "options": {"expires": 600},
    },
    # Servers' own limits (a Mastodon instance's character limit) change rarely.
    "refresh-instance-limits": {
        "task": "scheduler.refresh_instance_limits",
        "schedule": 24 * 3600.0,
        "options": {"expires": 3600},
    },
    # Feeds whose check is due (every SMO_FEED_INTERVAL_MINUTES, later when broken).
    "poll-feeds": {
        "task": "scheduler.poll_feeds",
        "schedule": 120.0,
        "options": {"expires": 240},
    },
    # Evergreen posts into accounts' free queue slots (scheduler/evergreen.py).
    "fill-evergreen": {
        "task": "scheduler.fill_evergreen",
        "schedule": 600.0,
        "options": {"expires": 600},
    },
    # Posts whose time passed unapproved are flagged, never published
    # (scheduler/unapproved.py).
    "expire-unapproved": {
        "task": "scheduler.expire_unapproved",
        "schedule": 60.0,
        "options": {"expires": 120},
    },
}


def _make_broker_folders() -> None:
    """Create the file-system broker's folders, which kombu expects to exist."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


def _set_reconcile_period() -> None:
    """Sweep as often as SMO_RECONCILE_SECONDS says (settings are read here, not at import)."""
    from django.conf import settings

    period = float(getattr(settings, "SMO_RECONCILE_SECONDS", 15.0))
    entry = app.conf.beat_schedule["reconcile-stuck"]
    entry["schedule"] = period
    entry["options"] = {**entry.get("options", {}), "expires": 2 * period}


@app.on_after_configure.connect
def _on_configure(sender: Celery, **kwargs: object) -> None:
    _make_broker_folders()
    _set_reconcile_period()

"""Sending webhook events: claim an attempt, POST it signed, and on failure
wait longer each time (1 min, 5 min, 30 min, 2 h, 12 h, then give up).

Retries are rows, not broker timers (STYLE.md §4): a failed attempt sets
`next_try_at`, and `send_due` (every half minute from beat) sends a task for
each row that is due. Claiming is one conditional UPDATE that pushes
`next_try_at` past the task's hard time limit, so two workers holding the same
task, or the sweep racing the first send, never POST the same attempt twice; a
worker that dies mid-attempt leaves the row to be claimed again after that.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.adapters.session import build_session
from scheduler import webhooks
from scheduler.models import WebhookDelivery
from scheduler.public_urls import NotPublic

logger = logging.getLogger(__name__)

W = WebhookDelivery.State

# The wait after the 1st, 2nd, ... failed attempt; one more failure after the
# last wait gives up (six attempts over about fifteen hours).
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# Finished rows older than this are deleted by the sweep.
KEEP_FOR = timedelta(days=30)
SWEEP_BATCH = 500


def wait_after(attempt: int, rand: Callable[[float, float], float] = random.uniform) -> timedelta:
    """The wait after failed attempt number `attempt`, give or take 10%, so
    endpoints that failed together are not all retried in the same second."""
    return BACKOFF[attempt - 1] * rand(0.9, 1.1)


def claim(row_id: int, now: datetime) -> WebhookDelivery | None:
    """Take the due attempt of `row_id` for this worker, or None if it is not due
    or another worker took it first."""
    # No task runs past its hard time limit, so after that the attempt was lost.
    lease = now + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    taken = WebhookDelivery.objects.filter(pk=row_id, state=W.PENDING, next_try_at__lte=now).update(
        attempts=F("attempts") + 1, next_try_at=lease, updated_at=now
    )
    if not taken:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=row_id)


def send(row_id: int, now: datetime | None = None) -> str:
    """Make one attempt at sending webhook event `row_id`; return what happened."""
    now = now or timezone.now()
    row = claim(row_id, now)
    if row is None:
        logger.info("webhook %s: not due or taken by another worker", row_id)
        return "skipped"
    if not row.endpoint.active:
        return _finish(row, now, W.FAILED, error=_("The endpoint was disabled."))
    try:
        webhooks.check_url(row.endpoint.url)
    except NotPublic as exc:
        return _finish(row, now, W.FAILED, error=str(exc))
    status, error = _post(row, now)
    if status is not None and 200 <= status < 300:
        return _finish(row, now, W.SUCCEEDED, status=status)
    if row.attempts >= MAX_ATTEMPTS:
        return _finish(row, now, W.FAILED, status=status, error=error)
    return _finish(
        row, now, W.PENDING, status=status, error=error, retry_at=now + wait_after(row.attempts)
    )


def _post(row: WebhookDelivery, now: datetime) -> tuple[int | None, str]:
    """POST the event; return the status code (None if there was no answer) and
    why it did not count as received."""
    content = webhooks.body(row.payload)
    headers = {
        "Content-Type": "application/json",
        "X-SMO-Event": row.event,
        "X-SMO-Delivery": str(row.event_id),
        "X-SMO-Signature": webhooks.signature(
            row.endpoint.signing_key, int(now.timestamp()), content
        ),
    }
    timeout = settings.SMO_WEBHOOK_TIMEOUT
    try:
        with build_session(timeout) as session:
            # A redirect could lead to a private address after the check: not followed.
            answer = session.post(
                row.endpoint.url, data=content, headers=headers, allow_redirects=False
            )
    except requests.Timeout:
        return None, _("No answer within %(seconds)s seconds.") % {"seconds": f"{timeout:g}"}
    except requests.RequestException as exc:
        # The class name only: a message can carry the URL, which may hold a token.
        return None, _("Could not connect (%(error)s).") % {"error": type(exc).__name__}
    status = answer.status_code
    answer.close()
    if 300 <= status < 400:
        return status, _(
            "The endpoint answered with a redirect (HTTP %(status)s); SMO does not follow redirects."
        ) % {"status": status}
    return status, _("The endpoint answered HTTP %(status)s.") % {"status": status}


def _finish(
    row: WebhookDelivery,
    now: datetime,
    state: str,
    *,
    status: int | None = None,
    error: str = "",
    retry_at: datetime | None = None,
) -> str:
    done = state != W.PENDING
    # Only the worker holding this attempt writes its outcome.
    WebhookDelivery.objects.filter(pk=row.pk, attempts=row.attempts).update(
        state=state,
        next_try_at=retry_at,
        last_status=status,
        last_error=error[:300],
        updated_at=now,
        finished_at=now if done else None,
    )
    logger.info(
        "webhook %s (%s) attempt %s: %s %s", row.pk, row.event, row.attempts, state, status or error
    )
    return state


def send_due(now: datetime | None = None) -> int:
    """Send a task for each event due to be tried; drop finished ones past KEEP_FOR."""
    from scheduler.tasks import send_webhook

    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(state=W.PENDING, next_try_at__lte=now)
        .order_by("next_try_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in due:
        send_webhook.delay(pk)
    WebhookDelivery.objects.exclude(state=W.PENDING).filter(finished_at__lt=now - KEEP_FOR).delete()
    return len(due)

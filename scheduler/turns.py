"""Each account's turn at a periodic job (reading its inbox, reading its posts'
figures): claimed by one worker at a time, due again after the network's
interval, later after an error, at the network's reset time after a rate limit.

The job's table (InboxSync, MetricsSync) has one row per account with
`next_at`, `running_since`, `failures`, `last_finished_at`, `error_words` and
`rate_limited_until`. The claim is one conditional UPDATE, so a task delivered
twice, or two workers, never run one account's job at once; a claim older than
SMO_STUCK_AFTER belongs to a worker that died and is taken over.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from channels.adapters import base
from channels.adapters.registry import adapter_class
from channels.models import SocialAccount
from channels.words import Words, words
from scheduler import engine

logger = logging.getLogger(__name__)


def due(
    model: type[Model], relation: str, networks: list[str], now: datetime
) -> QuerySet[SocialAccount]:
    """Connected accounts on `networks` whose turn has come (or never came)."""
    return (
        SocialAccount.objects.filter(status=SocialAccount.Status.ACTIVE, network__in=networks)
        .filter(
            Q(**{f"{relation}__isnull": True})
            | Q(**{f"{relation}__next_at__isnull": True})
            | Q(**{f"{relation}__next_at__lte": now})
        )
        .exclude(**{f"{relation}__running_since__gt": now - settings.SMO_STUCK_AFTER})
    )


def claim(model: type[Model], account_id: int, now: datetime) -> Any | None:
    """Take the account's turn, unless another worker holds a fresh claim."""
    model.objects.get_or_create(account_id=account_id)  # type: ignore[attr-defined]
    free = Q(running_since__isnull=True) | Q(running_since__lt=now - settings.SMO_STUCK_AFTER)
    rows = model.objects.filter(free, pk=account_id)  # type: ignore[attr-defined]
    if not rows.update(running_since=now):
        return None
    return model.objects.get(pk=account_id)  # type: ignore[attr-defined]


def finished(model: type[Model], account_id: int, interval: timedelta, **fields: Any) -> None:
    """The job read everything: due again after `interval`."""
    now = timezone.now()
    model.objects.filter(pk=account_id).update(  # type: ignore[attr-defined]
        next_at=now + interval,
        running_since=None,
        failures=0,
        last_finished_at=now,
        error_words={},
        rate_limited_until=None,
        **fields,
    )


def stopped(
    model: type[Model],
    account: SocialAccount,
    interval: timedelta,
    error: BaseException,
    **fields: Any,
) -> str:
    """Release the turn after an error and say when to try again."""
    limited = isinstance(error, base.RateLimited)
    row = model.objects.get(pk=account.pk)  # type: ignore[attr-defined]
    failures = row.failures + (0 if limited else 1)
    if limited:
        next_at = error.retry_at  # type: ignore[attr-defined]
    else:
        next_at = timezone.now() + max(interval, engine.backoff(failures))
    model.objects.filter(pk=account.pk).update(  # type: ignore[attr-defined]
        running_since=None,
        next_at=next_at,
        failures=failures,
        error_words=why(account, error).as_json(),
        rate_limited_until=next_at if limited else None,
        **fields,
    )
    logger.info(
        "account %s: %s stopped (%s); next at %s",
        account.pk,
        model._meta.verbose_name,
        type(error).__name__,
        next_at,
    )
    return "rate-limited" if limited else "failed"


def why(account: SocialAccount, error: BaseException) -> Words:
    name = adapter_class(account.network).display_name
    if isinstance(error, base.RateLimited):
        return words(
            "%(network)s asked SMO to slow down; SMO asks again when its limit resets.",
            network=name,
        )
    if isinstance(error, base.AdapterError):
        return error.words
    return words(
        "Could not fetch from %(network)s: %(error)s", network=name, error=type(error).__name__
    )

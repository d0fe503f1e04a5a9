"""System checks for settings that would break publishing quietly."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_time_zone(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.TIME_ZONE != "UTC" or not settings.USE_TZ:
        return [
            Error(
                "TIME_ZONE must be UTC and USE_TZ on.",
                hint="Times are stored in UTC; people's own zones live on their profiles. "
                "Set SMO_DEFAULT_TIMEZONE for the zone new people start in.",
                id="smo.E001",
            )
        ]
    return []


@register()
def check_encryption_keys(app_configs: Any, **kwargs: Any) -> list[Error]:
    from django.core.exceptions import ImproperlyConfigured

    from channels import crypto

    try:
        crypto.fernet()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="smo.E002")]
    return []


@register()
def check_timeout_ladder(app_configs: Any, **kwargs: Any) -> list[Error]:
    """HTTP timeout < task soft limit < stuck-after < broker visibility timeout."""
    http = settings.SMO_HTTP_TIMEOUT
    soft = settings.CELERY_TASK_SOFT_TIME_LIMIT
    hard = settings.CELERY_TASK_TIME_LIMIT
    stuck = settings.SMO_STUCK_AFTER.total_seconds()
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    ladder = [("SMO_HTTP_TIMEOUT", http), ("task soft time limit", soft), ("task time limit", hard)]
    ladder.append(("SMO_STUCK_AFTER_SECONDS", stuck))
    if visibility is not None:
        ladder.append(("broker visibility_timeout", visibility))
    errors = []
    for (low_name, low), (high_name, high) in pairwise(ladder):
        if not low < high:
            errors.append(
                Error(
                    f"{low_name} ({low:g} s) must be less than {high_name} ({high:g} s).",
                    hint="Otherwise a slow publish is taken for a lost one and may run twice.",
                    id="smo.E003",
                )
            )
    webhook = settings.SMO_WEBHOOK_TIMEOUT
    if not webhook < soft:
        errors.append(
            Error(
                f"SMO_WEBHOOK_TIMEOUT ({webhook:g} s) must be less than the task soft time limit "
                f"({soft:g} s).",
                hint="Otherwise a slow webhook receiver stops the task before its attempt is recorded.",
                id="smo.E003",
            )
        )
    return errors

"""Read the limits of connected accounts' servers again (a Mastodon instance's).

An instance's admin may raise its character limit or change its media sizes at
any time; the account's stored limits (SocialAccount.options["limits"]) are
read at connect and again once a day by the beat task, each server once.
A server that does not answer keeps the limits it had.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from channels.adapters.base import AdapterError
from channels.adapters.registry import adapter_class, get_adapter, networks
from channels.models import SocialAccount
from scheduler import content

logger = logging.getLogger(__name__)


def refresh() -> dict[str, int]:
    """Refresh every active account whose adapter reads server limits (`read_limits`)."""
    counts = {"updated": 0, "failed": 0}
    reading = [n for n in networks() if hasattr(adapter_class(n), "read_limits")]
    read: dict[tuple[str, str], dict[str, Any]] = {}
    accounts = SocialAccount.objects.filter(
        network__in=reading, status=SocialAccount.Status.ACTIVE
    ).order_by("pk")
    for account in accounts:
        where = (account.network, str((account.options or {}).get("server") or ""))
        if where not in read:
            try:
                adapter = get_adapter(account.network)
                read[where] = adapter.read_limits(content.credentials_for(account))  # type: ignore[attr-defined]
            except AdapterError as error:
                logger.info(
                    "account %s: server limits not read (%s)", account.pk, error.network_code
                )
                counts["failed"] += 1
                continue
        with transaction.atomic():
            fresh = SocialAccount.objects.select_for_update().get(pk=account.pk)
            fresh.options = {**(fresh.options or {}), **read[where]}
            fresh.save(update_fields=["options", "updated_at"])
        counts["updated"] += 1
    return counts

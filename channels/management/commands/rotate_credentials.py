"""Re-encrypt every stored credential with the first key of SMO_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from channels.models import InstanceApp, SocialAccount
from scheduler.models import WebhookEndpoint


class Command(BaseCommand):
    help = "Re-encrypt credentials with the newest key, so old keys can be removed."

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = 0
        with transaction.atomic():
            # Loading decrypts with any listed key; saving encrypts with the first.
            for account in SocialAccount.objects.select_for_update().iterator():
                account.save(update_fields=["credentials"])
                rotated += 1
            # SMO's client secrets on Mastodon instances are encrypted the same way.
            for app in InstanceApp.objects.select_for_update().iterator():
                app.save(update_fields=["client_secret"])
            # And the secrets SMO signs outgoing webhooks with.
            for endpoint in WebhookEndpoint.objects.select_for_update().iterator():
                endpoint.save(update_fields=["secret"])
        self.stdout.write(f"Re-encrypted the credentials of {rotated} accounts.")

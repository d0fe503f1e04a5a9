"""Re-encrypt every stored secret with the first key of SMO_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction

from channels.fields import EncryptedJSONField


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Return every model with encrypted columns and their names.

    Found by field type rather than listed, so a new encrypted field (a webhook
    secret, say) cannot be forgotten here and left under a key about to be dropped.
    """
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedJSONField)]
        if names:
            found.append((model, names))
    return found


class Command(BaseCommand):
    help = "Re-encrypt credentials with the newest key, so old keys can be removed."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for model, names in encrypted_fields():
                rotated = 0
                # Loading decrypts with any listed key; saving encrypts with the first.
                for row in model._default_manager.select_for_update().iterator():
                    row.save(update_fields=names)
                    rotated += 1
                self.stdout.write(
                    f"Re-encrypted {', '.join(names)} of {rotated} {model._meta.label} rows."
                )

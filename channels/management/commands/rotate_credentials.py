"""Re-encrypt every stored credential with the first key of SMO_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from channels import crypto
from channels.models import SocialAccount


class Command(BaseCommand):
    help = "Re-encrypt credentials with the newest key, so old keys can be removed."

    def handle(self, *args: Any, **options: Any) -> None:
        table = connection.ops.quote_name(SocialAccount._meta.db_table)
        rotated = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT id, credentials FROM {table} WHERE credentials <> ''")  # noqa: S608
            for pk, token in cursor.fetchall():
                cursor.execute(f"UPDATE {table} SET credentials = %s WHERE id = %s", [crypto.rotate(token), pk])  # noqa: S608
                rotated += 1
        self.stdout.write(f"Re-encrypted the credentials of {rotated} accounts.")

"""A model field that keeps a dict of secrets encrypted in the database."""

from __future__ import annotations

from typing import Any

from django.db import models

from channels import crypto


class EncryptedJSONField(models.TextField):
    """A dict stored as one Fernet token; the column never holds plain text."""

    description = "JSON, encrypted with SMO_ENCRYPTION_KEYS"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> dict[str, Any]:
        if value is None or value == "":
            return {}
        return crypto.decrypt_json(value)

    def to_python(self, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        if not value:
            return {}
        return crypto.decrypt_json(value)

    def get_prep_value(self, value: Any) -> str:
        return crypto.encrypt_json(value or {})

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata) writes the encrypted form, never the secrets.
        return self.get_prep_value(self.value_from_object(obj))

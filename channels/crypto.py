"""Encryption of credentials at rest, with keys that can rotate.

SMO_ENCRYPTION_KEYS lists Fernet keys: the first encrypts, every one decrypts.
To rotate, put a new key first, run `manage.py rotate_credentials`, then drop
the old key.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        # DEBUG only (settings refuses to start without keys otherwise): a key
        # derived from SECRET_KEY, so a throwaway dev database still encrypts.
        digest = hashlib.sha256(("smo-credentials:" + settings.SECRET_KEY).encode()).digest()
        keys = (base64.urlsafe_b64encode(digest).decode(),)
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "SMO_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64 bytes); "
            "make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.SMO_ENCRYPTION_KEYS))


def encrypt_json(value: dict[str, Any]) -> str:
    return fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Stored credentials cannot be decrypted with SMO_ENCRYPTION_KEYS; "
            "was a key removed before `rotate_credentials` ran?"
        ) from exc

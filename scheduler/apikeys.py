"""Create, check and revoke API keys.

A key reads `smo_<lookup>_<secret>`: `lookup` (public, 8 hex digits) finds the
row, and only SHA-256 of the whole key is stored. The secret is 32 random bytes,
so a fast unsalted hash is enough: nobody can guess 256 bits, and slow password
hashes (PBKDF2) would cost every API request tens of milliseconds. GitHub's
token format works the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler import audit
from scheduler.models import ApiKey, Membership, User

PREFIX = "smo_"
# last_used_at is written at most this often per key, so a busy key costs one
# UPDATE a minute rather than one per request.
TOUCH_EVERY = timedelta(minutes=1)


class KeyRefused(Exception):
    """The key is unknown, revoked or expired, or its person left the workspace."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # the whole `smo_...` string; shown once, never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(membership: Membership, name: str, expires_at: datetime | None = None) -> NewKey:
    """Make a key for the membership's person in its workspace."""
    while True:
        lookup = secrets.token_hex(4)
        if not ApiKey.objects.filter(lookup=lookup).exists():
            break
    secret = f"{PREFIX}{lookup}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        membership=membership,
        name=name,
        lookup=lookup,
        hashed=_digest(secret),
        expires_at=expires_at,
    )
    audit.record(
        membership.workspace_id,
        audit.A.API_KEY_CREATED,
        key,
        actor=membership,
        target_label=name,
        prefix=f"{PREFIX}{lookup}",
    )
    return NewKey(key=key, secret=secret)


def check(secret: str) -> tuple[ApiKey, Membership]:
    """Return the key and the membership it acts as, or raise KeyRefused."""
    invalid = KeyRefused(_("Invalid API key."))
    lookup, sep, _rest = secret.removeprefix(PREFIX).partition("_")
    if not secret.startswith(PREFIX) or not sep:
        raise invalid
    key = (
        ApiKey.objects.select_related("membership__user", "membership__workspace")
        .filter(lookup=lookup)
        .first()
    )
    if key is None or not hmac.compare_digest(key.hashed, _digest(secret)):
        raise invalid
    if key.revoked_at is not None:
        raise KeyRefused(_("This API key was revoked."))
    if key.is_expired:
        raise KeyRefused(_("This API key has expired."))
    if not key.membership.user.is_active:
        raise KeyRefused(_("This API key's person can no longer sign in."))
    _touch(key)
    return key, key.membership


def _touch(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def of_person(user: User) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(membership__user=user).select_related("membership__workspace")


def revoke(key: ApiKey) -> None:
    """Stop the key working from now on; revoking twice changes nothing."""
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    key.refresh_from_db(fields=["revoked_at"])
    if revoked:
        membership = key.membership
        audit.record(
            membership.workspace_id,
            audit.A.API_KEY_REVOKED,
            key,
            actor=membership,
            target_label=key.name,
            prefix=f"{PREFIX}{key.lookup}",
        )

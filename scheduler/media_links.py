"""Signed, expiring public links to uploaded media.

Instagram (and other networks that fetch media themselves) download each file
from a public URL (platforms.md §3). The link names one asset, is signed with
SECRET_KEY and expires after SMO_MEDIA_URL_MAX_AGE seconds, so it can be handed
to a network without opening the media library to the world.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "smo.media-link"


def sign(asset_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"a": asset_id})


def unsign(token: str) -> int:
    """Return the asset id in `token`; raise signing.BadSignature if forged or expired."""
    data = signing.TimestampSigner(salt=SALT).unsign_object(
        token, max_age=settings.SMO_MEDIA_URL_MAX_AGE
    )
    return int(data["a"])


def public_url(asset_id: int) -> str:
    path = reverse("media-link", args=[sign(asset_id)])
    return f"{settings.SMO_PUBLIC_URL}{path}"

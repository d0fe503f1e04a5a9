"""Connecting YouTube channels: Google OAuth 2 with PKCE, and refreshing its tokens.

Scopes (platforms.md §6): youtube.upload to insert videos and set thumbnails,
youtube.readonly to list the person's channels and a channel's uploads (the
reconciler's lookup). Both are narrower than `youtube`, which would also let SMO
edit and delete every video. `access_type=offline` asks for a refresh token, and
`prompt=consent` makes Google send one on every connection, a reconnect
included (Google sends it only at the first consent otherwise). Access tokens
last an hour; refresh responses usually carry no new refresh token, so the old
one is kept.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from channels.adapters import google_token
from channels.adapters.base import (
    AuthExpired,
    Authorization,
    Connection,
    Credentials,
    Permanent,
)
from channels.adapters.youtube_api import Calls
from channels.words import words

if TYPE_CHECKING:
    from channels.adapters.youtube import YouTubeAdapter

AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
UPLOAD = "https://www.googleapis.com/auth/youtube.upload"
READONLY = "https://www.googleapis.com/auth/youtube.readonly"
# Answering and moderating comments (the inbox) needs youtube.force-ssl.
FORCE_SSL = "https://www.googleapis.com/auth/youtube.force-ssl"
SCOPES = (UPLOAD, READONLY, FORCE_SSL)


def authorization(config: Mapping[str, Any], redirect_uri: str, state: str) -> Authorization:
    verifier = secrets.token_urlsafe(64)  # 86 characters; RFC 7636 allows 43-128
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    query = {
        "client_id": config["client_id"],
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": " ".join(SCOPES),
        "access_type": "offline",
        "prompt": "consent",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    base = str(config.get("authorize_url") or AUTHORIZE_URL)
    return Authorization(f"{base}?{urlencode(query, quote_via=quote)}", verifier)


def connect(
    adapter: YouTubeAdapter, code: str, redirect_uri: str, verifier: str
) -> list[Connection]:
    """Exchange the code, then offer each channel of the person's (channels.list mine)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    tokens = _token_request(adapter, form, hidden=[code, verifier])
    granted = set(str(tokens.get("scope") or "").split())
    if not set(SCOPES) <= granted:
        # Google's consent screen lets a person untick each permission.
        raise Permanent(
            words(
                "Google did not give SMO every permission it asked for; connect again and "
                "allow uploading videos and viewing the channel."
            ),
            code="scope",
        )
    if not tokens.get("refresh_token"):
        raise Permanent(
            words("Google sent no refresh token; connect the account again."),
            code="no-refresh-token",
        )
    secrets_ = {
        "access_token": str(tokens["access_token"]),
        "refresh_token": str(tokens["refresh_token"]),
    }
    expires_at = adapter.now() + timedelta(seconds=int(tokens.get("expires_in") or 3600))
    calls = Calls(
        adapter.session,
        adapter.api_url,
        Credentials("", secrets=secrets_),
        adapter.quota,
        adapter.now,
    )
    request = calls.client.channels().list(part="id,snippet,contentDetails", mine=True)
    answer = calls.execute(request, "channels.list")
    found = []
    for channel in answer.get("items") or []:
        snippet = channel.get("snippet") or {}
        related = (channel.get("contentDetails") or {}).get("relatedPlaylists") or {}
        options = {"uploads_playlist": related["uploads"]} if related.get("uploads") else {}
        creds = Credentials(
            str(channel["id"]),
            str(snippet.get("customUrl") or ""),
            secrets_,
            expires_at=expires_at,
            options=options,
        )
        name = str(snippet.get("title") or snippet.get("customUrl") or channel["id"])
        found.append(Connection(adapter.network, creds, name, _picture(snippet)))
    if not found:
        raise Permanent(
            words("This Google account has no YouTube channel yet; create one, then connect."),
            code="no-channel",
        )
    return found


def refresh(adapter: YouTubeAdapter, creds: Credentials) -> Credentials:
    token = creds.secrets.get("refresh_token")
    if not token:
        raise AuthExpired(words("This YouTube account has no refresh token; reconnect it."))
    tokens = _token_request(adapter, {"grant_type": "refresh_token", "refresh_token": token})
    fresh = {
        **creds.secrets,
        "access_token": str(tokens["access_token"]),
        # Google rarely rotates refresh tokens; keep the old one unless sent a new one.
        "refresh_token": str(tokens.get("refresh_token") or token),
    }
    expires_at = adapter.now() + timedelta(seconds=int(tokens.get("expires_in") or 3600))
    return Credentials(
        creds.external_id, creds.handle, fresh, expires_at=expires_at, options=creds.options
    )


def _token_request(
    adapter: YouTubeAdapter, form: dict[str, str], hidden: Iterable[str] = ()
) -> dict[str, Any]:
    return google_token.token_request(
        adapter.session, adapter.config, form, product="YouTube", hidden=hidden
    )


def _picture(snippet: Mapping[str, Any]) -> str:
    thumbnails = snippet.get("thumbnails") or {}
    for size in ("default", "medium", "high"):
        url = (thumbnails.get(size) or {}).get("url")
        if url:
            return str(url)
    return ""

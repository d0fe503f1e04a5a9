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

import requests

from channels.adapters.base import (
    AuthExpired,
    Authorization,
    Connection,
    Credentials,
    Permanent,
    Transient,
    scrub,
)
from channels.adapters.session import nothing_sent
from channels.adapters.youtube_api import Calls
from channels.words import words

if TYPE_CHECKING:
    from channels.adapters.youtube import YouTubeAdapter

AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret
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
    """POST to Google's token endpoint, the client's id and secret in the form."""
    config = adapter.config
    refreshing = form["grant_type"] == "refresh_token"
    body = {
        **form,
        "client_id": str(config["client_id"]),
        "client_secret": str(config["client_secret"]),
    }
    hidden = [*hidden, body["client_secret"], form.get("refresh_token", "")]
    url = str(config.get("token_url") or TOKEN_URL)
    try:
        response = adapter.session.post(url, data=body, allow_redirects=False)
    except requests.RequestException as error:
        # Transient either way: a refresh Google did receive leaves the old
        # refresh token valid (Google does not rotate it on use).
        name = type(error).__name__
        if nothing_sent(error):
            raise Transient(
                words("Could not reach Google's token endpoint (%(error)s).", error=name)
            ) from None
        raise Transient(
            words("No answer from Google's token endpoint (%(error)s).", error=name)
        ) from None
    tokens = _json(response)
    status = response.status_code
    if response.ok:
        if tokens.get("access_token"):
            return tokens
        raise Transient(
            words("Google's token endpoint answered without a token."),
            status=status,
            code="no-token",
        )
    code = str(tokens.get("error") or "")
    reason = scrub(str(tokens.get("error_description") or code or status), hidden)
    if status >= 500 or status == 429:
        raise Transient(
            words("Google's token endpoint had a temporary problem (%(status)s).", status=status),
            status=status,
            code=code,
        )
    if refreshing:
        # invalid_grant: revoked, expired (apps in "Testing" lose refresh tokens
        # after 7 days, §6) or the password changed. Only a new consent helps.
        raise AuthExpired(
            words(
                "Google would not refresh the YouTube token (%(reason)s); reconnect the account.",
                reason=reason,
            ),
            status=status,
            code=code,
        )
    raise Permanent(
        words(
            "Google did not accept the sign-in (%(reason)s); try connecting again.", reason=reason
        ),
        status=status,
        code=code,
    )


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _picture(snippet: Mapping[str, Any]) -> str:
    thumbnails = snippet.get("thumbnails") or {}
    for size in ("default", "medium", "high"):
        url = (thumbnails.get(size) or {}).get("url")
        if url:
            return str(url)
    return ""

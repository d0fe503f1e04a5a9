"""Connecting a TikTok account: Login Kit's OAuth 2.0 with PKCE, and token refresh
(platforms.md §7; developers.tiktok.com/doc/login-kit-web and
/doc/oauth-user-access-token-management).

- Scopes are comma-separated in the authorize URL and in the token answer.
- Access tokens live 24 hours (`expires_in` 86400), refresh tokens 365 days; a
  refresh may answer with a new refresh token, which replaces the old one.
- PKCE: the web guide does not mention it, but TikTok has refused web
  authorizations without `code_challenge` since 2025 (better-auth issue #3114,
  SocialiteProviders PR #1368), and it computes the S256 challenge as the *hex*
  SHA-256 of the verifier, not RFC 7636's base64url (the desktop guide; the same
  in brightbean-studio's providers/tiktok.py). Unconfirmed against the live
  service: if TikTok answers "Code verifier or code challenge is invalid",
  `challenge()` is the place to look.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import requests

from channels.adapters.base import (
    AuthExpired,
    Authorization,
    Connection,
    Credentials,
    Permanent,
)
from channels.adapters.tiktok_api import Call, TikTokClient, token_request
from channels.words import words

AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"
# video.upload is asked for now so drafts to the creator's inbox need no
# reconnect later; SMO publishes with video.publish, finds lost posts and reads
# their counts with video.list, and reads the follower count with
# user.info.stats (not NEEDED: without it only that count is missing).
SCOPES = ("user.info.basic", "user.info.stats", "video.publish", "video.upload", "video.list")
NEEDED = frozenset({"user.info.basic", "video.publish", "video.list"})
USER_FIELDS = "open_id,union_id,avatar_url,display_name"
ACCESS_LIFETIME = 86400  # seconds, when TikTok does not say


def challenge(verifier: str) -> str:
    """TikTok's S256 code challenge: hex, not base64url (see the module docstring)."""
    return hashlib.sha256(verifier.encode("ascii")).hexdigest()


def authorization(
    config: Mapping[str, Any], authorize_url: str, redirect_uri: str, state: str
) -> Authorization:
    verifier = secrets.token_urlsafe(64)  # 86 characters; RFC 7636 allows 43-128
    query = {
        "client_key": str(config.get("client_key") or ""),
        "response_type": "code",
        "scope": ",".join(SCOPES),
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": challenge(verifier),
        "code_challenge_method": "S256",
    }
    separator = "&" if "?" in authorize_url else "?"
    url = f"{authorize_url}{separator}{urlencode(query, quote_via=quote, safe=',')}"
    return Authorization(url, verifier)


def connect(
    session: requests.Session,
    config: Mapping[str, Any],
    api_url: str,
    now: Callable[[], datetime],
    code: str,
    redirect_uri: str,
    verifier: str,
) -> list[Connection]:
    """Exchange the code; name the account from /v2/user/info/ (open_id, display
    name, avatar) and creator_info (the @username that post URLs need, which
    user.info.basic does not give)."""
    secret = str(config.get("client_secret") or "")
    form = {
        "client_key": str(config.get("client_key") or ""),
        "client_secret": secret,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    tokens = token_request(session, api_url, form, [code, verifier, secret])
    granted = set(re.split(r"[,\s]+", str(tokens.get("scope") or "").strip())) - {""}
    missing = sorted(NEEDED - granted) if granted else []
    if missing:
        raise Permanent(
            words(
                "TikTok did not grant SMO %(scopes)s; connect again and allow everything "
                "SMO asks for.",
                scopes=", ".join(missing),
            ),
            code="scope",
        )
    access = str(tokens["access_token"])
    client = TikTokClient(session, api_url, access, now=now, hidden=(secret,))
    user = client.get("/v2/user/info/", {"fields": USER_FIELDS}).get("user") or {}
    info = client.post("/v2/post/publish/creator_info/query/", {}, Call.READ)
    open_id = str(user.get("open_id") or tokens.get("open_id") or "")
    username = str(info.get("creator_username") or "")
    name = str(user.get("display_name") or info.get("creator_nickname") or f"@{username}")
    creds = Credentials(
        open_id,
        username,
        {"access_token": access, "refresh_token": str(tokens.get("refresh_token") or "")},
        expires_at=expiry(tokens, now),
    )
    picture = str(user.get("avatar_url") or info.get("creator_avatar_url") or "")
    return [Connection("tiktok", creds, name, picture)]


def refresh(
    session: requests.Session,
    config: Mapping[str, Any],
    api_url: str,
    now: Callable[[], datetime],
    creds: Credentials,
) -> Credentials:
    old = str(creds.secrets.get("refresh_token") or "")
    if not old:
        raise AuthExpired(words("This TikTok account has no refresh token; reconnect it."))
    secret = str(config.get("client_secret") or "")
    form = {
        "client_key": str(config.get("client_key") or ""),
        "client_secret": secret,
        "grant_type": "refresh_token",
        "refresh_token": old,
    }
    tokens = token_request(session, api_url, form, [old, secret])
    return Credentials(
        creds.external_id,
        creds.handle,
        {
            "access_token": str(tokens["access_token"]),
            "refresh_token": str(tokens.get("refresh_token") or old),
        },
        expires_at=expiry(tokens, now),
        options=creds.options,
    )


def expiry(tokens: Mapping[str, Any], now: Callable[[], datetime]) -> datetime:
    try:
        seconds = int(tokens.get("expires_in") or ACCESS_LIFETIME)
    except (TypeError, ValueError):
        seconds = ACCESS_LIFETIME
    return now() + timedelta(seconds=seconds)

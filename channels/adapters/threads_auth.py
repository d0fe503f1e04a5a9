"""Connecting a Threads account, and keeping its token alive (platforms.md §4).

- The person approves SMO at the authorize URL (scopes threads_basic and
  threads_content_publish); Threads sends a code back to the redirect URI.
- POST /oauth/access_token exchanges the code for a short-lived token (1 hour)
  and the Threads user id.
- GET /access_token?grant_type=th_exchange_token swaps that for a long-lived
  token: 60 days (`expires_in` about 5,184,000 s).
- GET /refresh_access_token?grant_type=th_refresh_token gives a new 60 days,
  but only for a long-lived token at least 24 hours old and not yet expired.
  There is no refresh token: a token that ran out needs the person again, so
  ThreadsAdapter.refresh_margin asks for the refresh days ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import requests

from channels.adapters.base import (
    AdapterError,
    AuthExpired,
    Authorization,
    Connection,
    Credentials,
    Permanent,
    RateLimited,
    Transient,
)
from channels.adapters.graph import Call
from channels.adapters.threads_api import ThreadsAPI
from channels.words import words

AUTHORIZE_URL = "https://threads.net/oauth/authorize"
# Replies (the posts after the first in a thread, and answers in the inbox) need
# threads_manage_replies, and finding a reply whose answer was lost, or reading
# a post's replies, threads_read_replies (§4). The inbox reads mentions with
# threads_manage_mentions and deletes the account's own replies with threads_delete;
# analytics read insights with threads_manage_insights (Threads Insights API).
SCOPES = (
    "threads_basic",
    "threads_content_publish",
    "threads_manage_replies",
    "threads_read_replies",
    "threads_manage_mentions",
    "threads_delete",
    "threads_manage_insights",
)
PROFILE_FIELDS = "id,username,name,threads_profile_picture_url"
LONG_LIVED = timedelta(days=60)  # when Threads does not say (`expires_in`)
# A token younger than this cannot be refreshed yet (platforms.md §4).
MIN_REFRESH_AGE = timedelta(hours=24)


def authorization(config: Mapping[str, Any], redirect_uri: str, state: str) -> Authorization:
    base = str(config.get("authorize_url") or AUTHORIZE_URL)
    query = {
        "client_id": str(config.get("app_id") or ""),
        "redirect_uri": redirect_uri,
        "scope": ",".join(SCOPES),
        "response_type": "code",
        "state": state,
    }
    separator = "&" if "?" in base else "?"
    return Authorization(f"{base}{separator}{urlencode(query, quote_via=quote, safe=',')}")


def connect(
    session: requests.Session,
    config: Mapping[str, Any],
    now: Callable[[], datetime],
    code: str,
    redirect_uri: str,
) -> list[Connection]:
    """Exchange the code, make the token long-lived, and name the account from /me."""
    app_id, secret = str(config.get("app_id") or ""), str(config.get("app_secret") or "")
    api_url = str(config.get("api_url") or "")
    app = ThreadsAPI(session, api_url, "", now=now, hidden=(secret, code))
    try:
        short = app.send(
            "POST",
            "oauth/access_token",
            Call.READ,
            versioned=False,
            data={
                "client_id": app_id,
                "client_secret": secret,
                "grant_type": "authorization_code",
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )
        short_token = _token(short)
        swap = ThreadsAPI(session, api_url, short_token, now=now, hidden=(secret,))
        long = swap.get(
            "access_token", versioned=False, grant_type="th_exchange_token", client_secret=secret
        )
        token = _token(long)
        me = ThreadsAPI(session, api_url, token, now=now, hidden=(secret, short_token)).get(
            "me", fields=PROFILE_FIELDS
        )
    except (AuthExpired, Permanent) as error:
        # A refused code or swap: the person tries again; nothing is stored yet.
        raise Permanent(
            words(
                "Threads did not accept the sign-in (%(reason)s); try connecting again.",
                reason=error.words,
            ),
            status=error.status,
            code=error.code,
        ) from None
    user_id = str(me.get("id") or short.get("user_id") or "")
    username = str(me.get("username") or "")
    creds = Credentials(
        user_id, username, {"access_token": token}, expires_at=expiry(long, now(), LONG_LIVED)
    )
    name = str(me.get("name") or (f"@{username}" if username else user_id))
    return [Connection("threads", creds, name, str(me.get("threads_profile_picture_url") or ""))]


def refresh(
    session: requests.Session,
    config: Mapping[str, Any],
    now: Callable[[], datetime],
    creds: Credentials,
) -> Credentials:
    """Swap the long-lived token for one with 60 days ahead of it.

    An expired token, or one Threads refuses, cannot be refreshed: AuthExpired,
    and a person reconnects. A token too young to refresh that still reached
    here was refused by Threads already (the 7-day margin never asks for a
    60-day token this young), so it is dead too.
    """
    token = str(creds.secrets.get("access_token") or "")
    moment = now()
    if not token:
        raise AuthExpired(words("This Threads account has no access token; reconnect it."))
    if creds.expires_at is not None and creds.expires_at <= moment:
        raise AuthExpired(
            words("The Threads access token expired; reconnect the account."), code="expired"
        )
    if creds.expires_at is not None and creds.expires_at - moment > LONG_LIVED - MIN_REFRESH_AGE:
        raise AuthExpired(
            words(
                "Threads refuses this account's token and it is too new to refresh; "
                "reconnect the account."
            ),
            code="too-new",
        )
    api = ThreadsAPI(
        session,
        str(config.get("api_url") or ""),
        token,
        now=now,
        hidden=(str(config.get("app_secret") or ""),),
    )
    try:
        answer = api.get("refresh_access_token", versioned=False, grant_type="th_refresh_token")
        fresh = _token(answer)
    except (Transient, RateLimited):
        raise  # tried again later, while the token still works
    except AdapterError as error:
        raise AuthExpired(
            words(
                "Threads would not refresh the access token (%(reason)s); reconnect the account.",
                reason=error.words,
            ),
            status=error.status,
            code=error.code,
        ) from None
    return Credentials(
        creds.external_id,
        creds.handle,
        {**creds.secrets, "access_token": fresh},
        expires_at=expiry(answer, moment, LONG_LIVED),
        options=creds.options,
    )


def _token(answer: Mapping[str, Any]) -> str:
    token = str(answer.get("access_token") or "")
    if not token:
        raise Transient(words("Threads' token endpoint answered without a token."), code="no-token")
    return token


def expiry(answer: Mapping[str, Any], now: datetime, default: timedelta) -> datetime:
    try:
        seconds = int(answer.get("expires_in") or 0)
    except (TypeError, ValueError):
        seconds = 0
    return now + (timedelta(seconds=seconds) if seconds > 0 else default)

"""TikTok's HTTP API on SMO's outbound session, and what its answers mean.

TikTok has no Python client library SMO uses: every call is plain JSON over the
shared session (platforms.md §7). Every API answer carries the envelope
`{"data": {...}, "error": {"code", "message", "log_id"}}`, with code "ok" when
nothing went wrong; some refusals arrive with HTTP 200 and a non-ok code, so the
code decides, and the HTTP status only where the code is unknown.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any

import requests

from channels.adapters import session as outbound
from channels.adapters.base import (
    AdapterError,
    AuthExpired,
    Permanent,
    RateLimited,
    Transient,
    Unknown,
    scrub,
)
from channels.words import Words, words

API_URL = "https://open.tiktokapis.com"
JSON_TYPE = "application/json; charset=UTF-8"  # what every endpoint asks for (§7)
# "Request rate calculation is based on a one minute sliding window" and a 429
# names no reset time (developers.tiktok.com/doc/tiktok-api-v2-rate-limit).
RATE_WINDOW = timedelta(minutes=1)
# The per-creator daily post cap and the app's daily active-user cap are
# unpublished rolling windows (§7). Asking again costs one creator_info call and
# posts nothing, so SMO asks hourly rather than waiting a whole day.
CAP_WAIT = timedelta(hours=1)

# Codes that mean the token is dead or lacks a scope: a refresh, then a person
# reconnecting (and granting the scope), is the way out.
AUTH_CODES = frozenset(
    {
        "access_token_invalid",
        "access_token_expired",
        "scope_not_authorized",
        "scope_permission_missed",
    }
)
# Caps that lift with time (§7; creator_info reports them first).
CAP_CODES = frozenset(
    {"spam_risk_too_many_posts", "reached_active_user_cap", "spam_risk_too_many_pending_share"}
)
# "internal_error" is documented (§7); "internal" is what fail_reason says.
SERVER_CODES = frozenset({"internal_error", "internal"})


class Call(Enum):
    """What a call does, which decides what an unanswered call means."""

    READ = "read"  # creator_info, status/fetch, video/list, user/info
    PREPARE = "prepare"  # FILE_UPLOAD init: nothing is posted until SMO sends the file
    CREATE = "create"  # PULL_FROM_URL and photo init: TikTok fetches and posts on its own


@dataclass(frozen=True)
class TikTokError:
    """The `error` object of TikTok's envelope (§7)."""

    code: str
    message: str = ""
    log_id: str = ""

    @classmethod
    def parse(cls, body: object) -> TikTokError | None:
        error = body.get("error") if isinstance(body, Mapping) else None
        if not isinstance(error, Mapping):
            return None
        return cls(
            code=str(error.get("code") or ""),
            message=str(error.get("message") or ""),
            log_id=str(error.get("log_id") or ""),
        )

    @property
    def ok(self) -> bool:
        return self.code == "ok"


def _advice(code: str, reason: str) -> Words | None:
    """What a person can do about a refusal TikTok explains with a code (§7)."""
    if code == "spam_risk_user_banned_from_posting":
        return words(
            "TikTok has stopped this account from posting (%(reason)s). "
            "Check the account in the TikTok app.",
            reason=reason,
        )
    if code == "unaudited_client_can_only_post_to_private_accounts":
        return words(
            "TikTok lets this app post only to private accounts until TikTok has audited "
            "it. Make the TikTok account private, or have the app audited."
        )
    if code == "url_ownership_unverified":
        return words(
            "TikTok fetches media only from a domain verified for this app. Verify the "
            "domain of SMO_PUBLIC_URL under URL properties in the TikTok developer portal, "
            "or, for videos, set TIKTOK_PULL_FROM_URL=false so SMO uploads the file."
        )
    if code == "privacy_level_option_mismatch":
        return words(
            "TikTok does not offer the chosen privacy level for this account (%(reason)s). "
            "Choose one of the account's own.",
            reason=reason,
        )
    if code == "spam_risk_text":
        return words("TikTok took the text for spam (%(reason)s). Change it.", reason=reason)
    return None


def error_for(
    status: int | None,
    error: TikTokError | None,
    *,
    headers: Mapping[str, str],
    call: Call,
    now: datetime,
) -> AdapterError:
    """Return the adapter error for a TikTok answer (platforms.md §7, STYLE.md §3)."""
    code = error.code if error and not error.ok else ""
    reason = (error.message if error else "") or code or f"HTTP {status}"
    kw: dict[str, Any] = {"status": status, "code": code}
    if code in AUTH_CODES or (not code and status == 401):
        return AuthExpired(
            words(
                "TikTok no longer accepts this account's access (%(reason)s). "
                "Reconnect the account and allow everything SMO asks for.",
                reason=reason,
            ),
            **kw,
        )
    if code == "rate_limit_exceeded" or (not code and status == 429):
        again = retry_at(headers, now)
        return RateLimited(
            words(
                "TikTok asks to slow down (rate limit); SMO tries again after %(time)s UTC.",
                time=f"{again.astimezone(UTC):%H:%M}",
            ),
            again,
            **kw,
        )
    if code in CAP_CODES:
        again = now + CAP_WAIT
        return RateLimited(
            words(
                "TikTok will take no more posts from this account or app for now "
                "(%(reason)s); SMO tries again after %(time)s UTC.",
                reason=reason,
                time=f"{again.astimezone(UTC):%H:%M}",
            ),
            again,
            **kw,
        )
    if code in SERVER_CODES or (not code and (status is None or status >= 500)):
        what = words("TikTok had an internal error (%(reason)s)", reason=reason)
        return uncertain(call, what, **kw)
    advice = _advice(code, reason)
    if advice is not None:
        return Permanent(advice, **kw)
    return Permanent(words("TikTok refused this: %(reason)s", reason=reason), **kw)


def uncertain(call: Call, what: Words, **kw: Any) -> AdapterError:
    """A call that may or may not have been carried out."""
    if call is Call.CREATE:
        return Unknown(
            words("%(what)s; the post may exist, so SMO checks before trying again.", what=what),
            **kw,
        )
    return Transient(words("%(what)s; nothing was posted, trying again is safe.", what=what), **kw)


def retry_at(headers: Mapping[str, str], now: datetime) -> datetime:
    """When to come back after a 429: a Retry-After or X-RateLimit-Reset header where
    one is sent (TikTok documents none), else one sliding window from now."""
    lower = {k.lower(): v for k, v in headers.items()}
    after = lower.get("retry-after", "").strip()
    if after.isdigit():
        return now + timedelta(seconds=int(after))
    if after:
        try:
            return max(parsedate_to_datetime(after).astimezone(UTC), now)
        except (TypeError, ValueError):
            pass
    reset = lower.get("x-ratelimit-reset", "").strip()
    if reset.isdigit():
        return max(datetime.fromtimestamp(int(reset), UTC), now)
    return now + RATE_WINDOW


def request_error(exc: requests.RequestException, call: Call) -> AdapterError:
    """Map a failure to talk to TikTok. requests' own message may hold a URL with an
    upload token, so only the exception's class name is kept."""
    name = type(exc).__name__
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return Permanent(
            words("TikTok: the configured URL is invalid (%(error)s).", error=name), code=name
        )
    if nothing_sent(exc):
        return Transient(
            words("TikTok could not be reached (%(error)s); nothing was sent.", error=name),
            code=name,
        )
    return uncertain(call, words("TikTok did not answer (%(error)s)", error=name), code=name)


def nothing_sent(exc: requests.RequestException) -> bool:
    """As outbound.nothing_sent, and a failed TLS handshake too: TikTok's upload
    host is reached over a fresh connection per chunk."""
    return isinstance(exc, requests.exceptions.SSLError) or outbound.nothing_sent(exc)


def body_of(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class TikTokClient:
    """The calls of one access token; every failure comes out as an AdapterError."""

    def __init__(
        self,
        session: requests.Session,
        api_url: str,
        token: str,
        *,
        now: Callable[[], datetime],
        hidden: tuple[str, ...] = (),
    ) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")
        self.now = now
        self._token = token
        self._hidden = tuple(s for s in (token, *hidden) if s)

    def __repr__(self) -> str:
        return f"TikTokClient(api_url={self.api_url!r}, token=<hidden>)"

    def post(
        self,
        path: str,
        body: Mapping[str, Any] | None,
        call: Call,
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """POST a JSON body; return the envelope's `data`."""
        payload = json.dumps(body if body is not None else {}).encode()
        return self._send("POST", path, call, data=payload, params=params)

    def get(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        return self._send("GET", path, Call.READ, params=params)

    def _send(self, method: str, path: str, call: Call, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._token}", "Content-Type": JSON_TYPE}
        try:
            response = self.session.request(
                method, f"{self.api_url}{path}", headers=headers, **kwargs
            )
        except requests.RequestException as exc:
            error = request_error(exc, call)
        else:
            body = body_of(response)
            envelope = TikTokError.parse(body)
            if response.ok and envelope is not None and envelope.ok:
                data = body.get("data")
                return data if isinstance(data, dict) else {}
            if response.ok and envelope is None:
                # A 2xx without TikTok's envelope: a proxy's page, a cut-off body.
                what = words(
                    "TikTok sent an unexpected answer (HTTP %(status)s)",
                    status=response.status_code,
                )
                error = uncertain(call, what, status=response.status_code, code="not-json")
            else:
                if envelope is not None:
                    # TikTok's own message goes into the sentence people read.
                    envelope = replace(envelope, message=scrub(envelope.message, self._hidden))
                error = error_for(
                    response.status_code,
                    envelope,
                    headers=response.headers,
                    call=call,
                    now=self.now(),
                )
        # Raised outside the except block, so no requests exception (whose
        # message may hold an upload URL) rides along as its context.
        raise error


# --- The token endpoint ------------------------------------------------------------


def token_request(
    session: requests.Session,
    api_url: str,
    form: dict[str, str],
    hidden: Iterable[str],
) -> dict[str, Any]:
    """POST /v2/oauth/token/ (form-encoded, client_key and client_secret in the body;
    §7) and return the tokens, or raise: AuthExpired for a refresh TikTok refuses,
    Permanent for a sign-in it refuses, Transient when TikTok could not answer."""
    refreshing = form.get("grant_type") == "refresh_token"
    hidden = tuple(hidden)
    try:
        response = session.post(
            f"{api_url.rstrip('/')}/v2/oauth/token/",
            data=form,
            headers={"Cache-Control": "no-cache"},
        )
    except requests.RequestException as exc:
        # Either way nothing is lost but time, though a refresh TikTok did
        # receive may have spent the old refresh token.
        raise Transient(
            words("TikTok's token endpoint did not answer (%(error)s).", error=type(exc).__name__)
        ) from None
    body = body_of(response)
    if response.ok and isinstance(body, dict) and body.get("access_token"):
        return body
    if response.status_code >= 500 or (not response.ok and body is None):
        raise Transient(
            words(
                "TikTok's token endpoint had a problem (HTTP %(status)s); trying again later.",
                status=response.status_code,
            ),
            status=response.status_code,
        )
    # OAuth errors come as {"error": "invalid_grant", "error_description": ...},
    # sometimes with HTTP 200 (Manage User Access Tokens guide).
    fields = body if isinstance(body, dict) else {}
    code = fields.get("error")
    code = code if isinstance(code, str) else ""
    reason = scrub(str(fields.get("error_description") or code or response.reason), hidden)
    if refreshing:
        raise AuthExpired(
            words(
                "TikTok would not refresh the access (%(reason)s); reconnect the account.",
                reason=reason,
            ),
            status=response.status_code,
            code=code,
        )
    raise Permanent(
        words(
            "TikTok did not accept the sign-in (%(reason)s); try connecting again.", reason=reason
        ),
        status=response.status_code,
        code=code,
    )

"""XRPC calls to a Bluesky PDS with the `atproto` client, over SMO's own session,
and what the answers mean (platforms.md §11, §14).

`atproto` 0.0.73 sends through an httpx client of its own that follows
redirects and has no SMO timeout; `SessionRequest` hands its requests to the
shared outbound session instead (a timeout on every call, no retries, SMO's
User-Agent), so the PDS and the tests' fake see what every adapter sends. The
client's own session machinery (login, refresh when `exp` is near, switching
to the PDS in the DID document) is not used: the adapter keeps the tokens and
sends `Authorization` itself, so nothing refreshes or moves behind its back.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import requests
from atproto_client import Client
from atproto_client.exceptions import RequestErrorBase
from atproto_client.models.common import XrpcError
from atproto_client.request import Request, RequestBase, _handle_response, _parse_response
from atproto_client.request import Response as XrpcResponse
from atproto_core.exceptions import AtProtocolError

from channels.adapters.base import (
    AdapterError,
    AuthExpired,
    Permanent,
    RateLimited,
    Transient,
    Unknown,
    scrub,
)
from channels.adapters.session import nothing_sent
from channels.words import Words, words

T = TypeVar("T")
# Without a `ratelimit-reset` header, come back after the shortest documented
# window (createSession's and the per-IP limit are 5 minutes, §11).
RATE_LIMIT_WAIT = timedelta(minutes=5)
# Error names that mean the token or password is no good (§11).
AUTH_ERRORS = frozenset({"AuthenticationRequired", "InvalidToken", "AccountTakedown"})
# Headers of the answer that no longer describe the body requests hands over
# (it has already undone any compression).
STALE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class TokenExpired(AuthExpired):
    """The access token is past its `exp` (400 ExpiredToken): refresh and try once more."""


class SessionRequest(Request):
    """atproto's Request, sent through a requests session instead of httpx."""

    def __init__(self, session: requests.Session) -> None:
        RequestBase.__init__(self)  # no httpx client: nothing of it is used
        self.session = session

    def _new_instance(self) -> SessionRequest:
        return type(self)(self.session)

    def _send_request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = self.get_headers(kwargs.pop("headers", None))
        body = kwargs.pop("content", None)
        if body is None:
            body = kwargs.pop("data", None)
        params = {
            k: (str(v).lower() if isinstance(v, bool) else v)
            for k, v in (kwargs.pop("params", None) or {}).items()
        }
        # requests' own exceptions pass through untouched: error_for tells a
        # connection that never opened from an answer that was lost.
        answer = self.session.request(
            method, url, headers=headers, params=params, data=body, allow_redirects=False
        )
        kept = [(k, v) for k, v in answer.headers.items() if k.lower() not in STALE_HEADERS]
        response = httpx.Response(answer.status_code, headers=kept, content=answer.content)
        return _handle_response(response)

    def get(self, *args: Any, **kwargs: Any) -> XrpcResponse:
        return _parse_response(self._send_request("GET", *args, **kwargs))

    def post(self, *args: Any, **kwargs: Any) -> XrpcResponse:
        return _parse_response(self._send_request("POST", *args, **kwargs))

    def close(self) -> None:
        pass  # the session is SMO's, shared


class Pds:
    """One account's calls to its PDS; every failure comes back as an AdapterError
    with no token or password in it."""

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        *,
        now: Callable[[], datetime],
        hidden: Iterable[str] = (),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = Client(base_url=self.base_url, request=SessionRequest(session))
        self.now = now
        self.hidden = [h for h in hidden if h]

    def use_token(self, token: str) -> None:
        self.hidden.append(token)
        self.client.request.add_additional_header("Authorization", f"Bearer {token}")

    def query(self, nsid: str, what: Words, params: Any = None, **kwargs: Any) -> dict[str, Any]:
        return self._call(
            lambda: self.client.invoke_query(nsid, params=params, **kwargs), what, False
        )

    def procedure(
        self, nsid: str, what: Words, data: Any = None, *, creating: bool = False, **kwargs: Any
    ) -> dict[str, Any]:
        """POST to `nsid`; `creating` marks the call that makes a post, whose lost
        answer leaves us not knowing."""
        if data is not None:
            kwargs.setdefault("input_encoding", "application/json")  # headers may say otherwise
        return self._call(
            lambda: self.client.invoke_procedure(nsid, data=data, **kwargs), what, creating
        )

    def _call(
        self, send: Callable[[], XrpcResponse], what: Words, creating: bool
    ) -> dict[str, Any]:
        try:
            response = send()
        except (AtProtocolError, requests.RequestException) as error:
            raise error_for(
                error, what, creating=creating, now=self.now(), hidden=self.hidden
            ) from None
        if not isinstance(response.content, dict):
            raise Transient(
                words(
                    "The Bluesky server answered %(what)s with something that is not JSON.",
                    what=what,
                ),
                status=response.status_code,
            )
        return response.content


def error_for(
    error: Exception, what: Words, *, creating: bool, now: datetime, hidden: Iterable[str]
) -> AdapterError:
    """Map a failed XRPC call to the error taxonomy (platforms.md §11, STYLE.md §3)."""
    if isinstance(error, requests.RequestException):
        return lost(error, creating=creating)
    response = error.response if isinstance(error, RequestErrorBase) else None
    if response is None:  # atproto's own transport errors (not raised over SessionRequest)
        name = type(error).__name__
        if creating:
            return Unknown(
                words(
                    "The Bluesky server did not answer after the post was sent (%(error)s); it may exist.",
                    error=name,
                ),
                code=name,
            )
        return Transient(
            words("Could not reach the Bluesky server (%(error)s).", error=name), code=name
        )
    status = response.status_code
    name, message = xrpc_error(response.content)
    reason = scrub(message or name or f"HTTP {status}", hidden)
    kw: dict[str, Any] = {"status": status, "code": name}
    if name == "ExpiredToken":
        return TokenExpired(
            words("Bluesky says the session has expired: %(reason)s", reason=reason), **kw
        )
    if status == 401 or name in AUTH_ERRORS:
        return AuthExpired(
            words("Bluesky did not accept the account's sign-in: %(reason)s", reason=reason), **kw
        )
    if status == 429:
        again = retry_at(response.headers, now)
        return RateLimited(
            words(
                "Bluesky's rate limit was reached (%(reason)s); SMO tries again after %(time)s UTC.",
                reason=reason,
                time=f"{again:%H:%M:%S}",
            ),
            again,
            **kw,
        )
    if status >= 500 or status in (408, 502):
        # A create's 5xx is settled by looking its rkey up (bluesky.py); here it
        # is only a temporary problem.
        return Transient(
            words(
                "The Bluesky server had a temporary problem with %(what)s (%(status)s): %(reason)s",
                what=what,
                status=status,
                reason=reason,
            ),
            **kw,
        )
    return Permanent(words("Bluesky refused %(what)s: %(reason)s", what=what, reason=reason), **kw)


def xrpc_error(content: Any) -> tuple[str, str]:
    """The `{"error", "message"}` of an XRPC error body (§11), as far as it has them."""
    if isinstance(content, XrpcError):
        return str(content.error or ""), str(content.message or "")
    if isinstance(content, (bytes, str)):
        try:
            content = json.loads(content)
        except ValueError:
            return "", ""
    if isinstance(content, Mapping):
        return str(content.get("error") or ""), str(content.get("message") or "")
    return "", ""


def retry_at(headers: Mapping[str, str], now: datetime) -> datetime:
    """When to come back after a 429: `ratelimit-reset` (unix seconds, §11), else
    Retry-After seconds, else RATE_LIMIT_WAIT."""
    reset = str(headers.get("ratelimit-reset") or "").strip()
    if reset.isdigit():
        return max(datetime.fromtimestamp(int(reset), UTC), now)
    after = str(headers.get("retry-after") or "").strip()
    if after.isdigit():
        return now + timedelta(seconds=int(after))
    return now + RATE_LIMIT_WAIT


def lost(error: requests.RequestException, *, creating: bool) -> AdapterError:
    """A call that got no answer: only the error's class name is kept, since
    requests' messages hold the URL."""
    name = type(error).__name__
    if nothing_sent(error):
        return Transient(
            words("Could not reach the Bluesky server (%(error)s); nothing was sent.", error=name),
            code=name,
        )
    if creating:
        return Unknown(
            words(
                "The Bluesky server did not answer after the post was sent (%(error)s); "
                "it may exist, so SMO looks it up before trying again.",
                error=name,
            ),
            code=name,
        )
    return Transient(
        words("The Bluesky server did not answer (%(error)s); nothing was posted.", error=name),
        code=name,
    )


def jwt_expiry(token: str) -> datetime | None:
    """The `exp` claim of a JWT, read without checking its signature: only the
    PDS can check it, and SMO only wants to know when to refresh."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, ValueError, KeyError, TypeError, binascii.Error, OverflowError):
        return None

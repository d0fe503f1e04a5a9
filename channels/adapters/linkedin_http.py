"""LinkedIn's versioned REST API on SMO's outbound session, and what its answers mean
(platforms.md §5).

Every /rest call carries `LinkedIn-Version` (YYYYMM, from LINKEDIN_VERSION) and
`X-Restli-Protocol-Version: 2.0.0`. There is no client library: `LinkedInAPI`
makes the calls with the account's bearer token and turns every failure into
the adapter error classes (STYLE.md §3). `token_request` is the OAuth token
endpoint (www.linkedin.com/oauth/v2/accessToken), which takes the app's id and
secret in the form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

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

API_URL = "https://api.linkedin.com"
OAUTH_URL = "https://www.linkedin.com/oauth/v2"
RESTLI_VERSION = "2.0.0"
# A 429 without the daily throttle's code is infra protection (platforms.md §5:
# "may also be infra-protection 429"): short-lived, so come back soon.
SHORT_WAIT = timedelta(minutes=5)
DAILY_THROTTLE = 101  # serviceErrorCode of "Resource level throttle limit ... reached"


@dataclass(frozen=True)
class LinkedInError:
    """LinkedIn's error body: `status`, `serviceErrorCode`, `code`, `message`, and for
    validation errors `errorDetails.inputErrors[].code` (DUPLICATE_POST, ...)."""

    code: str = ""
    service_code: int | None = None
    message: str = ""
    input_codes: tuple[str, ...] = ()
    input_texts: tuple[str, ...] = ()

    @classmethod
    def parse(cls, body: Any) -> LinkedInError:
        if not isinstance(body, Mapping):
            return cls()
        service = body.get("serviceErrorCode")
        details = body.get("errorDetails")
        inputs = details.get("inputErrors") if isinstance(details, Mapping) else None
        inputs = [i for i in inputs or [] if isinstance(i, Mapping)]
        return cls(
            code=str(body.get("code") or ""),
            service_code=service
            if isinstance(service, int) and not isinstance(service, bool)
            else None,
            message=str(body.get("message") or ""),
            input_codes=tuple(str(i.get("code") or "") for i in inputs),
            input_texts=tuple(str(i.get("description") or "") for i in inputs),
        )

    @property
    def duplicate(self) -> bool:
        return "DUPLICATE_POST" in self.input_codes or self.code == "DUPLICATE_POST"

    @property
    def duplicate_of(self) -> str:
        """The URN LinkedIn names in "Content is a duplicate of urn:li:share:…", if any."""
        marker = "duplicate of "
        if marker not in self.message:
            return ""
        urn = self.message.split(marker, 1)[1].split()[0].rstrip(".,;")
        return urn if urn.startswith("urn:li:") else ""


class DuplicatePost(Permanent):
    """LinkedIn's 422 DUPLICATE_POST: the same text by the same author is already
    posted. `duplicate_of` is the URN LinkedIn names, when it does."""

    def __init__(self, detail: Words | str, duplicate_of: str = "", **kwargs: Any) -> None:
        super().__init__(detail, duplicate=True, **kwargs)
        self.duplicate_of = duplicate_of


class LinkedInAPI:
    """One account's calls; every failure comes back as an AdapterError with no secret in it."""

    def __init__(
        self,
        session: requests.Session,
        api_url: str,
        version: str,
        token: str,
        *,
        now: Callable[[], datetime],
        hidden: Iterable[str] = (),
    ) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")
        self.version = version
        self.token = token
        self.now = now
        self.hidden = (token, *hidden)

    def headers(self, path: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if path.startswith("/rest/"):
            headers["LinkedIn-Version"] = self.version
            headers["X-Restli-Protocol-Version"] = RESTLI_VERSION
        return headers

    def get(
        self, path: str, what: Words, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        response = self.send("GET", path, what, creating=False, params=dict(params or {}))
        body = _json(response)
        if not isinstance(body, dict):
            raise Transient(
                words("LinkedIn answered %(what)s with something that is not JSON.", what=what),
                status=response.status_code,
            )
        return body

    def post(
        self,
        path: str,
        what: Words,
        body: Mapping[str, Any],
        *,
        creating: bool = False,
        params: Mapping[str, Any] | None = None,
    ) -> requests.Response:
        """POST JSON; `creating` marks the call that makes the post public, whose
        lost answer leaves us not knowing. Returns the response: the post's URN
        comes in a header."""
        return self.send(
            "POST", path, what, creating=creating, json=dict(body), params=dict(params or {})
        )

    def send(
        self, method: str, path: str, what: Words, *, creating: bool, **kwargs: Any
    ) -> requests.Response:
        try:
            response = self.session.request(
                method, f"{self.api_url}{path}", headers=self.headers(path), **kwargs
            )
        except requests.RequestException as error:
            raise lost(error, creating=creating) from None
        if not response.ok:
            raise error_for(response, what, creating=creating, now=self.now(), hidden=self.hidden)
        return response


def error_for(
    response: requests.Response,
    what: Words,
    *,
    creating: bool,
    now: datetime,
    hidden: Iterable[str],
) -> AdapterError:
    """Map a LinkedIn error answer to the error taxonomy (platforms.md §5, STYLE.md §3)."""
    status = response.status_code
    error = LinkedInError.parse(_json(response))
    reason = scrub(
        error.message or "; ".join(t for t in error.input_texts if t) or f"HTTP {status}",
        hidden,
    )
    kw: dict[str, Any] = {"status": status, "code": _code(error)}
    if status == 401:
        return AuthExpired(
            words("LinkedIn did not accept the account's token: %(reason)s", reason=reason), **kw
        )
    if status == 429:
        again = retry_at(error, now)
        message = words(
            "LinkedIn's rate limit was reached (%(reason)s); SMO tries again after %(time)s UTC.",
            reason=reason,
            time=f"{again:%Y-%m-%d %H:%M}",
        )
        return RateLimited(message, again, **kw)
    if (
        status == 426
        or error.code == "NONEXISTENT_VERSION"
        or "version must be present" in (error.message.lower())
    ):
        return Permanent(
            words(
                "LinkedIn no longer serves the API version SMO asks for (%(reason)s); "
                "set LINKEDIN_VERSION to a current month (YYYYMM).",
                reason=reason,
            ),
            **kw,
        )
    if error.duplicate:
        return DuplicatePost(
            words("LinkedIn refused %(what)s as a duplicate: %(reason)s", what=what, reason=reason),
            error.duplicate_of,
            **kw,
        )
    if status >= 500 and creating:
        # POST /rest/posts has no idempotency key: a server error may hide a made post.
        return Unknown(
            words(
                "LinkedIn answered %(status)s while creating the post; it may exist, "
                "so SMO checks before trying again.",
                status=status,
            ),
            **kw,
        )
    if status >= 500:
        return Transient(
            words(
                "LinkedIn had a temporary problem with %(what)s (%(status)s): %(reason)s",
                what=what,
                status=status,
                reason=reason,
            ),
            **kw,
        )
    return Permanent(words("LinkedIn refused %(what)s: %(reason)s", what=what, reason=reason), **kw)


def retry_at(error: LinkedInError, now: datetime) -> datetime:
    """When to come back after a 429. LinkedIn sends no Retry-After; its per-member
    and per-app counters are daily and reset at 00:00 UTC (§5), so the daily
    throttle (serviceErrorCode 101) waits for the next UTC midnight: nothing
    sooner can succeed. Any other 429 is infra protection and passes in minutes."""
    if error.service_code != DAILY_THROTTLE:
        return now + SHORT_WAIT
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1)


def lost(error: requests.RequestException, *, creating: bool) -> AdapterError:
    """A call that got no answer: only the error's class name is kept, since
    requests' messages can hold a URL."""
    name = type(error).__name__
    if nothing_sent(error):
        return Transient(
            words("Could not reach LinkedIn (%(error)s); nothing was sent.", error=name), code=name
        )
    if creating:
        return Unknown(
            words(
                "LinkedIn did not answer after the post was sent (%(error)s); it may exist.",
                error=name,
            ),
            code=name,
        )
    return Transient(
        words("LinkedIn did not answer (%(error)s); nothing was posted.", error=name), code=name
    )


def token_request(
    session: requests.Session,
    oauth_url: str,
    form: Mapping[str, str],
    *,
    hidden: Iterable[str],
) -> dict[str, Any]:
    """POST to {oauth_url}/accessToken. A refused refresh is AuthExpired (a person
    must reconnect); a refused code exchange is Permanent (connect again)."""
    secrets = tuple(hidden)
    refreshing = form.get("grant_type") == "refresh_token"
    try:
        response = session.post(
            f"{oauth_url.rstrip('/')}/accessToken",
            data=dict(form),
            headers={"Accept": "application/json"},
        )
    except requests.RequestException as error:
        name = type(error).__name__
        raise Transient(
            words("Could not reach LinkedIn's token endpoint (%(error)s).", error=name), code=name
        ) from None
    body = _json(response)
    if response.ok and isinstance(body, dict) and body.get("access_token"):
        return body
    status = response.status_code
    if response.ok or status == 429 or status >= 500:
        raise Transient(
            words("LinkedIn's token endpoint had a problem (%(status)s).", status=status),
            status=status,
        )
    # OAuth errors: {"error": "invalid_request", "error_description": "..."}.
    data = body if isinstance(body, dict) else {}
    reason = scrub(
        str(data.get("error_description") or data.get("error") or f"HTTP {status}"), secrets
    )
    kw: dict[str, Any] = {"status": status, "code": str(data.get("error") or "")}
    if refreshing:
        raise AuthExpired(
            words(
                "LinkedIn would not refresh the token (%(reason)s); reconnect the account.",
                reason=reason,
            ),
            **kw,
        )
    raise Permanent(
        words(
            "LinkedIn did not accept the sign-in (%(reason)s); try connecting again.",
            reason=reason,
        ),
        **kw,
    )


def _code(error: LinkedInError) -> str:
    parts = [error.code, *(c for c in error.input_codes if c)]
    if error.service_code is not None:
        parts.append(str(error.service_code))
    return ":".join(p for p in dict.fromkeys(parts) if p)


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None

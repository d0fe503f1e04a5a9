"""Google Business Profile's REST APIs on SMO's outbound session, and what their
answers mean.

Three Google hosts take the same bearer token: Account Management v1 (the
person's accounts), Business Information v1 (their locations) and My Business
v4 (local posts; google-api-python-client has no discovery document for v4, so
all three are plain HTTP here). Failures come back in Google's JSON error shape
`{"error": {"code", "message", "status", "details"}}`
(https://cloud.google.com/apis/design/errors) and are turned into the adapter
error classes (STYLE.md §3). `token_request` is Google's OAuth token endpoint.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable, Iterable, Iterator, Mapping
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

ACCOUNTS_URL = "https://mybusinessaccountmanagement.googleapis.com"
LOCATIONS_URL = "https://mybusinessbusinessinformation.googleapis.com"
POSTS_URL = "https://mybusiness.googleapis.com"
# Business Profile quotas are counted per minute (developers.google.com/my-business/
# content/limits: 300 queries per minute, 10 edits per minute per location); Google
# sends no Retry-After with RESOURCE_EXHAUSTED, so the next minute is the reset.
RATE_LIMIT_WAIT = timedelta(minutes=1)


@dataclass(frozen=True)
class GoogleError:
    """Google's error body; `field` is the first field a 400 names, when it names one."""

    code: int | None = None
    message: str = ""
    status: str = ""
    field: str = ""

    @classmethod
    def parse(cls, body: Any) -> GoogleError:
        error = body.get("error") if isinstance(body, Mapping) else None
        if not isinstance(error, Mapping):
            return cls()
        code = error.get("code")
        return cls(
            code=code if isinstance(code, int) and not isinstance(code, bool) else None,
            message=str(error.get("message") or ""),
            status=str(error.get("status") or ""),
            field=_field(error.get("details")),
        )


def _field(details: Any) -> str:
    """The field of google.rpc.BadRequest's fieldViolations, or of the
    google.mybusiness.v4.ValidationError's errorDetails."""
    for detail in details if isinstance(details, list) else []:
        if not isinstance(detail, Mapping):
            continue
        for key in ("fieldViolations", "errorDetails"):
            for item in detail.get(key) or []:
                if isinstance(item, Mapping) and item.get("field"):
                    return str(item["field"])
    return ""


class BusinessAPI:
    """One Google account's calls; every failure comes back as an AdapterError
    with no secret in it. `url` picks the host, `path` starts with /v1 or /v4."""

    def __init__(
        self,
        session: requests.Session,
        token: str,
        *,
        now: Callable[[], datetime],
        hidden: Iterable[str] = (),
    ) -> None:
        self.session = session
        self.now = now
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._hidden = (token, *hidden)

    def get(self, url: str, what: Words, **params: Any) -> dict[str, Any]:
        return self._send("GET", url, what, creating=False, params=params or None)

    def create(self, url: str, what: Words, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST what makes a post public: a lost answer leaves us not knowing."""
        return self._send("POST", url, what, creating=True, json=dict(body))

    def paged(
        self, url: str, what: Words, key: str, *, max_pages: int, **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Yield the items under `key`, following `nextPageToken` for up to `max_pages`."""
        query = dict(params)
        for _ in range(max_pages):
            page = self.get(url, what, **query)
            yield from (i for i in page.get(key) or [] if isinstance(i, dict))
            token = page.get("nextPageToken")
            if not token:
                return
            query["pageToken"] = token

    def _send(
        self, method: str, url: str, what: Words, *, creating: bool, **kwargs: Any
    ) -> dict[str, Any]:
        try:
            response = self.session.request(method, url, headers=self._headers, **kwargs)
        except requests.RequestException as error:
            raise lost(error, creating=creating) from None
        if not response.ok:
            raise error_for(response, what, creating=creating, now=self.now(), hidden=self._hidden)
        body = _json(response)
        if not isinstance(body, dict):
            detail = words("Google answered %(what)s with something that is not JSON.", what=what)
            if creating:
                raise Unknown(detail, status=response.status_code, code="not-json")
            raise Transient(detail, status=response.status_code, code="not-json")
        return body


def error_for(
    response: requests.Response,
    what: Words,
    *,
    creating: bool,
    now: datetime,
    hidden: Iterable[str],
) -> AdapterError:
    """Map a Google error answer to the error taxonomy (STYLE.md §3)."""
    status = response.status_code
    error = GoogleError.parse(_json(response))
    reason = scrub(error.message or f"HTTP {status} {response.reason}", hidden)
    kw: dict[str, Any] = {"status": status, "code": error.status}
    if status == 401 or error.status == "UNAUTHENTICATED":
        return AuthExpired(
            words("Google did not accept the account's token: %(reason)s", reason=reason), **kw
        )
    if status == 429 or error.status == "RESOURCE_EXHAUSTED":
        again = retry_at(response.headers, now)
        return RateLimited(
            words(
                "Google's Business Profile quota was reached (%(reason)s); "
                "SMO tries again after %(time)s UTC.",
                reason=reason,
                time=f"{again.astimezone(UTC):%H:%M:%S}",
            ),
            again,
            **kw,
        )
    if status >= 500 and creating:
        # localPosts.create takes no idempotency key: the post may exist.
        return Unknown(
            words(
                "Google answered %(status)s while creating the post; it may exist, "
                "so SMO checks before trying again.",
                status=status,
            ),
            **kw,
        )
    if status >= 500:
        return Transient(
            words(
                "Google had a temporary problem with %(what)s (%(status)s): %(reason)s",
                what=what,
                status=status,
                reason=reason,
            ),
            **kw,
        )
    if status == 403 or error.status == "PERMISSION_DENIED":
        return Permanent(
            words(
                "Google refused %(what)s: the signed-in person does not manage this "
                "location, the location is not verified, or the Google Cloud project has "
                "no Business Profile API access (%(reason)s).",
                what=what,
                reason=reason,
            ),
            **kw,
        )
    if error.field:
        return Permanent(
            words(
                "Google refused %(what)s because of its %(field)s: %(reason)s",
                what=what,
                field=error.field,
                reason=reason,
            ),
            **kw,
        )
    return Permanent(words("Google refused %(what)s: %(reason)s", what=what, reason=reason), **kw)


def retry_at(headers: Mapping[str, str], now: datetime) -> datetime:
    """When to come back after a 429: Retry-After (seconds or an HTTP date) if
    sent, else the next per-minute window."""
    value = str(headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(when.astimezone(UTC), now)
    return now + RATE_LIMIT_WAIT


def lost(error: requests.RequestException, *, creating: bool) -> AdapterError:
    """A call that got no answer: only the error's class name is kept, since
    requests' messages can hold a URL."""
    name = type(error).__name__
    if nothing_sent(error):
        return Transient(
            words("Could not reach Google (%(error)s); nothing was sent.", error=name), code=name
        )
    if creating:
        return Unknown(
            words(
                "Google did not answer after the post was sent (%(error)s); it may exist.",
                error=name,
            ),
            code=name,
        )
    return Transient(
        words("Google did not answer (%(error)s); nothing was posted.", error=name), code=name
    )


def parse_time(value: Any) -> datetime | None:
    """Google's RFC 3339 timestamps ("2026-11-26T10:00:00.123456Z")."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None

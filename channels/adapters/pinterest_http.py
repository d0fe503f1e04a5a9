"""Pinterest API v5 on SMO's outbound session, and what its answers mean (platforms.md §8).

Pinterest has no client library we use: `PinterestAPI` makes the calls with the
account's bearer token, follows `bookmark` paging, and turns every failure into
the adapter error classes (STYLE.md §3). `token_request` is the OAuth token
endpoint, which takes the app's id and secret as HTTP Basic.
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

API_URL = "https://api.pinterest.com"
# Pinterest sends no documented rate-limit headers (platforms.md §8: "unconfirmed").
# Standard access counts each category per minute (developers.pinterest.com/docs/
# reference/rate-limits), so without a Retry-After the next minute is the reset.
RATE_LIMIT_WAIT = timedelta(minutes=1)


@dataclass(frozen=True)
class PinterestError:
    """Pinterest's error body, `{"code": int, "message": str}` on every 4xx (§8)."""

    code: int | None = None
    message: str = ""

    @classmethod
    def parse(cls, body: Any) -> PinterestError:
        if not isinstance(body, Mapping):
            return cls()
        code = body.get("code")
        return cls(
            code=code if isinstance(code, int) and not isinstance(code, bool) else None,
            message=str(body.get("message") or ""),
        )


class PinterestAPI:
    """One account's calls; every failure comes back as an AdapterError with no secret in it."""

    def __init__(
        self,
        session: requests.Session,
        api_url: str,
        token: str,
        *,
        now: Callable[[], datetime],
        hidden: Iterable[str] = (),
    ) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")
        self.now = now
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._hidden = (token, *hidden)

    def get(self, path: str, what: Words, **params: Any) -> dict[str, Any]:
        return self._send("GET", path, what, creating=False, params=params or None)

    def post(
        self, path: str, what: Words, body: Mapping[str, Any], *, creating: bool
    ) -> dict[str, Any]:
        """POST JSON; `creating` marks the call that makes something public (the Pin),
        whose lost answer leaves us not knowing."""
        return self._send("POST", path, what, creating=creating, json=dict(body))

    def paged(
        self, path: str, what: Words, *, max_pages: int, page_size: int = 100, **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Yield a list endpoint's items, following `bookmark` for up to `max_pages` pages."""
        query = {**params, "page_size": page_size}
        for _ in range(max_pages):
            page = self.get(path, what, **query)
            yield from (i for i in page.get("items") or [] if isinstance(i, dict))
            bookmark = page.get("bookmark")
            if not bookmark:
                return
            query["bookmark"] = bookmark

    def _send(
        self, method: str, path: str, what: Words, *, creating: bool, **kwargs: Any
    ) -> dict[str, Any]:
        try:
            response = self.session.request(
                method, f"{self.api_url}/v5{path}", headers=self._headers, **kwargs
            )
        except requests.RequestException as error:
            raise lost(error, creating=creating) from None
        if not response.ok:
            raise error_for(response, what, creating=creating, now=self.now(), hidden=self._hidden)
        body = _json(response)
        if not isinstance(body, dict):
            detail = words(
                "Pinterest answered %(what)s with something that is not JSON.", what=what
            )
            if creating:
                raise Unknown(
                    words("%(what)s The Pin may exist.", what=detail), status=response.status_code
                )
            raise Transient(detail, status=response.status_code)
        return body


def error_for(
    response: requests.Response,
    what: Words,
    *,
    creating: bool,
    now: datetime,
    hidden: Iterable[str],
) -> AdapterError:
    """Map a Pinterest error answer to the error taxonomy (platforms.md §8, STYLE.md §3)."""
    status = response.status_code
    error = PinterestError.parse(_json(response))
    reason = scrub(error.message or f"HTTP {status} {response.reason}", hidden)
    kw: dict[str, Any] = {"status": status, "code": "" if error.code is None else str(error.code)}
    if status == 401:
        return AuthExpired(
            words("Pinterest did not accept the account's token: %(reason)s", reason=reason), **kw
        )
    if status == 429:
        again = retry_at(response.headers, now)
        message = words(
            "Pinterest's rate limit was reached (%(reason)s); SMO tries again after %(time)s UTC.",
            reason=reason,
            time=f"{again.astimezone(UTC):%H:%M:%S}",
        )
        return RateLimited(message, again, **kw)
    if status >= 500 and creating:
        return Unknown(
            words(
                "Pinterest answered %(status)s while creating the Pin; it may exist, "
                "so SMO checks before trying again.",
                status=status,
            ),
            **kw,
        )
    if status >= 500:
        return Transient(
            words(
                "Pinterest had a temporary problem with %(what)s (%(status)s): %(reason)s",
                what=what,
                status=status,
                reason=reason,
            ),
            **kw,
        )
    return Permanent(
        words("Pinterest refused %(what)s: %(reason)s", what=what, reason=reason), **kw
    )


def retry_at(headers: Mapping[str, str], now: datetime) -> datetime:
    """When to come back after a 429: Retry-After (seconds or an HTTP date) where
    Pinterest sends one, else the next per-minute window (RATE_LIMIT_WAIT)."""
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


def token_request(
    session: requests.Session,
    api_url: str,
    app: tuple[str, str],
    form: Mapping[str, str],
    *,
    hidden: Iterable[str],
    now: datetime,
) -> dict[str, Any]:
    """POST to /v5/oauth/token as the app (HTTP Basic app_id:app_secret; §8).

    A refused refresh is AuthExpired (a person must reconnect); a refused code
    exchange is Permanent (the person tries connecting again).
    """
    secrets = (*hidden, app[1])
    refreshing = form.get("grant_type") == "refresh_token"
    try:
        response = session.post(
            f"{api_url.rstrip('/')}/v5/oauth/token",
            data=dict(form),
            auth=app,
            headers={"Accept": "application/json"},
        )
    except requests.RequestException as error:
        name = type(error).__name__
        raise Transient(
            words("Could not reach Pinterest's token endpoint (%(error)s).", error=name)
        ) from None
    body = _json(response)
    if response.ok and isinstance(body, dict) and body.get("access_token"):
        return body
    if response.ok:  # 200 without a token: a proxy or a changed API, not the person
        raise Transient(
            words("Pinterest's token endpoint answered without a token."),
            status=response.status_code,
        )
    if response.status_code == 429 or response.status_code >= 500:
        what = words("the token request")
        raise error_for(response, what, creating=False, now=now, hidden=secrets)
    error = PinterestError.parse(body)
    reason = scrub(error.message or f"HTTP {response.status_code} {response.reason}", secrets)
    kw: dict[str, Any] = {
        "status": response.status_code,
        "code": "" if error.code is None else str(error.code),
    }
    if refreshing:
        raise AuthExpired(
            words(
                "Pinterest would not refresh the token (%(reason)s); reconnect the account.",
                reason=reason,
            ),
            **kw,
        )
    raise Permanent(
        words(
            "Pinterest did not accept the sign-in (%(reason)s); try connecting again.",
            reason=reason,
        ),
        **kw,
    )


def lost(error: requests.RequestException, *, creating: bool) -> AdapterError:
    """A call that got no answer: only the error's class name is kept, since
    requests' messages can hold a URL."""
    name = type(error).__name__
    if nothing_sent(error):
        return Transient(
            words("Could not reach Pinterest (%(error)s); nothing was sent.", error=name),
            code=name,
        )
    if creating:
        return Unknown(
            words(
                "Pinterest did not answer after the Pin was sent (%(error)s); it may exist.",
                error=name,
            ),
            code=name,
        )
    return Transient(
        words("Pinterest did not answer (%(error)s); nothing was pinned.", error=name), code=name
    )


def parse_time(value: Any) -> datetime | None:
    """Pinterest's `created_at`; a time without an offset is UTC."""
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

"""What Discord's webhook answers mean, in the error taxonomy (platforms.md §13, STYLE.md §3).

Discord answers every error with `{"message": str, "code": int}`; a form it
refuses adds `errors`, a tree of the fields at fault down to `_errors` lists
(https://discord.com/developers/docs/reference#error-messages). A 429 carries
`retry_after` in seconds in the body (one report saw milliseconds) beside the
Retry-After and X-RateLimit-* headers
(https://discord.com/developers/docs/topics/rate-limits).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
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

UNKNOWN_WEBHOOK = 10015
INVALID_WEBHOOK_TOKEN = 50027
# A 429 without any usable wait: Discord's webhook buckets are about 5 per 2 s.
DEFAULT_WAIT = timedelta(seconds=2)
# No webhook limit lasts an hour (a Cloudflare ban does, and says so in its
# header): a bare body `retry_after` above this was sent in milliseconds.
LONGEST_SECONDS = 3600.0


@dataclass(frozen=True)
class DiscordError:
    """Discord's error body: `message`, `code`, and for 50035 the `errors` tree."""

    code: int | None = None
    message: str = ""
    fields: tuple[str, ...] = ()  # "content: Must be 2000 or fewer in length.", ...
    retry_after: float | None = None
    global_limit: bool = False

    @classmethod
    def parse(cls, body: Any) -> DiscordError:
        if not isinstance(body, Mapping):
            return cls()
        code = body.get("code")
        retry = body.get("retry_after")
        return cls(
            code=code if isinstance(code, int) and not isinstance(code, bool) else None,
            message=str(body.get("message") or ""),
            fields=tuple(_field_errors(body.get("errors"), "")),
            retry_after=float(retry)
            if isinstance(retry, int | float) and not isinstance(retry, bool)
            else None,
            global_limit=body.get("global") is True,
        )


def _field_errors(tree: Any, where: str) -> Iterator[str]:
    """Walk the `errors` tree: {"embeds": {"0": {"title": {"_errors": [...]}}}}."""
    if not isinstance(tree, Mapping):
        return
    for key, value in tree.items():
        if key == "_errors" and isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    yield f"{where or 'message'}: {item.get('message') or item.get('code')}"
        else:
            yield from _field_errors(value, f"{where}.{key}" if where else str(key))


def error_for(
    response: requests.Response,
    what: Words,
    *,
    creating: bool,
    now: datetime,
    hidden: Iterable[str],
) -> AdapterError:
    """Map a Discord error answer to the error taxonomy."""
    status = response.status_code
    error = DiscordError.parse(_json(response))
    reason = scrub(error.message or f"HTTP {status} {response.reason}", hidden)
    kw: dict[str, Any] = {"status": status, "code": "" if error.code is None else str(error.code)}
    if status == 429:
        again = retry_at(response.headers, error, now)
        return RateLimited(
            words(
                "Discord's rate limit was reached (%(reason)s); SMO tries again after %(time)s UTC.",
                reason=reason,
                time=f"{again.astimezone(UTC):%H:%M:%S}",
            ),
            again,
            **kw,
        )
    if error.code == UNKNOWN_WEBHOOK or status == 401 or error.code == INVALID_WEBHOOK_TOKEN:
        # The webhook was deleted or its token reset in Discord: every later post
        # would fail the same way, so the account needs reconnecting with a new
        # webhook URL (AuthExpired holds its posts), not just this post failing.
        return AuthExpired(
            words(
                "Discord no longer knows this webhook (%(reason)s): it was deleted or "
                "its URL was reset. Connect the channel again with a new webhook URL.",
                reason=reason,
            ),
            **kw,
        )
    if status >= 500 and creating:
        # The execute call has no idempotency key: the message may be there.
        return Unknown(
            words(
                "Discord answered %(status)s while posting the message; it may be in the "
                "channel, so check it before posting again.",
                status=status,
            ),
            **kw,
        )
    if status >= 500:
        return Transient(
            words(
                "Discord had a temporary problem with %(what)s (%(status)s): %(reason)s",
                what=what,
                status=status,
                reason=reason,
            ),
            **kw,
        )
    if status == 413:
        return Permanent(
            words("Discord refused %(what)s: the files are too large together.", what=what),
            **kw,
        )
    if error.fields:
        reason = scrub("; ".join(error.fields), hidden)
    return Permanent(words("Discord refused %(what)s: %(reason)s", what=what, reason=reason), **kw)


def retry_at(headers: Mapping[str, str], error: DiscordError, now: datetime) -> datetime:
    """When to come back after a 429: the headers (seconds) first, then the body's
    `retry_after`, then X-RateLimit-Reset (epoch seconds), else DEFAULT_WAIT."""
    for name in ("Retry-After", "X-RateLimit-Reset-After"):
        seconds = _number(headers.get(name))
        if seconds is not None:
            return now + timedelta(seconds=max(seconds, 0.0))
    if error.retry_after is not None:
        seconds = error.retry_after
        if seconds > LONGEST_SECONDS:
            seconds /= 1000
        return now + timedelta(seconds=max(seconds, 0.0))
    reset = _number(headers.get("X-RateLimit-Reset"))
    if reset is not None:
        return max(datetime.fromtimestamp(reset, UTC), now)
    return now + DEFAULT_WAIT


def lost(error: requests.RequestException, *, creating: bool) -> AdapterError:
    """A call that got no answer; only the error's class name is kept, since
    requests' messages hold the URL, and a webhook URL holds its token."""
    name = type(error).__name__
    if nothing_sent(error):
        return Transient(
            words("Could not reach Discord (%(error)s); nothing was sent.", error=name), code=name
        )
    if creating:
        return Unknown(
            words(
                "Discord did not answer after the message was sent (%(error)s); "
                "it may be in the channel.",
                error=name,
            ),
            code=name,
        )
    return Transient(words("Discord did not answer (%(error)s).", error=name), code=name)


def _number(value: Any) -> float | None:
    try:
        return float(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None

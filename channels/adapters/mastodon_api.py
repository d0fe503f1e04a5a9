"""Mastodon.py on SMO's outbound session, and what its errors mean (platforms.md §10, §14).

`client` builds a `Mastodon` that never sleeps (`ratelimit_method="throw"`), sends
through the adapter's session with its timeout, and knows the instance's version
without asking, so `media_post` goes to /api/v2/media. `calling` turns every
Mastodon.py exception into the adapter error classes (STYLE.md §3).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonGatewayTimeoutError,
    MastodonIOError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

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

# Mastodon.py picks /api/v2/media only for 3.1.4 or later, and only when it can
# parse the version (version_check_mode "created", platforms.md §14). Every
# endpoint SMO calls exists by 4.0.0 (/api/v2/instance came then), so a server
# that reports less, or a version Mastodon.py cannot parse (GoToSocial's
# "0.17.0 git-…"), is treated as 4.0.0: it answered /api/v2/instance at connect.
MIN_VERSION = "4.0.0"
# Mastodon's own default window is 5 minutes (300 calls, platforms.md §10): the
# wait when a 429 names no reset.
RATE_LIMIT_WAIT = timedelta(minutes=5)


def api_version(reported: Any) -> str:
    """The version to hand Mastodon.py: the reported one if it parses and is newer
    than MIN_VERSION, else MIN_VERSION."""
    from mastodon.versions import parse_version_string

    try:
        found = parse_version_string(str(reported or ""))
    except Exception:
        return MIN_VERSION
    if tuple(found) < tuple(parse_version_string(MIN_VERSION)):
        return MIN_VERSION
    return ".".join(str(p) for p in found)


def client(
    session: requests.Session, server: str, token: str | None, version: Any = None
) -> Mastodon:
    return Mastodon(
        access_token=token,
        api_base_url=server,
        ratelimit_method="throw",  # the default "wait" sleeps up to 5 minutes in the call
        session=session,
        request_timeout=float(getattr(session, "timeout", 30.0)),
        mastodon_version=api_version(version),
        version_check_mode="created",
        user_agent=str(session.headers.get("User-Agent") or "SMO"),
    )


@contextmanager
def calling(
    api: Mastodon,
    what: Words,
    *,
    creating: bool = False,
    now: Callable[[], datetime],
    hidden: Iterable[str] = (),
) -> Iterator[None]:
    """Run Mastodon.py calls, raising the adapter error each failure means.

    `creating` marks the call that makes a post; Mastodon.py's own message is
    never shown (it can hold a URL), only the instance's error text.
    """
    try:
        yield
    except AdapterError:
        raise
    except MastodonError as error:
        raise error_for(api, error, what, creating=creating, now=now(), hidden=hidden) from None


def error_for(
    api: Mastodon,
    error: MastodonError,
    what: Words,
    *,
    creating: bool,
    now: datetime,
    hidden: Iterable[str],
) -> AdapterError:
    """Map one Mastodon.py exception to the error taxonomy (platforms.md §10, §14)."""
    secrets = [str(api.access_token or ""), *hidden]
    if isinstance(error, MastodonRatelimitError):
        again = retry_at(api, now)
        return RateLimited(
            words(
                "The Mastodon instance's rate limit was reached; SMO tries again after "
                "%(time)s UTC.",
                time=f"{again:%H:%M:%S}",
            ),
            again,
            status=429,
        )
    if isinstance(error, MastodonNetworkError):
        return lost(error, what, creating=creating)
    if isinstance(error, MastodonIOError):  # a media file SMO could not read
        return Permanent(words("Could not read a media file for %(what)s.", what=what))
    if not isinstance(error, MastodonAPIError) or len(error.args) < 4:
        # Version checks, bad arguments, an answer that is not JSON.
        if creating:
            return Unknown(
                words(
                    "The Mastodon instance's answer to %(what)s made no sense; it may exist.",
                    what=what,
                ),
                code=type(error).__name__,
            )
        return Transient(
            words("The Mastodon instance's answer to %(what)s made no sense.", what=what),
            code=type(error).__name__,
        )
    status = error.args[1] if isinstance(error.args[1], int) else None
    reason = scrub(str(error.args[3] or f"HTTP {status} {error.args[2]}"), secrets)
    kw: dict[str, Any] = {"status": status}
    if isinstance(error, MastodonUnauthorizedError):
        return AuthExpired(
            words(
                "The Mastodon instance did not accept the account's token: %(reason)s",
                reason=reason,
            ),
            **kw,
        )
    if isinstance(error, MastodonGatewayTimeoutError) and creating:
        # A proxy gave up waiting: the instance may still be making the post, and
        # a retry before it stores the Idempotency-Key would make a second one.
        return Unknown(
            words("The Mastodon instance timed out (504) while making the post; it may exist."),
            **kw,
        )
    if isinstance(error, MastodonServerError):
        # Safe to retry even for a post: the same Idempotency-Key returns the
        # status a finished earlier request made (kept 1 hour, platforms.md §10).
        return Transient(
            words(
                "The Mastodon instance had a temporary problem with %(what)s (%(status)s): "
                "%(reason)s",
                what=what,
                status=status,
                reason=reason,
            ),
            **kw,
        )
    if isinstance(error, MastodonNotFoundError):
        return Permanent(
            words("The Mastodon instance found no %(what)s: %(reason)s", what=what, reason=reason),
            **kw,
        )
    return Permanent(
        words("The Mastodon instance refused %(what)s: %(reason)s", what=what, reason=reason),
        **kw,
    )


def retry_at(api: Mastodon, now: datetime) -> datetime:
    """When the rate limit resets: Mastodon.py keeps X-RateLimit-Reset, moved onto
    the local clock with the Date header, in `ratelimit_reset` (epoch seconds)."""
    reset = api.ratelimit_reset
    if isinstance(reset, int | float) and reset > time.time():
        return (now + timedelta(seconds=reset - time.time())).astimezone(UTC)
    return (now + RATE_LIMIT_WAIT).astimezone(UTC)


def lost(error: MastodonNetworkError, what: Words, *, creating: bool) -> AdapterError:
    """A call with no answer. Mastodon.py raises inside requests' `except`, so the
    original exception is the context: only its class name is kept."""
    cause = error.__cause__ or error.__context__
    name = type(cause).__name__ if cause is not None else type(error).__name__
    if nothing_sent(cause):
        return Transient(
            words(
                "Could not reach the Mastodon instance (%(error)s); nothing was sent.", error=name
            ),
            code=name,
        )
    if creating:
        return Unknown(
            words(
                "The Mastodon instance did not answer after %(what)s was sent (%(error)s); "
                "it may exist.",
                what=what,
                error=name,
            ),
            code=name,
        )
    return Transient(
        words("The Mastodon instance did not answer %(what)s (%(error)s).", what=what, error=name),
        code=name,
    )

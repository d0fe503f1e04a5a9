"""praw wired the SMO way (platforms.md §13 Reddit, §14), and Reddit's errors mapped
to the error classes of base.py.

praw would otherwise refresh tokens by itself, retry 5xx answers and read
timeouts twice (a retried submit can post twice), sleep through Reddit's rate
limit window, sleep and retry a RATELIMIT answer, and ask PyPI for updates.
Here it gets the stored access token as it is (SMO refreshes it), no retries,
a rate limiter that raises instead of sleeping, and our outbound session
(timeouts, User-Agent, the S3 upload host routed where config says).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import praw
import prawcore
import requests
from praw.exceptions import ClientException, RedditAPIException, TooLargeMediaException
from prawcore.auth import BaseAuthorizer, TrustedAuthenticator
from prawcore.rate_limit import RateLimiter
from prawcore.sessions import RetryStrategy
from typing_extensions import override

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

OAUTH_URL = "https://oauth.reddit.com"
REDDIT_URL = "https://www.reddit.com"
SHORT_URL = "https://redd.it"
# The host of the upload lease's form action ("//reddit-uploaded-media.s3-...").
MEDIA_URL = "https://reddit-uploaded-media.s3-accelerate.amazonaws.com"
# Reddit's rule: a descriptive User-Agent naming the app and its version.
USER_AGENT = "web:smo-scheduler:1.0 (+https://github.com/smo-scheduler/smo)"
DEFAULT_WAIT = timedelta(minutes=1)  # a 429 or RATELIMIT that does not say how long
# "Take a break for 9 minutes before trying again." / "... 30 seconds ..."
BREAK = re.compile(r"(\d+)\s*(millisecond|second|minute|hour)s?", re.IGNORECASE)
UNITS = {"millisecond": 0.001, "second": 1, "minute": 60, "hour": 3600}
T = TypeVar("T")


class _NoRetry(RetryStrategy):
    """prawcore's default retries a submit after a 5xx or read timeout: never here."""

    @override
    def _sleep_seconds(self) -> float | None:
        return None

    @override
    def consume_available_retry(self) -> _NoRetry:
        return self

    @override
    def should_retry_on_failure(self) -> bool:
        return False


class _Exhausted(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class _NoWait(RateLimiter):
    """prawcore sleeps until Reddit's window resets; a worker must not. With the
    window's requests used up, say when it resets instead (RateLimited)."""

    @override
    def delay(self) -> None:
        if self.remaining is None or self.remaining > 0 or self.next_request_timestamp_ns is None:
            return
        left = (self.next_request_timestamp_ns - time.monotonic_ns()) / 1e9
        if left > 0:
            raise _Exhausted(left)


class _Session(prawcore.Session):
    """prawcore.Session sends its own 16 s timeout with every call: send ours."""

    def __init__(self, authorizer: BaseAuthorizer, timeout: float) -> None:
        super().__init__(authorizer=authorizer)
        self._retry_strategy_class = _NoRetry  # type: ignore[assignment]
        self.timeout = timeout

    @override
    def request(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["timeout"] = self.timeout
        return super().request(*args, **kwargs)


class _StoredToken(BaseAuthorizer):
    """The access token SMO holds, used as it is: no refresh of praw's own (SMO's
    refresh() renews it and stores the answer). Reddit says when it is dead (401)."""

    def __init__(self, authenticator: TrustedAuthenticator, token: str) -> None:
        super().__init__(authenticator=authenticator)
        self.access_token = token
        self._expiration_timestamp_ns = 2**62

    @override
    def is_valid(self) -> bool:
        return self.access_token is not None


def client(config: Mapping[str, Any], session: requests.Session, token: str = "") -> praw.Reddit:
    """A praw.Reddit on `session`, acting with `token` (none: for the OAuth steps)."""
    session.route(MEDIA_URL, str(config.get("media_url") or MEDIA_URL))  # type: ignore[attr-defined]
    reddit = praw.Reddit(
        client_id=str(config.get("client_id") or ""),
        client_secret=str(config.get("client_secret") or ""),
        user_agent=str(config.get("user_agent") or USER_AGENT),
        oauth_url=str(config.get("oauth_url") or OAUTH_URL).rstrip("/"),
        reddit_url=str(config.get("reddit_url") or REDDIT_URL).rstrip("/"),
        short_url=str(config.get("short_url") or SHORT_URL).rstrip("/"),
        redirect_uri=str(config.get("redirect_uri") or "") or None,
        check_for_updates=False,
        ratelimit_seconds=-1,  # never sleep on a RATELIMIT answer: raise it
        requestor_kwargs={"session": session, "timeout": timeout_of(session)},
    )
    if token:
        authenticator = authenticator_of(reddit)
        core = _Session(_StoredToken(authenticator, token), timeout_of(session))
        core._rate_limiter = _NoWait(window_size=reddit.config.window_size)
        reddit._core = reddit._authorized_core = core
    return reddit


def timeout_of(session: requests.Session) -> float:
    """prawcore sends its own timeout (16 s) with every call: make it the session's."""
    return float(getattr(session, "timeout", None) or 10.0)


def authenticator_of(reddit: praw.Reddit) -> TrustedAuthenticator:
    core = reddit._read_only_core
    assert core is not None
    authenticator = core._authorizer._authenticator  # praw builds it from the app's keys
    assert isinstance(authenticator, TrustedAuthenticator)
    return authenticator


def call(
    action: Callable[[], T],
    what: Words,
    *,
    creating: bool = False,
    hidden: Iterable[str] = (),
    now: datetime | None = None,
) -> T:
    """Run one praw call; raise the error class its failure maps to."""
    try:
        return action()
    except Exception as error:  # every failure is mapped below
        raise mapped(error, what, creating=creating, hidden=hidden, now=now) from error


def mapped(
    error: BaseException,
    what: Words,
    *,
    creating: bool = False,
    hidden: Iterable[str] = (),
    now: datetime | None = None,
) -> AdapterError:
    """The error class for one of praw's or prawcore's exceptions (platforms.md §13)."""
    now = now or datetime.now(UTC)
    hidden = list(hidden)
    if isinstance(error, AdapterError):
        return error
    if isinstance(error, _Exhausted):
        return RateLimited(
            words("Reddit's rate limit for this app is used up; SMO waits for its reset."),
            now + timedelta(seconds=max(1.0, error.seconds)),
            code="x-ratelimit-remaining",
        )
    if isinstance(error, RedditAPIException):
        return api_error(error, hidden, now)
    if isinstance(error, TooLargeMediaException):
        return Permanent(
            words("Reddit takes images up to %(mb)s MB.", mb=round(error.maximum_size / 1024**2)),
            code="too-large",
        )
    if isinstance(error, ClientException):
        return Permanent(
            words("Reddit cannot take this post: %(reason)s", reason=scrub(str(error), hidden)),
            code="client",
        )
    if isinstance(error, prawcore.RequestException):
        original = error.original_exception
        if creating and not nothing_sent(original):
            return Unknown(
                words("Reddit did not answer while making %(what)s; it may exist.", what=what),
                code=type(original).__name__,
            )
        return Transient(
            words("Reddit could not be reached for %(what)s.", what=what),
            code=type(original).__name__,
        )
    if isinstance(error, prawcore.ResponseException):
        return response_error(error, what, creating, now)
    if isinstance(error, KeyError | ValueError | TypeError):
        # An answer praw could not read: the request was carried out, perhaps.
        cls = Unknown if creating else Transient
        return cls(words("Reddit answered %(what)s in a way SMO cannot read.", what=what))
    raise error


def response_error(
    error: prawcore.ResponseException, what: Words, creating: bool, now: datetime
) -> AdapterError:
    status = error.response.status_code
    headers = error.response.headers
    if isinstance(error, prawcore.InvalidToken):
        return AuthExpired(
            words("Reddit no longer accepts this account's sign-in; reconnect it."),
            status=status,
            code="invalid_token",
        )
    if isinstance(error, prawcore.InsufficientScope):
        return AuthExpired(
            words("Reddit did not grant SMO the permission for %(what)s; reconnect.", what=what),
            status=status,
            code="insufficient_scope",
        )
    if isinstance(error, prawcore.TooManyRequests):
        return RateLimited(
            words("Reddit's rate limit was reached; SMO waits for its reset."),
            now + reset_after(headers),
            status=status,
        )
    if isinstance(error, prawcore.ServerError) or status >= 500:
        if creating:
            return Unknown(
                words("Reddit failed while making %(what)s; it may exist.", what=what),
                status=status,
            )
        return Transient(words("Reddit failed to give %(what)s.", what=what), status=status)
    if isinstance(error, prawcore.BadJSON):
        cls = Unknown if creating else Transient
        return cls(words("Reddit answered %(what)s in a way SMO cannot read.", what=what))
    if isinstance(error, prawcore.Forbidden):
        return Permanent(
            words(
                "Reddit refused %(what)s: the account may be banned from the subreddit, "
                "or the subreddit is private or restricted.",
                what=what,
            ),
            status=status,
            code="forbidden",
        )
    if isinstance(error, prawcore.NotFound | prawcore.Redirect):
        return Permanent(
            words("Reddit has no such subreddit or post for %(what)s.", what=what),
            status=status,
            code="not-found",
        )
    if isinstance(error, prawcore.TooLarge):
        return Permanent(words("The file is too large for Reddit."), status=status)
    return Permanent(
        words("Reddit refused %(what)s (HTTP %(status)s).", what=what, status=status),
        status=status,
    )


def reset_after(headers: Mapping[str, str]) -> timedelta:
    """Reddit's X-Ratelimit-Reset (seconds to the window's end), else Retry-After."""
    for name in ("x-ratelimit-reset", "retry-after"):
        value = headers.get(name)
        try:
            seconds = float(value) if value is not None else None
        except ValueError:
            seconds = None
        if seconds is not None and seconds >= 0:
            return timedelta(seconds=max(1.0, seconds))
    return DEFAULT_WAIT


def break_of(message: str) -> timedelta:
    """The break a RATELIMIT message asks for ("... 9 minutes before trying again.")."""
    found = BREAK.search(message or "")
    if not found:
        return DEFAULT_WAIT
    seconds = int(found.group(1)) * UNITS[found.group(2).lower()]
    return timedelta(seconds=max(1.0, seconds))


# Reddit's error codes in `json.errors` (answered with HTTP 200), by what they mean.
REFUSALS: dict[str, Words] = {
    "SUBREDDIT_NOEXIST": words("Reddit has no such subreddit."),
    "SUBREDDIT_NOTALLOWED": words("This account may not post in that subreddit."),
    "SUBREDDIT_REQUIRED": words("Reddit needs a subreddit for the post."),
    "NO_SELFS": words("That subreddit takes no text posts."),
    "NO_LINKS": words("That subreddit takes no link posts."),
    "NO_IMAGES": words("That subreddit takes no image posts."),
    "NO_TEXT": words("Reddit needs text here: %(field)s."),
    "TOO_LONG": words("Reddit finds this too long: %(field)s."),
    "TOO_SHORT": words("Reddit finds this too short: %(field)s."),
    "BAD_URL": words("Reddit does not take this link."),
    "DOMAIN_BANNED": words("That subreddit does not take links to this site."),
    "SUBMIT_VALIDATION_FLAIR_REQUIRED": words("That subreddit requires a flair on each post."),
    "SUBMIT_VALIDATION_TITLE_REQUIREMENT": words("The title does not meet the subreddit's rules."),
    "SUBMIT_VALIDATION_BODY_REQUIREMENT": words("The text does not meet the subreddit's rules."),
    "BAD_FLAIR_TEMPLATE_ID": words("That subreddit has no such flair."),
    "USER_REQUIRED": words("Reddit did not accept this account's sign-in; reconnect it."),
    "INVALID_OPTION": words("Reddit refused one of the post's settings."),
}
AUTH_CODES = frozenset({"USER_REQUIRED"})


def api_error(error: RedditAPIException, hidden: list[str], now: datetime) -> AdapterError:
    """An error Reddit put in `json.errors` of an HTTP 200 answer."""
    items = error.items or []
    for item in items:
        if item.error_type == "RATELIMIT":
            return RateLimited(
                words("Reddit asks this account to take a break before posting again."),
                now + break_of(item.message),
                code="RATELIMIT",
            )
    first = items[0] if items else None
    code = str(first.error_type) if first else ""
    field = str(first.field or "") if first else ""
    if code == "ALREADY_SUB":
        return Permanent(
            words("This link was already posted to that subreddit."),
            duplicate=True,
            code=code,
        )
    if code in AUTH_CODES:
        return AuthExpired(REFUSALS[code], code=code)
    if code in REFUSALS:
        return Permanent(words(REFUSALS[code].template, field=field or "-"), code=code)
    message = scrub(str(first.message or code) if first else str(error), hidden)
    return Permanent(words("Reddit refused the post: %(reason)s", reason=message), code=code)

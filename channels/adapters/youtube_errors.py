"""What YouTube's answers mean: Google's error envelope mapped to the error taxonomy.

The class comes from the HTTP status, the envelope's `reason` and where in an
upload the call was (Step), never from the message text (platforms.md §6,
STYLE.md §3). Step 1 of an upload creates nothing and chunks before the last
cannot complete a video, so their failures are Transient; a failure of the last
chunk may hide a finished video, so it is Unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import Enum

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

# Reasons in Google's error envelope (platforms.md §6). These mean the day's quota
# is spent: the project's (quotaExceeded, dailyLimitExceeded) or the channel's
# own upload cap (uploadLimitExceeded).
DAY_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded", "uploadLimitExceeded"})
# Short-term limits. On videos.insert rateLimitExceeded has also been the daily
# "Video Uploads per day" limit (a 429 reported in May 2026, §6), so there the
# adapter treats it as the day's uploads spent.
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
SHORT_WAIT = timedelta(minutes=1)
TAG = re.compile(r"<[^>]*>")


class Step(Enum):
    """What a call does, which decides what an unanswered or failed call means."""

    READ = "read"  # lists and the resume probe: nothing changes
    START = "start"  # step 1 of an upload: opens a session, creates no video
    CHUNK = "chunk"  # part of the video that is not the last: the video cannot exist yet
    FINAL = "final"  # the last part: the video may now exist
    SET = "set"  # thumbnails.set: doing it twice is harmless
    COMMENT = "comment"  # comments.insert: unanswered, the answer may exist
    MODERATE = "moderate"  # setModerationStatus and delete: doing it twice is harmless


class Lost(Exception):
    """A request that got no answer. `sent` is False only when it never left."""

    def __init__(self, error: requests.RequestException) -> None:
        super().__init__(type(error).__name__)
        self.name = type(error).__name__
        self.sent = not nothing_sent(error)


@dataclass(frozen=True)
class GoogleError:
    """Google's error envelope: {"error": {"code", "message", "errors": [{"reason", ...}],
    "status"}} (platforms.md §6)."""

    code: int | None = None
    message: str = ""
    status: str = ""
    reasons: tuple[str, ...] = ()

    @classmethod
    def parse(cls, content: bytes | str | None) -> GoogleError:
        try:
            body = json.loads(content or b"")
        except ValueError:
            return cls()
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return cls()
        items = error.get("errors") if isinstance(error.get("errors"), list) else []
        reasons = tuple(str(e["reason"]) for e in items if isinstance(e, dict) and e.get("reason"))
        code = error.get("code")
        return cls(
            code=code if isinstance(code, int) else None,
            message=str(error.get("message") or ""),
            status=str(error.get("status") or ""),
            reasons=reasons,
        )

    @property
    def reason(self) -> str:
        return self.reasons[0] if self.reasons else ""

    def text(self, hidden: Iterable[str]) -> str:
        """Google's own sentence, without its HTML links and without any secret."""
        return scrub(TAG.sub("", self.message).strip() or self.status, hidden)


def error_for(
    status: int,
    problem: GoogleError,
    headers: Mapping[str, str],
    *,
    step: Step,
    now: datetime,
    hidden: Iterable[str],
) -> AdapterError:
    """Map a YouTube error answer to the error taxonomy (platforms.md §6, STYLE.md §3).

    The quota reasons (DAY_REASONS) are handled by the caller, which marks the
    day spent; this maps everything else, from the status and the envelope's
    reason, never from the message text.
    """
    reason = problem.text(hidden) or str(status)
    code = problem.reason
    if status == 401:
        message = words("YouTube did not accept the account's token: %(reason)s", reason=reason)
        return AuthExpired(message, status=status, code=code)
    if code == "insufficientPermissions":
        return AuthExpired(
            words(
                "The YouTube account did not give SMO permission for this; reconnect it and "
                "allow uploading and viewing the channel."
            ),
            status=status,
            code=code,
        )
    if code in RATE_REASONS or status == 429:
        return RateLimited(
            words("YouTube asked SMO to slow down: %(reason)s", reason=reason),
            now + retry_after(headers, SHORT_WAIT),
            status=status,
            code=code,
        )
    if status >= 500 or status == 408:
        return _server_error(status, step, code)
    if code == "youtubeSignupRequired":
        return Permanent(
            words("This Google account has no YouTube channel yet; create one, then reconnect."),
            status=status,
            code=code,
        )
    if step is Step.SET:
        refused = words("YouTube refused the thumbnail: %(reason)s", reason=reason)
    elif step is Step.COMMENT:
        refused = words("YouTube refused the answer: %(reason)s", reason=reason)
    elif step in (Step.READ, Step.MODERATE):
        refused = words("YouTube refused the request: %(reason)s", reason=reason)
    else:
        refused = words("YouTube refused the video: %(reason)s", reason=reason)
    return Permanent(refused, status=status, code=code)


def _server_error(status: int, step: Step, code: str) -> AdapterError:
    if step is Step.FINAL:
        # The last bytes reached Google: the video may exist. The reconciler asks
        # the upload session, which answers with the video if it was made.
        return Unknown(
            words(
                "YouTube answered %(status)s to the last part of the video; it may exist.",
                status=status,
            ),
            status=status,
            code=code,
        )
    if step is Step.COMMENT:
        return Unknown(
            words("YouTube answered %(status)s to the answer; it may exist.", status=status),
            status=status,
            code=code,
        )
    message: Words = words(
        "YouTube had a temporary problem (%(status)s); nothing was published.", status=status
    )
    if step is Step.START:
        # Step 1 only opens an upload session: a video is made once all its bytes
        # arrive on a session, and this attempt never got a session to send them to.
        message = words(
            "YouTube had a temporary problem starting the upload (%(status)s); "
            "no video was created.",
            status=status,
        )
    elif step is Step.CHUNK:
        message = words(
            "YouTube had a temporary problem during the upload (%(status)s); "
            "SMO resumes the same upload.",
            status=status,
        )
    return Transient(message, status=status, code=code)


def lost_error(lost: Lost, step: Step) -> AdapterError:
    """Map a request that got no answer."""
    if not lost.sent:
        return Transient(
            words("Could not reach YouTube (%(error)s); nothing was sent.", error=lost.name)
        )
    if step is Step.FINAL:
        return Unknown(
            words(
                "YouTube did not answer after the last part of the video was sent "
                "(%(error)s); the video may exist.",
                error=lost.name,
            )
        )
    if step is Step.COMMENT:
        return Unknown(
            words(
                "YouTube did not answer after the answer was sent (%(error)s); it may exist.",
                error=lost.name,
            )
        )
    if step is Step.START:
        return Transient(
            words(
                "YouTube did not answer the start of the upload (%(error)s); no video was created.",
                error=lost.name,
            )
        )
    if step is Step.CHUNK:
        return Transient(
            words(
                "YouTube did not answer during the upload (%(error)s); "
                "SMO resumes the same upload.",
                error=lost.name,
            )
        )
    return Transient(words("YouTube did not answer (%(error)s).", error=lost.name))


def retry_after(headers: Mapping[str, str], default: timedelta) -> timedelta:
    """Return the wait a Retry-After header asks for (seconds or an HTTP date)."""
    value = str(headers.get("retry-after") or "").strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        return default
    return max(timedelta(0), when - datetime.now(when.tzinfo))

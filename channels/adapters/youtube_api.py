"""google-api-python-client on SMO's outbound session, and what YouTube's answers mean.

googleapiclient talks to an `http` object with httplib2's `request()`; `SessionHttp`
is that object on the shared requests.Session, so every call has the session's
timeout, User-Agent and no hidden retries (STYLE.md §3). The client is built from
the discovery document the library ships (static_discovery=True), pointed at the
configured base URL with client_options' api_endpoint.

Two quirks of google-api-python-client 2.202.0 shape this module:
- with api_endpoint set, media upload URLs keep the document's `https` scheme
  and take only the endpoint's host (`_fix_up_media_path_base_url`), so a plain
  http base URL (a local fake) is put back here;
- `HttpRequest.next_chunk()` makes step 1 of a resumable upload and sends the
  first chunk in one call, so the transport reports the session URL the moment
  step 1 answers, before any byte of the video is sent (platforms.md §6).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import httplib2
import requests
from googleapiclient import discovery
from googleapiclient.errors import HttpError
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from channels.adapters.base import (
    AdapterError,
    AuthExpired,
    Credentials,
    Permanent,
    RateLimited,
    Transient,
    Unknown,
)
from channels.adapters.youtube_quota import Quota
from channels.words import Words, words

API_URL = "https://www.googleapis.com"
DEFAULT_TIMEOUT = 30.0
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


class Lost(Exception):
    """A request that got no answer. `sent` is False only when it never left."""

    def __init__(self, error: requests.RequestException) -> None:
        super().__init__(type(error).__name__)
        self.name = type(error).__name__
        self.sent = not nothing_sent(error)


class SessionHttp:
    """httplib2.Http's `request()` on SMO's requests.Session, for googleapiclient.

    The bearer token is added here, and only to requests for the API's own host,
    so it never reaches another host and never passes through the library.
    """

    def __init__(
        self,
        session: requests.Session,
        api_url: str,
        token: str,
        on_upload_session: Callable[[str], None] | None = None,
    ) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.on_upload_session = on_upload_session
        parts = urlsplit(self.api_url)
        self._https_twin = f"https://{parts.netloc}" if parts.scheme == "http" else ""

    def __repr__(self) -> str:
        return f"SessionHttp(api_url={self.api_url!r}, token=<hidden>)"

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        redirections: int = 5,
        connection_type: Any = None,
    ) -> tuple[httplib2.Response, bytes]:
        if self._https_twin and (uri == self._https_twin or uri.startswith(self._https_twin + "/")):
            uri = self.api_url + uri[len(self._https_twin) :]
        sent = {k.lower(): str(v) for k, v in (headers or {}).items()}
        sent.pop("user-agent", None)  # the session's own User-Agent, not "(gzip)"
        if uri.startswith(self.api_url + "/"):
            sent["authorization"] = f"Bearer {self._token}"
        if hasattr(body, "read"):
            body = body.read()  # one chunk of the file (googleapiclient's _StreamSlice)
        try:
            response = self.session.request(
                method,
                uri,
                data=body,
                headers=sent,
                allow_redirects=False,
                timeout=getattr(self.session, "timeout", DEFAULT_TIMEOUT),
            )
        except requests.RequestException as error:
            raise Lost(error) from None
        info = {k.lower(): v for k, v in response.headers.items()}
        info["status"] = str(response.status_code)
        answer = httplib2.Response(info)
        if (
            self.on_upload_session is not None
            and method == "POST"
            and "uploadType=resumable" in uri
            and answer.status == 200
            and "location" in answer
        ):
            self.on_upload_session(answer["location"])
        return answer, response.content


def build_client(http: SessionHttp) -> Any:
    """Return a YouTube Data API v3 client from the library's own discovery document."""
    return discovery.build(
        "youtube",
        "v3",
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": http.api_url},
    )


# --- What an answer means ------------------------------------------------------------


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
    elif step is Step.READ:
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


def nothing_sent(error: requests.RequestException) -> bool:
    """Tell a connection that never opened (refused, DNS, connect timeout) from one
    lost after the request went out (read timeout, reset)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if not isinstance(error, requests.ConnectionError) or not error.args:
        return False
    reason = error.args[0]
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def scrub(text: str, hidden: Iterable[str]) -> str:
    """Keep tokens out of what people and logs see, and keep it short."""
    for secret in hidden:
        if secret and len(secret) >= 8:  # shorter is no token
            text = text.replace(secret, "[hidden]")
    return text if len(text) <= 300 else text[:299] + "…"


# --- One account's calls ---------------------------------------------------------------


class Calls:
    """The YouTube client for one account, with the quota charged before each call
    and every failure mapped to the error taxonomy."""

    def __init__(
        self,
        session: requests.Session,
        api_url: str,
        creds: Credentials,
        quota: Quota,
        now: Callable[[], datetime],
        on_upload_session: Callable[[str], None] | None = None,
        hidden: Iterable[str] = (),
    ) -> None:
        self.http = SessionHttp(session, api_url, access_token(creds), on_upload_session)
        self.client = build_client(self.http)
        self.quota = quota
        self.now = now
        self.channel = creds.external_id
        self.hidden = [v for v in (*creds.secrets.values(), *hidden) if v]

    def __repr__(self) -> str:
        return f"Calls(channel={self.channel!r}, http={self.http!r})"

    def execute(self, request: Any, method: str, step: Step = Step.READ) -> Any:
        """Charge `method`'s quota, then run a googleapiclient request."""
        self.quota.charge(method, self.channel)
        try:
            return request.execute()
        except (HttpError, Lost) as error:
            raise self.fail(error, method, step) from None

    def fail(self, error: HttpError | Lost, method: str, step: Step) -> AdapterError:
        if isinstance(error, Lost):
            return lost_error(error, step)
        return self.error(error.resp.status, error.content, error.resp, method, step)

    def error(
        self, status: int, content: bytes, headers: Mapping[str, str], method: str, step: Step
    ) -> AdapterError:
        problem = GoogleError.parse(content)
        if problem.reason in DAY_REASONS or (problem.reason in RATE_REASONS and step is Step.START):
            return self.quota.exhausted(method, problem.reason, self.channel, status)
        return error_for(status, problem, headers, step=step, now=self.now(), hidden=self.hidden)


def access_token(creds: Credentials) -> str:
    token = creds.secrets.get("access_token")
    if not token:
        raise AuthExpired(words("This YouTube account has no access token; reconnect it."))
    return token

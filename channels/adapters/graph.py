"""facebook-sdk on SMO's outbound session, and what the Graph API's answers mean.

The one place that extends facebook-sdk 3.1.0, shared by the Facebook and the
Instagram adapters (platforms.md §2, §3, §14):
- `build_graph` makes a `facebook.GraphAPI` for the configured Graph version on
  the shared session, with the library's hard-coded hosts routed to the
  configured base URLs;
- `error_for` and `request_error` turn Graph errors and network failures into
  the adapter error classes (STYLE.md §3);
- `GraphClient` puts both together, adds paging and the graph-video host.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any
from urllib.parse import parse_qs, urlparse

import facebook
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from channels.adapters.base import (
    AdapterError,
    AuthExpired,
    Content,
    Credentials,
    Permanent,
    Progress,
    RateLimited,
    Transient,
    Unknown,
)
from channels.words import Words, words

GRAPH_ORIGIN = "https://graph.facebook.com"
VIDEO_ORIGIN = "https://graph-video.facebook.com"
WWW_ORIGIN = "https://www.facebook.com"
DEFAULT_VERSION = "v24.0"
# facebook-sdk passes `timeout=None` explicitly unless given one, which would
# switch the session's own default off.
DEFAULT_TIMEOUT = 30.0

# platforms.md §2; 80002 and 80006 are the Business Use Case limits of the
# Instagram and Messenger APIs, as 80001 is of Pages (Graph rate-limiting guide).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80006})
# Code 2 is "HTTP 500, retry; the post may still have been created" (§2); the
# Instagram API answers -1/-2 for its own server and download errors (§3).
UNCERTAIN_CODES = frozenset({1, 2, -1, -2})
# "You reached maximum number of posts ... Content Publishing API" (§3).
INSTAGRAM_CAP = (9, 2207042)
# "Media is not ready for publishing": media_publish refused, nothing published
# (Instagram error-codes reference; subcode 2207027).
NOT_READY_CODE = 9007
# media_publish on a container older than 24 hours: nothing was published.
EXPIRED_SUBCODE = 2207020
# Code 4 is a rate limit, except this subcode: "We restrict certain activity to
# protect our community" (Instagram error-codes reference).
SPAM_BLOCK = (4, 2207051)
# "Unsupported delete request. Object with ID ... does not exist, cannot be
# loaded due to missing permissions, or does not support this operation."
GONE = "100/33"
# Messenger's Send API outside the 24 hours after the person's last message
# ("This message is sent outside of allowed window"; Send API error codes).
MESSAGING_WINDOW = (10, 2018278)
ALREADY_POSTED = re.compile(r"already posted|duplicate", re.IGNORECASE)
RATE_LIMIT_WAIT = timedelta(minutes=15)
INSTAGRAM_CAP_WAIT = timedelta(hours=1)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class MetaApp:
    """The Meta app config the Facebook and Instagram adapters share."""

    app_id: str
    app_secret: str
    version: str = DEFAULT_VERSION
    graph_url: str = GRAPH_ORIGIN
    graph_video_url: str = VIDEO_ORIGIN
    dialog_url: str = WWW_ORIGIN
    now: Callable[[], datetime] = _utc_now

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MetaApp:
        version = str(config.get("version") or DEFAULT_VERSION)
        return cls(
            app_id=str(config.get("app_id") or ""),
            app_secret=str(config.get("app_secret") or ""),
            version=version if version.startswith("v") else f"v{version}",
            graph_url=str(config.get("graph_url") or GRAPH_ORIGIN).rstrip("/"),
            graph_video_url=str(config.get("graph_video_url") or VIDEO_ORIGIN).rstrip("/"),
            dialog_url=str(config.get("dialog_url") or WWW_ORIGIN).rstrip("/"),
            now=config.get("now") or _utc_now,
        )

    def __repr__(self) -> str:
        return f"MetaApp(app_id={self.app_id!r}, version={self.version!r}, app_secret=<hidden>)"


class Call(Enum):
    """What a Graph call does, which decides what an unanswered call means."""

    READ = "read"  # nothing is created
    PREPARE = "prepare"  # creates nothing anyone sees: an IG container, an unpublished photo
    CREATE = "create"  # publishes: a post, a photo, a video, media_publish, a comment
    REPEAT = "repeat"  # changes state, but doing it twice is harmless: hide, unhide, delete


class _HostSwitch:
    """The session facebook-sdk talks to: sends its calls to graph.facebook.com
    (or graph-video.facebook.com) whatever the module constant says, and keeps
    the last response, whose status and rate-limit headers GraphAPIError lacks."""

    def __init__(self, session: requests.Session) -> None:
        self.session = session
        self.host = GRAPH_ORIGIN
        self.last: requests.Response | None = None

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        prefix = facebook.FACEBOOK_GRAPH_URL  # read at call time, like the library does
        if url.startswith(prefix):
            url = f"{self.host}/{url[len(prefix) :]}"
        self.last = None
        self.last = self.session.request(method, url, **kwargs)
        return self.last


def build_graph(
    session: requests.Session, app: MetaApp, token: str | None = None
) -> facebook.GraphAPI:
    """Return a GraphAPI for `token` on `session`, at the configured version and hosts."""
    route = getattr(session, "route", None)
    if callable(route):
        route(GRAPH_ORIGIN, app.graph_url)
        route(VIDEO_ORIGIN, app.graph_video_url)
    elif (app.graph_url, app.graph_video_url) != (GRAPH_ORIGIN, VIDEO_ORIGIN):
        raise TypeError("Custom Graph URLs need an OutboundSession (channels.adapters.session).")
    graph = facebook.GraphAPI(
        access_token=token,
        timeout=getattr(session, "timeout", DEFAULT_TIMEOUT),
        session=_HostSwitch(session),
    )
    # The constructor only takes "2.8" to "3.1" and rejects two-digit majors, but
    # every method formats its path with this attribute (platforms.md §14).
    graph.version = app.version
    return graph


# --- What an answer means ----------------------------------------------------------


@dataclass(frozen=True)
class GraphError:
    """The Graph error envelope (platforms.md §2)."""

    message: str = ""
    type: str = ""
    code: int | None = None
    subcode: int | None = None
    user_msg: str = ""

    @classmethod
    def parse(cls, result: object) -> GraphError | None:
        error = result.get("error") if isinstance(result, Mapping) else None
        if not isinstance(error, Mapping):
            return None
        return cls(
            message=str(error.get("message") or ""),
            type=str(error.get("type") or ""),
            code=_int(error.get("code")),
            subcode=_int(error.get("error_subcode")),
            user_msg=str(error.get("error_user_msg") or ""),
        )

    @property
    def log_code(self) -> str:
        return "/".join(str(c) for c in (self.code, self.subcode) if c is not None)

    @property
    def text(self) -> str:
        return self.user_msg or self.message or str(words("no explanation given"))


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def error_for(
    result: object,
    *,
    status: int | None,
    headers: Mapping[str, str],
    call: Call,
    network: str,
    now: datetime,
) -> AdapterError:
    """Return the adapter error for a Graph answer that carries `result` (platforms.md §2)."""
    error = GraphError.parse(result)
    if error is None:
        return _unexpected(status, call, network)
    kw: dict[str, Any] = {"status": status, "code": error.log_code}
    code, pair = error.code, (error.code, error.subcode)
    if code == 190:
        return AuthExpired(
            words(
                "%(network)s no longer accepts this account's access token (%(reason)s). "
                "Reconnect the account.",
                network=network,
                reason=error.message,
            ),
            **kw,
        )
    if pair == INSTAGRAM_CAP:
        message = words("%(network)s: %(reason)s", network=network, reason=error.text)
        return RateLimited(message, now + INSTAGRAM_CAP_WAIT, **kw)
    if code in RATE_LIMIT_CODES and pair != SPAM_BLOCK:
        again = retry_at(headers, now)
        return RateLimited(
            words(
                "%(network)s asks to slow down (rate limit, code %(code)s); "
                "SMO tries again after %(time)s UTC.",
                network=network,
                code=code,
                time=f"{again.astimezone(UTC):%H:%M}",
            ),
            again,
            **kw,
        )
    if pair == MESSAGING_WINDOW:
        return Permanent(
            words(
                "%(network)s only lets a Page answer a message within 24 hours of the "
                "person's last message; this conversation is older. Answer in Messenger itself.",
                network=network,
            ),
            **kw,
        )
    if code == 506 or (code == 368 and ALREADY_POSTED.search(f"{error.message} {error.user_msg}")):
        return Permanent(
            words(
                "%(network)s says this was already posted: %(reason)s",
                network=network,
                reason=error.text,
            ),
            duplicate=True,
            **kw,
        )
    if code == NOT_READY_CODE:
        return Transient(
            words(
                "%(network)s is still processing the media: %(reason)s",
                network=network,
                reason=error.text,
            ),
            **kw,
        )
    if error.subcode == EXPIRED_SUBCODE:
        return Transient(
            words(
                "%(network)s: %(reason)s SMO makes a new container.",
                network=network,
                reason=error.text,
            ),
            **kw,
        )
    if code in UNCERTAIN_CODES or (status or 0) >= 500:
        what = words(
            "%(network)s could not complete the request (%(reason)s)",
            network=network,
            reason=error.text,
        )
        return _uncertain(call, what, **kw)
    return Permanent(
        words("%(network)s refused this: %(reason)s", network=network, reason=error.text), **kw
    )


def _unexpected(status: int | None, call: Call, network: str) -> AdapterError:
    """An answer that is not a Graph JSON body: a proxy's HTML page, a cut-off body."""
    detail = words(
        "%(network)s sent an unexpected answer (HTTP %(status)s)", network=network, status=status
    )
    if status is None or status >= 500:
        return _uncertain(call, detail, status=status, code="not-json")
    return Permanent(
        words("%(what)s; check the configured Graph URL.", what=detail),
        status=status,
        code="not-json",
    )


def _uncertain(call: Call, detail: Words, **kw: Any) -> AdapterError:
    if call is Call.CREATE:
        return Unknown(
            words("%(what)s; the post may exist, so SMO checks before trying again.", what=detail),
            **kw,
        )
    return Transient(words("%(what)s; trying again is safe.", what=detail), **kw)


def retry_at(headers: Mapping[str, str], now: datetime) -> datetime:
    """When to come back after a rate limit: X-Business-Use-Case-Usage's
    estimated_time_to_regain_access (minutes; platforms.md §2), else 15 minutes."""
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        usage = json.loads(lower.get("x-business-use-case-usage", "") or "{}")
        minutes = max(
            (
                int(entry.get("estimated_time_to_regain_access") or 0)
                for entries in usage.values()
                for entry in entries
            ),
            default=0,
        )
    except (ValueError, TypeError, AttributeError):
        minutes = 0
    return now + (timedelta(minutes=minutes) if minutes > 0 else RATE_LIMIT_WAIT)


def request_error(exc: requests.RequestException, *, call: Call, network: str) -> AdapterError:
    """Map a failure to talk to the network; its message may hold a URL with a token,
    so only the exception's class name is kept."""
    name = type(exc).__name__
    invalid = (
        requests.exceptions.InvalidURL,
        requests.exceptions.InvalidSchema,
        requests.exceptions.MissingSchema,
    )
    if isinstance(exc, invalid):
        return Permanent(
            words(
                "%(network)s: the configured Graph URL is invalid (%(error)s).",
                network=network,
                error=name,
            ),
            code=name,
        )
    if _never_connected(exc):
        return Transient(
            words(
                "%(network)s could not be reached (%(error)s); nothing was sent.",
                network=network,
                error=name,
            ),
            code=name,
        )
    what = words("%(network)s did not answer (%(error)s)", network=network, error=name)
    return _uncertain(call, what, code=name)


def _never_connected(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    reason = exc.args[0] if exc.args else None
    return isinstance(exc, requests.ConnectionError) and (
        isinstance(reason, MaxRetryError) and isinstance(reason.reason, NewConnectionError)
    )


def redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, "<hidden>")
    return text


# --- The client ----------------------------------------------------------------------


class GraphClient:
    """facebook-sdk's GraphAPI for one token; every call's failure is an AdapterError."""

    def __init__(
        self,
        session: requests.Session,
        app: MetaApp,
        token: str | None = None,
        *,
        network: str = "Facebook",
    ) -> None:
        self.app = app
        self.network = network
        self.api = build_graph(session, app, token)
        self._switch: _HostSwitch = self.api.session
        self._secrets = tuple(s for s in (token, app.app_secret) if s)

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return self.call(Call.READ, lambda: self.api.request(self._path(path), args=params))

    def post(
        self, path: str, call: Call, files: Mapping[str, Any] | None = None, **params: Any
    ) -> dict[str, Any]:
        post_args = {k: _form(v) for k, v in params.items()}
        return self.call(
            call, lambda: self.api.request(self._path(path), post_args=post_args, files=files)
        )

    def post_video(self, path: str, files: Mapping[str, Any], **params: Any) -> dict[str, Any]:
        """POST to graph-video.facebook.com, which facebook-sdk has no host for (§14)."""
        self._switch.host = VIDEO_ORIGIN
        try:
            return self.post(path, Call.CREATE, files, **params)
        finally:
            self._switch.host = GRAPH_ORIGIN

    def delete(self, path: str) -> None:
        """DELETE an object. Doing it twice is harmless, so a lost answer is
        Transient and an object already gone counts as deleted."""
        try:
            self.call(Call.REPEAT, lambda: self.api.request(self._path(path), method="DELETE"))
        except Permanent as error:
            if error.code != GONE:
                raise

    def paged(self, path: str, *, max_pages: int = 10, **params: Any) -> Iterator[dict[str, Any]]:
        """Yield the items of a list edge, following `paging.next` for up to `max_pages`."""
        for page in self.pages(path, max_pages=max_pages, **params):
            yield from page

    def pages(
        self, path: str, *, max_pages: int | None = None, **params: Any
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield a list edge page by page, following `paging.next` to the end
        (or for up to `max_pages`); the next URL repeats every parameter."""
        args, count, seen = dict(params), 0, set()
        while max_pages is None or count < max_pages:
            page = self.get(path, **args)
            count += 1
            yield list(page.get("data") or [])
            next_url = (page.get("paging") or {}).get("next")
            if not next_url or next_url in seen:  # a cursor that goes nowhere ends it too
                return
            seen.add(next_url)
            query = parse_qs(urlparse(next_url).query)
            args = {k: v[-1] for k, v in query.items() if k != "access_token"}

    def call(self, call: Call, send: Callable[[], Any]) -> dict[str, Any]:
        """Run one facebook-sdk call and map whatever goes wrong.

        The error is raised outside the except blocks, so it carries no
        context: requests' own messages can hold a URL with the token.
        """
        try:
            result = send()
        except facebook.GraphAPIError as exc:
            error = self._answer_error(exc.result, call)
        except requests.exceptions.JSONDecodeError:
            error = self._answer_error(None, call)
        except requests.RequestException as exc:
            error = request_error(exc, call=call, network=self.network)
        except KeyError:  # facebook-sdk indexes a missing Content-Type header (§14)
            error = self._answer_error(None, call)
        else:
            if isinstance(result, dict):
                return result
            error = self._answer_error(None, call)
        raise self._redacted(error)

    def _answer_error(self, result: object, call: Call) -> AdapterError:
        response = self._switch.last
        return error_for(
            result,
            status=response.status_code if response is not None else None,
            headers=dict(response.headers) if response is not None else {},
            call=call,
            network=self.network,
            now=self.app.now(),
        )

    def _redacted(self, error: AdapterError) -> AdapterError:
        clean = redact(error.detail, self._secrets)
        error.detail = clean
        error.args = (clean,)
        return error

    def _path(self, path: str) -> str:
        return f"{self.app.version}/{path.lstrip('/')}"


def _form(value: Any) -> Any:
    """Graph reads booleans as "true"/"false"; requests would send "True"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


# --- Shared helpers ----------------------------------------------------------------------


def same_text(a: str, b: str) -> bool:
    """Compare texts the way Content.fingerprint does (NFC, whitespace collapsed)."""
    return Content(a).fingerprint == Content(b).fingerprint


def graph_time(value: object) -> datetime | None:
    """Parse Graph's "2026-11-25T14:00:00+0000" timestamps."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    except ValueError:
        return None


def absolute(url: str, base: str = WWW_ORIGIN) -> str:
    """Video permalink_url values are paths ("/page/videos/1/"); make them URLs."""
    return f"{base}{url}" if url.startswith("/") else url


def find_by_text(
    client: GraphClient,
    path: str,
    *,
    text: str,
    text_field: str,
    time_field: str,
    fields: str,
    not_before: datetime | None,
    max_pages: int = 2,
) -> dict[str, Any] | None:
    """Return the newest item of a list edge whose text matches `text`, made no
    earlier than `not_before` (when the first attempt started, less clock skew)."""
    for item in client.paged(path, max_pages=max_pages, fields=fields, limit=25):
        made = graph_time(item.get(time_field))
        if not_before is not None and made is not None and made < not_before:
            return None  # lists are newest first: the rest is older still
        if same_text(str(item.get(text_field) or ""), text):
            return item
    return None


def created_id(result: Mapping[str, Any], network: str, *keys: str) -> str:
    """Return the id a create answered with (the first of `keys` present)."""
    for key in keys or ("id",):
        if result.get(key):
            return str(result[key])
    raise Unknown(
        words("%(network)s answered without an id; the post may exist.", network=network),
        code="no-id",
    )


def permalink(
    client: GraphClient,
    object_id: str,
    *,
    url_field: str,
    time_field: str,
    fallback: str,
    known: Mapping[str, Any] | None = None,
) -> tuple[str, datetime]:
    """Return the public URL and publish time of a post that exists.

    `known` is the post as a listing already returned it, which saves a call.
    A failed read here must not hold up a post that is already out, so a
    temporary failure or rate limit gives `fallback` and the current time.
    """
    found = known or {}
    if not found.get(url_field):
        try:
            found = client.get(object_id, fields=f"{url_field},{time_field}")
        except (Transient, RateLimited):
            return fallback, client.app.now()
    url = str(found.get(url_field) or "")
    return (absolute(url) if url else fallback), graph_time(
        found.get(time_field)
    ) or client.app.now()


def access_token(creds: Credentials, network: str) -> str:
    token = str(creds.secrets.get("access_token") or "")
    if not token:
        raise AuthExpired(
            words("This %(network)s account has no access token; reconnect it.", network=network)
        )
    return token


# Graph's clock and SMO's may differ; a post found this much before the first
# attempt started still counts as that attempt's.
CLOCK_SKEW = timedelta(minutes=10)


def mark_start(progress: Progress, now: datetime) -> None:
    """Record when the first attempt began, so find_published ignores older look-alikes."""
    if not progress.get("started_at"):
        progress.record("started_at", now.isoformat())


def not_before(progress: Progress) -> datetime | None:
    try:
        return datetime.fromisoformat(str(progress.get("started_at"))) - CLOCK_SKEW
    except ValueError:
        return None

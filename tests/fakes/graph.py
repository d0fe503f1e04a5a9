"""A fake Graph API for Facebook Pages and Instagram, on 127.0.0.1 (platforms.md §2, §3).

    with FakeGraph() as fake:
        fake.add_page("1001", "Acme", "page-token", instagram=("1789", "acme"))
        adapter = FacebookAdapter(fake.config(), build_session(2.0))

It answers like the real API where the adapters can tell: the Graph error
envelope with HTTP 400/403/500, `Content-Type: application/json; charset=UTF-8`
(facebook-sdk parses nothing else; §14), X-App-Usage and
X-Business-Use-Case-Usage headers, 190 for unknown or expired tokens, 506 for a
repeated status on a Page. It serves every version's paths (/vNN.N/...), the
Facebook Login dialog (`fake.authorize_url`, approved at once) and token
exchange, and graph-video calls under `fake.video_url`. Instagram containers
fetch their media over HTTP as Instagram does; `fake.add_file` serves media.

Knobs: fail_next(status, body, headers, path, after=), timeout_after_receive(path),
error_rate, container_polls, expire_container(), quota_total, use_quota(),
expire_token(), accounts_page_size, inbox_page_size, retired_metrics, no_insights.
Seeding: add_page, add_post, add_media, add_comment, add_message, add_file,
set_metrics, set_followers. Records: requests (see calls()),
posts, photos, videos, comments, conversations, containers, media, fetches,
granted_scopes, crashes.

The endpoints are in graph_routes.py (comments and Messenger in graph_inbox.py,
analytics in graph_metrics.py), the request records and error envelope in
graph_wire.py, and the cases for the shared contract suite in graph_contract.py.
"""

from __future__ import annotations

import json
import random
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from tests.fakes.graph_inbox import new_comment, new_message
from tests.fakes.graph_routes import _new_media, _new_post, route
from tests.fakes.graph_wire import (
    GRAPH_ORIGIN,
    JSON_TYPE,
    TIME_FORMAT,
    VERSION,
    Fetch,
    GraphFault,
    Page,
    Recorded,
    Redirect,
    b64,
    buc_header,
    default_error,
    graph_error,
    jpeg,
    parse_body,
    select,
    unb64,
)
from tests.fakes.loopback import Fault, LoopbackFake, LoopbackHandler

__all__ = [
    "VERSION",
    "FakeGraph",
    "Fetch",
    "Page",
    "Recorded",
    "buc_header",
    "graph_error",
    "jpeg",
]


class _Handler(LoopbackHandler):
    # The standard library's defaults, as this fake has always had them: HTTP/1.0,
    # a connection per request, written unbuffered.
    protocol_version = "HTTP/1.0"
    wbufsize = 0
    disable_nagle_algorithm = False
    do_DELETE = LoopbackHandler.do_POST  # deleting comments


class FakeGraph(LoopbackFake):
    """The fake server and its state. Use as a context manager."""

    def __init__(
        self,
        *,
        app_id: str = "424242",
        app_secret: str = "fake-app-secret-5ec2e7",  # noqa: S107 - a fake
        seed: int = 7,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.app_id, self.app_secret = app_id, app_secret
        self.now = now or (lambda: datetime.now(UTC))
        self.rng = random.Random(seed)
        # Knobs
        self.error_rate = 0.0  # share of calls answered 500/code 2 before doing anything
        self.container_polls = 0  # IN_PROGRESS polls before a video or carousel is FINISHED
        self.quota_total = 50  # Instagram posts per rolling 24 h (§3)
        self.accounts_page_size = 25
        self.inbox_page_size = 25  # most comments, replies, conversations or messages a page
        self.retired_metrics: set[str] = set()  # insight metrics refused as retired (code 100)
        self.no_insights: set[str] = set()  # IG media posted before the account went pro
        self.hold_seconds = 5.0  # how long timeout_after_receive keeps a request unanswered
        self.fetch_timeout = 2.0
        # Records
        self.requests: list[Recorded] = []
        self.posts: list[dict[str, Any]] = []
        self.photos: dict[str, dict[str, Any]] = {}
        self.videos: dict[str, dict[str, Any]] = {}
        self.comments: list[dict[str, Any]] = []  # see graph_inbox.py
        self.conversations: list[dict[str, Any]] = []
        self.containers: dict[str, dict[str, Any]] = {}
        self.media: list[dict[str, Any]] = []
        self.fetches: list[Fetch] = []
        self.granted_scopes: list[str] = []
        self.crashes: list[str] = []  # bugs in the fake itself; tests expect none
        # State
        self.pages: dict[str, Page] = {}
        self.figures: dict[str, dict[str, Any]] = {}  # see graph_metrics.py
        self.followers: dict[str, int | None] = {}
        self.fans: dict[str, int] = {}  # a Page's likes (fan_count)
        self.files: dict[str, tuple[bytes, str]] = {}
        self._codes: dict[str, dict[str, str]] = {}
        self._user_tokens: set[str] = set()
        self._expired: dict[str, int] = {}
        self._quota_used: dict[str, int] = {}
        self._ids = 0
        self._calls = 0
        self._server = self.serve(_Handler.bound_to(self))

    # --- Wiring ---------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def video_url(self) -> str:
        """Where graph-video.facebook.com calls go; recorded with host="graph-video"."""
        return f"{self.url}/graph-video"

    @property
    def authorize_url(self) -> str:
        """The fake Facebook Login dialog: it approves at once with a 302 to redirect_uri."""
        return f"{self.url}/{VERSION}/dialog/oauth"

    def config(self, **extra: Any) -> dict[str, Any]:
        """Adapter config pointing at this fake."""
        return {
            "app_id": self.app_id,
            "app_secret": self.app_secret,
            "graph_url": self.url,
            "graph_video_url": self.video_url,
            "dialog_url": self.url,
            "version": VERSION,
            **extra,
        }

    # --- Seeding ---------------------------------------------------------------

    def add_page(
        self,
        page_id: str,
        name: str,
        token: str,
        tasks: list[str] | None = None,
        instagram: tuple[str, str] | None = None,
    ) -> Page:
        """Add a Page the Facebook Login user manages; `instagram` = (ig user id, username)."""
        tasks = (
            ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"]
            if tasks is None
            else tasks
        )
        page = Page(page_id, name, token, list(tasks), instagram)
        with self._lock:
            self.pages[page_id] = page
        return page

    def add_post(self, page_id: str, message: str) -> dict[str, Any]:
        """A status post on the Page, as if published earlier."""
        with self._lock:
            return _new_post(self, self.pages[page_id], message, "status")

    def add_media(self, ig_user_id: str, caption: str) -> dict[str, Any]:
        """An image on the Instagram account, as if published earlier."""
        page = next(p for p in self.pages.values() if p.instagram and p.instagram[0] == ig_user_id)
        container = {"id": self.next_id(), "media_type": "IMAGE", "caption": caption}
        with self._lock:
            return _new_media(self, page, {**container, "children": []})

    def add_comment(
        self, on: str, text: str, author: tuple[str, str], at: datetime | None = None
    ) -> dict[str, Any]:
        """A comment on a post or media, or a reply when `on` is a comment;
        `author` is (id, name), an Instagram (IGSID, username)."""
        with self._lock:
            return new_comment(self, on, text, author, at or self.now())

    def add_message(
        self,
        page_id: str,
        psid: str,
        text: str,
        *,
        name: str = "Mia Svensson",
        at: datetime | None = None,
        from_page: bool = False,
    ) -> dict[str, Any]:
        """A Messenger message between the Page and the person `psid`."""
        with self._lock:
            page = self.pages[page_id]
            return new_message(self, page, psid, name, text, at or self.now(), from_page)

    def set_metrics(self, object_id: str, **figures: Any) -> None:
        """Seed what a post, video or media achieved, in Graph's own names
        (graph_metrics.py); figures not named stay out of the answers."""
        with self._lock:
            self.figures.setdefault(object_id, {}).update(figures)

    def set_followers(self, owner_id: str, count: int | None, *, fans: int | None = None) -> None:
        """A Page's or an Instagram account's followers (None: left out of the
        answer) and a Page's likes (`fans`, the followers when not given)."""
        with self._lock:
            self.followers[owner_id] = count
            fans = count if fans is None else fans
            if fans is not None:
                self.fans[owner_id] = fans

    def add_file(self, name: str, data: bytes, content_type: str) -> str:
        """Serve `data` at the returned URL, for Instagram to fetch."""
        self.files[name] = (data, content_type)
        return f"{self.url}/files/{name}"

    # --- Knobs ------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        body: dict[str, Any] | str | None = None,
        headers: dict[str, str] | None = None,
        path: str | None = None,
        *,
        after: int = 0,
    ) -> None:
        """Answer the next Graph call (whose path contains `path`; skipping `after`
        such calls first) with this error, doing nothing else. A str body is sent
        as text/html, like a proxy's error page."""
        self._plan(Fault(status, body, dict(headers or {}), path, skip=after))

    # timeout_after_receive(path) and drop_after_receive(path) hold the next call
    # whose path contains `path` (any call, without one); see LoopbackFake.

    def _matches(self, wanted: str, name: str) -> bool:
        return wanted in name  # "/feed" names /1001/feed

    def expire_container(self, container_id: str) -> None:
        with self._lock:
            self.containers[container_id]["status_code"] = "EXPIRED"

    def use_quota(self, ig_user_id: str, posts: int) -> None:
        """Count `posts` as published by ig_user_id in the last 24 hours."""
        with self._lock:
            self._quota_used[ig_user_id] = self._quota_used.get(ig_user_id, 0) + posts

    def expire_token(self, token: str, subcode: int = 463) -> None:
        with self._lock:
            self._expired[token] = subcode

    # --- Queries for tests -------------------------------------------------------

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        """The requests made with `method` to a path ending in `path` ("/feed")."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.path.endswith(path))
        ]

    # --- Request handling ----------------------------------------------------------

    def handle(self, http: BaseHTTPRequestHandler) -> None:
        url = urlparse(http.path)
        path, host = url.path, "graph"
        if path.startswith("/files/"):
            return self._serve_file(http, path.removeprefix("/files/"))
        if path.startswith("/graph-video/"):
            path, host = path.removeprefix("/graph-video"), "graph-video"
        match = re.match(r"^/(v\d+\.\d+)(/.*)$", path)
        version, path = (match.group(1), match.group(2)) if match else ("", path)
        record = self._record(http, host, path, version, url.query)
        with self._lock:
            self._calls += 1
            hold = self._take_hold(path)
            try:
                answer = self._answer(record)
            except Exception as error:  # a bug in the fake: fail loudly, keep serving
                self.crashes.append(f"{record.method} {record.path}: {error!r}")
                answer = (500, f"fake crashed: {error!r}", {})
        if hold is not None:
            return self._withhold(http, hold)
        return self._send(http, *answer)

    def _answer(self, record: Recorded) -> tuple[int, Any, dict[str, str]]:
        planned = self._take_fault(record.path)
        if planned is not None:
            body = default_error(planned.status) if planned.body is None else planned.body
            return planned.status, body, {**self._usage(record), **planned.headers}
        if self.error_rate and self.rng.random() < self.error_rate:
            return 500, default_error(500), self._usage(record)
        try:
            status, body = route(self, record)
        except GraphFault as error:
            status, body = error.status, error.body
        return status, body, self._usage(record)

    def _record(
        self, http: BaseHTTPRequestHandler, host: str, path: str, version: str, query: str
    ) -> Recorded:
        length = int(http.headers.get("Content-Length") or 0)
        body = http.rfile.read(length) if length else b""
        form, files = parse_body(http.headers.get("Content-Type", ""), body)
        record = Recorded(
            method=http.command,
            host=host,
            path=path,
            version=version,
            query={k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()},
            form=form,
            files=files,
            headers=dict(http.headers.items()),
        )
        with self._lock:
            self.requests.append(record)
        return record

    def _usage(self, record: Recorded) -> dict[str, str]:
        """The rate-limit headers Graph sends with every answer (platforms.md §2)."""
        share = min(self._calls, 100)
        headers = {
            "X-App-Usage": json.dumps({"call_count": share, "total_cputime": 1, "total_time": 1})
        }
        page = self.page_for_token(record.token)
        if page is not None:
            owner, kind = (
                (page.instagram[0], "instagram")
                if page.instagram and page.instagram[0] in record.path
                else (page.id, "pages")
            )
            entry = {
                "type": kind,
                "call_count": share,
                "total_cputime": 1,
                "total_time": 1,
                "estimated_time_to_regain_access": 0,
            }
            headers["X-Business-Use-Case-Usage"] = json.dumps({owner: [entry]})
        return headers

    def _send(
        self, http: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str]
    ) -> None:
        if isinstance(body, Redirect):
            headers = {**headers, "Location": body.location}
            payload, content_type = b"", "text/html; charset=utf-8"
        elif isinstance(body, str):
            payload, content_type = body.encode(), "text/html; charset=utf-8"
        else:
            payload, content_type = json.dumps(body).encode(), JSON_TYPE
        http.send_response(status)
        http.send_header("Content-Type", content_type)
        http.send_header("Content-Length", str(len(payload)))
        http.send_header("facebook-api-version", VERSION)
        for name, value in headers.items():
            http.send_header(name, value)
        http.end_headers()
        http.wfile.write(payload)

    def _serve_file(self, http: BaseHTTPRequestHandler, name: str) -> None:
        found = self.files.get(name)
        data, content_type = found if found else (b"not found", "text/plain")
        http.send_response(200 if found else 404)
        http.send_header("Content-Type", content_type)
        http.send_header("Content-Length", str(len(data)))
        http.end_headers()
        http.wfile.write(data)

    # --- Helpers the routes use ------------------------------------------------------

    def next_id(self) -> str:
        self._ids += 1
        return str(17_841_000_000 + self._ids)

    def timestamp(self) -> str:
        return self.now().astimezone(UTC).strftime(TIME_FORMAT)

    def page_for_token(self, token: str) -> Page | None:
        return next((p for p in self.pages.values() if p.token == token), None)

    def fetch(self, url: str) -> Fetch:
        """GET a media URL the way Instagram cURLs it (Content Publishing guide)."""
        try:
            with urllib.request.urlopen(url, timeout=self.fetch_timeout) as answer:  # noqa: S310
                data = answer.read()
                fetched = Fetch(url, answer.status, len(data), answer.headers.get_content_type())
        except urllib.error.HTTPError as error:
            fetched = Fetch(url, error.code, 0, "")
        except (urllib.error.URLError, OSError, ValueError):
            fetched = Fetch(url, 0, 0, "")
        self.fetches.append(fetched)
        return fetched

    def quota_usage(self, ig_user_id: str) -> int:
        since = self.now() - timedelta(hours=24)
        published = [
            m for m in self.media if m["ig_user_id"] == ig_user_id and m["published_at"] >= since
        ]
        return len(published) + self._quota_used.get(ig_user_id, 0)

    def listing(
        self, record: Recorded, items: list[dict[str, Any]], default_fields: str, most: int = 100
    ) -> dict[str, Any]:
        """A list edge: requested fields, `limit` (up to `most`), cursors and `paging.next`."""
        limit = min(int(record.query.get("limit") or 25), most)
        start = int(unb64(record.query.get("after", "")) or 0)
        chosen = items[start : start + limit]
        fields = record.query.get("fields") or default_fields
        page: dict[str, Any] = {"data": [select(item, fields) for item in chosen]}
        if chosen:
            cursors = {"before": b64(str(start)), "after": b64(str(start + len(chosen)))}
            page["paging"] = {"cursors": cursors}
            if start + len(chosen) < len(items):
                query = {**record.query, "after": cursors["after"]}
                page["paging"]["next"] = (
                    f"{GRAPH_ORIGIN}/{record.version}{record.path}?{urlencode(query)}"
                )
        return page

"""A fake YouTube Data API v3 and Google OAuth 2 on 127.0.0.1, held to the discovery
document google-api-python-client ships (STYLE.md §6, platforms.md §6).

It serves what YouTubeAdapter uses: resumable uploads (step 1 answers a session
URL; chunks answer 308 with `Range`; a `bytes */total` probe says how far a
session got; the last chunk answers 200 with the video), thumbnails.set,
channels.list and playlistItems.list with paging, and Google's authorize page
and token endpoint (code exchange with PKCE, refresh, invalid_grant). Each
method is charged against a per-day quota like Google's (its own bucket of 100
uploads a day, 10,000 units for the rest, reset at Pacific midnight) and answers
403 quotaExceeded when spent. Every API request is checked against the
discovery document (tests/fakes/discovery.py) and so is every answer of the
fake's own; a violation gets Google's 400 and lands in `contract_violations`.

    with FakeYouTube() as fake:
        fake.add_channel("UCacme", "Acme Bakery", "@acmebakery", user="ann")
        token = fake.issue_token("ann")
        adapter = YouTubeAdapter(fake.adapter_config(), build_session(2.0))
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from tests.fakes import discovery
from tests.fakes.loopback import LoopbackFake, LoopbackHandler
from tests.fakes.x import Recorded, Reply, parse_body, send_reply
from tests.fakes.youtube_oauth import OAuthRoutes
from tests.fakes.youtube_routes import Routes
from tests.fakes.youtube_wire import google_error

CLIENT_ID = "fake-google-client-id.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-fake-google-client-secret"
UPLOAD = "https://www.googleapis.com/auth/youtube.upload"
READONLY = "https://www.googleapis.com/auth/youtube.readonly"
FULL = "https://www.googleapis.com/auth/youtube"
FORCE_SSL = "https://www.googleapis.com/auth/youtube.force-ssl"
SCOPES = (UPLOAD, READONLY, FORCE_SSL)
PACIFIC = ZoneInfo("America/Los_Angeles")
OAUTH_PATHS = ("/o/oauth2/v2/auth", "/token")
VIDEOS = "/upload/youtube/v3/videos"
# What each method costs (developers.google.com/youtube/v3/determine_quota_cost):
# videos.insert in its own bucket of 100 calls a day, the rest in 10,000 units.
COSTS = {
    "videos.insert": ("uploads", 1),
    "thumbnails.set": ("units", 50),
    "channels.list": ("units", 1),
    "playlistItems.list": ("units", 1),
    "commentThreads.list": ("units", 1),
    "comments.list": ("units", 1),
    "comments.insert": ("units", 50),
    "comments.setModerationStatus": ("units", 50),
    "comments.delete": ("units", 50),
    "videos.list": ("units", 1),
}
SCOPES_NEEDED = {
    "videos.insert": {UPLOAD, FULL},
    "thumbnails.set": {UPLOAD, FULL},
    "channels.list": {READONLY, FULL},
    "playlistItems.list": {READONLY, FULL},
    "commentThreads.list": {READONLY, FORCE_SSL, FULL},
    "comments.list": {READONLY, FORCE_SSL, FULL},
    "comments.insert": {FORCE_SSL, FULL},
    "comments.setModerationStatus": {FORCE_SSL, FULL},
    "comments.delete": {FORCE_SSL, FULL},
    "videos.list": {READONLY, FULL},
}


@dataclass
class Quota:
    units: int = 10_000
    uploads: int = 100
    used: dict[tuple[str, str], int] = field(default_factory=dict)


class FakeYouTube(LoopbackFake, Routes, OAuthRoutes):
    hold_path = f"PUT {VIDEOS}"  # the lost-answer knobs' default: an upload chunk

    def __init__(
        self,
        *,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        granularity: int = 256 * 1024,
        validate: bool = True,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        # Chunks other than the last must be multiples of this (256 KiB at Google).
        self.granularity = granularity
        self.spec = discovery.load() if validate else None
        self.quota = Quota()
        self.legacy_insert_cost = False  # charge videos.insert 1,600 units, as older docs say
        self.channel_upload_cap: int | None = None  # uploads per channel per day
        self.thumbnails_allowed = True  # False: 403 forbidden, as for unverified channels
        self.final_status = 200  # what the last chunk answers (200 or 201)
        self.listing_lag = 0.0  # seconds before a new video shows in its channel's uploads
        self.requests: list[Recorded] = []
        self.contract_violations: list[str] = []
        self.channels: dict[str, dict[str, Any]] = {}
        self.videos: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.playlists: dict[str, list[str]] = {}
        self.comments: dict[str, dict[str, Any]] = {}  # tests/fakes/youtube_comments.py
        self.page_size = 100  # the most a comment list page holds (maxResults caps too)
        self.inline_replies = 5  # replies a comment thread carries before comments.list
        self.tokens: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.approving_user: str | None = None
        self.granted_scopes: tuple[str, ...] | None = None  # None: what was asked
        self.refresh_rotates = False  # Google rarely sends a new refresh token
        self._offset = 0.0
        self._serial = 0
        self.server = self.serve(_Handler.bound_to(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- Knobs ---

    def adapter_config(self, **extra: Any) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "api_url": self.url,
            "authorize_url": f"{self.url}/o/oauth2/v2/auth",
            "token_url": f"{self.url}/token",
            "daily_quota": 10_000,
            **extra,
        }

    def now(self) -> float:
        return time.time() + self._offset

    def clock(self) -> datetime:
        """The fake's time as an aware datetime, for the adapter's `now`."""
        return datetime.fromtimestamp(self.now(), UTC)

    def advance(self, seconds: float) -> None:
        """Move the fake's clock (token expiry, the quota day)."""
        self._offset += seconds

    def quota_day(self) -> str:
        return datetime.fromtimestamp(self.now(), PACIFIC).date().isoformat()

    def used(self, bucket: str) -> int:
        return self.quota.used.get((self.quota_day(), bucket), 0)

    def use_quota(self, bucket: str, amount: int) -> None:
        key = (self.quota_day(), bucket)
        self.quota.used[key] = self.quota.used.get(key, 0) + amount

    # fail_next(path=) and the lost-answer knobs take "/x" or "PUT /x"; without a
    # body, fail_next sends Google's envelope for the status.

    def timeout_after_receive(self, path: str | None = None, final_only: bool = False) -> None:
        """Do the next request to `path` ("/x" or "PUT /x"), then never answer.
        `final_only`: only the chunk that completes an upload."""
        self._hold(path, True, final_only)

    def drop_after_receive(self, path: str | None = None, final_only: bool = False) -> None:
        """Do the next request to `path`, then close the connection unanswered."""
        self._hold(path, False, final_only)

    def next_id(self) -> str:
        """A new 11-character id, as YouTube's video ids are."""
        with self._lock:
            self._serial += 1
            return f"v{self._serial:010d}"

    # --- The request pipeline ---

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = parse_qsl(url.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        content_type = headers.get("content-type", "")
        body = raw if url.path == VIDEOS and handler.command == "PUT" else None
        request = Recorded(
            handler.command,
            url.path,
            dict(query),
            headers,
            body if body is not None else parse_body(raw, content_type),
            content_type,
        )
        with self._lock:
            self.requests.append(request)
            reply = self._answer(request, query, raw)
            hold = self._take_hold(
                request.path,
                f"{request.method} {request.path}",
                final=reply.status in (200, 201),
            )
        if hold is not None:
            return self._withhold(handler, hold)
        send_reply(handler, reply)

    def _answer(self, request: Recorded, query: list[tuple[str, str]], raw: bytes) -> Reply:
        fault = self._take_fault(request.path, f"{request.method} {request.path}")
        if fault is not None:
            reply = Reply(fault.status, fault.body, checked=False)
            if fault.body is None:
                reply = google_error(fault.status)
                reply.checked = False
            reply.headers.update(fault.headers)
            return reply
        if request.path in OAUTH_PATHS:
            return self.route_oauth(request)
        if request.path == VIDEOS and request.method == "PUT":
            return self.session_put(request, raw)
        method = self.spec.find(request.method, request.path) if self.spec else None
        if self.spec is not None:
            if method is None:
                return self._refuse(request, ["no such method in the discovery document"], 404)
            problems = self._request_problems(method, request, query, raw)
            if problems:
                return self._refuse(request, problems, 400)
        name = method.name if method else _name(request)
        reply = self._authorized(request, name) or self._charge(name) or self.route(name, request)
        self._check_reply(request, method, reply)
        return reply

    def _request_problems(
        self, method: discovery.Method, request: Recorded, query: list[tuple[str, str]], raw: bytes
    ) -> list[str]:
        assert self.spec is not None
        problems = self.spec.check_query(method, query)
        upload = dict(query).get("uploadType")
        if method.upload and upload == "resumable":
            problems += self.spec.check_body(method, request.body)
            kind = request.headers.get("x-upload-content-type", "")
            size = request.headers.get("x-upload-content-length", "")
            if not kind or not size.isdigit():
                problems.append("X-Upload-Content-Type and X-Upload-Content-Length are required")
            else:
                problems += self.spec.check_upload(method, kind, int(size))
        elif method.upload:
            problems += self.spec.check_upload(method, request.content_type, len(raw))
        else:
            problems += self.spec.check_body(method, request.body)
        return problems

    def _refuse(self, request: Recorded, problems: list[str], status: int) -> Reply:
        for problem in problems:
            self.contract_violations.append(f"{request.method} {request.path}: {problem}")
        reason = "notFound" if status == 404 else "invalidParameter"
        return google_error(status, reason, problems[0], domain="global")

    def _check_reply(
        self, request: Recorded, method: discovery.Method | None, reply: Reply
    ) -> None:
        if self.spec is None or method is None or not reply.checked:
            return
        if reply.status >= 400:
            found = self.spec.check_error(reply.status, reply.body)
        else:
            found = self.spec.check_response(method, reply.body)
        for problem in found:
            self.contract_violations.append(
                f"the fake's {reply.status} to {request.method} {request.path}: {problem}"
            )

    def _authorized(self, request: Recorded, name: str) -> Reply | None:
        grant = self.grant_for(request)
        if grant is None:
            return google_error(401, "authError")
        if not SCOPES_NEEDED.get(name, {FULL}) & set(grant["scopes"]):
            return google_error(403, "insufficientPermissions")
        return None

    def _charge(self, name: str) -> Reply | None:
        """Spend `name`'s quota; answer quotaExceeded when the day's is gone (§6)."""
        bucket, cost = COSTS.get(name, ("units", 1))
        if name == "videos.insert" and self.legacy_insert_cost:
            bucket, cost = "units", 1600
        limit = self.quota.uploads if bucket == "uploads" else self.quota.units
        if self.used(bucket) + cost > limit:
            return google_error(403, "quotaExceeded")
        self.use_quota(bucket, cost)
        return None

    def grant_for(self, request: Recorded) -> dict[str, Any] | None:
        kind, _, token = request.headers.get("authorization", "").partition(" ")
        grant = self.tokens.get(token) if kind.lower() == "bearer" else None
        if grant is None or grant["expires"] <= self.now():
            return None
        return grant

    def check_session(self, request: Recorded, problems: list[str]) -> Reply:
        """Record a session PUT that breaks the resumable protocol; answer 400."""
        for problem in problems:
            self.contract_violations.append(f"PUT {request.path}: {problem}")
        return google_error(400, "badContent", problems[0], domain="global")


def _name(request: Recorded) -> str:
    parts = request.path.rstrip("/").split("/")
    return f"{parts[-2] if parts[-1] == 'set' else parts[-1]}.{request.method.lower()}"


class _Handler(LoopbackHandler):
    fake: FakeYouTube
    do_PUT = LoopbackHandler.do_POST  # resumable upload chunks
    do_DELETE = LoopbackHandler.do_POST  # comments.delete

"""A fake TikTok (Content Posting API, Login Kit, Display API) on 127.0.0.1.

    with FakeTikTok() as fake:
        fake.add_creator(OPEN_ID, "acmebakery", "Acme Bakery")
        token = fake.issue_token(OPEN_ID)
        adapter = TikTokAdapter(fake.adapter_config(), build_session(2.0))

It answers as platforms.md §7 describes: the `{"data", "error": {code, message,
log_id}}` envelope on every API answer, per-token limits in a one-minute sliding
window (init 6, status 30, creator_info 20), the chunk rules on video/init and on
the PUT upload host (Content-Range, 206 then 201), PULL_FROM_URL fetches from
verified URL prefixes only, photo posts (JPEG/WebP), status progression
PROCESSING_* -> PUBLISH_COMPLETE or FAILED, post ids only for public posts after
moderation, the public video list with its millisecond cursor, video/query by ids with
the posts' counts (set_metrics), user info with the follower count (user.info.stats), and
OAuth with a hex S256 PKCE challenge and rotating refresh tokens.

Knobs: processing_fetches, fail_reason, hold_moderation, audited, posts_per_day,
active_user_cap, verified_prefixes, list_page_size, granted_scopes,
rotate_refresh_tokens, chunk rules (min_chunk ...), fail_next(), timeout_after_receive(),
drop_after_receive(), advance() (the fake clock); finish(), moderate() drive a
publish by hand. Records: requests (calls()), publishes, videos, fetches.

The endpoints are in tiktok_routes.py, the envelope and records in
tiktok_wire.py, and the shared contract suite's case in tiktok_contract.py.
"""

from __future__ import annotations

import itertools
import secrets
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes import tiktok_routes as routes
from tests.fakes.loopback import LoopbackFake, LoopbackHandler
from tests.fakes.tiktok_wire import (
    CLIENT_KEY,
    CLIENT_SECRET,
    LIMITS,
    MB,
    MIB,
    SCOPE_NEEDED,
    SCOPES,
    Creator,
    Publish,
    Recorded,
    Refusal,
    Reply,
    Video,
    default_error,
    envelope_error,
    parse_body,
    send_reply,
)

WINDOW = 60.0
DAY = 86400.0
OAUTH_PATHS = ("/v2/oauth/token/", "/v2/auth/authorize/")


class FakeTikTok(LoopbackFake):
    hold_path = "/v2/post/publish/video/init/"  # the lost-answer knobs' default

    def __init__(self, *, client_key: str = CLIENT_KEY, client_secret: str = CLIENT_SECRET) -> None:
        super().__init__()
        self.client_key, self.client_secret = client_key, client_secret
        # Knobs
        self.processing_fetches = 1  # status fetches answered PROCESSING_* once the media is in
        self.fail_reason = ""  # publishes that finish while set end FAILED with it
        self.hold_moderation = False  # public posts get no post id until moderate()
        self.audited = True  # unaudited clients post privately, to private accounts only
        self.posts_per_day: int | None = None  # spam_risk_too_many_posts after this many
        self.active_user_cap: int | None = None  # reached_active_user_cap past this many users
        self.list_page_size = 20  # fewer than max_count, as the list may answer
        self.granted_scopes: set[str] = set(SCOPES)  # what the person allows at /authorize
        self.rotate_refresh_tokens = True
        self.min_chunk, self.max_chunk, self.max_last_chunk = 5 * MIB, 64 * MB, 128 * MB
        self.max_chunks = 1000
        self.approving_user: str | None = None
        # State and records
        self.creators: dict[str, Creator] = {}
        self.publishes: dict[str, Publish] = {}
        self.videos: list[Video] = []
        self.files: dict[str, tuple[bytes, str]] = {}
        self.fetches: list[tuple[str, bool]] = []  # (url, fetched)
        self.requests: list[Recorded] = []
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(7_441_000_000_000_000_001)
        self._windows: dict[tuple[str, str], list[float]] = {}
        self._offset = 0.0
        self.server = self.serve(_Handler.bound_to(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.verified_prefixes = [f"{self.url}/files/"]

    # --- Seeding and knobs ---

    def adapter_config(self, **extra: Any) -> dict[str, Any]:
        return {
            "client_key": self.client_key,
            "client_secret": self.client_secret,
            "api_url": self.url,
            "authorize_url": f"{self.url}/v2/auth/authorize/",
            "min_chunk_bytes": self.min_chunk,
            "max_chunk_bytes": self.max_chunk,
            "max_last_chunk_bytes": self.max_last_chunk,
            **extra,
        }

    def tiny_chunks(self, min_chunk: int = 1000, max_chunk: int = 4000) -> None:
        """Shrink the chunk rules (both sides) so tests can upload small files."""
        self.min_chunk, self.max_chunk, self.max_last_chunk = min_chunk, max_chunk, 2 * max_chunk

    def add_creator(self, open_id: str, username: str, nickname: str, **settings: Any) -> Creator:
        creator = Creator(open_id, username, nickname, **settings)
        self.creators[open_id] = creator
        self.approving_user = self.approving_user or open_id
        return creator

    def issue_token(
        self, open_id: str, scopes: tuple[str, ...] = SCOPES, expires_in: int = 86400
    ) -> str:
        token = f"act.{secrets.token_urlsafe(24)}"
        self.tokens[token] = {
            "user": open_id,
            "expires": self.now() + expires_in,
            "scopes": set(scopes),
        }
        return token

    def issue_refresh_token(self, open_id: str, scopes: tuple[str, ...] = SCOPES) -> str:
        token = f"rft.{secrets.token_urlsafe(24)}"
        self.refresh_tokens[token] = {
            "user": open_id,
            "scopes": scopes,
            "expires": self.now() + 365 * DAY,
        }
        return token

    def expire_token(self, token: str) -> None:
        self.tokens[token]["expires"] = self.now() - 1

    def add_file(self, name: str, data: bytes, content_type: str) -> str:
        self.files[name] = (data, content_type)
        return f"{self.url}/files/{name}"

    def add_video(self, open_id: str, title: str, *, age: float = 0.0, public: bool = True) -> str:
        """Seed a post made elsewhere, `age` seconds old; return its id."""
        video_id = str(next(self._ids))
        when = int(self.now() - age)
        self.videos.append(Video(video_id, open_id, title[:150], title[:150], when, public, public))
        return video_id

    def set_metrics(self, video_id: str, **counts: int) -> None:
        """A post's counts (like_count=3, comment_count=1, share_count=2, view_count=90);
        one left out is missing from the answer."""
        next(v for v in self.videos if v.id == video_id).counts = dict(counts)

    def set_followers(self, open_id: str, count: int) -> None:
        self.creators[open_id].followers = count

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock (token expiry, rate windows, code lifetime, caps)."""
        self._offset += seconds

    # --- Publishing state (used by the routes and by tests) ---

    def new_publish(
        self, user: Creator, source: str, info: dict[str, Any], privacy: str
    ) -> Publish:
        prefix = {"FILE_UPLOAD": "v_pub_file", "PULL_FROM_URL": "v_pub_url", "PHOTO": "p_pub_url"}
        publish_id = f"{prefix[source]}~v2-1.{next(self._ids)}"
        publish = Publish(publish_id, user.open_id, source, dict(info), privacy, self.now())
        self.publishes[publish_id] = publish
        return publish

    def media_in(self, publish: Publish, fail_reason: str) -> None:
        """TikTok has the whole file: processing starts."""
        publish.media_in = True
        publish.fail_reason = fail_reason
        publish.fetches_left = self.processing_fetches
        if fail_reason or self.processing_fetches == 0:
            self.finish(publish.id)

    def step(self, publish: Publish) -> None:
        """One status fetch's worth of progress."""
        if publish.status in ("PUBLISH_COMPLETE", "FAILED") or not publish.media_in:
            return
        if publish.fetches_left > 0:
            publish.fetches_left -= 1
            return
        self.finish(publish.id)

    def finish(self, publish_id: str, fail_reason: str = "") -> None:
        """End a publish: FAILED with a reason, else PUBLISH_COMPLETE and on the profile."""
        publish = self.publishes[publish_id]
        reason = fail_reason or publish.fail_reason or self.fail_reason
        if reason:
            publish.status, publish.fail_reason = "FAILED", reason
            return
        publish.status = "PUBLISH_COMPLETE"
        public = publish.privacy == "PUBLIC_TO_EVERYONE"
        video_id = str(next(self._ids))
        title = str(publish.post_info.get("title") or "")
        description = str(publish.post_info.get("description") or title)
        publish.video_id = video_id
        self.videos.append(
            Video(
                video_id,
                publish.user,
                title[:150],
                description[:150],
                int(self.now()),
                public,
                False,
            )
        )
        if public and not self.hold_moderation:
            self.moderate(publish_id)

    def moderate(self, publish_id: str) -> None:
        """Moderation passed: a public post gets its id and shows in the list."""
        publish = self.publishes[publish_id]
        video = next(v for v in self.videos if v.id == publish.video_id)
        publish.post_id = video.id
        video.listed = True

    def fetch(self, url: str) -> bytes | None:
        data = routes.fetch(url, timeout=2.0)
        self.fetches.append((url, data is not None))
        return data

    # --- The request pipeline ---

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        request = Recorded(
            handler.command, url.path, dict(parse_qsl(url.query)), headers, parse_body(raw, headers)
        )
        if request.path.startswith("/files/"):
            # Served outside the lock: the fake fetches these itself while it
            # handles an init (PULL_FROM_URL), as TikTok's servers would.
            self.requests.append(request)
            send_reply(handler, self._file(request.path))
            return
        with self._lock:
            self.requests.append(request)
            reply = self._answer(request)
            hold = self._take_hold(request.path)
        if hold is not None:
            return self._withhold(handler, hold)
        send_reply(handler, reply)

    def _answer(self, request: Recorded) -> Reply:
        fault = self._take_fault(request.path)
        if fault is not None:
            body = fault.body if fault.body is not None else default_error(fault.status)
            return Reply(fault.status, body, dict(fault.headers))
        try:
            return self._route(request)
        except Refusal as refusal:
            return refusal.reply

    def _route(self, request: Recorded) -> Reply:
        path, method = request.path, request.method
        if path == "/v2/auth/authorize/" and method == "GET":
            return routes.authorize(self, request.query)
        if path == "/v2/oauth/token/" and method == "POST":
            return routes.token(self, request)
        if path == "/upload/video/" and method == "PUT":
            return routes.upload_chunk(self, request)
        api = {
            ("POST", "/v2/post/publish/creator_info/query/"): lambda u: routes.creator_info(
                self, u
            ),
            ("POST", "/v2/post/publish/video/init/"): lambda u: routes.video_init(self, u, request),
            ("POST", "/v2/post/publish/content/init/"): lambda u: routes.content_init(
                self, u, request
            ),
            ("POST", "/v2/post/publish/status/fetch/"): lambda u: routes.status_fetch(
                self, u, request
            ),
            ("POST", "/v2/video/list/"): lambda u: routes.video_list(self, u, request),
            ("POST", "/v2/video/query/"): lambda u: routes.video_query(self, u, request),
            ("GET", "/v2/user/info/"): lambda u: routes.user_info(self, u, request),
        }.get((method, path))
        if api is None:
            return envelope_error(404, "invalid_params", f"No such endpoint: {method} {path}")
        user = self._user(request)
        if method == "POST" and not request.headers.get("content-type", "").startswith(
            "application/json"
        ):
            raise routes.invalid("Content-Type must be application/json.")
        if self._over_limit(request.token, path):
            return envelope_error(
                429, "rate_limit_exceeded", "API rate limit exceeded, please retry later."
            )
        return api(user)

    def _file(self, path: str) -> Reply:
        found = self.files.get(path.removeprefix("/files/"))
        return Reply(200, found[0], content_type=found[1]) if found else Reply(404, b"")

    def _user(self, request: Recorded) -> Creator:
        grant = self.tokens.get(request.token)
        if grant is None or grant["expires"] <= self.now():
            raise Refusal(
                401,
                "access_token_invalid",
                "The access token is invalid or not found in the request.",
            )
        if SCOPE_NEEDED[request.path] not in grant["scopes"]:
            raise Refusal(
                401,
                "scope_not_authorized",
                "The user did not authorize the scope required for completing this request.",
            )
        return self.creators[grant["user"]]

    def _over_limit(self, token: str, path: str) -> bool:
        """Count the request in its one-minute sliding window (§7)."""
        limit = LIMITS.get(path)
        if limit is None:
            return False
        window = self._windows.setdefault((token, path), [])
        window[:] = [t for t in window if t > self.now() - WINDOW]
        if len(window) >= limit:
            return True
        window.append(self.now())
        return False


class _Handler(LoopbackHandler):
    fake: FakeTikTok
    do_PUT = LoopbackHandler.do_POST  # the upload host's chunks

"""A fake X API v2 on 127.0.0.1, held to X's own OpenAPI description (STYLE.md §6).

It serves what XAdapter uses, answering as platforms.md §1 describes: posts, the
user timeline, /2/users/me, v2 chunked media upload with processing, alt text,
and OAuth 2.0 with PKCE (token endpoint and an authorize page that approves at
once). Every API request is checked against x-api-v2.openapi.json: one the real
API would refuse gets X's 400 and lands in `contract_violations`, as does any
answer of the fake's own that strays from the description.

    with FakeX() as fake:
        fake.add_user("2244994945", "acme", "Acme")
        token = fake.issue_token("2244994945")
        adapter = XAdapter(fake.adapter_config(), build_session(2.0))
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import random
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from twitter_text import extract_urls_with_indices, parse_tweet

from channels.adapters.base import (
    AdapterError,
    AuthExpired,
    Content,
    Credentials,
    Permanent,
    RateLimited,
    Unknown,
)
from channels.adapters.session import build_session
from channels.adapters.x import XAdapter
from tests.fakes import specs
from tests.fakes.loopback import Fault, LoopbackFake, LoopbackHandler
from tests.fakes.x_inbox import XInboxRoutes
from tests.fakes.x_metrics import XMetricsRoutes

SPEC_FILE = "x-api-v2.openapi.json"
CLIENT_ID = "fake-x-client-id"
CLIENT_SECRET = "fake-x-client-secret"
API_HOST = "https://api.x.com"  # the description's server; requests are checked as if sent there
OAUTH_PATHS = ("/2/oauth2/token", "/i/oauth2/authorize")  # not in the description
SCOPES = (
    "tweet.read",
    "tweet.write",
    "users.read",
    "media.write",
    "offline.access",
    "dm.read",
    "dm.write",
    "tweet.moderate.write",
)
WINDOW = 15 * 60
# User, post and media ids, and DM conversation ids ("12-34"); not the "2" of /2/.
ID_IN_PATH = re.compile(r"/[0-9]{2,}(?:-[0-9]{2,})?(?=/|$)")
INVALID = "https://api.x.com/2/problems/invalid-request"
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text "
    "length see https://github.com/twitter/twitter-text."
)
TITLES = {
    400: "Invalid Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
# Per-user request limits per 15 minutes (platforms.md §1); others get DEFAULT_LIMIT.
LIMITS = {
    "POST /2/tweets": 100,
    "GET /2/users/me": 75,
    "POST /2/media/upload/initialize": 1875,
    "POST /2/media/upload/:id/append": 1875,
    "POST /2/media/upload/:id/finalize": 1875,
    "GET /2/media/upload": 1000,
    # The inbox's routes, per user (X's rate-limits page; not in platforms.md).
    "GET /2/users/:id/mentions": 300,
    "GET /2/dm_events": 300,
    "POST /2/dm_conversations/:id/messages": 200,
    "PUT /2/tweets/:id/hidden": 50,
    "DELETE /2/tweets/:id": 50,
    # Post lookup by ids (analytics), per user.
    "GET /2/tweets": 900,
}
DEFAULT_LIMIT = 900
SCOPE_NEEDED = {
    "POST /2/tweets": "tweet.write",
    "GET /2/users/me": "users.read",
    "GET /2/users/:id/tweets": "tweet.read",
    "GET /2/users/:id/mentions": "tweet.read",
    "GET /2/dm_events": "dm.read",
    "POST /2/dm_conversations/:id/messages": "dm.write",
    "PUT /2/tweets/:id/hidden": "tweet.moderate.write",
    "DELETE /2/tweets/:id": "tweet.write",
    "GET /2/tweets": "tweet.read",
}
MEDIA_CAPS = {"tweet_image": 5 << 20, "tweet_gif": 15 << 20, "tweet_video": 512 << 20}
MEDIA_KEY_PREFIX = {"tweet_image": "3", "tweet_gif": "16", "tweet_video": "7"}


@dataclass
class Recorded:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, a form dict, a multipart dict (files as bytes), or None
    content_type: str = ""


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str | None] = field(default_factory=dict)
    content_type: str = "application/json"
    checked: bool = True  # held to the description; bodies a test injects are not


def problem(status: int, detail: str = "", **extra: Any) -> Reply:
    """X's problem JSON. 401/403/429/5xx use `about:blank` (platforms.md §1), a shape
    the description's Problem union does not list, so those are not checked."""
    title = TITLES.get(status, "Error")
    body = {"title": title, "type": "about:blank", "status": status, "detail": detail or title}
    return Reply(status, {**body, **extra}, content_type="application/problem+json")


def invalid(message: str, parameter: str = "") -> Reply:
    error: dict[str, Any] = {"message": message}
    if parameter:
        error["parameters"] = {parameter: [message]}
    body = {
        "errors": [error],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": INVALID,
    }
    return Reply(400, body, content_type="application/problem+json")


def oauth_error(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description})


class FakeX(XInboxRoutes, XMetricsRoutes, LoopbackFake):
    hold_path = "/2/tweets"  # the lost-answer knobs' default

    def __init__(
        self,
        *,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        posts_per_window: int = 100,
        processing_checks: int = 2,
        seed: int = 0,
        validate: bool = True,
        page_size: int = 100,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.posts_per_window = posts_per_window
        self.processing_checks = processing_checks  # STATUS calls before a video is ready
        self.processing_fails = False
        self.error_rate = 0.0  # share of API requests answered 503, drawn from `seed`
        self.contract = specs.contract(SPEC_FILE, API_HOST) if validate else None
        self.validating = self.contract is not None
        self.requests: list[Recorded] = []
        self.tweets: list[dict[str, Any]] = []
        self.dms: list[dict[str, Any]] = []
        self.page_size = page_size  # the most any timeline page holds (X: max_results)
        self.media: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.contract_violations: list[str] = []
        self.approving_user: str | None = None  # who /i/oauth2/authorize signs in
        self._rng = random.Random(seed)
        self._ids = itertools.count(1_861_000_000_000_000_001)
        self._tokens: dict[str, dict[str, Any]] = {}
        self._refresh_tokens: dict[str, dict[str, Any]] = {}
        self._codes: dict[str, dict[str, Any]] = {}
        self._windows: dict[tuple[str, str], list[float]] = {}
        self._offset = 0.0
        post = LoopbackHandler.do_POST
        self.server = self.serve(LoopbackHandler.bound_to(self, do_PUT=post, do_DELETE=post))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- Seeding and knobs ---

    def adapter_config(self, **extra: Any) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "api_url": self.url,
            "authorize_url": f"{self.url}/i/oauth2/authorize",
            **extra,
        }

    def add_user(self, user_id: str, username: str, name: str) -> None:
        picture = f"https://pbs.twimg.com/profile_images/{user_id}/avatar_normal.jpg"
        self.users[user_id] = {
            "id": user_id,
            "username": username,
            "name": name,
            "profile_image_url": picture,
        }
        self.approving_user = self.approving_user or user_id

    def issue_token(
        self, user_id: str, expires_in: int = 7200, scopes: tuple[str, ...] = SCOPES
    ) -> str:
        token = f"xat-{secrets.token_urlsafe(24)}"
        self._tokens[token] = {
            "user": user_id,
            "expires": self.now() + expires_in,
            "scopes": set(scopes),
        }
        return token

    def issue_refresh_token(self, user_id: str, scopes: tuple[str, ...] = SCOPES) -> str:
        token = f"xrt-{secrets.token_urlsafe(24)}"
        self._refresh_tokens[token] = {"user": user_id, "scopes": scopes}
        return token

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock (token expiry, code lifetime, rate windows)."""
        self._offset += seconds

    def add_tweet(self, user_id: str, text: str, reply_to: str | None = None) -> str:
        """Seed a post as if made elsewhere; return its id."""
        post_id = str(next(self._ids))
        self.tweets.append(self._tweet(post_id, user_id, text, [], reply_to))
        return post_id

    # --- The request pipeline ---

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = parse_qsl(url.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        content_type = headers.get("content-type", "")
        request = Recorded(
            handler.command,
            url.path,
            dict(query),
            headers,
            parse_body(raw, content_type),
            content_type,
        )
        with self._lock:
            self.requests.append(request)
            reply = self._answer(request, query, raw)
            hold = self._take_hold(request.path)
        if hold is not None:
            return self._withhold(handler, hold)
        send_reply(handler, reply)

    def _answer(self, request: Recorded, query: list[tuple[str, str]], raw: bytes) -> Reply:
        api = request.path not in OAUTH_PATHS
        if api and self.contract is not None:
            found = self.contract.check_request(
                request.method, request.path, query, request.headers, raw, request.content_type
            )
            if found:
                return self._refuse(request, found)
        route = f"{request.method} {ID_IN_PATH.sub('/:id', request.path)}"
        who = self._token_user(request) or "app"
        fault = self._take_fault(request.path)
        if fault is not None:
            reply = self._fault_reply(fault)
        elif api and self.error_rate and self._rng.random() < self.error_rate:
            reply = problem(503)
        elif api and self._over_limit(who, route):
            reply = problem(429)
        else:
            reply = self._route(request, route)
        if api and reply.checked and self.contract is not None:
            self._check_reply(request, reply)
        return self._with_limit_headers(reply, who, route)

    def _refuse(self, request: Recorded, found: list[specs.Violation]) -> Reply:
        for violation in found:
            self.contract_violations.append(f"{request.method} {request.path}: {violation.message}")
        kinds = {v.kind for v in found}
        if "security" in kinds:
            return problem(401)
        if "path" in kinds:
            return problem(404, "Sorry, that page does not exist.")
        return invalid(found[0].message)

    def _check_reply(self, request: Recorded, reply: Reply) -> None:
        body_type = reply.body.get("type", "") if isinstance(reply.body, dict) else ""
        if reply.status >= 400 and not body_type.startswith("https://api.x.com/2/problems/"):
            return
        assert self.contract is not None
        payload = _payload(reply)
        for violation in self.contract.check_response(
            request.method, request.path, reply.status, payload, reply.content_type
        ):
            self.contract_violations.append(
                f"the fake's {reply.status} to {request.method} {request.path}: {violation.message}"
            )

    def _fault_reply(self, fault: Fault) -> Reply:
        if fault.body is None:
            reply = problem(fault.status)
        else:
            reply = Reply(fault.status, fault.body, content_type="application/problem+json")
        reply.headers.update(fault.headers)
        reply.checked = False
        return reply

    def _limit(self, who: str, route: str) -> tuple[int, list[float]]:
        limit = LIMITS.get(route, DEFAULT_LIMIT)
        if route == "POST /2/tweets":
            limit = self.posts_per_window
        window = self._windows.setdefault((who, route), [self.now(), 0])
        if self.now() >= window[0] + WINDOW:
            window[:] = [self.now(), 0]
        return limit, window

    def _over_limit(self, who: str, route: str) -> bool:
        """Count the request in its fixed 15-minute window (platforms.md §1)."""
        limit, window = self._limit(who, route)
        if window[1] >= limit:
            return True
        window[1] += 1
        return False

    def _with_limit_headers(self, reply: Reply, who: str, route: str) -> Reply:
        """Add the x-rate-limit-* headers every X response carries."""
        limit, window = self._limit(who, route)
        remaining = 0 if reply.status == 429 else max(0, limit - int(window[1]))
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(int(window[0] + WINDOW)),
            **reply.headers,
        }
        reply.headers = {k: v for k, v in headers.items() if v is not None}  # None: leave out
        return reply

    def _token_user(self, request: Recorded) -> str | None:
        kind, _, token = request.headers.get("authorization", "").partition(" ")
        grant = self._tokens.get(token) if kind.lower() == "bearer" else None
        if grant is None or grant["expires"] <= self.now():
            return None
        return str(grant["user"])

    def _route(self, request: Recorded, route: str) -> Reply:
        if request.path == "/i/oauth2/authorize" and request.method == "GET":
            return self._authorize(request.query)
        if request.path == "/2/oauth2/token" and request.method == "POST":
            return self._token(request)
        user = self._token_user(request)
        if user is None:
            return problem(401)
        grant = self._tokens[request.headers["authorization"].split(" ", 1)[1]]
        needed = SCOPE_NEEDED.get(route, "media.write")
        if needed not in grant["scopes"]:
            return problem(403, "You are not permitted to perform this action.")
        body = request.body if isinstance(request.body, dict) else {}
        handlers: dict[str, Callable[[], Reply]] = {
            "POST /2/tweets": lambda: self._create(user, body),
            "GET /2/users/me": lambda: self._me(user, request.query),
            "GET /2/users/:id/tweets": lambda: self._timeline(
                request.path.split("/")[3], request.query
            ),
            "POST /2/media/upload/initialize": lambda: self._media_init(user, body),
            "POST /2/media/upload/:id/append": lambda: self._media_append(user, request.path, body),
            "POST /2/media/upload/:id/finalize": lambda: self._media_finalize(user, request.path),
            "GET /2/media/upload": lambda: self._media_status(user, request.query),
            "POST /2/media/metadata": lambda: self._media_metadata(user, body),
            **self.inbox_routes(user, request.path, request.query, body),
            **self.metrics_routes(user, request.query),
        }
        return handlers.get(route, lambda: problem(404, "Sorry, that page does not exist."))()

    # --- Posts ---

    def _create(self, user: str, body: dict[str, Any]) -> Reply:
        text = str(body.get("text", ""))
        media_ids = [str(m) for m in body.get("media", {}).get("media_ids", [])]
        parent_id = body.get("reply", {}).get("in_reply_to_tweet_id")
        if not text and not media_ids:
            return invalid("Your Tweet must have text or media.", "text")
        if text and parse_tweet(text).weightedLength > 280:
            return problem(403, TOO_LONG)
        media_error = self._media_error(user, media_ids)
        if media_error:
            return invalid(media_error, "media.media_ids")
        parent = next((t for t in self.tweets if t["id"] == parent_id), None)
        if parent_id and parent is None:
            return problem(
                403, "You attempted to reply to a Tweet that is deleted or not visible to you."
            )
        if text and any(t["author_id"] == user and t["text"] == text for t in self.tweets):
            return problem(403, DUPLICATE)
        post_id = str(next(self._ids))
        tweet = self._tweet(post_id, user, text, media_ids, parent_id)
        self.tweets.append(tweet)
        data = {"id": post_id, "text": shown_text(tweet), "edit_history_tweet_ids": [post_id]}
        return Reply(201, {"data": data})

    def _tweet(
        self, post_id: str, user: str, text: str, media_ids: list[str], reply_to: str | None
    ) -> dict[str, Any]:
        parent = next((t for t in self.tweets if t["id"] == reply_to), None)
        tweet = tweet_record(post_id, user, text, media_ids, reply_to, parent, self.now())
        tweet["mentions"] = self.mentions_of(tweet, parent)
        return tweet

    def _timeline(self, user_id: str, query: dict[str, str]) -> Reply:
        if user_id not in self.users:
            return problem(404, f"Could not find user with id: [{user_id}].")
        newest_first = [t for t in reversed(self.tweets) if t["author_id"] == user_id]
        return self.timeline_page(newest_first, query, expand_authors=False)

    def _me(self, user: str, query: dict[str, str]) -> Reply:
        record = self.users.get(user)
        if record is None:
            return problem(401)
        wanted = set(query.get("user.fields", "").split(",")) | {"id", "name", "username"}
        return Reply(200, {"data": {k: v for k, v in record.items() if k in wanted}})

    # --- Media ---

    def _media_init(self, user: str, body: dict[str, Any]) -> Reply:
        category = str(body.get("media_category") or "tweet_image")
        if "media_type" not in body or "total_bytes" not in body:
            return invalid("media_type and total_bytes are required.")
        if int(body["total_bytes"]) > MEDIA_CAPS.get(category, 5 << 20):
            return invalid(f"File size exceeds the limit for {category}.", "total_bytes")
        media_id = str(next(self._ids))
        self.media[media_id] = {
            "id": media_id,
            "media_key": f"{MEDIA_KEY_PREFIX.get(category, '3')}_{media_id}",
            "owner": user,
            "media_type": body["media_type"],
            "category": category,
            "total_bytes": int(body["total_bytes"]),
            "chunks": {},
            "state": "uploading",
            "checks_left": self.processing_checks,
            "alt_text": None,
        }
        data = {
            "id": media_id,
            "media_key": self.media[media_id]["media_key"],
            "expires_after_secs": 86400,
        }
        return Reply(200, {"data": data})

    def _media_append(self, user: str, path: str, body: dict[str, Any]) -> Reply:
        item = self._own_media(user, path.split("/")[4])
        if item is None or item["state"] != "uploading":
            return invalid("Invalid media_id for append.", "id")
        item["chunks"][int(body["segment_index"])] = body["media"]
        return Reply(200, {"data": {"expires_at": int(self.now()) + 86400}})

    def _media_finalize(self, user: str, path: str) -> Reply:
        item = self._own_media(user, path.split("/")[4])
        if item is None or item["state"] != "uploading":
            return invalid("Invalid media_id for finalize.", "id")
        indexes = sorted(item["chunks"])
        size = sum(len(c) for c in item["chunks"].values())
        if indexes != list(range(len(indexes))) or size != item["total_bytes"]:
            return invalid("Segments do not add up to provided total file size.")
        slow = item["category"] != "tweet_image" and self.processing_checks > 0
        item["state"] = "pending" if slow else "succeeded"
        return Reply(200, {"data": self._media_json(item)})

    def _media_status(self, user: str, query: dict[str, str]) -> Reply:
        item = self._own_media(user, query.get("media_id", ""))
        if item is None:
            return invalid("Invalid media_id.", "media_id")
        if item["state"] in ("pending", "in_progress"):
            item["checks_left"] -= 1
            item["state"] = "in_progress"
            if item["checks_left"] <= 0:
                item["state"] = "failed" if self.processing_fails else "succeeded"
        return Reply(200, {"data": self._media_json(item)})

    def _media_metadata(self, user: str, body: dict[str, Any]) -> Reply:
        item = self._own_media(user, str(body.get("id", "")))
        if item is None:
            return invalid("Invalid media id.", "id")
        item["alt_text"] = body.get("metadata", {}).get("alt_text", {}).get("text")
        return Reply(
            200, {"data": {"id": item["id"], "associated_metadata": body.get("metadata", {})}}
        )

    def _media_json(self, item: dict[str, Any]) -> dict[str, Any]:
        data = {
            "id": item["id"],
            "media_key": item["media_key"],
            "size": item["total_bytes"],
            "expires_after_secs": 86400,
        }
        if item["category"] != "tweet_image" and item["state"] != "uploading":
            info: dict[str, Any] = {"state": item["state"]}
            if item["state"] in ("pending", "in_progress"):
                info["check_after_secs"] = 1
                done = self.processing_checks - item["checks_left"]
                info["progress_percent"] = int(100 * done / max(1, self.processing_checks))
            data["processing_info"] = info
        return data

    def _own_media(self, user: str, media_id: str) -> dict[str, Any] | None:
        item = self.media.get(media_id)
        return item if item is not None and item["owner"] == user else None

    def _media_error(self, user: str, media_ids: list[str]) -> str:
        items = [self._own_media(user, m) for m in media_ids]
        if any(i is None or i["state"] != "succeeded" for i in items):
            return "Your media IDs are invalid."
        kinds = [i["category"] for i in items if i is not None]
        if len(kinds) > 1 and any(k != "tweet_image" for k in kinds):
            return "Your media IDs are invalid."
        return ""

    # --- OAuth 2.0 with PKCE (platforms.md §1) ---

    def _authorize(self, query: dict[str, str]) -> Reply:
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return Reply(
                400,
                "Something went wrong: unknown client or response_type.",
                content_type="text/plain",
            )
        if not query.get("state") or not query.get("code_challenge"):
            return Reply(
                400,
                "Something went wrong: state and code_challenge are required.",
                content_type="text/plain",
            )
        scopes = query.get("scope", "").split()
        if not scopes or not set(scopes) <= set(SCOPES) or self.approving_user is None:
            return Reply(
                400, "Something went wrong: unknown scope or no user.", content_type="text/plain"
            )
        code = secrets.token_urlsafe(24)
        self._codes[code] = {
            "user": self.approving_user,
            "redirect_uri": query.get("redirect_uri", ""),
            "challenge": query["code_challenge"],
            "method": query.get("code_challenge_method", "plain"),
            "scopes": tuple(scopes),
            "issued": self.now(),
        }
        target = query.get("redirect_uri", "")
        location = f"{target}{'&' if '?' in target else '?'}{urlencode({'state': query['state'], 'code': code})}"
        return Reply(302, None, {"Location": location})

    def _token(self, request: Recorded) -> Reply:
        kind, _, value = request.headers.get("authorization", "").partition(" ")
        if kind.lower() != "basic":
            return oauth_error(401, "unauthorized_client", "Missing valid authorization header")
        client = base64.b64decode(value).decode()
        if client != f"{self.client_id}:{self.client_secret}":
            return oauth_error(401, "unauthorized_client", "Missing valid authorization header")
        form = request.body if isinstance(request.body, dict) else {}
        if form.get("grant_type") == "authorization_code":
            return self._exchange_code(form)
        if form.get("grant_type") == "refresh_token":
            grant = self._refresh_tokens.pop(form.get("refresh_token", ""), None)
            if grant is None:
                return oauth_error(
                    400, "invalid_request", "Value passed for the token was invalid."
                )
            return self._grant(grant["user"], grant["scopes"])
        return oauth_error(400, "unsupported_grant_type", "Unsupported grant_type.")

    def _exchange_code(self, form: dict[str, str]) -> Reply:
        code = self._codes.pop(form.get("code", ""), None)  # single use, even when refused
        if code is None or self.now() - code["issued"] > 30:
            return oauth_error(
                400, "invalid_request", "Value passed for the authorization code was invalid."
            )
        if form.get("redirect_uri") != code["redirect_uri"]:
            return oauth_error(
                400, "invalid_request", "Value passed for the redirect uri did not match."
            )
        verifier = form.get("code_verifier", "")
        if code["method"] == "S256":
            digest = hashlib.sha256(verifier.encode()).digest()
            verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if verifier != code["challenge"]:
            return oauth_error(
                400,
                "invalid_request",
                "Value passed for the code verifier did not match the code challenge.",
            )
        return self._grant(code["user"], code["scopes"])

    def _grant(self, user: str, scopes: tuple[str, ...]) -> Reply:
        body = {
            "token_type": "bearer",
            "expires_in": 7200,
            "access_token": self.issue_token(user, 7200, scopes),
            "scope": " ".join(scopes),
        }
        if "offline.access" in scopes:
            body["refresh_token"] = self.issue_refresh_token(user, scopes)
        return Reply(200, body)


def tweet_record(
    post_id: str,
    user: str,
    text: str,
    media_ids: list[str],
    reply_to: str | None,
    parent: dict[str, Any] | None,
    now: float,
) -> dict[str, Any]:
    """Return a post as the fake stores it; `parent` is the post it replies to."""
    created = datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds")
    return {
        "id": post_id,
        "author_id": user,
        "text": text,
        "created_at": created.replace("+00:00", "Z"),
        "media_ids": media_ids,
        "in_reply_to_tweet_id": reply_to,
        "in_reply_to_user_id": parent["author_id"] if parent else (reply_to and user),
        "conversation_id": parent["conversation_id"] if parent else (reply_to or post_id),
        "mentions": [],  # user ids, X's reply handles first
        "hidden": False,
    }


def post_json(tweet: dict[str, Any], wanted: set[str], prefix: str = "") -> dict[str, Any]:
    """Return a stored post as the API shows it, with the `tweet.fields` asked for;
    `prefix` is the reply's auto-populated handles ("@alice @acme ")."""
    post = {
        "id": tweet["id"],
        "text": prefix + shown_text(tweet),
        "edit_history_tweet_ids": [tweet["id"]],
    }
    parent_id = tweet["in_reply_to_tweet_id"]
    extra = {
        "created_at": tweet["created_at"],
        "conversation_id": tweet["conversation_id"],
        "author_id": tweet["author_id"],
        "in_reply_to_user_id": tweet["in_reply_to_user_id"],
        "referenced_tweets": [{"type": "replied_to", "id": parent_id}] if parent_id else None,
    }
    post.update({k: v for k, v in extra.items() if k in wanted and v is not None})
    return post


def shown_text(tweet: dict[str, Any]) -> str:
    """Return a post's text as X's API shows it: URLs as t.co links, a t.co link for
    attached media, and &, <, > as HTML entities."""
    text, pieces, position = tweet["text"], [], 0
    for entity in extract_urls_with_indices(text):
        start, end = entity["indices"]
        slug = hashlib.sha256(entity["url"].encode()).hexdigest()[:10]
        pieces += [text[position:start], f"https://t.co/{slug}"]
        position = end
    shown = "".join([*pieces, text[position:]])
    shown = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if tweet["media_ids"]:
        shown = f"{shown} https://t.co/{tweet['id'][-10:]}".strip()
    return shown


def closed_port_url() -> str:
    """Return a loopback URL nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def parse_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    header = Message()
    header["content-type"] = content_type
    kind = header.get_content_type()
    if kind == "application/json":
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode(errors="replace")
    if kind == "application/x-www-form-urlencoded":
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))
    if kind == "multipart/form-data":
        return _parse_multipart(raw, str(header.get_param("boundary") or ""))
    return raw


def _parse_multipart(raw: bytes, boundary: str) -> dict[str, str | bytes]:
    """Split a multipart body exactly (bytes kept as sent): files as bytes, fields as text."""
    parts: dict[str, str | bytes] = {}
    for chunk in raw.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        disposition = next(
            (
                line
                for line in head.decode().split("\r\n")
                if line.lower().startswith("content-disposition")
            ),
            "",
        )
        name = re.search(r'\bname="([^"]*)"', disposition)
        key = name.group(1) if name else ""
        parts[key] = data if "filename=" in disposition else data.decode()
    return parts


def _payload(reply: Reply) -> bytes:
    if reply.body is None:
        return b""
    if isinstance(reply.body, bytes):
        return reply.body
    if isinstance(reply.body, str):
        return reply.body.encode()
    return json.dumps(reply.body).encode()


def send_reply(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    payload = _payload(reply)
    handler.send_response(reply.status)
    for name, value in reply.headers.items():
        if value is not None:
            handler.send_header(name, value)
    if payload:
        handler.send_header("Content-Type", reply.content_type)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


# --- The shared contract suite's entry point (tests/channels/adapters/test_contract.py) ---

USER_ID = "2244994945"
# (status, body, headers, the error class publish must raise) for each documented error
ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]
USAGE_CAPPED = {
    "title": "UsageCapExceeded",
    "detail": "Usage cap exceeded: Monthly product cap",
    "type": "https://api.twitter.com/2/problems/usage-capped",
    "period": "Monthly",
    "scope": "Product",
}


@dataclass
class ContractCase:
    adapter: XAdapter
    creds: Credentials
    fake: FakeX
    content_ok: Content
    errors: list[ErrorCase]
    sleeps: list[float] = field(default_factory=list)  # what the adapter asked to sleep


@contextmanager
def contract_case(timeout: float = 1.0, **config: Any) -> Iterator[ContractCase]:
    """Run a fake with one account, and an adapter wired to it (`config` adds keys)."""
    with FakeX() as fake:
        fake.add_user(USER_ID, "acme", "Acme")
        secrets_ = {
            "access_token": fake.issue_token(USER_ID),
            "refresh_token": fake.issue_refresh_token(USER_ID),
        }
        expires_at = datetime.now(UTC) + timedelta(hours=2)
        creds = Credentials(USER_ID, "acme", secrets_, expires_at=expires_at)
        sleeps: list[float] = []
        config = {"sleep": sleeps.append, **config}
        adapter = XAdapter(fake.adapter_config(**config), build_session(timeout))
        reset = int(time.time()) + 600
        errors: list[ErrorCase] = [
            (401, None, None, AuthExpired),
            (429, None, {"x-rate-limit-reset": str(reset)}, RateLimited),
            (429, USAGE_CAPPED, None, Permanent),
            (403, problem(403, DUPLICATE).body, None, Permanent),
            (
                403,
                problem(403, "You are not permitted to perform this action.").body,
                None,
                Permanent,
            ),
            (400, invalid("The `text` field is invalid.", "text").body, None, Permanent),
            (500, None, None, Unknown),
            (503, None, None, Unknown),
        ]
        yield ContractCase(adapter, creds, fake, Content("Contract check from SMO"), errors, sleeps)

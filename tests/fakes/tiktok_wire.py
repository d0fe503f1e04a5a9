"""What the fake TikTok sends and receives: records, replies, the error envelope
and the state it keeps (platforms.md §7). The server is tiktok.py, the endpoints
tiktok_routes.py."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

CLIENT_KEY = "fake-tiktok-client-key"
CLIENT_SECRET = "fake-tiktok-client-secret-9c1d"
SCOPES = ("user.info.basic", "user.info.stats", "video.publish", "video.upload", "video.list")
JSON_TYPE = "application/json; charset=UTF-8"
MB, MIB = 1000 * 1000, 1024 * 1024
# Per-token requests a minute, sliding window (§7; Query Creator Info and the
# rate-limit page). Others are not limited here.
LIMITS = {
    "/v2/post/publish/video/init/": 6,
    "/v2/post/publish/content/init/": 6,
    "/v2/post/publish/status/fetch/": 30,
    "/v2/post/publish/creator_info/query/": 20,
    "/v2/video/list/": 600,
    "/v2/video/query/": 600,
    "/v2/user/info/": 600,
}
SCOPE_NEEDED = {
    "/v2/post/publish/creator_info/query/": "video.publish",
    "/v2/post/publish/video/init/": "video.publish",
    "/v2/post/publish/content/init/": "video.publish",
    "/v2/post/publish/status/fetch/": "video.publish",
    "/v2/video/list/": "video.list",
    "/v2/video/query/": "video.list",
    "/v2/user/info/": "user.info.basic",
}
DEFAULT_MESSAGES = {
    400: ("invalid_params", "The request parameters are invalid."),
    401: ("access_token_invalid", "The access token is invalid or not found in the request."),
    403: ("spam_risk_user_banned_from_posting", "The user is banned from making new posts."),
    429: ("rate_limit_exceeded", "API rate limit exceeded, please retry later."),
    500: ("internal_error", "Something went wrong. Please try again later."),
}


@dataclass
class Recorded:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, a form dict, or bytes (uploads)

    @property
    def token(self) -> str:
        kind, _, value = self.headers.get("authorization", "").partition(" ")
        return value if kind.lower() == "bearer" else ""


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str | None] = field(default_factory=dict)
    content_type: str = JSON_TYPE


class Refusal(Exception):
    """An error answer raised inside a route."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.reply = envelope_error(status, code, message)


def log_id() -> str:
    return "202611251400" + secrets.token_hex(10).upper()


def ok(data: dict[str, Any]) -> Reply:
    return Reply(200, {"data": data, "error": {"code": "ok", "message": "", "log_id": log_id()}})


def envelope(code: str, message: str) -> dict[str, Any]:
    """TikTok's error envelope (§7)."""
    return {"data": {}, "error": {"code": code, "message": message, "log_id": log_id()}}


def envelope_error(status: int, code: str, message: str) -> Reply:
    return Reply(status, envelope(code, message))


def default_error(status: int) -> dict[str, Any]:
    code, message = DEFAULT_MESSAGES.get(status, ("internal_error", "Something went wrong."))
    return envelope(code, message)


def oauth_error(status: int, error: str, description: str) -> Reply:
    """The token endpoint's own error shape (Manage User Access Tokens guide)."""
    return Reply(status, {"error": error, "error_description": description, "log_id": log_id()})


@dataclass
class Creator:
    """A TikTok account and its creator_info settings."""

    open_id: str
    username: str
    nickname: str
    private: bool = False
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False
    max_video_post_duration_sec: int = 600
    banned: bool = False
    followers: int = 0

    @property
    def avatar_url(self) -> str:
        return f"https://p16-sign.tiktokcdn-us.com/avatar/{self.open_id}.jpeg"

    @property
    def privacy_level_options(self) -> list[str]:
        # Public and private accounts are offered different levels (creator_info reference).
        if self.private:
            return ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        return ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]


@dataclass
class Publish:
    """One publish_id and where it stands."""

    id: str
    user: str
    source: str  # FILE_UPLOAD, PULL_FROM_URL or PHOTO
    post_info: dict[str, Any]
    privacy: str
    created: float
    status: str = "PROCESSING_UPLOAD"
    video_size: int = 0
    chunk_size: int = 0
    total_chunk_count: int = 0
    received: bytearray = field(default_factory=bytearray)
    chunks: int = 0
    upload_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    media_in: bool = False
    fetches_left: int = 0
    fail_reason: str = ""
    post_id: str = ""
    video_id: str = ""
    urls: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return str(self.post_info.get("title") or self.post_info.get("description") or "")


@dataclass
class Video:
    """A post on the creator's profile."""

    id: str
    user: str
    title: str
    description: str
    create_time: int
    public: bool
    listed: bool
    # like_count, comment_count, share_count, view_count (FakeTikTok.set_metrics);
    # a count not seeded is left out of the answer.
    counts: dict[str, int] = field(default_factory=dict)


def send_reply(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    if reply.body is None:
        payload = b""
    elif isinstance(reply.body, bytes):
        payload = reply.body
    elif isinstance(reply.body, str):
        payload = reply.body.encode()
    else:
        payload = json.dumps(reply.body).encode()
    handler.send_response(reply.status)
    for name, value in reply.headers.items():
        if value is not None:
            handler.send_header(name, value)
    if payload:
        handler.send_header("Content-Type", reply.content_type)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def runes(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_body(raw: bytes, headers: dict[str, str]) -> Any:
    kind = headers.get("content-type", "")
    if not raw:
        return None
    if kind.startswith("application/json"):
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode(errors="replace")
    if kind.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))
    return raw

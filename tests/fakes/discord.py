"""A fake Discord webhook API on 127.0.0.1 (platforms.md §13, STYLE.md §6).

It serves what DiscordAdapter uses: GET /api/webhooks/{id}/{token} (the webhook
object) and POST on it (Execute Webhook) as JSON or multipart (`payload_json` +
`files[n]`), `?wait=true` answering with the message and without it 204, and
`thread_id` / `thread_name` for threads and forum channels. Errors have
Discord's bodies: 404 10015 Unknown Webhook, 401 50027 Invalid Webhook Token,
400 50006 empty message, 400 50035 Invalid Form Body with its `errors` tree,
413 40005 for files over the cap, and 429 with `retry_after` and the
X-RateLimit-* headers from a per-webhook bucket of 5 requests per 2 seconds.

    with FakeDiscord() as fake:
        hook = fake.add_webhook("Acme news", guild_id="81384788765712384")
        adapter = DiscordAdapter(fake.adapter_config(), build_session(2.0))
        creds = adapter.connect_webhook(hook.url).credentials
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.loopback import Fault, LoopbackFake, LoopbackHandler
from tests.fakes.x import Recorded, Reply, parse_body, send_reply

PATH = re.compile(r"^/api(?:/v\d+)?/webhooks/(?P<id>\d+)/(?P<token>[^/]+)$")
MAX_CONTENT = 2000
MAX_FILES = 10
FILE_CAP = 10 * 1024 * 1024  # a server without boosts (§13, "unconfirmed")
BUCKET = (5, 2.0)  # requests per seconds, per webhook (§13)
RATE_LIMITED = {"message": "You are being rate limited.", "retry_after": 1.5, "global": False}
UNKNOWN_WEBHOOK = {"message": "Unknown Webhook", "code": 10015}
INVALID_TOKEN = {"message": "Invalid Webhook Token", "code": 50027}
EMPTY = {"message": "Cannot send an empty message", "code": 50006}
UNKNOWN_CHANNEL = {"message": "Unknown Channel", "code": 10003}
TOO_LARGE = {"message": "Request entity too large", "code": 40005}
NEEDS_THREAD = {
    "message": "Webhooks posted to forum channels must have a thread_name or thread_id",
    "code": 220001,
}
SERVER_ERROR = {"message": "500: Internal Server Error", "code": 0}


def invalid_form(field_path: list[str], code: str, message: str) -> dict[str, Any]:
    """Discord's 50035 body: the field's path down to an `_errors` list."""
    tree: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for name in reversed(field_path):
        tree = {name: tree}
    return {"code": 50035, "errors": tree, "message": "Invalid Form Body"}


@dataclass
class Webhook:
    id: str
    token: str
    name: str
    guild_id: str
    channel_id: str
    base: str  # the fake's address
    forum: bool = False
    threads: set[str] = field(default_factory=set)
    avatar: str | None = None

    @property
    def url(self) -> str:
        """The URL as Discord shows it: the adapter is pointed at the fake by config."""
        return f"https://discord.com/api/webhooks/{self.id}/{self.token}"

    @property
    def path(self) -> str:
        return f"/api/webhooks/{self.id}/{self.token}"


class FakeDiscord(LoopbackFake):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Recorded] = []
        self.webhooks: dict[str, Webhook] = {}
        self.messages: list[dict[str, Any]] = []
        self.file_cap = FILE_CAP
        self.bucket = BUCKET  # (requests, seconds) per webhook
        self._ids = itertools.count(1_180_000_000_000_000_001)
        self._buckets: dict[str, list[float]] = {}
        self._offset = 0.0
        self.server = self.serve(LoopbackHandler.bound_to(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- Seeding and knobs ---

    def adapter_config(self, **extra: Any) -> dict[str, Any]:
        return {"api_url": f"{self.url}/api", **extra}

    def add_webhook(
        self, name: str = "Acme news", guild_id: str = "", *, forum: bool = False
    ) -> Webhook:
        hook = Webhook(
            self.next_id(),
            secrets.token_urlsafe(51),
            name,
            guild_id or self.next_id(),
            self.next_id(),
            self.url,
            forum=forum,
        )
        self.webhooks[hook.id] = hook
        self.hold_path = hook.path  # the lost-answer knobs hold the last one's posts
        return hook

    def add_thread(self, hook: Webhook) -> str:
        thread = self.next_id()
        hook.threads.add(thread)
        return thread

    def delete_webhook(self, hook: Webhook) -> None:
        self.webhooks.pop(hook.id, None)

    def next_id(self) -> str:
        return str(next(self._ids))

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def fault_body(self, status: int) -> Any:
        return {
            400: EMPTY,
            401: INVALID_TOKEN,
            404: UNKNOWN_WEBHOOK,
            413: TOO_LARGE,
            429: RATE_LIMITED,
        }.get(status, SERVER_ERROR if status >= 500 else {"message": "Error", "code": 0})

    def fail_next(
        self,
        status: int,
        body: Any = None,
        headers: dict[str, str | None] | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next request with this. A 429 without headers gets Discord's."""
        if status == 429 and headers is None:
            headers = {"Retry-After": "2", "X-RateLimit-Scope": "user"}
        self._plan(Fault(status, body, dict(headers or {}), path))

    # --- The request pipeline ---

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        content_type = headers.get("content-type", "")
        request = Recorded(
            handler.command,
            url.path,
            dict(parse_qsl(url.query, keep_blank_values=True)),
            headers,
            parse_body(raw, content_type),
            content_type,
        )
        with self._lock:
            self.requests.append(request)
            fault = self._take_fault(request.path)
            if fault is not None:
                reply = Reply(fault.status, fault.body, dict(fault.headers))
            else:
                reply = self._answer(request, len(raw))
            hold = self._take_hold(request.path) if request.method == "POST" else None
        if hold is not None:
            return self._withhold(handler, hold)
        send_reply(handler, reply)

    def _answer(self, request: Recorded, size: int) -> Reply:
        found = PATH.match(request.path)
        if found is None:
            return Reply(404, {"message": "404: Not Found", "code": 0})
        hook = self.webhooks.get(found["id"])
        if hook is None:
            return Reply(404, UNKNOWN_WEBHOOK)
        if found["token"] != hook.token:
            return Reply(401, INVALID_TOKEN)
        limited = self._bucket(hook)
        if limited is not None:
            return limited
        if request.method == "GET":
            return self._with_limits(Reply(200, self._webhook_json(hook)), hook)
        if request.method != "POST":
            return Reply(405, {"message": "405: Method Not Allowed", "code": 0})
        return self._with_limits(self._execute(hook, request, size), hook)

    def _webhook_json(self, hook: Webhook) -> dict[str, Any]:
        return {
            "application_id": None,
            "avatar": hook.avatar,
            "channel_id": hook.channel_id,
            "guild_id": hook.guild_id,
            "id": hook.id,
            "name": hook.name,
            "type": 1,
            "token": hook.token,
        }

    def _execute(self, hook: Webhook, request: Recorded, size: int) -> Reply:
        body = request.body
        files: dict[str, bytes] = {}
        if request.content_type.startswith("multipart/form-data"):
            if size > self.file_cap:
                return Reply(413, TOO_LARGE)
            parts = body if isinstance(body, dict) else {}
            payload = json.loads(str(parts.get("payload_json") or "{}"))
            files = {k: v for k, v in parts.items() if k.startswith("files[")}
        elif isinstance(body, dict):
            payload = body
        else:
            return Reply(400, {"message": "400: Bad Request", "code": 0})
        content = str(payload.get("content") or "")
        if len(content) > MAX_CONTENT:
            return Reply(
                400,
                invalid_form(
                    ["content"], "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length."
                ),
            )
        if len(files) > MAX_FILES:
            return Reply(
                400,
                invalid_form(["files"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."),
            )
        if not content.strip() and not files and not payload.get("embeds"):
            return Reply(400, EMPTY)
        channel = hook.channel_id
        thread_id = request.query.get("thread_id")
        if thread_id:
            if thread_id not in hook.threads:
                return Reply(404, UNKNOWN_CHANNEL)
            channel = thread_id
        elif payload.get("thread_name"):
            if not hook.forum:
                return Reply(
                    400,
                    invalid_form(
                        ["thread_name"],
                        "THREAD_NAME_NOT_ALLOWED",
                        "Only forum channels take a thread name.",
                    ),
                )
            channel = self.add_thread(hook)
        elif hook.forum:
            return Reply(400, NEEDS_THREAD)
        message = self._message(hook, channel, payload, files)
        self.messages.append(message)
        if request.query.get("wait") != "true":
            return Reply(204)
        return Reply(200, message)

    def _message(
        self, hook: Webhook, channel: str, payload: dict[str, Any], files: dict[str, bytes]
    ) -> dict[str, Any]:
        described = {str(a.get("id")): a for a in payload.get("attachments") or []}
        attachments = []
        for name, data in files.items():
            index = name[len("files[") : -1]
            meta = described.get(index, {})
            attachment_id = self.next_id()
            filename = str(meta.get("filename") or f"file{index}")
            attachments.append(
                {
                    "id": attachment_id,
                    "filename": filename,
                    "size": len(data),
                    "url": f"https://cdn.discordapp.com/attachments/{channel}/{attachment_id}/{filename}",
                    **({"description": meta["description"]} if meta.get("description") else {}),
                }
            )
        return {
            "id": self.next_id(),
            "type": 0,
            "content": str(payload.get("content") or ""),
            "channel_id": channel,
            "author": {
                "id": hook.id,
                "username": str(payload.get("username") or hook.name),
                "bot": True,
            },
            "attachments": attachments,
            "embeds": [],
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "mention_everyone": False,
            "tts": False,
            "timestamp": datetime.fromtimestamp(self.now(), UTC).isoformat(),
            "edited_timestamp": None,
            "flags": 0,
            "components": [],
            "webhook_id": hook.id,
            "allowed_mentions": payload.get("allowed_mentions"),
        }

    # --- Rate limits ---

    def _bucket(self, hook: Webhook) -> Reply | None:
        limit, seconds = self.bucket
        window = self._buckets.setdefault(hook.id, [self.now(), 0])
        if self.now() >= window[0] + seconds:
            window[:] = [self.now(), 0]
        if window[1] >= limit:
            wait = round(window[0] + seconds - self.now(), 3)
            reply = Reply(429, {**RATE_LIMITED, "retry_after": wait})
            reply.headers["Retry-After"] = str(max(1, round(wait)))
            reply.headers["X-RateLimit-Scope"] = "user"
            return self._with_limits(reply, hook)
        window[1] += 1
        return None

    def _with_limits(self, reply: Reply, hook: Webhook) -> Reply:
        limit, seconds = self.bucket
        start, used = self._buckets.get(hook.id, [self.now(), 0])
        reset = start + seconds
        reply.headers.update(
            {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(max(limit - int(used), 0)),
                "X-RateLimit-Reset": f"{reset:.3f}",
                "X-RateLimit-Reset-After": f"{max(reset - self.now(), 0):.3f}",
                "X-RateLimit-Bucket": f"bucket-{hook.id[-6:]}",
            }
        )
        return reply

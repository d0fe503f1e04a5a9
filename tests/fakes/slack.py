"""A fake Slack Web API on 127.0.0.1 (docs.slack.dev/reference/methods).

It serves what SlackAdapter uses, through slack_sdk's WebClient: the OAuth v2
authorize page and oauth.v2.access (codes, and refresh tokens when token
rotation is on), conversations.list / join / history (with metadata and cursor
paging), chat.postMessage, chat.getPermalink, and the file upload flow
(files.getUploadURLExternal, a POST of the bytes to the upload URL on the same
server, files.completeUploadExternal). Answers are HTTP 200 with `{"ok": true}`
or `{"ok": false, "error": "<code>"}`, HTTP 429 with Retry-After when a
channel's one-message-a-second budget is spent, as Slack documents.

    with FakeSlack() as fake:
        team = fake.add_team("Acme")
        channel = fake.add_channel("general")
        token = fake.issue_token()
        adapter = SlackAdapter(fake.adapter_config(), build_session(2.0))
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.fakes.loopback import LoopbackFake, LoopbackHandler
from tests.fakes.x import Recorded, Reply, parse_body, send_reply

CLIENT_ID = "1234567890.987654321"
CLIENT_SECRET = "fake-slack-client-secret"
AUTHORIZE_PATH = "/oauth/v2/authorize"
UPLOAD_PATH = "/upload/"
# Methods that need the bot token, and the scope each needs.
SCOPE_OF = {
    "conversations.list": "channels:read",
    "conversations.join": "channels:join",
    "conversations.history": "channels:history",
    "conversations.replies": "channels:history",
    "chat.postMessage": "chat:write",
    "chat.getPermalink": "",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}
SCOPES = (
    "chat:write",
    "files:write",
    "channels:read",
    "groups:read",
    "channels:join",
    "channels:history",
    "groups:history",
)


class FakeSlack(LoopbackFake):
    hold_path = "/api/chat.postMessage"

    def __init__(self, *, rotation: bool = False) -> None:
        super().__init__()
        self.rotation = rotation  # token rotation: tokens expire in 12 hours
        self.requests: list[Recorded] = []
        self.team = {"id": "T0001ACME", "name": "Acme"}
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel -> oldest first
        self.files: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: set[str] = set()
        self.codes: dict[str, str] = {}  # code -> redirect_uri
        self.share_later = False  # completeUploadExternal answers before the share shows
        self.per_second = 1  # chat.postMessage per channel per second
        self._sent: dict[str, list[float]] = {}
        self._ids = itertools.count(1)
        self._clock = itertools.count(1)
        self.server = self.serve(LoopbackHandler.bound_to(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- Seeding and knobs ---

    def adapter_config(self, **extra: Any) -> dict[str, Any]:
        return {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "api_url": f"{self.url}/api/",
            "authorize_url": f"{self.url}{AUTHORIZE_PATH}",
            **extra,
        }

    def add_channel(
        self, name: str, *, private: bool = False, member: bool = False, archived: bool = False
    ) -> str:
        prefix = "G" if private else "C"
        channel_id = f"{prefix}{next(self._ids):08d}"
        self.channels[channel_id] = {
            "id": channel_id,
            "name": name,
            "is_private": private,
            "is_member": member or private,  # private channels list only once invited
            "is_archived": archived,
        }
        self.messages[channel_id] = []
        return channel_id

    def issue_token(self, scopes: tuple[str, ...] = SCOPES, expires_in: int | None = None) -> str:
        token = f"xoxb-{secrets.token_urlsafe(24)}"
        expires = time.time() + expires_in if expires_in else None
        self.tokens[token] = {"scopes": scopes, "expires": expires}
        return token

    def revoke(self, token: str) -> None:
        self.tokens.pop(token, None)

    def fault_body(self, status: int) -> Any:
        return {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}

    # --- The request pipeline ---

    def handle(self, handler: LoopbackHandler) -> None:
        url = urlsplit(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        content_type = headers.get("content-type", "")
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        body = raw if url.path.startswith(UPLOAD_PATH) else parse_body(raw, content_type)
        request = Recorded(handler.command, url.path, query, headers, body, content_type)
        with self._lock:
            self.requests.append(request)
            fault = self._take_fault(url.path)
            if fault is not None:
                reply = Reply(fault.status, fault.body, dict(fault.headers), checked=False)
            else:
                reply = self._answer(request)
            hold = self._take_hold(url.path)
        if hold is not None:
            return self._withhold(handler, hold)
        send_reply(handler, reply)

    def _answer(self, request: Recorded) -> Reply:
        path = request.path
        if path == AUTHORIZE_PATH:
            return self._authorize(request.query)
        if path.startswith(UPLOAD_PATH):
            return self._upload(path[len(UPLOAD_PATH) :], request.body)
        method = path.removeprefix("/api/")
        params = {**request.query, **(request.body if isinstance(request.body, dict) else {})}
        if method == "oauth.v2.access":
            return self._access(params, request.headers.get("authorization", ""))
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if method not in SCOPE_OF:
            return _error("unknown_method")
        grant = self.tokens.get(token)
        if grant is None:
            return _error("invalid_auth" if token else "not_authed")
        if grant["expires"] is not None and grant["expires"] < time.time():
            return _error("token_expired")
        scope = SCOPE_OF[method]
        if scope and scope not in grant["scopes"]:
            return _error("missing_scope", needed=scope)
        return getattr(self, "_" + method.replace(".", "_"))(params)

    # --- OAuth ---

    def _authorize(self, query: dict[str, str]) -> Reply:
        if query.get("client_id") != CLIENT_ID:
            return Reply(400, {"ok": False, "error": "invalid_client_id"})
        code = secrets.token_urlsafe(12)
        self.codes[code] = query.get("redirect_uri", "")
        target = urlencode({"code": code, "state": query.get("state", "")})
        return Reply(302, None, {"Location": f"{query.get('redirect_uri')}?{target}"})

    def _access(self, params: dict[str, str], authorization: str) -> Reply:
        """The app's id and secret as HTTP Basic, which Slack prefers, or as form fields."""
        app = (params.get("client_id"), params.get("client_secret"))
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode()
            app = tuple(decoded.split(":", 1))  # type: ignore[assignment]
        if app[0] != CLIENT_ID:
            return _error("invalid_client_id")
        if app[1] != CLIENT_SECRET:
            return _error("bad_client_secret")
        if params.get("grant_type") == "refresh_token":
            if params.get("refresh_token") not in self.refresh_tokens:
                return _error("invalid_refresh_token")
            self.refresh_tokens.discard(params["refresh_token"])
        else:
            redirect = self.codes.pop(params.get("code", ""), None)
            if redirect is None:
                return _error("invalid_code")
            if redirect != params.get("redirect_uri"):
                return _error("bad_redirect_uri")
        body: dict[str, Any] = {
            "ok": True,
            "token_type": "bot",
            "scope": ",".join(SCOPES),
            "bot_user_id": "U0BOT",
            "app_id": "A0SMO",
            "team": dict(self.team),
            "enterprise": None,
            "authed_user": {"id": "U0ADMIN"},
        }
        if self.rotation:
            body["access_token"] = self.issue_token(expires_in=43200)
            refresh = f"xoxe-1-{secrets.token_urlsafe(24)}"
            self.refresh_tokens.add(refresh)
            body.update(refresh_token=refresh, expires_in=43200)
        else:
            body["access_token"] = self.issue_token()
        return Reply(200, body)

    # --- Conversations ---

    def _conversations_list(self, params: dict[str, str]) -> Reply:
        found = [
            c
            for c in self.channels.values()
            if not (c["is_private"] and not c["is_member"])
            and not (c["is_archived"] and params.get("exclude_archived") in ("1", "true"))
        ]
        return _paged("channels", found, params)

    def _conversations_join(self, params: dict[str, str]) -> Reply:
        channel = self.channels.get(params.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        if channel["is_archived"]:
            return _error("is_archived")
        if channel["is_private"]:
            return _error("method_not_supported_for_channel_type")
        already = channel["is_member"]
        channel["is_member"] = True
        body: dict[str, Any] = {"ok": True, "channel": dict(channel)}
        if already:
            body["warning"] = "already_in_channel"
        return Reply(200, body)

    def _conversations_history(self, params: dict[str, str]) -> Reply:
        channel = self.channels.get(params.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        if not channel["is_member"]:
            return _error("not_in_channel")
        oldest = float(params.get("oldest") or 0)
        shown = [
            m
            for m in reversed(self.messages[channel["id"]])
            if float(m["ts"]) > oldest and "thread_ts" not in m  # replies stay in threads
        ]
        if params.get("include_all_metadata") not in ("1", "true"):
            shown = [{k: v for k, v in m.items() if k != "metadata"} for m in shown]
        return _paged("messages", shown, params)

    def _conversations_replies(self, params: dict[str, str]) -> Reply:
        channel = self.channels.get(params.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        ts = params.get("ts", "")
        messages = self.messages[channel["id"]]
        if not any(m["ts"] == ts for m in messages):
            return _error("thread_not_found")
        thread = [m for m in messages if m["ts"] == ts or m.get("thread_ts") == ts]
        if params.get("include_all_metadata") not in ("1", "true"):
            thread = [{k: v for k, v in m.items() if k != "metadata"} for m in thread]
        return _paged("messages", thread, params)

    # --- Messages ---

    def _chat_postMessage(self, params: dict[str, str]) -> Reply:
        channel = self._postable(params.get("channel", ""))
        if isinstance(channel, Reply):
            return channel
        text = params.get("text", "")
        if not text:
            return _error("no_text")
        if len(text) > 40_000:
            return _error("msg_too_long")
        now = time.time()
        sent = [t for t in self._sent.get(channel, []) if t > now - 1]
        if len(sent) >= self.per_second:
            return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
        self._sent[channel] = [*sent, now]
        thread = params.get("thread_ts")
        if thread and not any(m["ts"] == thread for m in self.messages[channel]):
            return _error("thread_not_found")
        message = self._add_message(channel, text=text)
        if thread:
            message["thread_ts"] = thread
        if params.get("metadata"):
            message["metadata"] = json.loads(params["metadata"])
        return Reply(200, {"ok": True, "channel": channel, "ts": message["ts"], "message": message})

    def _chat_getPermalink(self, params: dict[str, str]) -> Reply:
        channel, ts = params.get("channel", ""), params.get("message_ts", "")
        if not any(m["ts"] == ts for m in self.messages.get(channel, [])):
            return _error("message_not_found")
        link = f"https://acme.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return Reply(200, {"ok": True, "channel": channel, "permalink": link})

    def _postable(self, channel_id: str) -> str | Reply:
        channel = self.channels.get(channel_id)
        if channel is None:
            return _error("channel_not_found")
        if channel["is_archived"]:
            return _error("is_archived")
        if not channel["is_member"]:
            return _error("not_in_channel")
        return channel_id

    def _add_message(self, channel: str, **fields: Any) -> dict[str, Any]:
        ts = f"{int(time.time())}.{next(self._clock):06d}"
        message = {"type": "message", "user": "U0BOT", "bot_id": "B0SMO", "ts": ts, **fields}
        self.messages[channel].append(message)
        return message

    # --- Files ---

    def _files_getUploadURLExternal(self, params: dict[str, str]) -> Reply:
        length = params.get("length", "")
        if not params.get("filename") or not length.isdigit():
            return _error("invalid_arguments")
        file_id = f"F{next(self._ids):08d}"
        self.files[file_id] = {
            "id": file_id,
            "name": params["filename"],
            "length": int(length),
            "data": None,
            "alt_txt": params.get("alt_txt", ""),
        }
        return Reply(
            200,
            {"ok": True, "upload_url": f"{self.url}{UPLOAD_PATH}{file_id}", "file_id": file_id},
        )

    def _upload(self, file_id: str, data: Any) -> Reply:
        file = self.files.get(file_id)
        if file is None:
            return Reply(404, b"Not Found", content_type="text/plain")
        if len(data or b"") != file["length"]:
            return Reply(400, b"length mismatch", content_type="text/plain")
        file["data"] = data
        return Reply(200, f"OK - {len(data)}".encode(), content_type="text/plain")

    def _files_completeUploadExternal(self, params: dict[str, str]) -> Reply:
        listed = json.loads(params.get("files") or "[]")
        files = [self.files.get(str(f.get("id"))) for f in listed]
        if not files or any(f is None or f["data"] is None for f in files):
            return _error("file_not_found")
        channel = self._postable(params.get("channel_id", ""))
        if isinstance(channel, Reply):
            return channel
        shown = [{"id": f["id"], "name": f["name"], "title": f["name"]} for f in files if f]
        message = self._add_message(
            channel, text=params.get("initial_comment", ""), files=shown, upload=True
        )
        answer = [dict(f) for f in shown]
        if not self.share_later:
            for f in answer:
                f["shares"] = {"public": {channel: [{"ts": message["ts"]}]}}
        return Reply(200, {"ok": True, "files": answer})


def _error(code: str, **extra: Any) -> Reply:
    return Reply(200, {"ok": False, "error": code, **extra})


def _paged(name: str, items: list[dict[str, Any]], params: dict[str, str]) -> Reply:
    """Slack's cursor paging: `response_metadata.next_cursor`, empty at the end."""
    start = int(params.get("cursor") or 0)
    limit = int(params.get("limit") or 100)
    page = items[start : start + limit]
    following = str(start + limit) if start + limit < len(items) else ""
    return Reply(
        200,
        {
            "ok": True,
            name: page,
            "has_more": bool(following),
            "response_metadata": {"next_cursor": following},
        },
    )

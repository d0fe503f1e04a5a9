"""A fake Telegram Bot API on 127.0.0.1 (platforms.md §12, core.telegram.org/bots/api).

It serves what TelegramAdapter uses, at `POST /bot<token>/<method>`: getMe,
getChat, getChatMember, getChatMemberCount, sendMessage, sendPhoto, sendVideo and
sendMediaGroup (multipart uploads, `attach://` names). Answers are the Bot API's
`{"ok": true, "result": ...}`; errors carry `error_code` equal to the HTTP status,
a `description`, and `parameters.retry_after` on 429. An unknown token gets 401
"Unauthorized", a malformed path 404 "Not Found", as the real server does.

Requests are recorded with the method as their path ("/sendPhoto") and the
token apart, so the knobs and `calls()` name methods:

    with FakeTelegram() as fake:
        token = fake.add_bot("acme_bot")
        chat = fake.add_channel("acmebakery", "Acme Bakery", admins={token})
        adapter = TelegramAdapter(fake.adapter_config(), build_session(2.0))
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.loopback import LoopbackFake, LoopbackHandler
from tests.fakes.x import Reply, parse_body, send_reply

PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")
SENDS = frozenset({"sendMessage", "sendPhoto", "sendVideo", "sendMediaGroup"})
MAX_TEXT, MAX_CAPTION = 4096, 1024


def error(status: int, description: str, **parameters: Any) -> dict[str, Any]:
    """The Bot API's error body (HTTP status = error_code)."""
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def too_many(seconds: int) -> dict[str, Any]:
    return error(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)


@dataclass
class Recorded:
    method: str
    path: str  # "/sendPhoto": the Bot API method, without the token
    token: str
    body: Any  # a form dict, or multipart fields (files as bytes)
    content_type: str = ""


@dataclass
class Chat:
    id: int
    type: str
    title: str
    username: str = ""
    # token -> the bot's member record there ("administrator", "member", ...)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    member_count: int = 0


class _Handler(LoopbackHandler):
    pass


class FakeTelegram(LoopbackFake):
    hold_path = "/sendMessage"

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Recorded] = []
        self.bots: dict[str, dict[str, Any]] = {}  # token -> the bot's User
        self.chats: dict[int, Chat] = {}
        self._ids = itertools.count(7_000_000_001)
        self._message_ids = itertools.count(41)
        server = self.serve(_Handler.bound_to(self))
        self.url = f"http://127.0.0.1:{server.server_address[1]}"

    def adapter_config(self, **extra: Any) -> dict[str, Any]:
        return {"api_url": self.url, **extra}

    # --- Setting the scene ---

    def add_bot(self, username: str) -> str:
        """Register a bot; return its token."""
        bot_id = next(self._ids)
        token = f"{bot_id}:AA{secrets.token_urlsafe(24)}"
        self.bots[token] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": username.replace("_", " "),
            "username": username,
        }
        return token

    def add_channel(
        self,
        username: str,
        title: str,
        *,
        admins: set[str] = frozenset(),  # type: ignore[assignment]
        type: str = "channel",
        private: bool = False,
        can_post: bool = True,
    ) -> int:
        chat_id = -(1_000_000_000_000 + next(self._ids)) if type != "group" else -next(self._ids)
        chat = Chat(chat_id, type, title, "" if private else username, member_count=1280)
        for token in admins:
            chat.members[token] = {
                "status": "administrator",
                "user": self.bots[token],
                "can_post_messages": can_post,
            }
        self.chats[chat_id] = chat
        return chat_id

    def revoke(self, token: str) -> None:
        """What /revoke in @BotFather does: the token stops working."""
        self.bots.pop(token, None)

    def remove_bot(self, chat_id: int, token: str) -> None:
        self.chats[chat_id].members[token] = {"status": "kicked", "user": self.bots[token]}

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        return self.chats[chat_id].messages

    # --- Serving ---

    def handle(self, handler: _Handler) -> None:
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        content_type = handler.headers.get("Content-Type", "")
        found = PATH.match(url.path)
        token, method = (found["token"], found["method"]) if found else ("", "")
        request = Recorded(
            handler.command, f"/{method}", token, parse_body(raw, content_type) or {}, content_type
        )
        with self._lock:
            self.requests.append(request)
            fault = self._take_fault(request.path)
            if fault is not None:
                body = fault.body if fault.body is not None else self.fault_body(fault.status)
                reply = Reply(fault.status, body, fault.headers)
            elif not found:
                reply = Reply(404, error(404, "Not Found"))
            else:
                reply = self._answer(token, method, request.body)
            hold = self._take_hold(request.path)
        if hold is not None:
            return self._withhold(handler, hold)
        send_reply(handler, reply)

    def fault_body(self, status: int) -> Any:
        if status == 429:
            return too_many(35)
        descriptions = {
            400: "Bad Request: chat not found",
            401: "Unauthorized",
            403: "Forbidden: bot was kicked from the channel chat",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }
        return error(status, descriptions.get(status, "Error"))

    def _answer(self, token: str, method: str, body: dict[str, Any]) -> Reply:
        bot = self.bots.get(token)
        if bot is None:
            return Reply(401, error(401, "Unauthorized"))
        if method == "getMe":
            return ok(bot)
        chat = self._chat(body.get("chat_id", ""))
        if chat is None:
            return Reply(400, error(400, "Bad Request: chat not found"))
        member = chat.members.get(token) or {"status": "left", "user": bot}
        if member["status"] in ("left", "kicked"):
            if not chat.username:
                # A private chat does not exist for a bot outside it.
                return Reply(400, error(400, "Bad Request: chat not found"))
            if method not in ("getChat", "getChatMember"):  # public chats are readable
                return Reply(403, error(403, "Forbidden: bot is not a member of the channel chat"))
        if method == "getChat":
            return ok(self._chat_json(chat))
        if method == "getChatMember":
            if str(body.get("user_id")) != str(bot["id"]):
                return Reply(400, error(400, "Bad Request: user not found"))
            return ok(member)
        if method == "getChatMemberCount":
            return ok(chat.member_count)
        if method in SENDS:
            return self._send(chat, member, method, body)
        return Reply(404, error(404, "Not Found"))

    def _send(self, chat: Chat, member: dict[str, Any], method: str, body: dict[str, Any]) -> Reply:
        if chat.type == "channel" and not member.get("can_post_messages"):
            return Reply(
                400, error(400, "Bad Request: need administrator rights in the channel chat")
            )
        if method == "sendMessage":
            text = str(body.get("text", ""))
            if not text.strip():
                return Reply(400, error(400, "Bad Request: message text is empty"))
            if len(text.encode("utf-16-le")) // 2 > MAX_TEXT:
                return Reply(400, error(400, "Bad Request: message is too long"))
            return ok(self._message(chat, body, text=text))
        if method in ("sendPhoto", "sendVideo"):
            kind = "photo" if method == "sendPhoto" else "video"
            upload = body.get(kind)
            if not isinstance(upload, bytes) or not upload:
                return Reply(400, error(400, f"Bad Request: there is no {kind} in the request"))
            caption = str(body.get("caption", ""))
            if len(caption.encode("utf-16-le")) // 2 > MAX_CAPTION:
                return Reply(400, error(400, "Bad Request: message caption is too long"))
            return ok(self._message(chat, body, caption=caption, **{kind: len(upload)}))
        try:
            media = json.loads(str(body.get("media", "")))
        except ValueError:
            return Reply(400, error(400, "Bad Request: can't parse media JSON object"))
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            return Reply(400, error(400, "Bad Request: wrong number of messages specified"))
        group = str(next(self._ids))
        sent = []
        for item in media:
            name = str(item.get("media", "")).removeprefix("attach://")
            upload = body.get(name)
            if not isinstance(upload, bytes):
                return Reply(
                    400, error(400, "Bad Request: wrong file identifier/HTTP URL specified")
                )
            extra = {item["type"]: len(upload), "media_group_id": group}
            sent.append(self._message(chat, body, caption=item.get("caption", ""), **extra))
        return ok(sent)

    def _message(self, chat: Chat, body: dict[str, Any], **fields: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "chat": self._chat_json(chat),
            "date": int(time.time()),
            **{k: v for k, v in fields.items() if v != ""},
        }
        if body.get("disable_notification") == "true":
            message["silent"] = True
        chat.messages.append(message)
        return message

    def _chat(self, ref: Any) -> Chat | None:
        ref = str(ref)
        if ref.startswith("@"):
            return next((c for c in self.chats.values() if c.username == ref[1:]), None)
        try:
            return self.chats.get(int(ref))
        except ValueError:
            return None

    @staticmethod
    def _chat_json(chat: Chat) -> dict[str, Any]:
        found: dict[str, Any] = {"id": chat.id, "type": chat.type, "title": chat.title}
        if chat.username:
            found["username"] = chat.username
        return found


def ok(result: Any) -> Reply:
    return Reply(200, {"ok": True, "result": result})

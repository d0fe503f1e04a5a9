"""A fake Mastodon instance on 127.0.0.1, answering as platforms.md §10 describes.

It serves what MastodonAdapter (through Mastodon.py) uses: app registration
(POST /api/v1/apps), the OAuth authorize page and token endpoint,
verify_credentials, /api/v1/instance and /api/v2/instance (with and without the
trailing slash Mastodon.py sends) with configurable limits, media (POST
/api/v2/media 200 or 202, GET /api/v1/media/:id 206 then 200, or 422), statuses
with Idempotency-Key (a key seen within the hour returns the same status),
polls, replies, and an account's statuses for the reconciler. Errors are
`{"error": ...}`; every answer to a token carries X-RateLimit-* headers, and
past the limit the answer is 429.

    with FakeMastodon() as fake:
        account = fake.add_account("acmebakery", "Acme Bakery")
        token = fake.issue_token(account)
        creds = fake.credentials(account, token)
"""

from __future__ import annotations

import email.utils
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from channels.adapters.base import Credentials
from tests.fakes import mastodon_routes as routes
from tests.fakes import mastodon_wire as wire
from tests.fakes.loopback import LoopbackFake, LoopbackHandler
from tests.fakes.x import Reply, send_reply

RATE_WINDOW = 300.0  # 300 requests per 5 minutes per account (platforms.md §10)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    raw: bytes
    content_type: str
    body: Any = None  # JSON, a form dict, or multipart fields (files as bytes)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # the query, repeats kept
    file_types: dict[str, str] = field(default_factory=dict)

    @property
    def form(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}

    def params(self) -> dict[str, Any]:
        """POST /api/v1/statuses parameters, from JSON (with a poll) or a form."""
        if self.content_type.startswith("application/json"):
            return dict(self.body or {})
        return routes.form_params(self.raw)


class FakeMastodon(LoopbackFake):
    hold_path = "/api/v1/statuses"  # the lost-answer knobs' default

    def __init__(self, *, domain: str = "mastodon.example", version: str = "4.3.2") -> None:
        super().__init__()
        self.domain = domain
        self.version = version
        self.limits: dict[str, Any] = dict(wire.DEFAULT_LIMITS)
        self.no_instance_v2 = False  # answer 404 there, as servers before 4.0 do
        self.processing_checks = 2  # GET /api/v1/media/:id answers 206 this often, then 200
        self.process_images = False  # images come back 202 too
        self.processing_fails = False  # the next uploads fail processing (422)
        self.no_batch_route = False  # GET /api/v1/statuses?id[]= answers 404, as before 4.3
        self.rate_limit = 300
        self.requests: list[Request] = []
        self.apps: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, str] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.statuses: dict[str, dict[str, Any]] = {}  # oldest first
        self.notifications: list[dict[str, Any]] = []  # oldest first
        self.page_cap: int | None = None  # the most a list page holds, below the real caps
        self.media: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self.approving = ""  # the account the authorize page signs in
        self._ids = itertools.count(113_500_000_000_000_001)
        self._offset = 0.0
        self._windows: dict[str, list[float]] = {}
        server = self.serve(_Handler.bound_to(self))
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        self.public = f"https://{domain}"

    # --- Seeding and knobs ---

    def add_account(self, username: str, display_name: str = "") -> str:
        account_id = self.next_id()
        self.accounts[account_id] = {
            "id": account_id,
            "username": username,
            "display_name": display_name or username,
            "created": self.now(),
        }
        self.approving = self.approving or account_id
        return account_id

    def issue_token(self, account_id: str) -> str:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = account_id
        return token

    def credentials(self, account_id: str, token: str) -> Credentials:
        """What MastodonAdapter.connect would have stored for the account."""
        options = {
            "server": self.url,
            "account_id": account_id,
            "version": self.version,
            "limits": {
                "max_characters": self.limits["max_characters"],
                "max_media_attachments": self.limits["max_media_attachments"],
                "characters_reserved_per_url": self.limits["characters_reserved_per_url"],
            },
        }
        username = self.accounts[account_id]["username"]
        return Credentials(
            f"{account_id}@{self.domain}",
            f"@{username}@{self.domain}",
            {"access_token": token},
            options=options,
        )

    def add_status(self, account_id: str, text: str, **fields: Any) -> dict[str, Any]:
        status = {
            "id": self.next_id(),
            "account": account_id,
            "text": text,
            "created": self.now(),
            "spoiler_text": "",
            "visibility": "public",
            "language": None,
            "in_reply_to_id": None,
            "media_ids": [],
            "poll": None,
            "sensitive": False,
            **fields,
        }
        for media_id in status["media_ids"]:
            self.media[media_id]["status"] = status["id"]
        self.statuses[status["id"]] = status
        self._notify(status)
        return status

    def set_metrics(
        self,
        status_id: str,
        *,
        favourites: int = 0,
        replies: int = 0,
        reblogs: int = 0,
        quotes: int | None = None,
    ) -> None:
        """A status's counts; `quotes` (Mastodon 4.5+) is left out of the JSON when None."""
        self.statuses[status_id]["counts"] = {
            "favourites_count": favourites,
            "replies_count": replies,
            "reblogs_count": reblogs,
            **({"quotes_count": quotes} if quotes is not None else {}),
        }

    def set_followers(self, account_id: str, count: int) -> None:
        self.accounts[account_id]["followers"] = count

    def say(
        self, author: str, text: str, reply_to: str | None = None, visibility: str = "public"
    ) -> dict[str, Any]:
        """Another account's status (mentions in `text` notify, as on Mastodon)."""
        return self.add_status(author, text, in_reply_to_id=reply_to, visibility=visibility)

    def _notify(self, status: dict[str, Any]) -> None:
        """A mention notification for each local account the text names but the author."""
        for account in self._mentioned(status):
            if account["id"] != status["account"]:
                self.notifications.append(
                    {
                        "id": self.next_id(),
                        "type": "mention",
                        "account": account["id"],
                        "status": status["id"],
                        "created": status["created"],
                    }
                )

    def _mentioned(self, status: dict[str, Any]) -> list[dict[str, Any]]:
        names = {
            m.group(1).lower()
            for m in wire.MENTION.finditer(status["text"])
            if m.group(2) in (None, self.domain)
        }
        return [a for a in self.accounts.values() if a["username"].lower() in names]

    def status_json(self, status: dict[str, Any]) -> dict[str, Any]:
        account = self.accounts[status["account"]]
        parent = self.statuses.get(status["in_reply_to_id"] or "")
        return {
            "id": status["id"],
            "created_at": wire.iso(status["created"]),
            "in_reply_to_id": status["in_reply_to_id"],
            "in_reply_to_account_id": parent["account"] if parent else None,
            "sensitive": status["sensitive"],
            "spoiler_text": status["spoiler_text"],
            "visibility": status["visibility"],
            "language": status["language"],
            "uri": f"{self.public}/users/{account['username']}/statuses/{status['id']}",
            "url": f"{self.public}/@{account['username']}/{status['id']}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            **status.get("counts", {}),
            "edited_at": None,
            "content": wire.status_html(status["text"], self.domain),
            "reblog": None,
            "application": {"name": "SMO", "website": None},
            "account": wire.account_json(account, self.domain),
            "media_attachments": [
                wire.media_json(self.media[m], self.public) for m in status["media_ids"]
            ],
            "mentions": [
                {
                    "id": a["id"],
                    "username": a["username"],
                    "acct": a["username"],
                    "url": f"{self.public}/@{a['username']}",
                }
                for a in self._mentioned(status)
            ],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": wire.poll_json(status["poll"]) if status["poll"] else None,
        }

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock (Idempotency-Key lifetime, rate-limit windows)."""
        self._offset += seconds

    def next_id(self) -> str:
        return str(next(self._ids))

    def fault_body(self, status: int) -> Any:
        """fail_next with no body sends Mastodon's `{"error": ...}` for `status`."""
        return {"error": ERRORS.get(status, "Error")}

    def calls(self, method: str, path: str) -> list[Request]:
        """The requests made to `path` (a trailing slash is the same path)."""
        return [
            r
            for r in self.requests
            if r.method == method and r.path.rstrip("/") == path.rstrip("/")
        ]

    def posted(self) -> list[dict[str, Any]]:
        return list(self.statuses.values())

    # --- The request pipeline ---

    def handle(self, handler: _Handler) -> None:
        url = urlsplit(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        content_type = headers.get("content-type", "")
        request = Request(
            handler.command,
            url.path,
            dict(parse_qsl(url.query, keep_blank_values=True)),
            headers,
            raw,
            content_type,
            pairs=parse_qsl(url.query, keep_blank_values=True),
        )
        request.body, request.file_types = _parse(raw, content_type)
        with self._lock:
            self.requests.append(request)
            reply = self._answer(request)
            # A hold names the path without its trailing slash, as calls() does.
            hold = self._take_hold(request.path.rstrip("/"))
        if hold is not None:
            return self._withhold(handler, hold)
        send_reply(handler, reply)

    def _answer(self, request: Request) -> Reply:
        fault = self._take_fault(request.path)
        if fault is not None:
            return Reply(fault.status, fault.body, dict(fault.headers))
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        account = self.tokens.get(token)
        try:
            if account is not None and self._over_limit(account):
                reply = Reply(429, {"error": "Too many requests"})
            else:
                reply = routes.route(self, request)
        except routes.Refusal as refusal:
            reply = refusal.reply
        if account is not None:
            reply.headers = {**self._rate_headers(account), **reply.headers}
        return reply

    def _rate_headers(self, account: str) -> dict[str, str | None]:
        start, used = self._windows[account]
        return {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(max(self.rate_limit - int(used), 0)),
            "X-RateLimit-Reset": wire.iso(start + RATE_WINDOW),
        }

    def _over_limit(self, account: str) -> bool:
        window = self._windows.setdefault(account, [self.now(), 0])
        if self.now() >= window[0] + RATE_WINDOW:
            window[:] = [self.now(), 0]
        if window[1] >= self.rate_limit:
            return True
        window[1] += 1
        return False


ERRORS = {
    401: routes.INVALID_TOKEN,
    403: "This action is not allowed",
    404: "Record not found",
    422: "Validation failed: Text can't be blank",
    429: "Too many requests",
    500: "We're sorry, but something went wrong on our end.",
    503: "Service Unavailable",
}


def _parse(raw: bytes, content_type: str) -> tuple[Any, dict[str, str]]:
    if not raw:
        return None, {}
    if content_type.startswith("application/json"):
        return json.loads(raw), {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode(), keep_blank_values=True)), {}
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or not found:
        return raw, {}
    fields: dict[str, Any] = {}
    types: dict[str, str] = {}
    for chunk in raw.split(b"--" + found.group(1).encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        text = head.decode()
        name = re.search(r'\bname="([^"]*)"', text)
        key = name.group(1) if name else ""
        if "filename=" in text:
            fields[key] = data
            kind = re.search(r"(?im)^content-type:\s*([^\s;]+)", text)
            types[key] = kind.group(1) if kind else "application/octet-stream"
        else:
            fields[key] = data.decode()
    return fields, types


class _Handler(LoopbackHandler):
    fake: FakeMastodon
    do_DELETE = LoopbackHandler.do_POST  # DELETE /api/v1/statuses/:id

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header Mastodon.py moves X-RateLimit-Reset by: the fake's clock.
        return email.utils.formatdate(self.fake.now(), usegmt=True)

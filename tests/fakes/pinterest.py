"""A fake Pinterest API v5 on 127.0.0.1, held to Pinterest's own OpenAPI description.

It serves what PinterestAdapter uses, answering as platforms.md §8 describes:
the OAuth authorize page and token endpoint (HTTP Basic, continuous refresh),
/v5/user_account, boards and a board's Pins with bookmark paging, a Pin's
analytics (pinterest_analytics.py), Pins from
base64 images, carousels and videos, and video media (register, status). A
second server stands in for the S3 upload host that /v5/media names. Every
request to the API, the token endpoint included, is checked against
pinterest-v5.openapi.json: one the real API would refuse gets Pinterest's
error body and lands in `contract_violations`, as does any answer of the fake's
own that strays from the description. Without the specs folder it runs
unchecked, as FakeX does.

    with FakePinterest() as fake:
        user = fake.add_user("acmebakery")
        board = fake.add_board(user, "Bakes")
        token = fake.issue_token(user)
        adapter = PinterestAdapter(fake.adapter_config(), build_session(2.0))
"""

from __future__ import annotations

import itertools
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes import pinterest_analytics as analytics
from tests.fakes import pinterest_routes as routes
from tests.fakes import specs
from tests.fakes.loopback import Fault, LoopbackFake, LoopbackHandler
from tests.fakes.pinterest_errors import Refusal, error_body, payload, s3_error
from tests.fakes.x import Recorded, Reply, parse_body, send_reply

SPEC_FILE = "pinterest-v5.openapi.json"
API_HOST = (
    "https://api.pinterest.com"  # the description's server; requests are checked as if sent there
)
APP_ID = "1484211"
APP_SECRET = "fake-pinterest-app-secret"
SCOPES = ("boards:read", "boards:write", "pins:read", "pins:write", "user_accounts:read")
AUTHORIZE_PATH = "/oauth/"  # www.pinterest.com/oauth/ in real life; not in the description
# x-ratelimit-category of each operation in the description; Standard access
# counts each category per user per minute (developers.pinterest.com rate limits).
WRITES = frozenset({"POST /v5/pins", "POST /v5/media"})
ANALYTICS = frozenset({"GET /v5/pins/:id/analytics"})
WINDOW = 60.0


class FakePinterest(LoopbackFake):
    hold_path = "/v5/pins"  # the lost-answer knobs' default

    def __init__(
        self,
        *,
        app_id: str = APP_ID,
        app_secret: str = APP_SECRET,
        processing_checks: int = 2,
        validate: bool = True,
    ) -> None:
        super().__init__()
        self.app_id = app_id
        self.app_secret = app_secret
        self.processing_checks = processing_checks  # GET /v5/media calls before a video is done
        self.processing_fails = False
        self.upload_cap = 2 * 1024**3  # bytes the upload host takes (2 GB, §8 video limit)
        self.policy_seconds = 3600  # how long an upload's signed policy stays valid
        # per user per minute (illustrative: Pinterest's table, §8 "unconfirmed numbers")
        self.limits = {"org_write": 100, "org_read": 1000, "org_analytics": 300}
        self.trial_access = False  # Pin analytics refused (403), as for Trial apps
        self.contract = specs.contract(SPEC_FILE, API_HOST) if validate else None
        self.validating = self.contract is not None
        self.requests: list[Recorded] = []  # the API's, token endpoint and authorize page included
        self.uploads: list[Recorded] = []  # the upload host's
        self.contract_violations: list[str] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.boards: dict[str, dict[str, Any]] = {}
        self.pins: list[dict[str, Any]] = []  # oldest first
        self.media: dict[str, dict[str, Any]] = {}
        self.approving_user: str | None = None  # who the authorize page signs in
        self.tokens: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(813_744_226_420_795_001)
        self._windows: dict[tuple[str, str], list[float]] = {}
        self._offset = 0.0
        self.api_server = self.serve(_Handler.bound_to(self, host="api"))
        self.upload_server = self.serve(_Handler.bound_to(self, host="upload"))
        self.url = f"http://127.0.0.1:{self.api_server.server_address[1]}"
        self.upload_url = f"http://127.0.0.1:{self.upload_server.server_address[1]}/"

    # --- Seeding and knobs ---

    def adapter_config(self, **extra: Any) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "app_secret": self.app_secret,
            "api_url": self.url,
            "authorize_url": f"{self.url}{AUTHORIZE_PATH}",
            **extra,
        }

    def add_user(self, username: str, business_name: str = "") -> str:
        """Seed an account; return its id."""
        user_id = self.next_id()
        self.users[user_id] = {
            "id": user_id,
            "username": username,
            "business_name": business_name or None,
            "profile_image": f"https://i.pinimg.com/600x600_R/{user_id[-6:]}/{username}.jpg",
        }
        self.approving_user = self.approving_user or user_id
        return user_id

    def add_board(self, user_id: str, name: str, privacy: str = "PUBLIC") -> str:
        board_id = self.next_id()
        self.boards[board_id] = {
            "id": board_id,
            "owner": user_id,
            "name": name,
            "privacy": privacy,
            "created_at": self.timestamp(),
        }
        return board_id

    def add_pin(self, board_id: str, **fields: Any) -> str:
        """Seed a Pin as if made elsewhere; return its id."""
        pin = routes.pin_record(self, board_id, {"media_source": {"source_type": "image_url"}})
        pin.update(fields)
        self.pins.append(pin)
        return str(pin["id"])

    def set_metrics(self, pin_id: str, days_ago: int = 0, **values: int) -> None:
        """Add a day's figures to a Pin (IMPRESSION=120, SAVE=4, OUTBOUND_CLICK=3,
        VIDEO_MRC_VIEW=40, ...), `days_ago` days before today; TOTAL_COMMENTS and
        TOTAL_REACTIONS set its lifetime figures instead."""
        analytics.set_metrics(self, pin_id, days_ago, values)

    def set_followers(self, user_id: str, count: int) -> None:
        self.users[user_id]["followers"] = count

    def issue_token(
        self, user_id: str, expires_in: int = 30 * 86400, scopes: tuple[str, ...] = SCOPES
    ) -> str:
        token = f"pina_{secrets.token_urlsafe(24)}"
        self.tokens[token] = {"user": user_id, "expires": self.now() + expires_in, "scopes": scopes}
        return token

    def issue_refresh_token(self, user_id: str, scopes: tuple[str, ...] = SCOPES) -> str:
        token = f"pinr_{secrets.token_urlsafe(24)}"
        self.refresh_tokens[token] = {"user": user_id, "scopes": scopes}
        return token

    def expire_token(self, token: str) -> None:
        self.tokens[token]["expires"] = self.now() - 1

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock (token expiry, code lifetime, upload policies, rate windows)."""
        self._offset += seconds

    def next_id(self) -> str:
        return str(next(self._ids))

    def timestamp(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.now()))

    def fail_next(
        self,
        status: int,
        body: Any = None,
        headers: dict[str, str | None] | None = None,
        path: str | None = None,
        content_type: str = "application/json",
    ) -> None:
        """Answer the next request (to `path`, if given; the upload host's is "/") with
        this, doing nothing else. With no body, Pinterest's error body for `status`."""
        self._plan(Fault(status, body, dict(headers or {}), path, content_type=content_type))

    def fault_body(self, status: int) -> Any:
        return error_body(status)

    # calls() is the API's requests only; the upload host's are in `uploads`.

    # --- The request pipeline ---

    def handle(self, handler: _Handler) -> None:
        url = urlsplit(handler.path)
        query = parse_qsl(url.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if handler.host == "upload" and chunked:
            # S3 takes form POSTs with a length only.
            handler.close_connection = True
            send_reply(
                handler,
                s3_error(
                    411, "MissingContentLength", "You must provide the Content-Length HTTP header."
                ),
            )
            return
        length = int(headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
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
            if handler.host == "upload":
                self.uploads.append(request)
                reply = self._answer_upload(request)
            else:
                self.requests.append(request)
                reply = self._answer(request, query, raw)
            hold = self._take_hold(request.path)
        if hold is not None:
            return self._withhold(handler, hold)
        send_reply(handler, reply)

    def _answer(self, request: Recorded, query: list[tuple[str, str]], raw: bytes) -> Reply:
        api = request.path != AUTHORIZE_PATH
        if api and self.contract is not None:
            found = self.contract.check_request(
                request.method, request.path, query, request.headers, raw, request.content_type
            )
            if found:
                return self._refuse(request, found)
        fault = self._fault_reply(request.path)
        if fault is not None:
            return fault
        route = routes.route_name(request)
        who = routes.token_user(self, request) or "app"
        try:
            if api and self._over_limit(who, route):
                raise Refusal(429)
            reply = routes.route(self, request, route)
        except Refusal as refusal:
            reply = refusal.reply()
        if api and reply.checked and self.contract is not None:
            self._check_reply(request, reply)
        return reply

    def _answer_upload(self, request: Recorded) -> Reply:
        fault = self._fault_reply(request.path)
        if fault is not None:
            return fault
        return routes.upload(self, request)

    def _fault_reply(self, path: str) -> Reply | None:
        fault = self._take_fault(path)
        if fault is None:
            return None
        return Reply(
            fault.status, fault.body, dict(fault.headers), fault.content_type, checked=False
        )

    def _refuse(self, request: Recorded, found: list[specs.Violation]) -> Reply:
        for violation in found:
            self.contract_violations.append(f"{request.method} {request.path}: {violation.message}")
        kinds = {v.kind for v in found}
        if "security" in kinds:
            return Refusal(401).reply()
        if "path" in kinds:
            return Reply(404, {"code": 404, "message": "Not found."})
        return Reply(400, {"code": 1, "message": f"Invalid request: {found[0].message}"})

    def _check_reply(self, request: Recorded, reply: Reply) -> None:
        assert self.contract is not None
        for violation in self.contract.check_response(
            request.method, request.path, reply.status, payload(reply), reply.content_type
        ):
            self.contract_violations.append(
                f"the fake's {reply.status} to {request.method} {request.path}: {violation.message}"
            )

    def _over_limit(self, who: str, route: str) -> bool:
        """Count the request in its category's fixed one-minute window."""
        category = (
            "org_write"
            if route in WRITES
            else "org_analytics"
            if route in ANALYTICS
            else "org_read"
        )
        window = self._windows.setdefault((who, category), [self.now(), 0])
        if self.now() >= window[0] + WINDOW:
            window[:] = [self.now(), 0]
        if window[1] >= self.limits[category]:
            return True
        window[1] += 1
        return False


class _Handler(LoopbackHandler):
    fake: FakePinterest
    host: str  # "api" or "upload"

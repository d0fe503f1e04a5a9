"""A fake Google Business Profile on 127.0.0.1: Google's OAuth endpoints and the
three APIs GoogleBusinessAdapter calls, on one server (their paths do not meet).

- GET  /o/oauth2/v2/auth: approves at once, redirecting with a code
- POST /token: code exchange (PKCE S256 checked), refresh, invalid_grant
- GET  /v1/accounts (Account Management), GET /v1/accounts/{a}/locations
  (Business Information; readMask required, as Google's is)
- POST and GET /v4/accounts/{a}/locations/{l}/localPosts (My Business v4)

Errors use Google's shape {"error": {"code", "message", "status", "details"}}.
Faults: `fail_next`, `timeout_after_receive` (loopback.py).

    with FakeBusinessProfile() as fake:
        parent = fake.add_location("Acme Bakery")
        token = fake.issue_token()
        adapter = GoogleBusinessAdapter(fake.adapter_config(), build_session(2.0))
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import secrets
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.fakes.loopback import LoopbackFake, LoopbackHandler
from tests.fakes.x import Recorded, Reply, parse_body, send_reply

CLIENT_ID = "1234-fake.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-fake-business-secret"
SCOPE = "https://www.googleapis.com/auth/business.manage"
POSTS = re.compile(r"^/v4/(accounts/\d+/locations/\d+)/localPosts$")
LOCATIONS = re.compile(r"^/v1/(accounts/\d+)/locations$")
STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}
TOPICS = {"STANDARD", "EVENT", "OFFER"}
ACTIONS = {"BOOK", "ORDER", "SHOP", "LEARN_MORE", "SIGN_UP", "CALL", "GET_OFFER"}


def google_error(status: int, message: str = "", details: list[Any] | None = None) -> dict:
    error: dict[str, Any] = {
        "code": status,
        "message": message or MESSAGES.get(status, "Error"),
        "status": STATUS.get(status, "UNKNOWN"),
    }
    if details:
        error["details"] = details
    return {"error": error}


def invalid(field: str, description: str) -> Reply:
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": field, "description": description}],
        }
    ]
    return Reply(400, google_error(400, details=details))


class FakeBusinessProfile(LoopbackFake):
    hold_path = "/v4/*"  # the lost-answer knobs' default: creating a post

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Recorded] = []
        self.accounts: dict[str, dict[str, Any]] = {}  # "accounts/1" -> Account
        self.locations: dict[str, dict[str, Any]] = {}  # "accounts/1/locations/2" -> Location
        self.posts: dict[str, list[dict[str, Any]]] = {}  # parent -> LocalPosts, oldest first
        self.tokens: dict[str, float] = {}  # access token -> expiry
        self.refresh_tokens: set[str] = set()
        self.codes: dict[str, dict[str, str]] = {}
        self.granted_scope = SCOPE
        self.page_size = 100
        self._ids = itertools.count(1_000_001)
        self.server = self.serve(LoopbackHandler.bound_to(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- Seeding ---

    def adapter_config(self, **extra: Any) -> dict[str, Any]:
        return {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "authorize_url": f"{self.url}/o/oauth2/v2/auth",
            "token_url": f"{self.url}/token",
            "api_url": self.url,
            "accounts_url": self.url,
            "locations_url": self.url,
            "public_url": "https://smo.example",
            "language_code": "en-GB",
            **extra,
        }

    def add_account(self, name: str = "Acme Bakeries") -> str:
        account = f"accounts/{next(self._ids)}"
        self.accounts[account] = {
            "name": account,
            "accountName": name,
            "type": "LOCATION_GROUP",
            "verificationState": "VERIFIED",
        }
        return account

    def add_location(self, title: str, account: str = "", locality: str = "Leeds") -> str:
        """Seed a location (and an account if none is named); return its v4 parent."""
        account = account or next(iter(self.accounts), "") or self.add_account()
        location_id = next(self._ids)
        parent = f"{account}/locations/{location_id}"
        self.locations[parent] = {
            "name": f"locations/{location_id}",
            "title": title,
            "storefrontAddress": {
                "regionCode": "GB",
                "locality": locality,
                "addressLines": ["1 Market Street"],
            },
            "metadata": {
                "mapsUri": f"https://maps.google.com/maps?cid={location_id}",
                "placeId": f"ChIJ{location_id}",
                "hasVoiceOfMerchant": True,
            },
        }
        self.posts[parent] = []
        return parent

    def add_post(self, parent: str, summary: str, topic: str = "STANDARD", **fields: Any) -> str:
        post = self._post_record(parent, {"summary": summary, "topicType": topic})
        post.update(fields)
        self.posts[parent].append(post)
        return str(post["name"])

    def issue_token(self, expires_in: int = 3600) -> str:
        token = f"ya29.{secrets.token_urlsafe(24)}"
        self.tokens[token] = time.time() + expires_in
        return token

    def issue_refresh_token(self) -> str:
        token = f"1//{secrets.token_urlsafe(24)}"
        self.refresh_tokens.add(token)
        return token

    def expire_token(self, token: str) -> None:
        self.tokens[token] = time.time() - 1

    def fault_body(self, status: int) -> Any:
        return google_error(status)

    def _matches(self, wanted: str, name: str) -> bool:
        if wanted.endswith("*"):
            return name.startswith(wanted[:-1])
        return wanted == name

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
                reply = self._route(request)
            hold = self._take_hold(request.path)
        if hold is not None:
            return self._withhold(handler, hold)
        send_reply(handler, reply)

    def _route(self, request: Recorded) -> Reply:
        path, method = request.path, request.method
        if method == "GET" and path == "/o/oauth2/v2/auth":
            return self._authorize(request.query)
        if method == "POST" and path == "/token":
            return self._token(request.body if isinstance(request.body, dict) else {})
        if not self._authorized(request):
            return Reply(401, google_error(401))
        if method == "GET" and path == "/v1/accounts":
            return self._page(list(self.accounts.values()), "accounts", request.query)
        found = LOCATIONS.match(path)
        if method == "GET" and found:
            if not request.query.get("readMask"):
                return invalid("read_mask", "Field is required")
            account = found.group(1)
            if account not in self.accounts:
                return Reply(404, google_error(404))
            items = [v for k, v in self.locations.items() if k.startswith(f"{account}/")]
            return self._page(items, "locations", request.query)
        found = POSTS.match(path)
        if found:
            parent = found.group(1)
            if parent not in self.locations:
                return Reply(403, google_error(403))
            if method == "POST":
                return self._create(parent, request.body)
            newest_first = list(reversed(self.posts[parent]))
            return self._page(newest_first, "localPosts", request.query)
        return Reply(404, google_error(404))

    def _authorized(self, request: Recorded) -> bool:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ")
        return header.startswith("Bearer ") and self.tokens.get(token, 0) > time.time()

    def _page(self, items: list[dict[str, Any]], key: str, query: dict[str, str]) -> Reply:
        size = min(int(query.get("pageSize") or 20), self.page_size)
        start = int(query.get("pageToken") or 0)
        body: dict[str, Any] = {key: items[start : start + size]}
        if start + size < len(items):
            body["nextPageToken"] = str(start + size)
        return Reply(200, body)

    def _create(self, parent: str, body: Any) -> Reply:
        if not isinstance(body, dict):
            return invalid("local_post", "Invalid JSON payload received.")
        topic = body.get("topicType")
        if topic not in TOPICS:
            return invalid("local_post.topic_type", "Invalid topic type.")
        if len(str(body.get("summary") or "")) > 1500:
            return invalid("local_post.summary", "Summary is too long.")
        if topic in ("EVENT", "OFFER"):
            event = body.get("event") or {}
            schedule = event.get("schedule") or {}
            if not event.get("title") or "startDate" not in schedule or "endDate" not in schedule:
                return invalid("local_post.event", "Event title and schedule are required.")
        action = body.get("callToAction")
        if action is not None:
            kind = action.get("actionType")
            if kind not in ACTIONS or (kind != "CALL" and not action.get("url")):
                return invalid("local_post.call_to_action", "Invalid call to action.")
        for item in body.get("media") or []:
            if item.get("mediaFormat") != "PHOTO" or not str(
                item.get("sourceUrl") or ""
            ).startswith("https://"):
                return invalid("local_post.media.source_url", "Invalid media source URL.")
        post = self._post_record(parent, body)
        self.posts[parent].append(post)
        return Reply(200, post)

    def _post_record(self, parent: str, body: dict[str, Any]) -> dict[str, Any]:
        post_id = next(self._ids)
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
        return {
            **body,
            "name": f"{parent}/localPosts/{post_id}",
            "createTime": now,
            "updateTime": now,
            "state": "LIVE",
            "searchUrl": f"https://local.google.com/place?id={post_id}&use=posts&lpsid={post_id}",
        }

    # --- OAuth ---

    def _authorize(self, query: dict[str, str]) -> Reply:
        if query.get("client_id") != CLIENT_ID or query.get("code_challenge_method") != "S256":
            return Reply(400, {"error": "invalid_request"})
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "challenge": query.get("code_challenge", ""),
            "redirect_uri": query.get("redirect_uri", ""),
        }
        answer = {"code": code, "state": query.get("state", ""), "scope": self.granted_scope}
        return Reply(302, None, {"Location": f"{query.get('redirect_uri')}?{urlencode(answer)}"})

    def _token(self, form: dict[str, str]) -> Reply:
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return Reply(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        grant = form.get("grant_type")
        if grant == "authorization_code":
            pending = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if (
                pending is None
                or pending["challenge"] != challenge
                or pending["redirect_uri"] != form.get("redirect_uri")
            ):
                return Reply(400, {"error": "invalid_grant", "error_description": "Bad Request"})
            return Reply(200, self._grant(self.issue_refresh_token()))
        if grant == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return Reply(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                )
            return Reply(200, self._grant(None))
        return Reply(400, {"error": "unsupported_grant_type"})

    def _grant(self, refresh_token: str | None) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "access_token": self.issue_token(),
            "expires_in": 3599,
            "scope": self.granted_scope,
            "token_type": "Bearer",
        }
        if refresh_token:
            answer["refresh_token"] = refresh_token
        return answer

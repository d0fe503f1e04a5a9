"""A fake Reddit on 127.0.0.1: what praw calls for RedditAdapter (platforms.md §13).

One server plays both www.reddit.com (the authorize page, /api/v1/access_token
with HTTP Basic app credentials) and oauth.reddit.com (bearer tokens, with
Reddit's X-Ratelimit-Used/Remaining/Reset headers on every answer): /api/submit
(self, link and image posts; errors inside HTTP 200 bodies in `json.errors`,
as Reddit sends them), /api/media/asset.json (the upload lease), /api/info,
/api/v1/me, /user/<name>/submitted and /r/<sr>/api/flairselector. A second
server stands in for the S3 host the lease points uploads at.

    with FakeReddit() as fake:
        user = fake.add_user("acmebakery")
        fake.add_subreddit("Baking", flairs=["Recipe"])
        token = fake.issue_token(user)
"""

from __future__ import annotations

import base64
import itertools
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.fakes.loopback import Fault, LoopbackFake, LoopbackHandler
from tests.fakes.x import Recorded, Reply, parse_body, send_reply

CLIENT_ID = "fake-reddit-client-id"
CLIENT_SECRET = "fake-reddit-client-secret"
SCOPES = ("identity", "submit", "flair", "read", "history")
MEDIA_HOST = "reddit-uploaded-media.s3-accelerate.amazonaws.com"
MEDIA_URL = f"https://{MEDIA_HOST}"
WINDOW = 600  # Reddit counts requests per 10-minute window
# The scope each route needs (reddit.com/dev/api, the oauth scope of each endpoint).
NEEDS = {
    "/api/submit/": "submit",
    "/api/media/asset.json": "submit",
    "/api/v1/me": "identity",
    "/api/info/": "read",
    "submitted": "history",
    "flairselector": "flair",
}
RATELIMIT_MESSAGE = (
    "Looks like you've been doing that a lot. Take a break for %s before trying again."
)


def unauthorized() -> Reply:
    return Reply(
        401,
        {"message": "Unauthorized", "error": 401},
        {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'},
    )


def errors(*items: tuple[str, str, str]) -> dict[str, Any]:
    """Reddit's HTTP 200 answer with errors: [[code, message, field], ...]."""
    return {"json": {"errors": [list(item) for item in items]}}


def ratelimited(wait: str = "9 minutes") -> dict[str, Any]:
    return errors(("RATELIMIT", RATELIMIT_MESSAGE % wait, "ratelimit"))


def listing(posts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {
            "after": None,
            "before": None,
            "dist": len(posts),
            "children": [{"kind": "t3", "data": p} for p in posts],
        },
    }


class FakeReddit(LoopbackFake):
    hold_path = "/api/submit/"

    def __init__(self, *, quota: int = 100) -> None:
        super().__init__()
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.quota = quota  # requests per user per 10-minute window (100 QPM on average)
        self.requests: list[Recorded] = []
        self.uploads: list[Recorded] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.subreddits: dict[str, dict[str, Any]] = {}  # by lower-case name
        self.posts: list[dict[str, Any]] = []  # oldest first
        self.tokens: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.leases: dict[str, dict[str, Any]] = {}  # by S3 key
        self.approving_user: str | None = None
        self._ids = itertools.count(int("1a2b3c", 36))
        self._windows: dict[str, list[float]] = {}
        self.api_server = self.serve(_Handler.bound_to(self, host="api"))
        self.upload_server = self.serve(_Handler.bound_to(self, host="upload"))
        self.url = f"http://127.0.0.1:{self.api_server.server_address[1]}"
        self.upload_url = f"http://127.0.0.1:{self.upload_server.server_address[1]}"

    # --- Seeding and knobs ---

    def adapter_config(self, **extra: Any) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "oauth_url": self.url,
            "reddit_url": self.url,
            "short_url": self.url,
            "media_url": self.upload_url,
            **extra,
        }

    def add_user(self, name: str) -> str:
        user_id = self._base36()
        self.users[user_id] = {
            "id": user_id,
            "name": name,
            "icon_img": f"https://styles.redditmedia.com/t5_{user_id}/avatar.png?width=256",
            "created_utc": 1_600_000_000.0,
        }
        self.approving_user = self.approving_user or user_id
        return user_id

    def add_subreddit(
        self, name: str, *, flairs: tuple[str, ...] | list[str] = (), kinds: str = "any"
    ) -> dict[str, Any]:
        """Seed a subreddit; `kinds` is "any", "self" or "link" (its submission type)."""
        sub = {
            "name": name,
            "kinds": kinds,
            "flairs": {f"{secrets.token_hex(4)}-flair": text for text in flairs},
        }
        self.subreddits[name.lower()] = sub
        return sub

    def add_post(self, user_id: str, subreddit: str, title: str, **fields: Any) -> dict[str, Any]:
        """Seed a post as if made elsewhere."""
        post = self._post(user_id, self.subreddits[subreddit.lower()], title, "self", {})
        post.update(fields)
        self.posts.append(post)
        return post

    def issue_token(
        self, user_id: str, expires_in: int = 3600, scopes: tuple[str, ...] = SCOPES
    ) -> str:
        token = f"{secrets.randbelow(10**12)}-{secrets.token_urlsafe(20)}"
        self.tokens[token] = {
            "user": user_id,
            "expires": time.time() + expires_in,
            "scopes": scopes,
        }
        return token

    def issue_refresh_token(self, user_id: str, scopes: tuple[str, ...] = SCOPES) -> str:
        token = f"{secrets.randbelow(10**12)}-r{secrets.token_urlsafe(20)}"
        self.refresh_tokens[token] = {"user": user_id, "scopes": scopes}
        return token

    def expire_token(self, token: str) -> None:
        self.tokens[token]["expires"] = time.time() - 1

    def fault_body(self, status: int) -> Any:
        return {
            "message": {401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}.get(
                status, "Internal Server Error" if status >= 500 else "Too Many Requests"
            ),
            "error": status,
        }

    # --- The request pipeline ---

    def handle(self, handler: _Handler) -> None:
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
            if handler.host == "upload":
                self.uploads.append(request)
                reply = self._fault(request.path) or self._upload(request)
            else:
                self.requests.append(request)
                reply = self._fault(request.path) or self._answer(request)
            hold = self._take_hold(request.path)
        if hold is not None:
            return self._withhold(handler, hold)
        if headers.get("connection", "").lower() == "close":
            # prawcore's token requests ask for it; a real server says it closes.
            reply.headers["Connection"] = "close"
        send_reply(handler, reply)

    def _fault(self, path: str) -> Reply | None:
        fault: Fault | None = self._take_fault(path)
        if fault is None:
            return None
        return Reply(fault.status, fault.body, dict(fault.headers), checked=False)

    def _answer(self, request: Recorded) -> Reply:
        path = request.path
        if path == "/api/v1/authorize":
            return self._authorize(request)
        if path == "/api/v1/access_token":
            return self._token(request)
        agent = request.headers.get("user-agent", "")
        if not agent or agent.startswith(("python-requests", "Mozilla")):
            # Reddit throttles or refuses clients without a descriptive User-Agent.
            return Reply(429, {"message": "Too Many Requests", "error": 429})
        auth = request.headers.get("authorization", "")
        grant = (
            self.tokens.get(auth.removeprefix("bearer ").strip())
            if auth.startswith("bearer ")
            else None
        )
        if grant is None or grant["expires"] < time.time():
            return unauthorized()
        need = next((s for k, s in NEEDS.items() if k in path), "read")
        if need not in grant["scopes"]:
            return Reply(
                403,
                {"message": "Forbidden", "error": 403},
                {"www-authenticate": 'Bearer realm="reddit", error="insufficient_scope"'},
            )
        reply = self._route(request, grant["user"])
        reply.headers.update(self._count(grant["user"]))
        return reply

    def _count(self, user: str) -> dict[str, str | None]:
        window = self._windows.setdefault(user, [time.time(), 0])
        if time.time() >= window[0] + WINDOW:
            window[:] = [time.time(), 0]
        window[1] += 1
        reset = int(window[0] + WINDOW - time.time())
        return {
            "x-ratelimit-used": str(window[1]),
            "x-ratelimit-remaining": f"{max(0, self.quota - window[1]):.1f}",
            "x-ratelimit-reset": str(reset),
        }

    def _route(self, request: Recorded, user: str) -> Reply:
        path, form = request.path, request.body if isinstance(request.body, dict) else {}
        window = self._windows.get(user)
        if window is not None and window[1] >= self.quota:
            return Reply(429, {"message": "Too Many Requests", "error": 429})
        if request.method == "POST" and path == "/api/submit/":
            return self._submit(user, form)
        if request.method == "POST" and path == "/api/media/asset.json":
            return self._lease(form)
        if request.method == "GET" and path == "/api/v1/me":
            return Reply(200, dict(self.users[user]))
        if request.method == "GET" and path == "/api/info/":
            names = set(request.query.get("id", "").split(","))
            return Reply(200, listing([p for p in self.posts if p["name"] in names]))
        found = re.fullmatch(r"/user/([^/]+)/submitted/?", path)
        if request.method == "GET" and found:
            mine = [p for p in self.posts if p["author"].lower() == found.group(1).lower()]
            limit = int(request.query.get("limit") or 25)
            return Reply(200, listing(list(reversed(mine))[:limit]))
        found = re.fullmatch(r"/r/([^/]+)/api/flairselector/?", path)
        if request.method == "POST" and found:
            sub = self.subreddits.get(found.group(1).lower())
            if sub is None:
                return Reply(404, {"message": "Not Found", "error": 404})
            choices = [
                {
                    "flair_template_id": tid,
                    "flair_text": text,
                    "flair_text_editable": False,
                    "flair_position": "right",
                    "flair_css_class": "",
                }
                for tid, text in sub["flairs"].items()
            ]
            return Reply(200, {"choices": choices, "current": {"flair_template_id": None}})
        return Reply(404, {"message": "Not Found", "error": 404})

    # --- Posts ---

    def _submit(self, user: str, form: dict[str, Any]) -> Reply:
        kind = form.get("kind", "")
        title = str(form.get("title") or "")
        sub = self.subreddits.get(str(form.get("sr") or "").lower())
        if form.get("api_type") != "json":
            return Reply(400, {"message": "Bad Request", "error": 400})
        if not title.strip():
            return Reply(200, errors(("NO_TEXT", "we need something here", "title")))
        if len(title) > 300:
            return Reply(200, errors(("TOO_LONG", "this is too long (max: 300)", "title")))
        if sub is None:
            return Reply(200, errors(("SUBREDDIT_NOEXIST", "that community doesn't exist", "sr")))
        if kind == "self" and sub["kinds"] == "link":
            return Reply(200, errors(("NO_SELFS", "that community doesn't allow text posts", "sr")))
        if kind in ("link", "image") and sub["kinds"] == "self":
            return Reply(200, errors(("NO_LINKS", "that community only allows text posts", "sr")))
        if len(str(form.get("text") or "")) > 40_000:
            return Reply(200, errors(("TOO_LONG", "this is too long (max: 40000)", "text")))
        flair = form.get("flair_id")
        if flair and flair not in sub["flairs"]:
            return Reply(200, errors(("BAD_FLAIR_TEMPLATE_ID", "invalid flair template", "flair")))
        if kind == "link":
            url = str(form.get("url") or "")
            if not url.startswith(("http://", "https://")):
                return Reply(200, errors(("BAD_URL", "you should check that url", "url")))
            if form.get("resubmit") in ("False", "false", "0") and any(
                p["url"] == url and p["subreddit"].lower() == sub["name"].lower()
                for p in self.posts
            ):
                return Reply(
                    200, errors(("ALREADY_SUB", "that link has already been submitted", "url"))
                )
        if kind == "image":
            key = str(form.get("url") or "").removeprefix(MEDIA_URL + "/")
            if key not in self.leases or not self.leases[key].get("uploaded"):
                return Reply(200, errors(("BAD_URL", "you should check that url", "url")))
        if kind not in ("self", "link", "image"):
            return Reply(200, errors(("INVALID_OPTION", "that option is not valid", "kind")))
        post = self._post(user, sub, title, kind, form)
        self.posts.append(post)
        if kind == "image":
            # Reddit names the post only over the websocket (praw: without_websockets).
            name = self.users[user]["name"]
            data = {
                "user_submitted_page": f"https://www.reddit.com/user/{name}/submitted/",
                "websocket_url": f"wss://ws-{secrets.token_hex(6)}.wss.redditmedia.com/rte_images/x",
            }
            return Reply(200, {"json": {"errors": [], "data": data}})
        data = {
            "url": "https://www.reddit.com" + post["permalink"],
            "drafts_count": 0,
            "id": post["id"],
            "name": post["name"],
        }
        return Reply(200, {"json": {"errors": [], "data": data}})

    def _post(
        self, user: str, sub: dict[str, Any], title: str, kind: str, form: dict[str, Any]
    ) -> dict[str, Any]:
        post_id = self._base36()
        slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:50] or "post"
        permalink = f"/r/{sub['name']}/comments/{post_id}/{slug}/"
        url = "https://www.reddit.com" + permalink
        if kind == "link":
            url = str(form.get("url"))
        elif kind == "image":
            url = f"https://i.redd.it/{post_id}.jpg"
        return {
            "id": post_id,
            "name": f"t3_{post_id}",
            "title": title,
            "subreddit": sub["name"],
            "subreddit_name_prefixed": f"r/{sub['name']}",
            "author": self.users[user]["name"],
            "created_utc": float(int(time.time())),
            "permalink": permalink,
            "url": url,
            "is_self": kind == "self",
            "selftext": str(form.get("text") or ""),
            "link_flair_template_id": form.get("flair_id") or None,
            "over_18": form.get("nsfw") == "True",
            "spoiler": form.get("spoiler") == "True",
        }

    def _lease(self, form: dict[str, Any]) -> Reply:
        asset = secrets.token_hex(6)
        key = f"rte_images/{asset}"
        self.leases[key] = {"filepath": form.get("filepath"), "mimetype": form.get("mimetype")}
        fields = [
            {"name": "acl", "value": "private"},
            {"name": "key", "value": key},
            {"name": "Content-Type", "value": str(form.get("mimetype") or "")},
            {"name": "policy", "value": base64.b64encode(b'{"conditions":[]}').decode()},
            {"name": "x-amz-signature", "value": secrets.token_hex(16)},
        ]
        return Reply(
            200,
            {
                "args": {"action": f"//{MEDIA_HOST}", "fields": fields},
                "asset": {
                    "asset_id": asset,
                    "processing_state": "incomplete",
                    "websocket_url": f"wss://ws-{asset}.wss.redditmedia.com/rte_images/{asset}",
                },
            },
        )

    def _upload(self, request: Recorded) -> Reply:
        body = request.body if isinstance(request.body, dict) else {}
        key = str(body.get("key") or "")
        if key not in self.leases or not isinstance(body.get("file"), bytes):
            xml = "<Error><Code>AccessDenied</Code><Message>Invalid policy</Message></Error>"
            return Reply(403, xml, content_type="application/xml")
        self.leases[key]["uploaded"] = True
        self.leases[key]["size"] = len(body["file"])
        xml = f"<PostResponse><Location>{MEDIA_URL}/{key}</Location><Key>{key}</Key></PostResponse>"
        return Reply(201, xml, content_type="application/xml")

    # --- OAuth ---

    def _authorize(self, request: Recorded) -> Reply:
        q = request.query
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            return Reply(400, "invalid client_id or response_type", content_type="text/plain")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "user": self.approving_user,
            "redirect_uri": q.get("redirect_uri"),
            "scopes": tuple(q.get("scope", "").split()),
            "duration": q.get("duration"),
        }
        query = urlencode({"state": q.get("state", ""), "code": code})
        return Reply(302, None, {"Location": f"{q.get('redirect_uri')}?{query}"})

    def _token(self, request: Recorded) -> Reply:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return Reply(401, {"message": "Unauthorized", "error": 401})
        form = request.body if isinstance(request.body, dict) else {}
        grant = form.get("grant_type")
        if grant == "authorization_code":
            code = self.codes.pop(str(form.get("code")), None)
            if code is None or code["redirect_uri"] != form.get("redirect_uri"):
                return Reply(200, {"error": "invalid_grant"})  # Reddit answers 200 here
            user, scopes = code["user"], code["scopes"]
            refresh = (
                self.issue_refresh_token(user, scopes) if code["duration"] == "permanent" else None
            )
        elif grant == "refresh_token":
            held = self.refresh_tokens.get(str(form.get("refresh_token")))
            if held is None:
                return Reply(200, {"error": "invalid_grant"})
            user, scopes, refresh = held["user"], held["scopes"], None
        else:
            return Reply(200, {"error": "unsupported_grant_type"})
        answer: dict[str, Any] = {
            "access_token": self.issue_token(user, scopes=scopes),
            "token_type": "bearer",
            "expires_in": 3600,
            "scope": " ".join(scopes),
        }
        if refresh:
            answer["refresh_token"] = refresh
        return Reply(200, answer)

    def _base36(self) -> str:
        number, digits = next(self._ids), "0123456789abcdefghijklmnopqrstuvwxyz"
        out = ""
        while number:
            number, rest = divmod(number, 36)
            out = digits[rest] + out
        return out


class _Handler(LoopbackHandler):
    fake: FakeReddit
    host: str  # "api" or "upload"

"""A fake Bluesky PDS on 127.0.0.1, for what a real PDS won't do on demand.

The real-PDS tests (tests/channels/adapters/test_bluesky_pds.py) cover posting
itself; this fake answers as platforms.md §11 describes, and as @atproto/pds
0.4.217 was seen to, for the faults: 429 RateLimitExceeded with ratelimit-*
headers, 400 ExpiredToken for an access token past its `exp`, a revoked app
password (refresh refused with ExpiredToken "Token has been revoked", sign-in
with 401 AuthenticationRequired), 5xx, and answers lost after the work was
done. Tokens are JWT-shaped (`exp`, `sub`, `scope`), as the client reads them.
A create whose rkey is taken answers 500 InternalServerError, as the real PDS.

    with FakeBluesky() as fake:
        did = fake.add_account("acme.test", app_password="abcd-efgh-ijkl-mnop")
        adapter = BlueskyAdapter(fake.adapter_config(), build_session(2.0))
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

from channels.adapters import bluesky_records
from tests.fakes import bluesky_inbox, bluesky_routes
from tests.fakes.bluesky_routes import XRPC, xrpc_error
from tests.fakes.loopback import Fault, LoopbackFake, LoopbackHandler
from tests.fakes.x import Recorded, Reply, parse_body, send_reply

APP_PASSWORD = "abcd-efgh-ijkl-mnop"  # the shape of a Bluesky app password
ACCESS_SECONDS = 2 * 3600  # access JWTs live about 2 hours (§11)
REFRESH_SECONDS = 90 * 86400


def rate_limited(reset: int, policy: str = "5000;w=3600") -> Reply:
    """A 429 as the PDS sends it: the RateLimitExceeded body and ratelimit-* headers (§11)."""
    return xrpc_error(
        429,
        "RateLimitExceeded",
        "Rate Limit Exceeded",
        **{
            "ratelimit-limit": "5000",
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(reset),
            "ratelimit-policy": policy,
        },
    )


class FakeBluesky(LoopbackFake):
    hold_path = "/xrpc/com.atproto.repo.createRecord"  # the lost-answer knobs' default

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Recorded] = []
        self.accounts: dict[str, dict[str, Any]] = {}  # did -> account
        self.records: dict[str, dict[str, Any]] = {}  # at:// uri -> {"uri", "cid", "value"}
        self.blobs: dict[str, bytes] = {}
        self.tokens: dict[str, dict[str, Any]] = {}  # jwt -> {"did", "scope", "exp", "revoked"}
        self.notifications: list[dict[str, Any]] = []  # oldest first (bluesky_inbox.py)
        self.page_cap: int | None = None  # the most a list page holds, below the real caps
        self.counts: dict[str, dict[str, int]] = {}  # post uri -> its counts (set_metrics)
        self.no_appview = False  # AppView methods answer as a PDS without one
        self._tids = 0
        self._offset = 0.0
        self.server = self.serve(LoopbackHandler.bound_to(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- Seeding and knobs ---

    def adapter_config(self, **extra: Any) -> dict[str, Any]:
        return {"pds_url": self.url, **extra}

    def add_account(
        self, handle: str, *, app_password: str = APP_PASSWORD, display_name: str = ""
    ) -> str:
        did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
        self.accounts[did] = {
            "did": did,
            "handle": handle,
            "password": "main-password",
            "app_passwords": {app_password},
            "display_name": display_name,
        }
        if display_name:  # the profile record, app.bsky.actor.profile/self
            uri = f"at://{did}/app.bsky.actor.profile/self"
            value = {"$type": "app.bsky.actor.profile", "displayName": display_name}
            self.records[uri] = {"uri": uri, "cid": "bafyreiprofile" + did[-12:], "value": value}
        return did

    def add_post(
        self,
        did: str,
        text: str,
        *,
        reply_to: str | None = None,
        mention: str | None = None,
        quote: str | None = None,
    ) -> dict[str, Any]:
        """Store a post by `did` as if made in an app (and notify, see bluesky_inbox):
        a reply to the post `reply_to` (its thread's root taken from it), naming
        the DID `mention` at the end of the text, or quoting the post `quote`."""
        record: dict[str, Any] = {"$type": bluesky_routes.POST, "text": text}
        record["createdAt"] = bluesky_inbox.iso(self.now())
        if reply_to:
            parent = self.records[reply_to]
            root = (parent["value"].get("reply") or {}).get("root") or parent
            record["reply"] = {
                "root": {"uri": root["uri"], "cid": root["cid"]},
                "parent": {"uri": parent["uri"], "cid": parent["cid"]},
            }
        if mention:
            handle = "@" + self.accounts[mention]["handle"]
            record["text"] = text = f"{text} {handle}"
            start = len(text.encode()) - len(handle.encode())
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": mention}
            index = {"byteStart": start, "byteEnd": len(text.encode())}
            record["facets"] = [{"index": index, "features": [feature]}]
        if quote:
            quoted = self.records[quote]
            ref = {"uri": quoted["uri"], "cid": quoted["cid"]}
            record["embed"] = {"$type": "app.bsky.embed.record", "record": ref}
        self._tids += 1
        rkey = bluesky_records.encode_tid((int(self.now() * 1_000_000) << 10) | self._tids % 1024)
        uri = f"at://{did}/{bluesky_routes.POST}/{rkey}"
        cid = "bafyrei" + hashlib.sha256(uri.encode()).hexdigest()[:52]
        self.records[uri] = {"uri": uri, "cid": cid, "value": record}
        bluesky_inbox.notify(self, did, self.records[uri])
        return self.records[uri]

    def set_metrics(self, uri: str, **counts: int) -> None:
        """A post's counts as the AppView gives them (likeCount=3, replyCount=1,
        repostCount=2, quoteCount=1); a count left out is missing from its view."""
        self.counts[uri] = dict(counts)

    def set_followers(self, did: str, count: int) -> None:
        self.accounts[did]["followers"] = count

    def session(self, did: str) -> dict[str, Any]:
        """Issue a session for `did`, as createSession would."""
        account = self.accounts[did]
        return {
            "did": did,
            "handle": account["handle"],
            "accessJwt": self._jwt(did, "com.atproto.access", ACCESS_SECONDS),
            "refreshJwt": self._jwt(did, "com.atproto.refresh", REFRESH_SECONDS),
            "active": True,
        }

    def revoke_app_password(self, did: str) -> None:
        """Revoke every app password of `did`: refresh tokens stop working too."""
        self.accounts[did]["app_passwords"].clear()
        for grant in self.tokens.values():
            if grant["did"] == did and grant["scope"] == "com.atproto.refresh":
                grant["revoked"] = True

    def expire_access_tokens(self) -> None:
        for grant in self.tokens.values():
            if grant["scope"] == "com.atproto.access":
                grant["exp"] = self.now() - 1

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def fail_next(
        self,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        path: str | None = None,
        skip: int = 0,
    ) -> None:
        """Answer the next request (to `path`, e.g. "/xrpc/com.atproto.repo.createRecord"),
        after letting `skip` of them through, with this, doing nothing else."""
        self._plan(Fault(status, body, dict(headers or {}), path, skip=skip))

    def fault_body(self, status: int) -> Any:
        """fail_next with no body sends the PDS's 500 body, whatever the status."""
        return {"error": "InternalServerError", "message": "Internal Server Error"}

    def calls(self, method: str, nsid: str) -> list[Recorded]:
        """The requests made to the XRPC method `nsid` ("com.atproto.repo.createRecord")."""
        return super().calls(method, XRPC + nsid)

    def posts(self, did: str) -> list[dict[str, Any]]:
        """The account's post records, oldest rkey first."""
        prefix = f"at://{did}/app.bsky.feed.post/"
        return [self.records[u] for u in sorted(self.records) if u.startswith(prefix)]

    def _jwt(self, did: str, scope: str, seconds: int) -> str:
        def part(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        claims = {
            "scope": scope,
            "sub": did,
            "iat": int(self.now()),
            "exp": int(self.now()) + seconds,
        }
        claims["jti"] = secrets.token_urlsafe(16)
        token = (
            f"{part({'typ': 'at+jwt', 'alg': 'HS256'})}.{part(claims)}.{secrets.token_urlsafe(32)}"
        )
        self.tokens[token] = {"did": did, "scope": scope, "exp": claims["exp"], "revoked": False}
        return token

    # --- The request pipeline ---

    def handle(self, handler: LoopbackHandler) -> None:
        url = urlsplit(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        content_type = headers.get("content-type", "")
        body = raw if content_type.startswith("image/") else parse_body(raw, content_type)
        request = Recorded(
            handler.command, url.path, dict(parse_qsl(url.query)), headers, body, content_type
        )
        request.query_lists = parse_qs(url.query)  # type: ignore[attr-defined]  # repeated names
        with self._lock:
            self.requests.append(request)
            fault = self._take_fault(request.path)
            if fault is not None:
                reply = Reply(fault.status, fault.body, fault.headers)
            else:
                reply = bluesky_routes.route(self, request)
            hold = self._take_hold(request.path)
        if hold is not None:
            return self._withhold(handler, hold)
        send_reply(handler, reply)

    def bearer(self, request: Recorded, scope: str = "com.atproto.access") -> str | Reply:
        """The DID a request's token signs in, or the error reply the PDS gives."""
        kind, _, token = request.headers.get("authorization", "").partition(" ")
        grant = self.tokens.get(token) if kind.lower() == "bearer" else None
        if grant is None:
            return xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        if grant["scope"] != scope:
            return xrpc_error(400, "InvalidToken", "Invalid token type")
        if grant["revoked"]:
            return xrpc_error(400, "ExpiredToken", "Token has been revoked")
        if grant["exp"] <= self.now():
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return str(grant["did"])

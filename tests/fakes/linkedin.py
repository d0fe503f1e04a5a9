"""A fake LinkedIn on 127.0.0.1, written from platforms.md §5.

It serves what LinkedInAdapter uses: the OAuth authorize page and accessToken
endpoint, OpenID userinfo, organisation ACLs and names, the Images and Videos
APIs (init, upload host PUTs, finalize, status), and the Posts API (create with
201 + x-restli-id, required-field 422s, the LinkedIn-Version check with its 426,
duplicate detection, little-text truncation, and posts by author), and the
Comments API for a post's comments and their replies (linkedin_comments.py;
seed with add_comment(), page with comment_page_size). A second
server stands in for the upload host (www.linkedin.com/dms-uploads in real life).

    with FakeLinkedIn() as fake:
        member = fake.add_member("Ada Baker")
        token = fake.issue_token(member)
        adapter = LinkedInAdapter(fake.adapter_config(), build_session(2.0))
"""

from __future__ import annotations

import itertools
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.fakes import linkedin_comments, linkedin_metrics
from tests.fakes import linkedin_routes as routes
from tests.fakes.linkedin_wire import Refusal, error_body
from tests.fakes.loopback import Fault, LoopbackFake, LoopbackHandler
from tests.fakes.x import Recorded, Reply, parse_body, send_reply

CLIENT_ID = "78linkedinfake"
CLIENT_SECRET = "fake-linkedin-client-secret"
VERSION = "202610"
MEMBER_SCOPES = ("openid", "profile", "w_member_social")
PAGE_SCOPES = ("w_organization_social", "r_organization_social", "rw_organization_admin")
ALL_SCOPES = (*MEMBER_SCOPES, *PAGE_SCOPES)


class FakeLinkedIn(LoopbackFake):
    hold_path = "/rest/posts"  # the lost-answer knobs' default

    def __init__(self, *, processing_checks: int = 2) -> None:
        super().__init__()
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.active_versions = {VERSION, "202601", "202510"}
        self.app_scopes = frozenset({*ALL_SCOPES, "email", "r_member_social"})
        self.grants_refresh_tokens = False  # only approved partners get them (§5)
        self.processing_checks = processing_checks  # GETs of a video before AVAILABLE
        self.video_fails = False
        self.part_size = 4 * 1024 * 1024  # bytes per video upload part
        self.requests: list[Recorded] = []  # the API's, OAuth included
        self.uploads: list[Recorded] = []  # the upload host's
        self.members: dict[str, dict[str, Any]] = {}  # by sub
        self.organizations: dict[str, dict[str, Any]] = {}  # by id
        self.images: dict[str, dict[str, Any]] = {}  # by URN
        self.videos: dict[str, dict[str, Any]] = {}
        self.posts: list[dict[str, Any]] = []  # oldest first
        self.comments: list[dict[str, Any]] = []  # comments and replies, oldest first
        self.deleted_comments: list[str] = []  # URNs DELETEd
        self.comment_page_size = 10  # the most comments a page holds
        self.approving_member: str | None = None
        self.tokens: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(7_295_588_489_876_647_001)
        self._offset = 0.0
        self.api_server = self.serve(_Handler.bound_to(self, host="api"))
        self.upload_server = self.serve(_Handler.bound_to(self, host="upload"))
        self.url = f"http://127.0.0.1:{self.api_server.server_address[1]}"
        self.upload_url = f"http://127.0.0.1:{self.upload_server.server_address[1]}"

    # --- Seeding and knobs ---

    def adapter_config(self, **extra: Any) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "api_url": self.url,
            "oauth_url": f"{self.url}/oauth/v2",
            "version": VERSION,
            **extra,
        }

    def add_member(self, name: str) -> str:
        """Seed a member; return their `sub` (their URN is urn:li:person:{sub})."""
        sub = secrets.token_urlsafe(7)
        given, _, family = name.partition(" ")
        self.members[sub] = {
            "sub": sub,
            "name": name,
            "given_name": given,
            "family_name": family,
            "picture": f"https://media.licdn.com/dms/image/{sub}/profile.jpg",
        }
        self.approving_member = self.approving_member or sub
        return sub

    def add_organization(self, name: str, vanity: str, admins: tuple[str, ...] = ()) -> str:
        """Seed a Page administered by `admins` (subs); return its URN."""
        org_id = str(next(self._ids) % 100_000_000)
        self.organizations[org_id] = {
            "id": int(org_id),
            "localizedName": name,
            "vanityName": vanity,
            "admins": set(admins),
        }
        return f"urn:li:organization:{org_id}"

    def issue_token(
        self, sub: str, expires_in: int = 60 * 86400, scopes: tuple[str, ...] = ALL_SCOPES
    ) -> str:
        token = f"AQV{secrets.token_urlsafe(30)}"
        self.tokens[token] = {
            "member": sub,
            "expires": self.now() + expires_in,
            "scopes": tuple(scopes),
            "revoked": False,
        }
        return token

    def issue_refresh_token(
        self, sub: str, scopes: tuple[str, ...] = ALL_SCOPES, expires: float | None = None
    ) -> str:
        token = f"AQX{secrets.token_urlsafe(30)}"
        ends = self.now() + 365 * 86400 if expires is None else expires
        self.refresh_tokens[token] = {"member": sub, "scopes": tuple(scopes), "expires": ends}
        return token

    def expire_token(self, token: str) -> None:
        self.tokens[token]["expires"] = self.now() - 1

    def revoke_token(self, token: str) -> None:
        self.tokens[token]["revoked"] = True

    def add_post(self, author: str, commentary: str, **fields: Any) -> str:
        """Seed a post as if made elsewhere (commentary as LinkedIn reads it back)."""
        post = routes.post_record(self, {"author": author, "visibility": "PUBLIC"}, commentary)
        post.update(fields)
        self.posts.append(post)
        return str(post["id"])

    def add_comment(
        self, on: str, actor: str, text: str, *, ago: float = 0.0, parent: str = ""
    ) -> str:
        """Seed a comment on the post `on` (a reply to the comment `parent`), made
        `ago` seconds before now; return its URN."""
        made = int((self.now() - ago) * 1000)
        with self._lock:
            element = linkedin_comments.new_comment(self, on, actor, text, parent, made)
        return str(element["commentUrn"])

    def set_statistics(self, urn: str, **figures: int | None) -> None:
        """Set a post's lifetime share statistics by LinkedIn's names (impressionCount,
        uniqueImpressionsCount, clickCount, likeCount, commentCount, shareCount);
        None leaves one out."""
        linkedin_metrics.set_statistics(self, urn, **figures)

    def set_followers(self, page: str, followers: int) -> None:
        self.organizations[page.removeprefix("urn:li:organization:")]["followers"] = followers

    def age_post(self, urn: str, days: float) -> None:
        """Make a post `days` older (share statistics cover 12 months)."""
        post = next(p for p in self.posts if p["id"] == urn)
        post["createdAt"] -= int(days * 86400 * 1000)

    def fail_next(
        self,
        status: int,
        body: Any = None,
        headers: dict[str, str | None] | None = None,
        path: str | None = None,
        *,
        after: int = 0,
    ) -> None:
        """As LoopbackFake's, letting `after` requests to `path` through first."""
        if body is None and status >= 400:
            body = self.fault_body(status)
        self._plan(Fault(status, body, dict(headers or {}), path, skip=after))

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock (token expiry, code lifetime, post times)."""
        self._offset += seconds

    def next_id(self) -> int:
        return next(self._ids)

    def fault_body(self, status: int) -> Any:
        """fail_next with no body sends LinkedIn's error body for `status`."""
        return error_body(status)

    # calls() is the API's requests only; the upload host's are in `uploads`.

    # --- The request pipeline ---

    def handle(self, handler: _Handler) -> None:
        url = urlsplit(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        content_type = headers.get("content-type", "")
        body = raw if handler.host == "upload" else parse_body(raw, content_type)
        request = Recorded(
            handler.command,
            unquote(url.path),
            dict(parse_qsl(url.query, keep_blank_values=True)),
            headers,
            body,
            content_type,
        )
        with self._lock:
            (self.uploads if handler.host == "upload" else self.requests).append(request)
            reply = self._fault_reply(request.path)
            if reply is None:
                try:
                    if handler.host == "upload":
                        reply = routes.upload(self, request)
                    else:
                        reply = routes.route(self, request)
                except Refusal as refusal:
                    reply = refusal.reply()
            hold = self._take_hold(request.path)
        if hold is not None:
            return self._withhold(handler, hold)
        send_reply(handler, reply)

    def _fault_reply(self, path: str) -> Reply | None:
        fault = self._take_fault(path)
        if fault is None:
            return None
        return Reply(fault.status, fault.body, dict(fault.headers), checked=False)


class _Handler(LoopbackHandler):
    fake: FakeLinkedIn
    host: str  # "api" or "upload"
    do_PUT = LoopbackHandler.do_POST  # the upload host takes PUTs
    do_DELETE = LoopbackHandler.do_POST  # deleting comments

"""The Graph API in the load fake: a Page's text post, reading a post, and the
Page's published posts (platforms.md §2). The error envelope, usage headers and
field selection come from tests/fakes/graph_wire.py."""

from __future__ import annotations

import itertools
import json
import math
import re
import threading
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from bench.fakenet.log import Accepted, PostLog
from bench.fakenet.wire import Request
from tests.fakes.graph_wire import (
    GRAPH_ORIGIN,
    JSON_TYPE,
    TIME_FORMAT,
    VERSION,
    b64,
    buc_header,
    default_error,
    graph_error,
    parse_body,
    select,
    unb64,
)
from tests.fakes.x import Reply

PATH = re.compile(r"^/graph(?:-video)?/(v\d+\.\d+)(/.*)$")
BAD_TOKEN = (400, 190, "Invalid OAuth access token - Cannot parse access token")


class GraphNetwork:
    name = "facebook"

    def __init__(self, log: PostLog, *, refuse_duplicates: bool = False) -> None:
        self.log = log
        self.refuse_duplicates = refuse_duplicates
        self.pages: dict[str, str] = {}  # page id -> name
        self._tokens: dict[str, str] = {}  # page token -> page id
        self._posts: dict[str, list[dict[str, Any]]] = {}  # page id -> posts, oldest first
        self._by_id: dict[str, dict[str, Any]] = {}
        self._texts: set[tuple[str, str]] = set()
        self._ids = itertools.count(17_841_000_001)
        self._lock = threading.Lock()

    def add_page(self, page_id: str, name: str, token: str) -> None:
        with self._lock:
            self.pages[page_id] = name
            self._tokens[token] = page_id
            self._posts.setdefault(page_id, [])

    def posts(self, page_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._posts.get(page_id, []))

    # --- Answers ---

    def route(self, request: Request, received: float, *, answered: bool) -> Reply:
        match = PATH.match(request.path)
        parts = [p for p in match.group(2).split("/") if p] if match else []
        form = parse_body(request.content_type, request.body)[0] if request.body else {}
        token = form.get("access_token") or request.query.get("access_token", "")
        page = self._tokens.get(token)
        if page is None:
            return _error(*BAD_TOKEN)
        if request.method == "POST" and len(parts) == 2 and parts[1] == "feed":
            return self._create(page, parts[0], form, received, answered)
        if request.method == "GET" and len(parts) == 2 and parts[1] in ("feed", "published_posts"):
            return self._listing(page, parts[0], request)
        if request.method == "GET" and len(parts) == 1:
            return self._read(page, parts[0], request.query.get("fields", ""))
        return _unsupported(request.method, parts[0] if parts else "")

    def server_error(self) -> Reply:
        return _reply(500, default_error(500))

    def rate_limited(self, request: Request, reset: float) -> Reply:
        # Graph gives the wait in whole minutes (X-Business-Use-Case-Usage), so
        # the engine waits at least one (graph.retry_at).
        minutes = max(1, math.ceil((reset - time.time()) / 60))
        body = graph_error(32, "(#32) Page request limit reached", transient=True)
        match = PATH.match(request.path)
        owner = (match.group(2).strip("/").split("/")[0] if match else "") or "0"
        return _reply(400, body, buc_header(owner, minutes))

    def _create(
        self, page: str, page_id: str, form: dict[str, str], received: float, answered: bool
    ) -> Reply:
        if page_id != page:
            return _error(403, 200, "(#200) Permissions error")
        message = form.get("message", "")
        if not message and not form.get("link"):
            return _error(400, 100, "(#100) Missing message or attachment")
        with self._lock:
            if self.refuse_duplicates and (page, message) in self._texts:
                return _error(400, 506, "(#506) Duplicate status message")
            number = next(self._ids)
            post = {
                "id": f"{page}_{number}",
                "message": message,
                "created_time": datetime.fromtimestamp(received, UTC).strftime(TIME_FORMAT),
                "permalink_url": f"https://www.facebook.com/{page}/posts/{number}",
                "from": {"id": page, "name": self.pages[page]},
            }
            self._posts[page].append(post)
            self._by_id[post["id"]] = post
            self._texts.add((page, message))
        self.log.add(Accepted("facebook", page, message, post["id"], received, answered))
        return _reply(200, {"id": post["id"]}, owner=page)

    def _read(self, page: str, object_id: str, fields: str) -> Reply:
        with self._lock:
            post = self._by_id.get(object_id)
        if post is None:
            return _unsupported("GET", object_id)
        return _reply(200, select(post, fields or "id"), owner=page)

    def _listing(self, page: str, page_id: str, request: Request) -> Reply:
        """Newest first, `limit` at a time, with cursors and `paging.next`."""
        if page_id not in self.pages:
            return _unsupported("GET", page_id)
        items = self.posts(page_id)[::-1]
        limit = min(int(request.query.get("limit") or 25), 100)
        start = int(unb64(request.query.get("after", "")) or 0)
        chosen = items[start : start + limit]
        fields = request.query.get("fields") or "id,message,created_time"
        body: dict[str, Any] = {"data": [select(item, fields) for item in chosen]}
        if chosen:
            cursors = {"before": b64(str(start)), "after": b64(str(start + len(chosen)))}
            body["paging"] = {"cursors": cursors}
            if start + len(chosen) < len(items):
                query = {k: v for k, v in request.query.items() if k != "access_token"}
                query["after"] = cursors["after"]
                path = f"/{VERSION}/{page_id}/published_posts"
                body["paging"]["next"] = f"{GRAPH_ORIGIN}{path}?{urlencode(query)}"
        return _reply(200, body, owner=page)


def _reply(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None, owner: str = ""
) -> Reply:
    usage = {"X-App-Usage": json.dumps({"call_count": 1, "total_cputime": 1, "total_time": 1})}
    if owner:
        usage.update(buc_header(owner, 0))
    return Reply(
        status,
        body,
        {"facebook-api-version": VERSION, **usage, **(headers or {})},
        content_type=JSON_TYPE,
    )


def _error(status: int, code: int, message: str) -> Reply:
    return _reply(status, graph_error(code, message))


def _unsupported(method: str, object_id: str) -> Reply:
    message = (
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation."
    )
    body = graph_error(100, message, subcode=33, type="GraphMethodException")
    return _reply(400, body)

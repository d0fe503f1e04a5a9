"""X API v2 in the load fake: create a post, and list a user's recent posts
(platforms.md §1). Bodies and headers come from tests/fakes/x.py."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from bench.fakenet.log import Accepted, PostLog
from bench.fakenet.wire import Request
from tests.fakes.x import (
    DUPLICATE,
    WINDOW,
    Reply,
    invalid,
    parse_body,
    post_json,
    problem,
    shown_text,
    tweet_record,
)

PREFIX = "/x"
POSTS_PER_WINDOW = 100  # POST /2/tweets per user (platforms.md §1), shown in the headers


class XNetwork:
    name = "x"

    def __init__(self, log: PostLog, *, refuse_duplicates: bool = False) -> None:
        self.log = log
        self.refuse_duplicates = refuse_duplicates
        self.users: dict[str, str] = {}  # user id -> username
        self._tokens: dict[str, str] = {}  # bearer token -> user id
        self._posts: dict[str, list[dict[str, Any]]] = {}  # user id -> posts, oldest first
        self._texts: set[tuple[str, str]] = set()
        self._ids = itertools.count(1_861_000_000_000_000_001)
        self._lock = threading.Lock()

    def add_user(self, user_id: str, username: str, token: str) -> None:
        with self._lock:
            self.users[user_id] = username
            self._tokens[token] = user_id
            self._posts.setdefault(user_id, [])

    def posts(self, user_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._posts.get(user_id, []))

    # --- Answers ---

    def route(self, request: Request, received: float, *, answered: bool) -> Reply:
        path = request.path.removeprefix(PREFIX)
        user = self._user(request)
        if user is None:
            reply = problem(401)
        elif request.method == "POST" and path == "/2/tweets":
            reply = self._create(user, request, received, answered)
        elif request.method == "GET" and path.startswith("/2/users/") and path.endswith("/tweets"):
            reply = self._timeline(path.split("/")[3], request.query)
        else:
            reply = problem(404, "Sorry, that page does not exist.")
        return _with_limit_headers(reply, remaining=POSTS_PER_WINDOW)

    def server_error(self) -> Reply:
        return _with_limit_headers(problem(503), remaining=POSTS_PER_WINDOW)

    def rate_limited(self, request: Request, reset: float) -> Reply:
        return _with_limit_headers(problem(429), remaining=0, reset=reset)

    def _user(self, request: Request) -> str | None:
        kind, _, token = request.headers.get("authorization", "").partition(" ")
        return self._tokens.get(token) if kind.lower() == "bearer" else None

    def _create(self, user: str, request: Request, received: float, answered: bool) -> Reply:
        body = parse_body(request.body, request.content_type)
        text = str(body.get("text", "")) if isinstance(body, dict) else ""
        if not text:
            return invalid("Your Tweet must have text or media.", "text")
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        with self._lock:
            if self.refuse_duplicates and (user, text) in self._texts:
                return problem(403, DUPLICATE)
            post_id = str(next(self._ids))
            parent = next((p for p in self._posts[user] if p["id"] == reply_to), None)
            tweet = tweet_record(post_id, user, text, [], reply_to, parent, received)
            self._posts[user].append(tweet)
            self._texts.add((user, text))
        self.log.add(Accepted("x", user, text, post_id, received, answered))
        data = {"id": post_id, "text": shown_text(tweet), "edit_history_tweet_ids": [post_id]}
        return Reply(201, {"data": data})

    def _timeline(self, user_id: str, query: dict[str, str]) -> Reply:
        if user_id not in self.users:
            return problem(404, f"Could not find user with id: [{user_id}].")
        wanted = set(query.get("tweet.fields", "").split(","))
        most = int(query.get("max_results", 10))
        newest_first = self.posts(user_id)[::-1][:most]
        posts = [post_json(t, wanted) for t in newest_first]
        meta: dict[str, Any] = {"result_count": len(posts)}
        if not posts:
            return Reply(200, {"meta": meta})
        meta.update(newest_id=posts[0]["id"], oldest_id=posts[-1]["id"])
        return Reply(200, {"data": posts, "meta": meta})


def _with_limit_headers(reply: Reply, *, remaining: int, reset: float | None = None) -> Reply:
    """The x-rate-limit-* headers every X answer carries; a 429's reset is when to retry."""
    reset = reset if reset is not None else time.time() + WINDOW
    reply.headers = {
        "x-rate-limit-limit": str(POSTS_PER_WINDOW),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(int(reset + 0.999)),
        **{k: v for k, v in reply.headers.items() if v is not None},
    }
    return reply

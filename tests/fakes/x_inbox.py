"""FakeX's inbox routes: mentions, direct messages, hiding replies and deleting posts.

Answers follow X API v2 (and are held to its OpenAPI description with the
rest of FakeX): timelines newest first, `start_time` and `pagination_token`
paging with a `page_size` knob (the smaller of it and `max_results`), and
dm_events across every conversation of the user, newest first, with no
`since`. Replies carry X's auto-populated leading @mentions, so a reply to a
reply under the account's post names the account and shows in its mentions.

    fake.add_user("42", "alice", "Alice")
    post = fake.add_tweet(USER_ID, "Our news")
    comment = fake.add_tweet("42", "Nice!", reply_to=post)
    dm = fake.add_dm("42", USER_ID, "Hello")
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

MENTION = re.compile(r"(?<!\w)@(\w{1,15})")


def _x() -> Any:
    # tests.fakes.x imports this module for the mixin.
    from tests.fakes import x

    return x


class XInboxRoutes:
    """Mixed into FakeX: it supplies tweets, users, _ids, now() and the Reply helpers."""

    tweets: list[dict[str, Any]]
    users: dict[str, dict[str, Any]]
    page_size: int = 100
    dms: list[dict[str, Any]]

    # --- Seeding ---

    def add_dm(self, sender: str, recipient: str, text: str) -> str:
        """Seed a direct message in the two users' one-to-one conversation; return its id."""
        conversation = "-".join(sorted((sender, recipient), key=int))
        event_id = str(next(self._ids))  # type: ignore[attr-defined]
        self.dms.append(self._dm(event_id, conversation, sender, text))
        return event_id

    def mentions_of(self, tweet: dict[str, Any], parent: dict[str, Any] | None) -> list[str]:
        """Return whom a post names: X puts the handles of the thread it answers first."""
        names: list[str] = []
        if parent is not None:
            names = [*parent["mentions"], parent["author_id"]]
        by_name = {u["username"].lower(): i for i, u in self.users.items()}
        names += [
            by_name[n.lower()] for n in MENTION.findall(tweet["text"]) if n.lower() in by_name
        ]
        return [n for i, n in enumerate(names) if n != tweet["author_id"] and n not in names[:i]]

    def reply_prefix(self, tweet: dict[str, Any]) -> str:
        if not tweet["in_reply_to_tweet_id"]:
            return ""
        typed = {n.lower() for n in MENTION.findall(tweet["text"])}
        handles = [self.users[u]["username"] for u in tweet["mentions"] if u in self.users]
        return "".join(f"@{h} " for h in handles if h.lower() not in typed)

    def _dm(self, event_id: str, conversation: str, sender: str, text: str) -> dict[str, Any]:
        created = datetime.fromtimestamp(self.now(), UTC).isoformat(timespec="milliseconds")  # type: ignore[attr-defined]
        return {
            "id": event_id,
            "dm_conversation_id": conversation,
            "sender_id": sender,
            "text": text,
            "created_at": created.replace("+00:00", "Z"),
        }

    # --- Routes ---

    def inbox_routes(
        self, user: str, path: str, query: dict[str, str], body: Any
    ) -> dict[str, Any]:
        parts = path.split("/")
        target = parts[3] if len(parts) > 3 else ""
        return {
            "GET /2/users/:id/mentions": lambda: self._mentions(target, query),
            "GET /2/dm_events": lambda: self._dm_events(user, query),
            "POST /2/dm_conversations/:id/messages": lambda: self._send_dm(user, target, body),
            "PUT /2/tweets/:id/hidden": lambda: self._hide(user, target, body),
            "DELETE /2/tweets/:id": lambda: self._delete(user, target),
        }

    def timeline_page(
        self, tweets: list[dict[str, Any]], query: dict[str, str], expand_authors: bool
    ) -> Any:
        """One page of a timeline (newest first), as GET /2/users/:id/{tweets,mentions}."""
        x = _x()
        since = query.get("start_time")
        if since:
            start = datetime.fromisoformat(since.replace("Z", "+00:00"))
            tweets = [t for t in tweets if _when(t["created_at"]) >= start]
        offset = _offset(query.get("pagination_token"))
        size = min(int(query.get("max_results", 10)), self.page_size)
        shown = tweets[offset : offset + size]
        wanted = set(query.get("tweet.fields", "").split(","))
        posts = [x.post_json(t, wanted, self.reply_prefix(t)) for t in shown]
        meta: dict[str, Any] = {"result_count": len(posts)}
        if offset + size < len(tweets):
            meta["next_token"] = _token(offset + size)
        if not posts:
            return x.Reply(200, {"meta": meta})
        meta.update(newest_id=posts[0]["id"], oldest_id=posts[-1]["id"])
        body: dict[str, Any] = {"data": posts, "meta": meta}
        if expand_authors and "author_id" in query.get("expansions", ""):
            authors = dict.fromkeys(t["author_id"] for t in shown)
            body["includes"] = {"users": self._users(authors, query)}
        return x.Reply(200, body)

    def _mentions(self, user_id: str, query: dict[str, str]) -> Any:
        x = _x()
        if user_id not in self.users:
            return x.problem(404, f"Could not find user with id: [{user_id}].")
        named = [
            t
            for t in reversed(self.tweets)
            if user_id in t["mentions"] and t["author_id"] != user_id
        ]
        return self.timeline_page(named, query, expand_authors=True)

    def _dm_events(self, user: str, query: dict[str, str]) -> Any:
        x = _x()
        mine = [e for e in reversed(self.dms) if user in e["dm_conversation_id"].split("-")]
        offset = _offset(query.get("pagination_token"))
        size = min(int(query.get("max_results", 100)), self.page_size)
        shown = mine[offset : offset + size]
        wanted = set(query.get("dm_event.fields", "").split(",")) | {"id", "text", "event_type"}
        expanded = "sender_id" in query.get("expansions", "")
        events = []
        for event in shown:
            data = {"event_type": "MessageCreate", **event}
            if not expanded:
                data.pop("sender_id")
            events.append({k: v for k, v in data.items() if k in wanted or k == "sender_id"})
        meta: dict[str, Any] = {"result_count": len(events)}
        if offset + size < len(mine):
            meta["next_token"] = _token(offset + size)
        body: dict[str, Any] = {"meta": meta}
        if events:
            body["data"] = events
        if expanded and shown:
            senders = dict.fromkeys(e["sender_id"] for e in shown)
            body["includes"] = {"users": self._users(senders, query)}
        return x.Reply(200, body)

    def _send_dm(self, user: str, conversation: str, body: dict[str, Any]) -> Any:
        x = _x()
        if user not in conversation.split("-"):
            return x.problem(403, "You are not permitted to send messages to this conversation.")
        text = str(body.get("text") or "")
        if not text:
            return x.invalid("The `text` field is required.", "text")
        event_id = str(next(self._ids))  # type: ignore[attr-defined]
        self.dms.append(self._dm(event_id, conversation, user, text))
        return x.Reply(201, {"data": {"dm_conversation_id": conversation, "dm_event_id": event_id}})

    def _hide(self, user: str, tweet_id: str, body: dict[str, Any]) -> Any:
        x = _x()
        tweet = self._find(tweet_id)
        if tweet is None:
            return x.problem(404, f"Could not find tweet with id: [{tweet_id}].")
        root = self._find(tweet["conversation_id"])
        if root is None or root["author_id"] != user or tweet["author_id"] == user or root is tweet:
            return x.problem(403, "You cannot hide or unhide this reply.")
        tweet["hidden"] = bool(body.get("hidden"))
        return x.Reply(200, {"data": {"hidden": tweet["hidden"]}})

    def _delete(self, user: str, tweet_id: str) -> Any:
        x = _x()
        tweet = self._find(tweet_id)
        if tweet is None:
            return x.problem(404, f"Could not find tweet with id: [{tweet_id}].")
        if tweet["author_id"] != user:
            return x.problem(403, "You are not allowed to delete a Tweet you did not create.")
        self.tweets.remove(tweet)
        return x.Reply(200, {"data": {"deleted": True}})

    def _find(self, tweet_id: str) -> dict[str, Any] | None:
        return next((t for t in self.tweets if t["id"] == tweet_id), None)

    def _users(self, ids: dict[str, None], query: dict[str, str]) -> list[dict[str, str]]:
        wanted = set(query.get("user.fields", "").split(",")) | {"id", "name", "username"}
        found = [self.users[i] for i in ids if i in self.users]
        return [{k: v for k, v in u.items() if k in wanted} for u in found]


def _token(offset: int) -> str:
    # X's tokens are opaque base32hex strings of at least 16 characters.
    return f"{offset:016x}"


def _offset(token: str | None) -> int:
    try:
        return int(token or "0", 16)
    except ValueError:
        return 0


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))

"""YouTube comments as FakeYouTube serves them: commentThreads.list, comments.list,
comments.insert, comments.setModerationStatus and comments.delete (the methods'
API reference pages). `self` is the FakeYouTube.

Threads list newest first and carry up to `inline_replies` replies (oldest
first); comments.list with parentId gives them all. Replies are flat: each
names the thread's top-level comment as `parentId`, and a reply to a reply is
a reply to the thread that starts with "@handle". Held and rejected comments
leave the default listing (moderationStatus=published). `textOriginal` is
only shown to the comment's author, as YouTube does.

    top = fake.add_comment(video_id, "UCalice", "@alice", "Lovely!")
    fake.add_comment(video_id, "UCbob", "@bob", "@alice agreed", reply_to=top)
"""

from __future__ import annotations

import base64
import secrets
from typing import TYPE_CHECKING, Any

from tests.fakes.x import Recorded, Reply
from tests.fakes.youtube_wire import JSON, google_error, rfc3339

if TYPE_CHECKING:
    from tests.fakes.youtube import FakeYouTube

MAX_TEXT = 10_000  # characters of a comment (commentTextTooLong past it)


class CommentRoutes:
    """The comment methods; mixed into FakeYouTube through Routes."""

    # --- Seeding ---

    def add_comment(
        self: FakeYouTube,
        video_id: str,
        author: str,
        name: str,
        text: str,
        reply_to: str | None = None,
        ago: float = 0,
    ) -> str:
        """Seed a comment (or a reply to the thread `reply_to`) `ago` seconds back."""
        return str(self.new_comment(video_id, author, name, text, reply_to, self.now() - ago)["id"])

    def new_comment(
        self: FakeYouTube,
        video_id: str,
        author: str,
        name: str,
        text: str,
        parent: str | None,
        when: float,
    ) -> dict[str, Any]:
        with self._lock:
            self._serial += 1
            serial = self._serial
        comment_id = f"{parent}.AA{serial:020d}" if parent else f"Ugz{serial:017d}4AaABAg"
        comment = {
            "id": comment_id,
            "video": video_id,
            "channel": self.videos[video_id]["channel"],
            "author": author,
            "name": name,
            "text": text,
            "parent": parent,
            "created": when,
            "status": "published",
        }
        self.comments[comment_id] = comment
        return comment

    # --- Reading ---

    def list_comment_threads(self: FakeYouTube, request: Recorded) -> Reply:
        query = request.query
        wanted = query.get("moderationStatus", "published")
        if query.get("videoId"):
            video = self.videos.get(query["videoId"])
            if video is None:
                return google_error(404, "videoNotFound", domain="youtube.commentThread")
            if video.get("comments_disabled"):
                return google_error(403, "commentsDisabled")
            match = lambda c: c["video"] == query["videoId"]  # noqa: E731
        elif query.get("allThreadsRelatedToChannelId"):
            match = lambda c: c["channel"] == query["allThreadsRelatedToChannelId"]  # noqa: E731
        else:
            return google_error(400, "missingRequiredParameter", "No filter selected.")
        threads = [
            c
            for c in self.comments.values()
            if c["parent"] is None and match(c) and c["status"] == wanted
        ]
        threads.sort(key=lambda c: c["created"], reverse=True)
        page, more, offset = self._page(threads, query, default=20)
        if page is None:
            return google_error(400, "invalidPageToken")
        viewer = self._viewer(request)
        parts = set(query.get("part", "").split(","))
        items = [self._thread(c, parts, viewer) for c in page]
        body = {"kind": "youtube#commentThreadListResponse", "etag": secrets.token_urlsafe(12)}
        return self._list_reply(body, items, more, offset, query)

    def list_comments(self: FakeYouTube, request: Recorded) -> Reply:
        query = request.query
        if query.get("parentId"):
            found = self._replies(query["parentId"])
        elif query.get("id"):
            found = [self.comments[i] for i in query["id"].split(",") if i in self.comments]
        else:
            return google_error(400, "missingRequiredParameter", "No filter selected.")
        page, more, offset = self._page(found, query, default=20)
        if page is None:
            return google_error(400, "invalidPageToken")
        viewer = self._viewer(request)
        items = [self.comment_resource(c, viewer) for c in page]
        body = {"kind": "youtube#commentListResponse", "etag": secrets.token_urlsafe(12)}
        return self._list_reply(body, items, more, offset, query)

    def _thread(self: FakeYouTube, top: dict[str, Any], parts: set[str], viewer: str) -> Any:
        replies = self._replies(top["id"])
        thread: dict[str, Any] = {
            "kind": "youtube#commentThread",
            "etag": secrets.token_urlsafe(12),
            "id": top["id"],
        }
        if "snippet" in parts:
            thread["snippet"] = {
                "channelId": top["channel"],
                "videoId": top["video"],
                "topLevelComment": self.comment_resource(top, viewer),
                "canReply": True,
                "totalReplyCount": len(replies),
                "isPublic": True,
            }
        if "replies" in parts and replies:
            inline = replies[: self.inline_replies]
            thread["replies"] = {"comments": [self.comment_resource(r, viewer) for r in inline]}
        return thread

    def _replies(self: FakeYouTube, parent: str) -> list[dict[str, Any]]:
        found = [
            c
            for c in self.comments.values()
            if c["parent"] == parent and c["status"] == "published"
        ]
        return sorted(found, key=lambda c: c["created"])

    def comment_resource(self: FakeYouTube, comment: dict[str, Any], viewer: str) -> Any:
        when = rfc3339(comment["created"])
        snippet: dict[str, Any] = {
            "channelId": comment["channel"],
            "videoId": comment["video"],
            "textDisplay": comment["text"],
            "authorDisplayName": comment["name"],
            "authorProfileImageUrl": f"https://yt3.ggpht.example/{comment['author']}",
            "authorChannelUrl": f"http://www.youtube.com/{comment['name']}",
            "authorChannelId": {"value": comment["author"]},
            "canRate": True,
            "viewerRating": "none",
            "likeCount": 0,
            "publishedAt": when,
            "updatedAt": when,
        }
        if comment["author"] == viewer:
            snippet["textOriginal"] = comment["text"]
        if comment["parent"]:
            snippet["parentId"] = comment["parent"]
        return {
            "kind": "youtube#comment",
            "etag": secrets.token_urlsafe(12),
            "id": comment["id"],
            "snippet": snippet,
        }

    def _page(
        self: FakeYouTube, found: list[dict[str, Any]], query: dict[str, str], default: int
    ) -> tuple[list[dict[str, Any]] | None, bool, int]:
        size = min(int(query.get("maxResults") or default), self.page_size)
        try:
            token = query.get("pageToken")
            offset = (
                int(base64.urlsafe_b64decode(token).decode().removeprefix("c:")) if token else 0
            )
        except ValueError:
            return None, False, 0
        return found[offset : offset + size], offset + size < len(found), offset + size

    def _list_reply(
        self: FakeYouTube,
        body: dict[str, Any],
        items: list[Any],
        more: bool,
        offset: int,
        query: dict[str, str],
    ) -> Reply:
        size = min(int(query.get("maxResults") or 20), self.page_size)
        body["pageInfo"] = {"totalResults": len(items), "resultsPerPage": size}
        body["items"] = items
        if more:
            body["nextPageToken"] = base64.urlsafe_b64encode(f"c:{offset}".encode()).decode()
        return Reply(200, body, content_type=JSON)

    def _viewer(self: FakeYouTube, request: Recorded) -> str:
        grant = self.grant_for(request)
        channel = self.channel_of(grant["user"]) if grant else None
        return str(channel["id"]) if channel else ""

    # --- Writing ---

    def insert_comment(self: FakeYouTube, request: Recorded) -> Reply:
        viewer = self._viewer(request)
        snippet = (request.body or {}).get("snippet") or {}
        text = str(snippet.get("textOriginal") or "")
        parent = self.comments.get(str(snippet.get("parentId") or ""))
        if not viewer:
            return google_error(403, "ineligibleAccount", "The account has no channel.")
        if parent is None:
            return google_error(404, "parentCommentNotFound", domain="youtube.comment")
        if parent["parent"] is not None:
            # YouTube's replies are flat: a reply answers the thread, not a reply.
            return google_error(400, "operationNotSupported", domain="youtube.comment")
        if not text.strip():
            return google_error(400, "commentTextRequired", domain="youtube.comment")
        if len(text) > MAX_TEXT:
            return google_error(400, "commentTextTooLong", domain="youtube.comment")
        name = self.channels[viewer]["customUrl"]
        comment = self.new_comment(parent["video"], viewer, name, text, parent["id"], self.now())
        return Reply(200, self.comment_resource(comment, viewer), content_type=JSON)

    def moderate_comments(self: FakeYouTube, request: Recorded) -> Reply:
        viewer = self._viewer(request)
        status = request.query.get("moderationStatus", "")
        found = [self.comments.get(i) for i in request.query.get("id", "").split(",")]
        if any(c is None for c in found):
            return google_error(404, "commentNotFound", domain="youtube.comment")
        if any(c["channel"] != viewer for c in found if c is not None):
            return google_error(403, "forbidden", "The comment is not on your channel.")
        for comment in found:
            if comment is not None:
                comment["status"] = status
        return Reply(204, None, content_type=JSON)

    def delete_comment(self: FakeYouTube, request: Recorded) -> Reply:
        viewer = self._viewer(request)
        comment = self.comments.get(request.query.get("id", ""))
        if comment is None:
            return google_error(404, "commentNotFound", domain="youtube.comment")
        if comment["author"] != viewer:
            return google_error(403, "forbidden", "Only the comment's author may delete it.")
        del self.comments[comment["id"]]
        for reply in [c for c in self.comments.values() if c["parent"] == comment["id"]]:
            del self.comments[reply["id"]]
        return Reply(204, None, content_type=JSON)

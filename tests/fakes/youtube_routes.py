"""The YouTube Data API methods FakeYouTube serves, and its seeding helpers.

Answers follow platforms.md §6 and the methods' API reference pages: resumable
upload sessions (step 1, chunks, the `bytes */total` probe) and thumbnails.set
here; channels.list and playlistItems.list in youtube_lists. Kept apart from
the server plumbing in tests/fakes/youtube.py; `self` is the FakeYouTube.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tests.fakes.x import Recorded, Reply
from tests.fakes.youtube_comments import CommentRoutes
from tests.fakes.youtube_lists import ListRoutes
from tests.fakes.youtube_metrics import MetricsRoutes
from tests.fakes.youtube_wire import JSON, default_thumbnails, google_error, rfc3339

if TYPE_CHECKING:
    from tests.fakes.youtube import FakeYouTube

VIDEOS = "/upload/youtube/v3/videos"
# Categories a video may be given (videoCategories.list, assignable=true, US).
CATEGORIES = frozenset({"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25"})
CATEGORIES |= {"26", "27", "28", "29"}


class Routes(ListRoutes, CommentRoutes, MetricsRoutes):
    """The API methods; mixed into FakeYouTube."""

    def route(self: FakeYouTube, name: str, request: Recorded) -> Reply:
        handlers = {
            "videos.insert": self.start_upload,
            "thumbnails.set": self.set_thumbnail,
            "channels.list": self.list_channels,
            "playlistItems.list": self.list_playlist_items,
            "commentThreads.list": self.list_comment_threads,
            "comments.list": self.list_comments,
            "comments.insert": self.insert_comment,
            "comments.setModerationStatus": self.moderate_comments,
            "comments.delete": self.delete_comment,
            "videos.list": self.list_videos,
        }
        handler = handlers.get(name)
        return handler(request) if handler else google_error(404, "notFound", "Not Found")

    # --- Seeding ---

    def add_channel(
        self: FakeYouTube, channel_id: str, title: str, handle: str, user: str = "ann"
    ) -> dict[str, Any]:
        channel = {
            "id": channel_id,
            "title": title,
            "customUrl": handle,
            "user": user,
            "uploads": "UU" + channel_id[2:],
            "created": self.now(),
        }
        self.channels[channel_id] = channel
        self.playlists[channel["uploads"]] = []
        self.approving_user = self.approving_user or user
        return channel

    def add_video(
        self: FakeYouTube, channel_id: str, title: str, description: str = "", ago: float = 0
    ) -> str:
        """Seed a finished upload as if made elsewhere, `ago` seconds back; return its id."""
        session = {"channel": channel_id, "parts": {"snippet", "status"}}
        session["snippet"] = {"title": title, "description": description, "categoryId": "22"}
        session["status"] = {"privacyStatus": "public"}
        return str(self.create_video(session, self.now() - ago)["id"])

    def channel_of(self: FakeYouTube, user: str) -> dict[str, Any] | None:
        return next((c for c in self.channels.values() if c["user"] == user), None)

    # --- videos.insert: resumable upload (platforms.md §6) ---

    def start_upload(self: FakeYouTube, request: Recorded) -> Reply:
        query = request.query
        if query.get("uploadType") != "resumable":
            self.contract_violations.append("the fake serves resumable uploads only")
            return google_error(400, "badRequest", "uploadType must be resumable here")
        grant = self.grant_for(request)
        channel = self.channel_of(grant["user"]) if grant else None
        if channel is None:
            return google_error(403, "youtubeSignupRequired", "The user has no channel.")
        parts = set(query.get("part", "").split(","))
        body = request.body if isinstance(request.body, dict) else {}
        snippet = dict(body.get("snippet") or {}) if "snippet" in parts else {}
        problem = metadata_problem(snippet)
        if problem:
            return google_error(400, problem)
        day = self.quota_day()
        if self.channel_upload_cap is not None:
            made = sum(
                1 for v in self.videos.values() if v["channel"] == channel["id"] and v["day"] == day
            )
            if made >= self.channel_upload_cap:
                return google_error(400, "uploadLimitExceeded")
        session_id = secrets.token_urlsafe(24)
        self.sessions[session_id] = {
            "id": session_id,
            "channel": channel["id"],
            "total": int(request.headers["x-upload-content-length"]),
            "type": request.headers["x-upload-content-type"],
            "data": bytearray(),
            "snippet": snippet,
            "status": dict(body.get("status") or {}) if "status" in parts else {},
            "parts": parts,
            "video": None,
            "expired": False,
        }
        location = (
            f"{self.url}{VIDEOS}?uploadType=resumable&part={quote(query['part'])}"
            f"&upload_id={session_id}"
        )
        # Step 1 answers 200 with no body (§6): not a Video, so not checked as one.
        headers: dict[str, str | None] = {"Location": location, "X-GUploader-UploadID": session_id}
        return Reply(200, None, headers, content_type=JSON, checked=False)

    def session_put(self: FakeYouTube, request: Recorded, raw: bytes) -> Reply:
        session = self.sessions.get(request.query.get("upload_id", ""))
        if session is None or session["expired"]:
            return google_error(404, "notFound")
        given = request.headers.get("content-range", "")
        probe = re.fullmatch(r"bytes \*/(\d+)", given)
        chunk = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", given)
        if probe:
            if int(probe.group(1)) != session["total"] or raw:
                return self.check_session(
                    request, [f"a probe must be empty and say /{session['total']}"]
                )
            return self._finished(request, session) if session["video"] else _incomplete(session)
        if not chunk:
            return self.check_session(request, [f"Content-Range {given!r} is not a byte range"])
        start, end = int(chunk.group(1)), int(chunk.group(2))
        problems = []
        if chunk.group(3) not in ("*", str(session["total"])):
            problems.append(f"total {chunk.group(3)} differs from X-Upload-Content-Length")
        if len(raw) != end - start + 1:
            problems.append(f"{len(raw)} bytes sent for a range of {end - start + 1}")
        final = end + 1 == session["total"]
        if not final and len(raw) % self.granularity:
            problems.append(f"a chunk of {len(raw)} bytes is not a multiple of {self.granularity}")
        if problems:
            return self.check_session(request, problems)
        if session["video"]:
            return self._finished(request, session)
        if start != len(session["data"]):
            return _incomplete(session)  # Google keeps what it has and says so
        session["data"] += raw
        if len(session["data"]) < session["total"]:
            return _incomplete(session)
        session["video"] = self.create_video(session, self.now())["id"]
        return self._finished(request, session)

    def _finished(self: FakeYouTube, request: Recorded, session: dict[str, Any]) -> Reply:
        video = self.videos[session["video"]]
        body = {
            k: v
            for k, v in video["resource"].items()
            if k in {"kind", "etag", "id"} | session["parts"]
        }
        reply = Reply(self.final_status, body, content_type=JSON)
        self._check_reply(request, self.spec.find("POST", VIDEOS) if self.spec else None, reply)
        return reply

    def create_video(self: FakeYouTube, session: dict[str, Any], when: float) -> dict[str, Any]:
        channel = self.channels[session["channel"]]
        video_id = self.next_id()
        snippet, status = session["snippet"], session["status"]
        thumbnails = default_thumbnails(video_id)
        resource = {
            "kind": "youtube#video",
            "etag": secrets.token_urlsafe(12),
            "id": video_id,
            "snippet": {
                "publishedAt": rfc3339(when),
                "channelId": channel["id"],
                "title": snippet.get("title", ""),
                "description": snippet.get("description", ""),
                "thumbnails": thumbnails,
                "channelTitle": channel["title"],
                **({"tags": snippet["tags"]} if snippet.get("tags") else {}),
                "categoryId": snippet.get("categoryId") or "22",
                "liveBroadcastContent": "none",
                "localized": {
                    "title": snippet.get("title", ""),
                    "description": snippet.get("description", ""),
                },
            },
            "status": {
                "uploadStatus": "uploaded",
                "privacyStatus": status.get("privacyStatus", "public"),
                "license": "youtube",
                "embeddable": True,
                "publicStatsViewable": True,
                "madeForKids": bool(status.get("selfDeclaredMadeForKids")),
                **(
                    {"selfDeclaredMadeForKids": status["selfDeclaredMadeForKids"]}
                    if "selfDeclaredMadeForKids" in status
                    else {}
                ),
            },
        }
        self.videos[video_id] = {
            "resource": resource,
            "channel": channel["id"],
            "day": self.quota_day(),
            "created": when,
            "bytes": bytes(session.get("data") or b""),
            "thumbnail": None,
        }
        self.playlists[channel["uploads"]].insert(0, video_id)
        return resource

    # --- thumbnails.set ---

    def set_thumbnail(self: FakeYouTube, request: Recorded) -> Reply:
        grant = self.grant_for(request)
        video = self.videos.get(request.query.get("videoId", ""))
        channel = self.channel_of(grant["user"]) if grant else None
        if video is None or channel is None or video["channel"] != channel["id"]:
            return google_error(404, "videoNotFound")
        if not self.thumbnails_allowed:
            return google_error(403, "forbidden")
        image = request.body if isinstance(request.body, bytes) else b""
        if len(image) > 2 * 1024 * 1024:
            return google_error(413, "mediaBodyTooLarge")
        if not image.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
            return google_error(400, "invalidImage", "The image is not a JPEG or PNG.")
        video["thumbnail"] = image
        thumbnails = default_thumbnails(video["resource"]["id"])
        body = {"kind": "youtube#thumbnailSetResponse", "etag": secrets.token_urlsafe(12)}
        body["items"] = [thumbnails]
        return Reply(200, body, content_type=JSON)

    # --- channels.list and playlistItems.list ---


def metadata_problem(snippet: dict[str, Any]) -> str:
    """The reason YouTube refuses a video's snippet with, or "" (videos resource limits)."""
    title = str(snippet.get("title") or "")
    description = str(snippet.get("description") or "")
    if (
        not title.strip()
        or len(unicodedata.normalize("NFC", title)) > 100
        or set("<>") & set(title)
    ):
        return "invalidTitle"
    if len(description.encode()) > 5000 or set("<>") & set(description):
        return "invalidDescription"
    tags = [str(t) for t in snippet.get("tags") or []]
    if sum(len(t) + (2 if " " in t else 0) for t in tags) + max(0, len(tags) - 1) > 500:
        return "invalidTags"
    if "categoryId" in snippet and str(snippet["categoryId"]) not in CATEGORIES:
        return "invalidCategoryId"
    return ""


def _incomplete(session: dict[str, Any]) -> Reply:
    """308 Resume Incomplete, with the bytes received so far (none: no Range)."""
    have = len(session["data"])
    headers: dict[str, str | None] = {"X-GUploader-UploadID": session["id"]}
    if have:
        headers["Range"] = f"bytes=0-{have - 1}"
    return Reply(308, None, headers, checked=False)

"""videos.list part=statistics and channels' statistics as FakeYouTube serves them
(the methods' API reference pages). `self` is the FakeYouTube.

videos.list takes up to 50 ids and leaves out any it does not have (a deleted
video); counts are uint64 strings, and one the owner hid is left out of
`statistics` (likes hidden: likeCount; comments turned off: commentCount).

    fake.set_statistics(video, viewCount=120, likeCount=9, commentCount=None)
    fake.set_subscribers(CHANNEL, 1500, hidden=False)
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from tests.fakes.x import Recorded, Reply
from tests.fakes.youtube_wire import JSON, google_error

if TYPE_CHECKING:
    from tests.fakes.youtube import FakeYouTube

MAX_IDS = 50


class MetricsRoutes:
    """videos.list; mixed into FakeYouTube through Routes."""

    # --- Seeding ---

    def set_statistics(self: FakeYouTube, video_id: str, **counts: int | None) -> None:
        """Set a video's counts by YouTube's names; None hides one (left out)."""
        statistics = self.videos[video_id].setdefault("statistics", _zero())
        for name, value in counts.items():
            if value is None:
                statistics.pop(name, None)
            else:
                statistics[name] = str(value)

    def set_subscribers(
        self: FakeYouTube, channel_id: str, subscribers: int, *, hidden: bool = False
    ) -> None:
        self.channels[channel_id]["statistics"] = {
            "viewCount": "48211",
            "subscriberCount": str(subscribers),
            "hiddenSubscriberCount": hidden,
            "videoCount": str(len(self.playlists[self.channels[channel_id]["uploads"]])),
        }

    # --- videos.list ---

    def list_videos(self: FakeYouTube, request: Recorded) -> Reply:
        query = request.query
        parts = set(query.get("part", "").split(","))
        ids = [i for i in query.get("id", "").split(",") if i]
        if not ids:
            return google_error(400, "missingRequiredParameter", "No filter selected.")
        if len(ids) > MAX_IDS:
            self.contract_violations.append(f"videos.list with {len(ids)} ids (at most 50)")
            return google_error(400, "invalidParameter", "Too many ids.", domain="global")
        items = [self.video_resource(v, parts) for v in ids if v in self.videos]
        body: dict[str, Any] = {
            "kind": "youtube#videoListResponse",
            "etag": secrets.token_urlsafe(12),
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        }
        if items:  # proto3 JSON leaves an empty list out
            body["items"] = items
        return Reply(200, body, content_type=JSON)

    def video_resource(self: FakeYouTube, video_id: str, parts: set[str]) -> dict[str, Any]:
        video = self.videos[video_id]
        resource: dict[str, Any] = {
            "kind": "youtube#video",
            "etag": secrets.token_urlsafe(12),
            "id": video_id,
        }
        for part in ("snippet", "status"):
            if part in parts:
                resource[part] = video["resource"][part]
        if "statistics" in parts:
            resource["statistics"] = dict(video.get("statistics") or _zero())
        return resource


def channel_statistics(channel: dict[str, Any]) -> dict[str, Any]:
    """A channel's statistics part; a hidden subscriber count is left out."""
    statistics = dict(
        channel.get("statistics")
        or {"viewCount": "0", "subscriberCount": "0", "hiddenSubscriberCount": False}
    )
    if statistics.get("hiddenSubscriberCount"):
        statistics.pop("subscriberCount", None)
    statistics.setdefault("videoCount", "0")
    return statistics


def _zero() -> dict[str, str]:
    return {"viewCount": "0", "likeCount": "0", "favoriteCount": "0", "commentCount": "0"}

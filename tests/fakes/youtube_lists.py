"""channels.list and playlistItems.list as FakeYouTube serves them, with paging by
opaque page tokens, newest upload first (the methods' API reference pages).
`self` is the FakeYouTube.
"""

from __future__ import annotations

import base64
import secrets
from typing import TYPE_CHECKING, Any

from tests.fakes.x import Recorded, Reply
from tests.fakes.youtube_metrics import channel_statistics
from tests.fakes.youtube_wire import JSON, google_error, rfc3339

if TYPE_CHECKING:
    from tests.fakes.youtube import FakeYouTube


class ListRoutes:
    """channels.list and playlistItems.list; mixed into FakeYouTube through Routes."""

    def list_channels(self: FakeYouTube, request: Recorded) -> Reply:
        grant = self.grant_for(request)
        query = request.query
        parts = set(query.get("part", "").split(","))
        if query.get("mine") == "true":
            found = [c for c in self.channels.values() if grant and c["user"] == grant["user"]]
        elif query.get("id"):
            found = [self.channels[i] for i in query["id"].split(",") if i in self.channels]
        else:
            return google_error(400, "missingRequiredParameter", "No filter selected.")
        items = [channel_resource(c, parts) for c in found]
        body: dict[str, Any] = {
            "kind": "youtube#channelListResponse",
            "etag": secrets.token_urlsafe(12),
            "pageInfo": {"totalResults": len(items), "resultsPerPage": 5},
        }
        if items:  # proto3 JSON leaves an empty list out
            body["items"] = items
        return Reply(200, body, content_type=JSON)

    def list_playlist_items(self: FakeYouTube, request: Recorded) -> Reply:
        query = request.query
        playlist = self.playlists.get(query.get("playlistId", ""))
        if playlist is None:
            return google_error(404, "playlistNotFound")
        size = int(query.get("maxResults") or 5)
        try:
            offset = (
                int(base64.urlsafe_b64decode(query["pageToken"]).decode().removeprefix("o:"))
                if query.get("pageToken")
                else 0
            )
        except ValueError:
            return google_error(400, "invalidPageToken")
        listed = [v for v in playlist if self.videos[v]["created"] + self.listing_lag <= self.now()]
        page = listed[offset : offset + size]
        parts = set(query.get("part", "").split(","))
        items = [
            self.playlist_item(query["playlistId"], v, offset + n, parts)
            for n, v in enumerate(page)
        ]
        body: dict[str, Any] = {
            "kind": "youtube#playlistItemListResponse",
            "etag": secrets.token_urlsafe(12),
            "items": items,
            "pageInfo": {"totalResults": len(listed), "resultsPerPage": size},
        }
        if offset + size < len(listed):
            body["nextPageToken"] = _token(offset + size)
        if offset:
            body["prevPageToken"] = _token(max(0, offset - size))
        return Reply(200, body, content_type=JSON)

    def playlist_item(
        self: FakeYouTube, playlist_id: str, video_id: str, position: int, parts: set[str]
    ) -> dict[str, Any]:
        video = self.videos[video_id]
        snippet = video["resource"]["snippet"]
        item: dict[str, Any] = {
            "kind": "youtube#playlistItem",
            "etag": secrets.token_urlsafe(12),
            "id": base64.urlsafe_b64encode(f"{playlist_id}.{video_id}".encode()).decode(),
        }
        if "snippet" in parts:
            item["snippet"] = {
                "publishedAt": rfc3339(video["created"]),
                "channelId": snippet["channelId"],
                "title": snippet["title"],
                "description": snippet["description"],
                "thumbnails": snippet["thumbnails"],
                "channelTitle": snippet["channelTitle"],
                "playlistId": playlist_id,
                "position": position,
                "resourceId": {"kind": "youtube#video", "videoId": video_id},
                "videoOwnerChannelTitle": snippet["channelTitle"],
                "videoOwnerChannelId": snippet["channelId"],
            }
        if "contentDetails" in parts:
            item["contentDetails"] = {
                "videoId": video_id,
                "videoPublishedAt": snippet["publishedAt"],
            }
        if "status" in parts:
            item["status"] = {"privacyStatus": video["resource"]["status"]["privacyStatus"]}
        return item


def channel_resource(channel: dict[str, Any], parts: set[str]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "kind": "youtube#channel",
        "etag": "etag-" + channel["id"],
        "id": channel["id"],
    }
    if "snippet" in parts:
        resource["snippet"] = {
            "title": channel["title"],
            "description": "",
            "customUrl": channel["customUrl"],
            "publishedAt": rfc3339(channel["created"]),
            "thumbnails": {
                size: {
                    "url": f"https://yt3.ggpht.example/{channel['id']}={size}",
                    "width": w,
                    "height": w,
                }
                for size, w in (("default", 88), ("medium", 240), ("high", 800))
            },
            "localized": {"title": channel["title"], "description": ""},
        }
    if "contentDetails" in parts:
        resource["contentDetails"] = {
            "relatedPlaylists": {"likes": "", "uploads": channel["uploads"]}
        }
    if "statistics" in parts:
        resource["statistics"] = channel_statistics(channel)
    return resource


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()

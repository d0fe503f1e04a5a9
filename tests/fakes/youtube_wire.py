"""Google's error envelope and the small pieces of wire format the YouTube fake shares.

The envelope follows platforms.md §6: {"error": {"code", "message", "errors":
[{"message", "domain", "reason", "location"?, "locationType"?}], "status"?}}.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.fakes.x import Reply

JSON = "application/json; charset=UTF-8"
QUOTA_MESSAGE = (
    'The request cannot be completed because you have exceeded your <a href="/youtube/v3/'
    'getting-started#quota">quota</a>.'
)
# reason -> (domain, message, google.rpc status or "", location) (platforms.md §6)
KNOWN: dict[str, tuple[str, str, str, str]] = {
    "authError": (
        "global",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
        "UNAUTHENTICATED",
        "Authorization",
    ),
    "insufficientPermissions": (
        "global",
        "Request had insufficient authentication scopes.",
        "PERMISSION_DENIED",
        "",
    ),
    "quotaExceeded": ("youtube.quota", QUOTA_MESSAGE, "", ""),
    "rateLimitExceeded": (
        "usageLimits",
        "Quota exceeded for quota metric 'Video Uploads' and limit 'Video Uploads per day' "
        "of service 'youtube.googleapis.com'.",
        "RESOURCE_EXHAUSTED",
        "",
    ),
    "uploadLimitExceeded": (
        "youtube.video",
        "The user has exceeded the number of videos they may upload.",
        "",
        "",
    ),
    "invalidTitle": (
        "youtube.video",
        "The request metadata specifies an invalid or empty video title.",
        "",
        "body.snippet.title",
    ),
    "invalidDescription": (
        "youtube.video",
        "The request metadata specifies an invalid video description.",
        "",
        "body.snippet.description",
    ),
    "invalidTags": (
        "youtube.video",
        "The request metadata specifies invalid video keywords.",
        "",
        "body.snippet.tags",
    ),
    "invalidCategoryId": (
        "youtube.video",
        "The <code>snippet.categoryId</code> property specifies an invalid category ID.",
        "",
        "body.snippet.categoryId",
    ),
    "videoNotFound": (
        "youtube.thumbnail",
        "The video that you are trying to update cannot be found.",
        "",
        "videoId",
    ),
    "forbidden": (
        "youtube.thumbnail",
        "The authenticated user doesn't have permissions to upload and set custom video "
        "thumbnails.",
        "",
        "",
    ),
    "mediaBodyTooLarge": ("global", "Media larger than 2097152.", "", ""),
    "playlistNotFound": (
        "youtube.playlistItem",
        "The playlist identified with the request's <code>playlistId</code> parameter "
        "cannot be found.",
        "",
        "playlistId",
    ),
    "invalidPageToken": (
        "youtube.parameter",
        "The request specifies an invalid page token.",
        "",
        "",
    ),
    "notFound": ("global", "Upload session not found or expired.", "NOT_FOUND", ""),
    # comments and commentThreads (their API reference pages)
    "commentNotFound": (
        "youtube.comment",
        "One or more of the comments identified by the <code>id</code> parameter cannot be found.",
        "",
        "id",
    ),
    "parentCommentNotFound": (
        "youtube.comment",
        "The specified parent comment could not be found.",
        "",
        "body.snippet.parentId",
    ),
    "commentsDisabled": (
        "youtube.commentThread",
        "The video identified by the <code>videoId</code> parameter has disabled comments.",
        "",
        "videoId",
    ),
    "operationNotSupported": (
        "youtube.comment",
        "The API user is not able to insert a comment in reply to the specified comment.",
        "",
        "",
    ),
    "commentTextRequired": (
        "youtube.comment",
        "The comment resource that is being inserted must specify a value for the "
        "<code>snippet.textOriginal</code> property.",
        "",
        "body.snippet.textOriginal",
    ),
    "commentTextTooLong": (
        "youtube.comment",
        "The comment resource that is being inserted contains too many characters in the "
        "<code>snippet.textOriginal</code> property.",
        "",
        "body.snippet.textOriginal",
    ),
    "backendError": ("global", "Backend Error", "", ""),
}
DEFAULT_REASONS = {
    400: "badRequest",
    401: "authError",
    403: "forbidden",
    404: "notFound",
    429: "rateLimitExceeded",
    500: "backendError",
    503: "backendError",
}


def google_error(status: int, reason: str = "", message: str = "", *, domain: str = "") -> Reply:
    """Google's error envelope (platforms.md §6)."""
    reason = reason or DEFAULT_REASONS.get(status, "backendError")
    known_domain, known_message, rpc, location = KNOWN.get(reason, ("global", "", "", ""))
    message = message or known_message or reason
    item: dict[str, Any] = {"message": message, "domain": domain or known_domain, "reason": reason}
    if location:
        item["location"] = location
        item["locationType"] = "header" if location == "Authorization" else "parameter"
    error: dict[str, Any] = {"code": status, "message": message, "errors": [item]}
    if rpc:
        error["status"] = rpc
    headers: dict[str, str | None] = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/"'
    return Reply(status, {"error": error}, headers, content_type=JSON)


def rfc3339(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_thumbnails(video_id: str) -> dict[str, Any]:
    sizes = (("default", 120, 90), ("medium", 320, 180), ("high", 480, 360))
    return {
        name: {"url": f"https://i.ytimg.com/vi/{video_id}/{name}.jpg", "width": w, "height": h}
        for name, w, h in sizes
    }

"""Uploading a post's images and video to LinkedIn (platforms.md §5 Images API;
learn.microsoft.com/linkedin/marketing/community-management/shares/videos-api).

Images: `POST /rest/images?action=initializeUpload` names an upload URL and an
image URN; `PUT` the bytes there with the bearer token (201). Videos: the same
init on /rest/videos with the file's size answers with one upload URL per
byte range (`uploadInstructions`); each part is PUT and answers an ETag, and
`finalizeUpload` with those ETags hands the video to processing, which ends
AVAILABLE or PROCESSING_FAILED (`GET /rest/videos/{urn}`).

Each URN is recorded in Progress as soon as its upload is confirmed, so a
retry after a later failure posts the same asset instead of uploading again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from channels.adapters.base import MediaItem, Permanent, Progress, Transient
from channels.adapters.linkedin_http import LinkedInAPI
from channels.adapters.polling import Budget
from channels.words import whole, words

READY = "AVAILABLE"
FAILED = "PROCESSING_FAILED"


def image_urn(api: LinkedInAPI, owner: str, item: MediaItem, index: int, progress: Progress) -> str:
    """Return the URN of the post's image number `index`, uploading it unless done before."""
    step = f"image.{index}"
    done = progress.get(step)
    if done:
        return str(done)
    answer = api.post(
        "/rest/images",
        words("the image upload"),
        {"initializeUploadRequest": {"owner": owner}},
        params={"action": "initializeUpload"},
    )
    value = _value(answer)
    url, urn = str(value.get("uploadUrl") or ""), str(value.get("image") or "")
    if not url or not urn:
        raise Transient(words("LinkedIn did not say where to upload the image."), code="no-url")
    with open(item.path, "rb") as file:
        data = file.read()
    _put(api, url, data, {"Authorization": f"Bearer {api.token}"}, words("the image"))
    progress.record(step, urn)
    return urn


def video_urn(
    api: LinkedInAPI, owner: str, item: MediaItem, progress: Progress, budget: Budget
) -> str:
    """Return the URN of the post's video once LinkedIn has it AVAILABLE."""
    urn = str(progress.get("video") or "")
    if not urn:
        urn = _upload_video(api, owner, item)
        progress.record("video", urn)
    wait_available(api, urn, budget)
    return urn


def _upload_video(api: LinkedInAPI, owner: str, item: MediaItem) -> str:
    answer = api.post(
        "/rest/videos",
        words("the video upload"),
        {
            "initializeUploadRequest": {
                "owner": owner,
                "fileSizeBytes": item.size,
                "uploadCaptions": False,
                "uploadThumbnail": False,
            }
        },
        params={"action": "initializeUpload"},
    )
    value = _value(answer)
    urn = str(value.get("video") or "")
    parts = [p for p in value.get("uploadInstructions") or [] if isinstance(p, dict)]
    if not urn or not parts:
        raise Transient(words("LinkedIn did not say where to upload the video."), code="no-url")
    etags = []
    with open(item.path, "rb") as file:
        for part in sorted(parts, key=lambda p: int(p.get("firstByte") or 0)):
            first, last = int(part.get("firstByte") or 0), int(part.get("lastByte") or 0)
            file.seek(first)
            data = file.read(last - first + 1)
            response = _put(
                api,
                str(part.get("uploadUrl") or ""),
                data,
                {"Content-Type": "application/octet-stream"},
                words("a part of the video"),
            )
            etags.append(str(response.headers.get("ETag") or ""))
    api.post(
        "/rest/videos",
        words("the finished video upload"),
        {
            "finalizeUploadRequest": {
                "video": urn,
                "uploadToken": str(value.get("uploadToken") or ""),
                "uploadedPartIds": etags,
            }
        },
        params={"action": "finalizeUpload"},
    )
    return urn


def wait_available(api: LinkedInAPI, urn: str, budget: Budget) -> None:
    """Poll the video's status until AVAILABLE. PROCESSING_FAILED is Permanent; still
    processing when the budget is spent is Transient, and the next attempt finds
    the URN in Progress and waits again."""
    while True:
        status = str(
            api.get(f"/rest/videos/{quote(urn, safe='')}", words("the video's status")).get(
                "status"
            )
            or ""
        )
        if status == READY:
            return
        if status == FAILED:
            raise Permanent(words("LinkedIn could not process the video."), code=FAILED)
        if not budget.wait():
            raise Transient(
                words(
                    "LinkedIn is still processing the video after %(seconds)s seconds; "
                    "SMO checks the same video again later.",
                    seconds=whole(budget.waited),
                ),
                code="processing",
            )


def _put(
    api: LinkedInAPI, url: str, data: bytes, headers: dict[str, str], what: Any
) -> requests.Response:
    """PUT bytes to LinkedIn's upload host. Nothing is public yet, so any failure
    is Transient except a 4xx refusal of the file itself."""
    try:
        response = api.session.put(url, data=data, headers=headers)
    except requests.RequestException as error:
        name = type(error).__name__
        raise Transient(
            words("LinkedIn's upload host did not answer (%(error)s).", error=name), code=name
        ) from None
    if response.ok:
        return response
    status = response.status_code
    if status >= 500 or status in (401, 403, 408, 429):
        # 401/403 here mean an upload URL that expired: a new attempt asks for another.
        raise Transient(
            words(
                "LinkedIn's upload host refused %(what)s (%(status)s).", what=what, status=status
            ),
            status=status,
        )
    raise Permanent(
        words("LinkedIn's upload host refused %(what)s (%(status)s).", what=what, status=status),
        status=status,
    )


def _value(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    value = body.get("value") if isinstance(body, dict) else None
    return value if isinstance(value, dict) else {}

"""Finding a post whose publish_id was lost, in the creator's own video list.

`POST /v2/video/list/` (scope video.list; developers.tiktok.com/doc/
tiktok-api-v2-video-list) lists the creator's *public* posts, newest first, up
to 20 a page, with a millisecond `cursor` that pages back in time; a page may
hold fewer than asked for even when `has_more` is true. Titles and descriptions
come back cut to 150 characters (the Video Object reference).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

from channels.adapters.tiktok_api import Call, TikTokClient

LIST_FIELDS = "id,title,video_description,create_time,share_url"
PAGE_SIZE = 20
SHOWN = 150  # characters of a title or description the list shows


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def same_text(listed: str, ours: str) -> bool:
    """Whether a listed title or description is our text, perhaps cut short."""
    listed, ours = _normal(listed).rstrip("…").rstrip(), _normal(ours)
    if not listed:
        return False
    if listed == ours:
        return True
    # Cut to 150 characters: a long enough start of ours counts.
    return len(ours) > SHOWN and len(listed) >= SHOWN - 10 and ours.startswith(listed)


def created(video: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(video.get("create_time") or 0), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def find_listed(
    client: TikTokClient,
    texts: tuple[str, ...],
    not_before: datetime | None,
    max_pages: int = 3,
) -> dict[str, Any] | None:
    """Return the newest listed video whose title or description is one of `texts`,
    made no earlier than `not_before`."""
    wanted = [t for t in texts if t.strip()]
    cursor: int | None = None
    for _ in range(max_pages):
        body: dict[str, Any] = {"max_count": PAGE_SIZE}
        if cursor is not None:
            body["cursor"] = cursor
        page = client.post("/v2/video/list/", body, Call.READ, params={"fields": LIST_FIELDS})
        for video in page.get("videos") or []:
            made = created(video)
            if not_before is not None and made is not None and made < not_before:
                return None  # newest first: the rest is older still
            shown = (str(video.get("title") or ""), str(video.get("video_description") or ""))
            if any(same_text(s, t) for s in shown for t in wanted):
                return dict(video)
        if not page.get("has_more") or page.get("cursor") in (None, cursor):
            return None
        cursor = int(page["cursor"])
    return None

"""Waiting for a TikTok publish to finish: status/fetch and what its answers mean
(platforms.md §7; developers.tiktok.com/doc/content-posting-api-reference-get-video-status).

A publish goes PROCESSING_UPLOAD or PROCESSING_DOWNLOAD, then PUBLISH_COMPLETE
or FAILED with a `fail_reason`. A public post's id (`publicaly_available_post_id`,
sic) comes only after moderation, "usually within one minute, in some cases a
few hours", and a private post gets none.
"""

from __future__ import annotations

from typing import Any

from channels.adapters.base import Permanent, Transient
from channels.adapters.polling import Budget
from channels.adapters.tiktok_api import Call, TikTokClient
from channels.words import Words, whole, words

STATUS = "/v2/post/publish/status/fetch/"
PROCESSING = frozenset({"PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD"})

# fail_reason values (Get Post Status reference) in words people can act on.
FAIL_REASONS = {
    "file_format_check_failed": words("the file's format is not one TikTok takes"),
    "duration_check_failed": words("the video is too long or too short for this account"),
    "frame_rate_check_failed": words("the video's frame rate is not one TikTok takes"),
    "picture_size_check_failed": words("the picture size is not one TikTok takes"),
    "internal": words("TikTok had an internal error; schedule the post again"),
    "video_pull_failed": words("TikTok could not fetch the video from its URL"),
    "photo_pull_failed": words("TikTok could not fetch a photo from its URL"),
    "publish_cancelled": words("the post was cancelled in TikTok"),
    "auth_removed": words("the account no longer allows SMO to post; reconnect it"),
    "spam_risk_too_many_posts": words("the account has posted too much today"),
    "spam_risk_user_banned_from_posting": words("the account may not post for now"),
    "spam_risk_text": words("TikTok took the text for spam"),
    "spam_risk": words("TikTok took the post for spam"),
}


def fetch_status(client: TikTokClient, publish_id: str) -> dict[str, Any]:
    return client.post(STATUS, {"publish_id": publish_id}, Call.READ)


def wait_until_done(client: TikTokClient, publish_id: str, budget: Budget) -> dict[str, Any]:
    """Poll status/fetch (30 requests a minute) until PUBLISH_COMPLETE; return that answer.

    FAILED is Permanent. Still processing at the bound is Transient: the caller's
    progress keeps the publish_id, so the next attempt polls the same publish.
    """
    while True:
        data = fetch_status(client, publish_id)
        status = str(data.get("status") or "")
        if status == "PUBLISH_COMPLETE":
            return data
        if status == "FAILED":
            reason = str(data.get("fail_reason") or "")
            raise Permanent(
                words("TikTok could not publish the post: %(reason)s", reason=fail_words(reason)),
                code=reason or "failed",
            )
        if status == "SEND_TO_USER_INBOX":
            raise Permanent(
                words(
                    "TikTok sent the post to the account's inbox instead of publishing it; "
                    "finish it in the TikTok app."
                ),
                code="inbox",
            )
        if status not in PROCESSING:
            raise Transient(
                words("TikTok reported an unknown status (%(status)s).", status=status or "-"),
                code="status",
            )
        if not budget.wait():
            raise Transient(
                words(
                    "TikTok is still processing the post after %(seconds)s seconds; "
                    "SMO checks the same post again later.",
                    seconds=whole(budget.waited),
                ),
                code="processing",
            )


def fail_words(reason: str) -> Words | str:
    return FAIL_REASONS.get(reason) or reason or words("no reason given")


def post_ids(data: dict[str, Any]) -> list[str]:
    return [str(i) for i in data.get("publicaly_available_post_id") or []]  # sic (§7)


def post_url(username: str, post_id: str) -> str:
    return f"https://www.tiktok.com/@{username}/video/{post_id}"


def profile_url(username: str) -> str:
    return f"https://www.tiktok.com/@{username}" if username else "https://www.tiktok.com/"

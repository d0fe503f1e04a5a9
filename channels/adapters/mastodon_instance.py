"""A Mastodon instance's own limits, read from it and kept in the account's options.

Every instance sets its own: text length, attachments, file sizes and types,
poll sizes (GET /api/v2/instance `configuration`, platforms.md §10). They are
read when an account connects and again each day (scheduler/instance_limits.py),
stored in SocialAccount.options["limits"], and turned into the account's
`Limits` by `limits_from`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mastodon import Mastodon
from mastodon.errors import MastodonNotFoundError

from channels import text as text_rules
from channels.adapters.base import Limits

MB = 1024 * 1024
# Mastodon's defaults (platforms.md §10; app/models/media_attachment.rb, poll.rb):
# what an instance that does not say is taken to allow.
DEFAULTS: dict[str, Any] = {
    "max_characters": 500,
    "max_media_attachments": 4,
    "characters_reserved_per_url": 23,
    "image_size_limit": 16 * MB,
    "video_size_limit": 99 * MB,
    "supported_mime_types": [],
    "poll_max_options": 4,
    "poll_max_characters_per_option": 50,
    "poll_min_expiration": 300,
    "poll_max_expiration": 2_629_746,
}
IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "image/avif"}
)
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm"})


def read_instance(api: Mastodon) -> dict[str, Any]:
    """Return {"version": ..., "limits": {...}} from the instance (adapter errors
    are raised by the caller's `calling` block)."""
    try:
        found = api.instance_v2()
    except MastodonNotFoundError:
        found = api.instance_v1()  # before 4.0, and some other servers
    return {"version": str(found.get("version") or ""), "limits": limits_of(found)}


def limits_of(instance: Mapping[str, Any]) -> dict[str, Any]:
    """The limits an instance document states, as plain JSON for options."""
    config = instance.get("configuration") or {}
    statuses = config.get("statuses") or {}
    media = config.get("media_attachments") or {}
    polls = config.get("polls") or {}
    found = {
        "max_characters": statuses.get("max_characters")
        or instance.get("max_toot_chars"),  # Pleroma, Akkoma
        "max_media_attachments": statuses.get("max_media_attachments"),
        "characters_reserved_per_url": statuses.get("characters_reserved_per_url"),
        "image_size_limit": media.get("image_size_limit"),
        "video_size_limit": media.get("video_size_limit"),
        "supported_mime_types": list(media.get("supported_mime_types") or []),
        "poll_max_options": polls.get("max_options"),
        "poll_max_characters_per_option": polls.get("max_characters_per_option"),
        "poll_min_expiration": polls.get("min_expiration"),
        "poll_max_expiration": polls.get("max_expiration"),
    }
    return {k: v for k, v in found.items() if v not in (None, [])}


def limit(options: Mapping[str, Any], name: str) -> Any:
    """One stored limit of the account's instance, or Mastodon's default."""
    stored = options.get("limits") if isinstance(options, Mapping) else None
    value = (stored or {}).get(name)
    default = DEFAULTS[name]
    if isinstance(default, int):
        return (
            value
            if isinstance(value, int) and not isinstance(value, bool) and value > 0
            else default
        )
    return value if isinstance(value, list) else default


def limits_from(options: Mapping[str, Any], base: Limits) -> Limits:
    """The account's Limits: `base` with its instance's numbers."""
    mimes = {str(m) for m in limit(options, "supported_mime_types")}
    images = frozenset(m for m in mimes if m.startswith("image/")) or IMAGE_TYPES
    videos = frozenset(m for m in mimes if m.startswith("video/")) or VIDEO_TYPES
    return Limits(
        max_text=limit(options, "max_characters"),
        counting=text_rules.MASTODON,
        url_length=limit(options, "characters_reserved_per_url"),
        max_images=limit(options, "max_media_attachments"),
        max_videos=base.max_videos,
        mix_images_and_video=False,
        requires_text_or_media=True,
        threads=True,
        max_image_bytes=limit(options, "image_size_limit"),
        max_video_bytes=limit(options, "video_size_limit"),
        image_types=images,
        video_types=videos,
        posts_per_window=base.posts_per_window,
        window=base.window,
    )

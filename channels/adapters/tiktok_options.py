"""What a TikTok post is made of: its settings, what TikTok refuses before anything
is sent, and the `post_info` TikTok takes (platforms.md §7).

TikTok's UX guidelines for the Content Posting API (quoted in SMO's issue 6 and
developers.tiktok.com/doc/content-sharing-guidelines) shape the settings:
- the privacy level is chosen by a person for every post, from the account's own
  `privacy_level_options`, with no default;
- comments, duets and stitches stay off unless a person turns them on, and one
  the creator has turned off in the app cannot be turned on (duets and stitches
  do not apply to photo posts);
- commercial content is disclosed as "your brand" or "branded content" (a paid
  partnership), and branded content cannot be private.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from channels.adapters.base import Content, MediaItem, Permanent, PostOption, Problem
from channels.words import Words, whole, words

MB = 1000 * 1000
MAX_CAPTION = 2200  # a video's title, in UTF-16 units ("runes"; direct post reference)
MAX_DESCRIPTION = 4000  # a photo post's description, likewise
MAX_PHOTO_TITLE = 90
MAX_PHOTOS = 35  # unconfirmed (§7)
PHOTO_TYPES = frozenset({"image/jpeg", "image/webp"})  # PNG is refused (§7)
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm"})
MAX_PHOTO_BYTES = 20 * MB  # unconfirmed: third-party guides name 20 MB
MAX_VIDEO_BYTES = 4000 * MB  # "4 GB" in TikTok's video restrictions
# Every creator may post 3 minutes; some 5 or 10. creator_info says each
# account's own maximum at publish time; this is the largest there is.
MAX_VIDEO_SECONDS = 600

PUBLIC = "PUBLIC_TO_EVERYONE"
PRIVATE = "SELF_ONLY"
PRIVACY_LEVELS: dict[str, Words] = {
    PUBLIC: words("Everyone"),
    "MUTUAL_FOLLOW_FRIENDS": words("Friends (followers you follow back)"),
    "FOLLOWER_OF_CREATOR": words("Followers"),
    PRIVATE: words("Only me"),
}

POST_OPTIONS: tuple[PostOption, ...] = (
    PostOption(
        "privacy_level",
        words("who can see the post"),
        kind="choice",
        required=True,
        per_account=True,
        help=words("TikTok asks for this on every post, from the choices the account has."),
    ),
    PostOption(
        "disable_comment",
        words("Turn off comments"),
        kind="bool",
        default=True,
        help=words("TikTok keeps comments off unless you allow them."),
    ),
    PostOption(
        "disable_duet",
        words("Turn off duets"),
        kind="bool",
        default=True,
        help=words("Videos only."),
    ),
    PostOption(
        "disable_stitch",
        words("Turn off stitches"),
        kind="bool",
        default=True,
        help=words("Videos only."),
    ),
    PostOption(
        "title",
        words("the photo title"),
        max_length=MAX_PHOTO_TITLE,
        help=words("Photo posts only; the post's text becomes the description."),
    ),
    PostOption(
        "photo_cover",
        words("the cover photo's number"),
        help=words("Photo posts only: 1 for the first photo (the default), 2 for the second."),
    ),
    PostOption(
        "brand_organic_toggle",
        words("Promotes your own brand"),
        kind="bool",
        default=False,
        help=words("TikTok labels the post as promotional content."),
    ),
    PostOption(
        "brand_content_toggle",
        words("Paid partnership (branded content)"),
        kind="bool",
        default=False,
        help=words("Promotes a third party; TikTok labels it and it cannot be private."),
    ),
    PostOption(
        "is_aigc",
        words("AI-generated content"),
        kind="bool",
        default=False,
        help=words("Videos only: TikTok adds its AI-generated label."),
    ),
)


def runes(text: str) -> int:
    """Count the way TikTok does: UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def caption(content: Content) -> str:
    """TikTok shows no link previews, so the link goes at the end of the text."""
    text = content.text.replace("\r\n", "\n")
    if not content.link or content.link in text:
        return text
    return f"{text.rstrip()}\n\n{content.link}" if text.strip() else content.link


def is_photo_post(content: Content) -> bool:
    return bool(content.media) and all(m.kind == "image" for m in content.media)


def _flag(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "on", "yes"}
    return bool(value)


@dataclass(frozen=True)
class Choices:
    """A post's TikTok settings, defaults filled in."""

    privacy_level: str
    disable_comment: bool
    disable_duet: bool
    disable_stitch: bool
    title: str
    photo_cover: str
    brand_organic: bool
    brand_content: bool
    is_aigc: bool

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> Choices:
        def flag(name: str) -> bool:
            option = next(o for o in POST_OPTIONS if o.name == name)
            return _flag(options.get(name), bool(option.default))

        return cls(
            privacy_level=str(options.get("privacy_level") or ""),
            disable_comment=flag("disable_comment"),
            disable_duet=flag("disable_duet"),
            disable_stitch=flag("disable_stitch"),
            title=str(options.get("title") or "").strip(),
            photo_cover=str(options.get("photo_cover") or "").strip(),
            brand_organic=flag("brand_organic_toggle"),
            brand_content=flag("brand_content_toggle"),
            is_aigc=flag("is_aigc"),
        )

    def cover_index(self, photos: int) -> int | None:
        """The 0-based photo_cover_index, or None when the number is not a photo's."""
        if not self.photo_cover:
            return 0
        if not self.photo_cover.isdigit() or not 1 <= int(self.photo_cover) <= photos:
            return None
        return int(self.photo_cover) - 1


# --- Checks without the network ---------------------------------------------------


def option_problems(content: Content) -> list[Problem]:
    choices = Choices.of(content.options)
    photos = [m for m in content.media if m.kind == "image"]
    problems = []
    if not choices.privacy_level:
        message = words("Choose who can see this TikTok post: TikTok asks for it every time.")
        problems.append(Problem("options.privacy_level", message, "required"))
    elif choices.privacy_level not in PRIVACY_LEVELS:
        message = words("TikTok has no privacy level %(value)s.", value=choices.privacy_level)
        problems.append(Problem("options.privacy_level", message, "invalid_choice"))
    elif choices.brand_content and choices.privacy_level == PRIVATE:
        message = words(
            "TikTok does not let branded content (a paid partnership) be private; "
            "choose who else can see it."
        )
        problems.append(Problem("options.privacy_level", message, "branded_private"))
    if runes(choices.title) > MAX_PHOTO_TITLE:
        message = words(
            "TikTok allows %(limit)s characters in a photo title; this one has %(length)s.",
            limit=MAX_PHOTO_TITLE,
            length=runes(choices.title),
        )
        problems.append(Problem("options.title", message, "too_long"))
    if photos and choices.cover_index(len(photos)) is None:
        message = words("The cover photo's number must be 1 to %(count)s.", count=len(photos))
        problems.append(Problem("options.photo_cover", message, "invalid"))
    if photos and choices.is_aigc:
        message = words("TikTok labels AI-generated content on videos only.")
        problems.append(Problem("options.is_aigc", message, "unsupported"))
    return problems


def text_problems(content: Content) -> list[Problem]:
    text = caption(content)
    limit = MAX_DESCRIPTION if is_photo_post(content) else MAX_CAPTION
    if runes(text) <= limit:
        return []
    message = words(
        "TikTok allows %(limit)s characters; this text has %(length)s.",
        limit=limit,
        length=runes(text),
    )
    return [Problem("text", message, "too_long")]


def media_problems(media: Sequence[MediaItem]) -> list[Problem]:
    if not media:
        message = words("TikTok needs a video or photos; it has no text-only posts.")
        return [Problem("media", message, "required")]
    videos = [m for m in media if m.kind == "video"]
    photos = [m for m in media if m.kind == "image"]
    problems = []
    if videos and len(media) > 1:
        message = words(
            "TikTok takes one video, or photos without a video; this post has %(count)s files.",
            count=len(media),
        )
        problems.append(Problem("media", message, "too_many"))
    if len(photos) > MAX_PHOTOS:
        message = words(
            "TikTok takes up to %(most)s photos; this post has %(count)s.",
            most=MAX_PHOTOS,
            count=len(photos),
        )
        problems.append(Problem("media", message, "too_many"))
    for item in media:
        found = _item_problem(item)
        if found is not None:
            problems.append(found)
    return problems


def _item_problem(item: MediaItem) -> Problem | None:
    name = os.path.basename(item.path) or item.url
    if item.kind == "image":
        if item.mime_type not in PHOTO_TYPES:
            message = words(
                "TikTok takes JPEG or WebP photos only; %(name)s is %(type)s. "
                "Save it as JPEG and add it again.",
                name=name,
                type=item.mime_type,
            )
            return Problem("media", message, "type")
        if item.size > MAX_PHOTO_BYTES:
            message = words(
                "TikTok takes photos up to 20 MB; %(name)s is %(size)s MB.",
                name=name,
                size=whole(item.size / MB),
            )
            return Problem("media", message, "too_big")
        return None
    if item.mime_type not in VIDEO_TYPES:
        message = words(
            "TikTok takes MP4, MOV or WebM videos; %(name)s is %(type)s.",
            name=name,
            type=item.mime_type,
        )
        return Problem("media", message, "type")
    if item.size > MAX_VIDEO_BYTES:
        message = words(
            "TikTok takes videos up to 4 GB; %(name)s is %(size)s MB.",
            name=name,
            size=whole(item.size / MB, 0),
        )
        return Problem("media", message, "too_big")
    if item.duration is not None and item.duration > MAX_VIDEO_SECONDS:
        message = words(
            "TikTok takes videos up to 10 minutes (some accounts less); %(name)s is "
            "%(length)s seconds.",
            name=name,
            length=whole(item.duration, 0),
        )
        return Problem("media", message, "duration")
    return None


# --- Checks against the account (creator_info, at publish time) --------------------


def creator_refusal(info: Mapping[str, Any], content: Content) -> Permanent | None:
    """What the account's own settings forbid in this post (creator_info/query; §7)."""
    choices = Choices.of(content.options)
    offered = [str(o) for o in info.get("privacy_level_options") or []]
    if choices.privacy_level not in offered:
        return Permanent(
            words(
                "This TikTok account offers %(offered)s as who can see a post; this post "
                "asks for %(chosen)s. Choose one the account offers.",
                offered=", ".join(str(PRIVACY_LEVELS.get(o, o)) for o in offered) or "-",
                chosen=PRIVACY_LEVELS.get(choices.privacy_level, choices.privacy_level or "-"),
            ),
            code="privacy_level_option_mismatch",
        )
    if info.get("comment_disabled") and not choices.disable_comment:
        return _turned_off(words("comments"))
    if is_photo_post(content):
        return None  # duets, stitches and the duration are for videos
    if info.get("duet_disabled") and not choices.disable_duet:
        return _turned_off(words("duets"))
    if info.get("stitch_disabled") and not choices.disable_stitch:
        return _turned_off(words("stitches"))
    most = int(info.get("max_video_post_duration_sec") or 0)
    duration = content.media[0].duration if content.media else None
    if most and duration is not None and duration > most:
        return Permanent(
            words(
                "This TikTok account takes videos up to %(most)s seconds; this one is "
                "%(length)s seconds.",
                most=most,
                length=whole(duration, 0),
            ),
            code="duration",
        )
    return None


def _turned_off(what: Words) -> Permanent:
    return Permanent(
        words(
            "The TikTok account has %(what)s turned off in its settings, and this post "
            "asks for them. Turn them off for the post, or on in the TikTok app.",
            what=what,
        ),
        code="interaction_disabled",
    )


# --- What TikTok is sent ------------------------------------------------------------


def video_post_info(content: Content) -> dict[str, Any]:
    choices = Choices.of(content.options)
    return {
        "title": caption(content),
        "privacy_level": choices.privacy_level,
        "disable_comment": choices.disable_comment,
        "disable_duet": choices.disable_duet,
        "disable_stitch": choices.disable_stitch,
        "brand_organic_toggle": choices.brand_organic,
        "brand_content_toggle": choices.brand_content,
        "is_aigc": choices.is_aigc,
    }


def photo_post_info(content: Content) -> dict[str, Any]:
    choices = Choices.of(content.options)
    info: dict[str, Any] = {
        "description": caption(content),
        "privacy_level": choices.privacy_level,
        "disable_comment": choices.disable_comment,
        "brand_organic_toggle": choices.brand_organic,
        "brand_content_toggle": choices.brand_content,
    }
    if choices.title:
        info["title"] = choices.title
    return info

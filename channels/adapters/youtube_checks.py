"""What a YouTube video is made of, and what YouTube would refuse in it.

The post's text is the video's description; its title, privacy, category, tags,
made-for-kids answer and format (a video or a Short) are post options. Limits
from platforms.md §6 and YouTube's videos resource reference
(developers.google.com/youtube/v3/docs/videos): a title of at most 100
characters, a description of at most 5,000 bytes, neither with "<" or ">", tags
of at most 500 characters together. A Short is a vertical or square video of at
most 3 minutes (YouTube Help "Upload YouTube Shorts").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from channels import text as text_rules
from channels.adapters.base import Content, MediaItem, PostOption, Problem
from channels.words import Words, whole, words

MAX_TITLE = 100
MAX_DESCRIPTION = 5000  # bytes
MAX_TAGS = 500
MAX_SHORT_SECONDS = 180
ANGLE_BRACKETS = frozenset("<>")
PRIVACY = ("public", "unlisted", "private")
FORMATS = ("video", "short")
DEFAULT_CATEGORY = "22"  # People & Blogs, YouTube's own default for uploads
# The categories a video can be given in most regions (videoCategories.list,
# assignable=true); Google answers invalidCategoryId for any other.
CATEGORIES: tuple[tuple[str, Words], ...] = (
    ("1", words("Film & Animation")),
    ("2", words("Autos & Vehicles")),
    ("10", words("Music")),
    ("15", words("Pets & Animals")),
    ("17", words("Sports")),
    ("19", words("Travel & Events")),
    ("20", words("Gaming")),
    ("22", words("People & Blogs")),
    ("23", words("Comedy")),
    ("24", words("Entertainment")),
    ("25", words("News & Politics")),
    ("26", words("Howto & Style")),
    ("27", words("Education")),
    ("28", words("Science & Technology")),
    ("29", words("Nonprofits & Activism")),
)

OPTIONS: tuple[PostOption, ...] = (
    PostOption("title", words("Title"), "text", max_length=MAX_TITLE, required=True),
    # Public by default: SMO publishes at the time a person picked, and on every
    # other network that means "everyone sees it then". A private default would
    # leave the video unseen without anyone noticing. (Videos from an unaudited
    # Google project stay private whatever is asked, platforms.md §6.)
    PostOption(
        "privacy",
        words("Visibility"),
        "choice",
        choices=(
            ("public", words("Public")),
            ("unlisted", words("Unlisted")),
            ("private", words("Private")),
        ),
        default="public",
        help=words(
            "Videos uploaded through an unverified Google Cloud project stay private "
            "until Google audits it."
        ),
    ),
    PostOption(
        "category", words("Category"), "choice", choices=CATEGORIES, default=DEFAULT_CATEGORY
    ),
    PostOption("tags", words("Tags"), "tags", max_length=MAX_TAGS),
    PostOption(
        "made_for_kids",
        words("Made for kids"),
        "bool",
        default=False,
        help=words("YouTube requires this answer for every video (COPPA)."),
    ),
    PostOption(
        "format",
        words("Format"),
        "choice",
        choices=(("video", words("Video")), ("short", words("Short"))),
        default="video",
        help=words("A Short is vertical or square and at most 3 minutes long."),
    ),
)


def option(options: Mapping[str, Any], name: str) -> Any:
    default = next(o.default for o in OPTIONS if o.name == name)
    value = options.get(name)
    return default if value in (None, "") else value


def title(content: Content) -> str:
    return unicodedata.normalize("NFC", str(content.options.get("title") or "")).strip()


def description(content: Content) -> str:
    """The post's text, with its link at the end: YouTube has no link field.

    Line breaks are sent as LF (a browser sends CRLF), so they count one byte.
    """
    text = unicodedata.normalize("NFC", content.text.replace("\r\n", "\n"))
    if content.link and content.link not in text:
        text = f"{text.rstrip()}\n\n{content.link}" if text.strip() else content.link
    return text


def tags(options: Mapping[str, Any]) -> list[str]:
    value = options.get("tags") or []
    if isinstance(value, str):
        value = value.split(",")
    return [str(t).strip() for t in value if str(t).strip()]


def tags_length(values: Sequence[str]) -> int:
    """Count tags as YouTube does: commas between them count, and a tag with a space
    counts as if wrapped in quotation marks (videos resource, snippet.tags[])."""
    quoted = sum(2 for t in values if " " in t)
    return sum(len(t) for t in values) + quoted + max(0, len(values) - 1)


def made_for_kids(options: Mapping[str, Any]) -> bool | None:
    """The made-for-kids answer: a bool, or "true"/"false" from a form; None if neither."""
    value = option(options, "made_for_kids")
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(str(value).lower())


def is_short(content: Content) -> bool:
    return option(content.options, "format") == "short"


def video_body(content: Content) -> dict[str, Any]:
    """The video resource sent with step 1 of the upload (platforms.md §6)."""
    snippet: dict[str, Any] = {
        "title": title(content),
        "description": description(content),
        "categoryId": str(option(content.options, "category")),
    }
    found = tags(content.options)
    if found:
        snippet["tags"] = found
    status = {
        "privacyStatus": str(option(content.options, "privacy")),
        "selfDeclaredMadeForKids": bool(made_for_kids(content.options)),
    }
    return {"snippet": snippet, "status": status}


# --- Problems ---------------------------------------------------------------------


def text_problems(content: Content) -> list[Problem]:
    text = description(content)
    problems = []
    size = text_rules.count(text, text_rules.BYTES)
    if size > MAX_DESCRIPTION:
        message = words(
            "YouTube allows %(limit)s bytes in a description; this one has %(length)s "
            "(letters outside English take 2 to 4 bytes each).",
            limit=MAX_DESCRIPTION,
            length=size,
        )
        problems.append(Problem("text", message, "too_long"))
    if ANGLE_BRACKETS & set(text):
        message = words('A YouTube description cannot contain "<" or ">".')
        problems.append(Problem("text", message, "invalid_character"))
    return problems


def option_problems(options: Mapping[str, Any]) -> list[Problem]:
    problems = []
    name = unicodedata.normalize("NFC", str(options.get("title") or "")).strip()
    if not name:
        problems.append(
            Problem("options.title", words("A YouTube video needs a title."), "required")
        )
    elif len(name) > MAX_TITLE:
        message = words(
            "YouTube allows %(limit)s characters in a title; this one has %(length)s.",
            limit=MAX_TITLE,
            length=len(name),
        )
        problems.append(Problem("options.title", message, "too_long"))
    if ANGLE_BRACKETS & set(name):
        message = words('A YouTube title cannot contain "<" or ">".')
        problems.append(Problem("options.title", message, "invalid_character"))
    for key, allowed in (
        ("privacy", PRIVACY),
        ("category", tuple(c for c, _ in CATEGORIES)),
        ("format", FORMATS),
    ):
        value = str(option(options, key))
        if value not in allowed:
            problems.append(Problem(f"options.{key}", _no_such(key, value), "invalid_choice"))
    if made_for_kids(options) is None:
        message = words("Say yes or no to whether the video is made for kids.")
        problems.append(Problem("options.made_for_kids", message, "invalid_choice"))
    size = tags_length(tags(options))
    if size > MAX_TAGS:
        message = words(
            "YouTube allows %(limit)s characters of tags; these have %(length)s "
            "(commas between tags count, and quotation marks around a tag with a space).",
            limit=MAX_TAGS,
            length=size,
        )
        problems.append(Problem("options.tags", message, "too_long"))
    return problems


def _no_such(key: str, value: str) -> Words:
    if key == "privacy":
        return words("YouTube has no visibility %(value)s.", value=value)
    if key == "category":
        return words("YouTube has no category %(value)s.", value=value)
    return words("YouTube has no format %(value)s.", value=value)


def media_problems(content: Content) -> list[Problem]:
    """A video is required; a Short must be vertical or square and short."""
    videos = [m for m in content.media if m.kind == "video"]
    problems = []
    if content.media and not videos:
        message = words("YouTube needs a video; an image can only be its thumbnail.")
        problems.append(Problem("media", message, "required"))
    if is_short(content):
        for item in videos:
            problems.extend(_short_problems(item))
    return problems


def _short_problems(item: MediaItem) -> list[Problem]:
    problems = []
    if item.width and item.height and item.width > item.height:
        message = words(
            "A YouTube Short must be vertical or square; this video is %(width)s by "
            "%(height)s pixels.",
            width=item.width,
            height=item.height,
        )
        problems.append(Problem("media", message, "aspect"))
    if item.duration is not None and item.duration > MAX_SHORT_SECONDS:
        message = words(
            "A YouTube Short may be at most %(limit)s seconds long; this video is "
            "%(length)s seconds.",
            limit=MAX_SHORT_SECONDS,
            length=whole(item.duration),
        )
        problems.append(Problem("media", message, "duration"))
    return problems

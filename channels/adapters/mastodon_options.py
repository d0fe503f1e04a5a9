"""A Mastodon post's own settings: content warning, visibility, language, a poll.

They are `PostOption`s, shown in the composer and stored per post; this module
also checks them against the instance's limits and turns them into
`status_post` arguments (POST /api/v1/statuses, platforms.md §10).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from channels.adapters.base import Content, PostOption, Problem
from channels.adapters.mastodon_instance import limit
from channels.words import words

VISIBILITIES = (
    ("public", words("Public")),
    ("unlisted", words("Quiet public (unlisted)")),
    ("private", words("Followers only")),
    ("direct", words("Mentioned people only")),
)
# Mastodon's web app offers these poll lengths (seconds).
POLL_DURATIONS = (
    ("300", words("5 minutes")),
    ("1800", words("30 minutes")),
    ("3600", words("1 hour")),
    ("21600", words("6 hours")),
    ("86400", words("1 day")),
    ("259200", words("3 days")),
    ("604800", words("7 days")),
)
DEFAULT_POLL_SECONDS = "86400"
LANGUAGE = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1 or 639-3, as the API takes

POST_OPTIONS: tuple[PostOption, ...] = (
    PostOption(
        "spoiler_text",
        words("Content warning"),
        help=words(
            "Shown instead of the post until a reader opens it; counts towards the "
            "instance's character limit."
        ),
    ),
    PostOption(
        "visibility", words("Visibility"), kind="choice", choices=VISIBILITIES, default="public"
    ),
    PostOption(
        "language",
        words("Language"),
        help=words("A two-letter code such as en or sv; empty lets the instance guess."),
    ),
    PostOption(
        "poll",
        words("Poll choices"),
        kind="textarea",
        help=words("One choice per line. A post with a poll cannot have media."),
    ),
    PostOption(
        "poll_duration",
        words("Poll length"),
        kind="choice",
        choices=POLL_DURATIONS,
        default=DEFAULT_POLL_SECONDS,
    ),
    PostOption("poll_multiple", words("Readers may pick several choices"), kind="bool"),
)


def poll_choices(options: Mapping[str, Any]) -> list[str]:
    value = options.get("poll") or ""
    lines = value if isinstance(value, list | tuple) else str(value).splitlines()
    return [str(line).strip() for line in lines if str(line).strip()]


def spoiler(options: Mapping[str, Any]) -> str:
    return str(options.get("spoiler_text") or "").strip()


def problems(content: Content, account_options: Mapping[str, Any]) -> list[Problem]:
    """What the instance would refuse in the post's settings (its own limits)."""
    found: list[Problem] = []
    options = content.options
    language = str(options.get("language") or "").strip()
    if language and not LANGUAGE.match(language):
        found.append(
            Problem(
                "options.language",
                words(
                    "Mastodon takes a language as a code such as en; %(value)s is not one.",
                    value=language,
                ),
                "invalid",
            )
        )
    choices = poll_choices(options)
    if not choices:
        return found
    if content.media:
        found.append(
            Problem(
                "options.poll",
                words("A Mastodon post has either a poll or media, not both."),
                "poll_and_media",
            )
        )
    most = limit(account_options, "poll_max_options")
    if not 2 <= len(choices) <= most:
        found.append(
            Problem(
                "options.poll",
                words(
                    "A poll on this instance takes 2 to %(most)s choices; this one has %(count)s.",
                    most=most,
                    count=len(choices),
                ),
                "poll_choices",
            )
        )
    longest = limit(account_options, "poll_max_characters_per_option")
    for choice in choices:
        if len(choice) > longest:
            found.append(
                Problem(
                    "options.poll",
                    words(
                        "A poll choice on this instance takes up to %(most)s characters; "
                        "%(choice)s has %(count)s.",
                        most=longest,
                        choice=choice,
                        count=len(choice),
                    ),
                    "too_long",
                )
            )
    if len(set(choices)) != len(choices):
        found.append(
            Problem("options.poll", words("Each poll choice must be different."), "poll_duplicate")
        )
    seconds = poll_seconds(options)
    low = limit(account_options, "poll_min_expiration")
    high = limit(account_options, "poll_max_expiration")
    if not low <= seconds <= high:
        found.append(
            Problem(
                "options.poll_duration",
                words(
                    "A poll on this instance lasts %(low)s to %(high)s seconds.", low=low, high=high
                ),
                "invalid",
            )
        )
    return found


def poll_seconds(options: Mapping[str, Any]) -> int:
    value = str(options.get("poll_duration") or DEFAULT_POLL_SECONDS)
    return int(value) if value.isdigit() else int(DEFAULT_POLL_SECONDS)


def status_arguments(options: Mapping[str, Any]) -> dict[str, Any]:
    """The `status_post` keyword arguments every part of a post shares."""
    found: dict[str, Any] = {}
    visibility = str(options.get("visibility") or "").strip()
    if visibility in {v for v, _ in VISIBILITIES}:
        found["visibility"] = visibility
    if spoiler(options):
        found["spoiler_text"] = spoiler(options)
    language = str(options.get("language") or "").strip()
    if language:
        found["language"] = language
    return found


def poll_argument(options: Mapping[str, Any]) -> dict[str, Any] | None:
    """Mastodon.py's `make_poll` value, or None without a poll."""
    choices = poll_choices(options)
    if not choices:
        return None
    return {
        "options": choices,
        "expires_in": poll_seconds(options),
        "multiple": bool(options.get("poll_multiple")),
        "hide_totals": False,
    }

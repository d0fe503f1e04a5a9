"""Hashtags: counting them in a text, each network's cap, and checking the body of
a hashtag group."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from channels.adapters import instagram

# The adapter's own pattern, so the composer's count is the count it refuses at.
HASHTAG = instagram.HASHTAG
# Networks that cap hashtags per post. platforms.md documents one: Instagram,
# "≤30 hashtags" in a caption (§3), refused by InstagramAdapter.validate. The
# others state no cap, so the composer shows their count without a limit.
LIMITS: dict[str, int] = {"instagram": instagram.MAX_HASHTAGS}
# One word of a hashtag group: "#" then letters, digits or underscores.
TAG = re.compile(r"#\w+")


def count(text: str) -> int:
    return len(HASHTAG.findall(text))


def limit_for(network: str) -> int | None:
    return LIMITS.get(network)


def group_problems(body: str) -> list[str]:
    """What is wrong with a hashtag group's body: every word must be one hashtag."""
    words = body.split()
    if not words:
        return [_("Write at least one hashtag.")]
    wrong = [w for w in words if not TAG.fullmatch(w)]
    if wrong:
        return [
            _("Each word of a hashtag group starts with # and has no punctuation: %(words)s")
            % {"words": ", ".join(wrong[:5])}
        ]
    return []

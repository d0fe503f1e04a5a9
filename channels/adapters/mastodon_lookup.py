"""Finding a status whose answer was lost among the account's recent statuses.

GET /api/v1/accounts/:id/statuses shows the account's own statuses of every
visibility to its own token, newest first. A status carries its text only as
HTML (`content`), so both sides are brought to the same plain form before
they are compared: tags dropped, `<br>` and paragraphs as spaces, a remote
mention shown as @user as Mastodon renders it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from mastodon import Mastodon

from channels.adapters.base import Content

PAGE = 40  # the endpoint's largest page
PAGES = 3  # the 120 newest statuses are searched
REMOTE_MENTION = re.compile(r"(?<![=/\w])@(\w+(?:[\w.-]+\w)?)@[\w.-]+\w")
BREAKS = re.compile(r"<br\s*/?>|</p>\s*<p>|</?p>", re.IGNORECASE)
TAGS = re.compile(r"<[^>]+>")


def plain(content_html: str) -> str:
    """The text a status's HTML shows, as one fingerprintable line."""
    text = BREAKS.sub(" ", content_html or "")
    return html.unescape(TAGS.sub("", text))


def fingerprint(text: str) -> str:
    """Content.fingerprint of `text` as Mastodon shows it back."""
    return Content(REMOTE_MENTION.sub(r"@\1", text)).fingerprint


def recent(api: Mastodon, account_id: str) -> Iterator[Mapping[str, Any]]:
    """Yield the account's statuses, newest first, for up to PAGES pages."""
    page = api.account_statuses(account_id, limit=PAGE, exclude_reblogs=True)
    for _ in range(PAGES):
        if not page:
            return
        yield from page
        page = api.fetch_next(page)


def matches(status: Mapping[str, Any], text: str, reply_to: str | None, spoiler: str) -> bool:
    """Say whether a listed status is the one `text` (replying to `reply_to`) made."""
    if str(status.get("in_reply_to_id") or "") != str(reply_to or ""):
        return False
    if (status.get("spoiler_text") or "").strip() != spoiler:
        return False
    return fingerprint(plain(str(status.get("content") or ""))) == fingerprint(text)


def created(status: Mapping[str, Any]) -> datetime | None:
    value = status.get("created_at")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)

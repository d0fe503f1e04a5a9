"""What SMO's Slack messages look like, and how to recognise one in a channel's
history: the text with its link, mrkdwn escaping, the key in metadata, and the
ts a completed upload was shared under (docs.slack.dev/messaging)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from channels.adapters.base import Content, Credentials, Permanent
from channels.words import words

METADATA_EVENT = "smo_post"


def metadata(key: str) -> str:
    """chat.postMessage's `metadata`: the delivery's key, to find the message by
    (docs.slack.dev/messaging/message-metadata; writing it needs no extra scope)."""
    return compact_json({"event_type": METADATA_EVENT, "event_payload": {"key": key}})


def comment_key(key: str) -> str:
    return f"{key}:first-comment"


def channel_of(creds: Credentials) -> str:
    channel = str(creds.options.get("channel_id") or creds.external_id.rpartition(":")[2])
    if not channel:
        raise Permanent(words("This Slack account names no channel; reconnect it."))
    return channel


def message_text(content: Content) -> str:
    """The text, with the post's link on its own line (Slack unfurls it)."""
    text = content.text.replace("\r\n", "\n").strip()
    if content.link and content.link not in text:
        text = f"{text}\n{content.link}" if text else content.link
    return text


def shared_ts(files: list[Any], channel: str) -> str:
    """The message ts of a completed upload, from `shares` when Slack has it yet."""
    for file in files:
        shares = (file or {}).get("shares") or {}
        for kind in ("public", "private"):
            for share in (shares.get(kind) or {}).get(channel) or []:
                if share.get("ts"):
                    return str(share["ts"])
    return ""


def is_ours(message: Mapping[str, Any], key: str, files: set[str]) -> bool:
    """A message carrying this delivery's key in metadata, or one of its files."""
    metadata = message.get("metadata") or {}
    if key and metadata.get("event_type") == METADATA_EVENT:
        if (metadata.get("event_payload") or {}).get("key") == key:
            return True
    return bool(files and {str(f.get("id")) for f in message.get("files") or []} & files)


def archive_url(channel: str, ts: str) -> str:
    """slack.com/archives links open the message in whichever workspace the reader is in."""
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


def parse_time(value: Any) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def ts_time(ts: Any) -> datetime | None:
    """A message's `ts` ("1700000000.123456") is its time in epoch seconds."""
    try:
        return datetime.fromtimestamp(float(str(ts)), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def escape(text: str) -> str:
    """Slack's mrkdwn takes &, < and > as control characters; escaped, the text
    shows as written (docs.slack.dev/messaging/formatting-message-text)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

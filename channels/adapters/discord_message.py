"""The message a Discord webhook post sends: its text, JSON payload and files
(https://discord.com/developers/docs/resources/webhook#execute-webhook)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any

from channels.adapters.base import Content, MediaItem


def message_text(content: Content) -> str:
    """The message's `content`: the text, then the post's link unless it is in it
    already (Discord previews a URL from the text by itself)."""
    text = content.text.replace("\r\n", "\n").strip()
    if content.link and content.link not in text:
        text = f"{text}\n{content.link}" if text else content.link
    return text


def payload(content: Content) -> dict[str, Any]:
    """Return the execute call's JSON (or `payload_json`) for `content`."""
    body: dict[str, Any] = {
        "content": message_text(content),
        # Text from a post never pings: no @everyone, roles or people by accident.
        "allowed_mentions": {"parse": []},
    }
    for name in ("username", "thread_name"):
        value = str(content.options.get(name) or "").strip()
        if value:
            body[name] = value
    if content.media:
        body["attachments"] = [
            {
                "id": i,
                "filename": filename(m, i),
                **({"description": m.alt_text} if m.alt_text else {}),
            }
            for i, m in enumerate(content.media)
        ]
    return body


def files(media: tuple[MediaItem, ...], stack: ExitStack) -> dict[str, tuple[str, Any, str]]:
    return {
        f"files[{i}]": (filename(m, i), stack.enter_context(open(m.path, "rb")), m.mime_type)
        for i, m in enumerate(media)
    }


def filename(item: MediaItem, index: int) -> str:
    suffix = {
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/gif": ".gif",
        "image/webp": ".webp",
        "video/mp4": ".mp4",
        "video/quicktime": ".mov",
        "video/webm": ".webm",
    }.get(item.mime_type, "")
    return f"file{index}{suffix}"


def json_text(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"))

"""What FakeMastodon's answers look like: the JSON entities of docs.joinmastodon.org
(Account, Status, MediaAttachment, Poll, Instance v1/v2) and status HTML."""

from __future__ import annotations

import html
import re
import time
from typing import Any

MB = 1024 * 1024
MENTION = re.compile(r"(?<![=/\w])@(\w+(?:[\w.-]+\w)?)(?:@([\w.-]+\w))?")
URL = re.compile(r"https?://[^\s<]+[^\s<.,:;\"')\]!?]")

# GET /api/v2/instance configuration, Mastodon 4.3's defaults (platforms.md §10).
DEFAULT_LIMITS: dict[str, Any] = {
    "max_characters": 500,
    "max_media_attachments": 4,
    "characters_reserved_per_url": 23,
    "image_size_limit": 16 * MB,
    "video_size_limit": 99 * MB,
    "supported_mime_types": [
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/heic",
        "image/heif",
        "image/webp",
        "image/avif",
        "video/webm",
        "video/mp4",
        "video/quicktime",
        "video/ogg",
        "audio/mpeg",
        "audio/ogg",
    ],
    "max_options": 4,
    "max_characters_per_option": 50,
    "min_expiration": 300,
    "max_expiration": 2_629_746,
}


def iso(epoch: float) -> str:
    """Mastodon's timestamps: UTC with milliseconds, "2026-11-26T02:40:00.000Z"."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + ".000Z"


def account_json(account: dict[str, Any], domain: str, *, source: bool = False) -> dict[str, Any]:
    body = {
        "id": account["id"],
        "username": account["username"],
        "acct": account["username"],
        "display_name": account["display_name"],
        "locked": False,
        "bot": False,
        "created_at": iso(account["created"]),
        "note": "",
        "url": f"https://{domain}/@{account['username']}",
        "avatar": f"https://{domain}/avatars/{account['id']}.png",
        "avatar_static": f"https://{domain}/avatars/{account['id']}.png",
        "header": "",
        "header_static": "",
        "followers_count": account.get("followers", 0),
        "following_count": 0,
        "statuses_count": account.get("statuses", 0),
        "last_status_at": None,
        "emojis": [],
        "fields": [],
    }
    if source:
        body["source"] = {
            "privacy": "public",
            "sensitive": False,
            "language": "",
            "note": "",
            "fields": [],
        }
    return body


def status_html(text: str, domain: str) -> str:
    """Render a status's text as Mastodon does: paragraphs, line breaks, links cut
    into invisible/ellipsis spans, and a remote mention shown as @user."""
    out = []
    for paragraph in re.split(r"\n{2,}", text.strip()):
        out.append(
            "<p>" + "<br />".join(_inline(line, domain) for line in paragraph.split("\n")) + "</p>"
        )
    return "".join(out) if text.strip() else ""


def _inline(line: str, domain: str) -> str:
    pieces, position = [], 0
    for match in URL.finditer(line):
        pieces.append(_mentions(line[position : match.start()], domain))
        url = match.group(0)
        scheme, rest = url.split("://", 1)
        pieces.append(
            f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener">'
            f'<span class="invisible">{scheme}://</span>'
            f'<span class="ellipsis">{html.escape(rest[:30])}</span>'
            f'<span class="invisible">{html.escape(rest[30:])}</span></a>'
        )
        position = match.end()
    pieces.append(_mentions(line[position:], domain))
    return "".join(pieces)


def _mentions(text: str, domain: str) -> str:
    def link(match: re.Match[str]) -> str:
        user, host = match.group(1), match.group(2) or domain
        return (
            f'<span class="h-card"><a href="https://{host}/@{user}" class="u-url mention">'
            f"@<span>{html.escape(user)}</span></a></span>"
        )

    escaped = []
    position = 0
    for match in MENTION.finditer(text):
        escaped.append(html.escape(text[position : match.start()]))
        escaped.append(link(match))
        position = match.end()
    escaped.append(html.escape(text[position:]))
    return "".join(escaped)


def media_json(media: dict[str, Any], base: str) -> dict[str, Any]:
    ready = media["checks_left"] <= 0 and not media["fails"]
    url = f"{base}/system/media/{media['id']}.{media['ext']}"
    return {
        "id": media["id"],
        "type": media["type"],
        "url": url if ready else None,
        "preview_url": url if ready else None,
        "remote_url": None,
        "text_url": None,
        "meta": {},
        "description": media["description"],
        "blurhash": None,
    }


def poll_json(poll: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": poll["id"],
        "expires_at": iso(poll["expires"]),
        "expired": False,
        "multiple": poll["multiple"],
        "votes_count": 0,
        "voters_count": 0,
        "voted": False,
        "own_votes": [],
        "options": [{"title": t, "votes_count": 0} for t in poll["options"]],
        "emojis": [],
    }


def instance_v2(domain: str, version: str, limits: dict[str, Any]) -> dict[str, Any]:
    return {
        "domain": domain,
        "title": "Fake Mastodon",
        "version": version,
        "source_url": "https://github.com/mastodon/mastodon",
        "description": "A loopback stand-in.",
        "api_versions": {"mastodon": 2},
        "configuration": {
            "urls": {"streaming": f"wss://{domain}"},
            "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
            "statuses": {
                k: limits[k]
                for k in ("max_characters", "max_media_attachments", "characters_reserved_per_url")
                if k in limits
            },
            "media_attachments": {
                k: limits[k]
                for k in ("supported_mime_types", "image_size_limit", "video_size_limit")
                if k in limits
            }
            | {"image_matrix_limit": 33_177_600, "video_frame_rate_limit": 120},
            "polls": {
                k: limits[k]
                for k in (
                    "max_options",
                    "max_characters_per_option",
                    "min_expiration",
                    "max_expiration",
                )
                if k in limits
            },
            "translation": {"enabled": False},
        },
        "registrations": {"enabled": False, "approval_required": False, "message": None},
        "contact": {"email": f"admin@{domain}", "account": None},
        "rules": [],
    }


def instance_v1(domain: str, version: str, limits: dict[str, Any]) -> dict[str, Any]:
    v2 = instance_v2(domain, version, limits)
    return {
        "uri": domain,
        "title": v2["title"],
        "short_description": "",
        "description": v2["description"],
        "email": f"admin@{domain}",
        "version": version,
        "urls": {"streaming_api": f"wss://{domain}"},
        "stats": {"user_count": 1, "status_count": 0, "domain_count": 1},
        "languages": ["en"],
        "registrations": False,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": v2["configuration"],
        "rules": [],
    }

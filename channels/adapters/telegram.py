"""Telegram Bot API: posts to a channel or group as a bot (platforms.md §12).

Each post is one call, so there is no partial progress to keep: sendMessage for
text, sendPhoto or sendVideo for one file, sendMediaGroup for an album of 2 to
10. Files are uploaded as multipart (not fetched by Telegram from a URL), so SMO
works behind a firewall.

Text goes as plain text, without `parse_mode`: Telegram itself turns URLs,
@mentions and #hashtags into links, and the composer has no bold or italics to
carry, while HTML or MarkdownV2 would make every stray "<" or "_" a "can't parse
entities" refusal. The post's link is added to the text and previewed.

Telegram takes no idempotency key and a bot cannot read a channel's history, so
`find_published` cannot tell whether a lost message went out: the reconciler
asks a person (DESIGN.md "Delivery state machine"). The token never expires.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import requests
from typing_extensions import override

from channels.adapters import telegram_connect
from channels.adapters.base import (
    Adapter,
    AuthExpired,
    CannotTell,
    Connection,
    Content,
    Credentials,
    Limits,
    MediaItem,
    PostOption,
    Problem,
    Progress,
    Published,
    Unknown,
)
from channels.adapters.engagement import EngagementSupport
from channels.adapters.metrics import MetricsSupport
from channels.adapters.telegram_bot import API_URL, BotAPI
from channels.words import words

MB = 1024 * 1024
MAX_CAPTION = 1024  # sendPhoto/sendVideo/sendMediaGroup caption, after entity parsing
MIN_ALBUM = 2  # sendMediaGroup takes 2 to 10 items


def utf16_length(text: str) -> int:
    """Telegram measures text in UTF-16 code units, as its entity offsets are
    (core.telegram.org/api/entities): an emoji outside the BMP counts 2."""
    return len(text.encode("utf-16-le")) // 2


class TelegramAdapter(Adapter):
    network: ClassVar[str] = "telegram"
    display_name: ClassVar[str] = "Telegram"
    connects_by: ClassVar[str] = "password"
    limits: ClassVar[Limits] = Limits(
        max_text=4096,  # sendMessage text, 1-4096 characters (platforms.md §12)
        max_images=10,  # an album (sendMediaGroup) holds 2 to 10 photos and videos
        max_videos=10,
        mix_images_and_video=True,
        # Photo uploads up to 10 MB, other files up to 50 MB through the
        # public Bot API server (core.telegram.org/bots/api#sending-files).
        max_image_bytes=10 * MB,
        max_video_bytes=50 * MB,
        image_types=frozenset({"image/jpeg", "image/png", "image/webp"}),
        video_types=frozenset({"video/mp4"}),
        # Width and height at most 20 times each other (sendPhoto).
        min_aspect=1 / 20,
        max_aspect=20.0,
        # Soft limit: about 20 messages a minute in one group (platforms.md §12).
        posts_per_window=20,
        window=timedelta(minutes=1),
    )
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        note=words(
            "A bot cannot read a channel's comments or replies through the Bot API, "
            "so answer them in Telegram."
        )
    )
    metrics: ClassVar[MetricsSupport] = MetricsSupport(
        followers=True,
        note=words(
            "The Bot API gives a chat's member count but no views or reactions per message."
        ),
    )
    post_options: ClassVar[tuple[PostOption, ...]] = (
        PostOption(
            "silent",
            words("Send silently"),
            kind="bool",
            default=False,
            help=words("Members get the message without a sound."),
        ),
    )

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        super().__init__(config, session)
        self.api_url = str(config.get("api_url") or API_URL).rstrip("/")

    def __repr__(self) -> str:
        return f"TelegramAdapter(api_url={self.api_url!r})"

    # --- Checking ---

    @override
    def text_length(self, content: Content) -> int:
        return utf16_length(post_text(content))

    @override
    def validate(self, content: Content) -> list[Problem]:
        # The base counts code points; Telegram counts UTF-16 units and the
        # added link, so its own length check replaces the base's.
        problems = [
            p for p in super().validate(content) if (p.field, p.code) != ("text", "too_long")
        ]
        length = self.text_length(content)
        limit = MAX_CAPTION if content.media else self.limits.max_text
        if length > limit:
            if content.media:
                sentence = words(
                    "Telegram allows %(limit)s characters beside photos or videos; "
                    "this text has %(length)s.",
                    limit=limit,
                    length=length,
                )
            else:
                sentence = words(
                    "%(network)s allows %(limit)s characters; this text has %(length)s.",
                    network=self.display_name,
                    limit=limit,
                    length=length,
                )
            problems.insert(0, Problem("text", sentence, "too_long"))
        return problems

    # --- Publishing ---

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        bot = self._bot(creds)
        chat_id = creds.options.get("chat_id") or creds.external_id
        data: dict[str, Any] = {"chat_id": chat_id}
        if content.options.get("silent"):
            data["disable_notification"] = "true"
        text = post_text(content)
        media = content.media
        if not media:
            data["text"] = text
            if content.link:
                # Preview the post's link, not whichever link the text has first.
                data["link_preview_options"] = json.dumps({"url": content.link})
            result = bot.call("sendMessage", data, creates=True)
        elif len(media) < MIN_ALBUM:
            result = self._send_one(bot, data, media[0], text)
        else:
            result = self._send_album(bot, data, media, text)
        return self._published(creds, result)

    def _send_one(self, bot: BotAPI, data: dict[str, Any], item: MediaItem, text: str) -> Any:
        field = "photo" if item.kind == "image" else "video"
        if text:
            data["caption"] = text
        if item.kind == "video":
            fields = self._video_fields(item)
            data.update({k: json.dumps(v) if isinstance(v, bool) else v for k, v in fields.items()})
        with open(item.path, "rb") as handle:
            files = {field: (Path(item.path).name, handle, item.mime_type)}
            method = "sendPhoto" if item.kind == "image" else "sendVideo"
            return bot.call(method, data, files, creates=True)

    def _send_album(
        self, bot: BotAPI, data: dict[str, Any], media: tuple[MediaItem, ...], text: str
    ) -> Any:
        entries: list[dict[str, Any]] = []
        with ExitStack() as stack:
            files = {}
            for index, item in enumerate(media):
                name = f"file{index}"
                entry: dict[str, Any] = {
                    "type": "photo" if item.kind == "image" else "video",
                    "media": f"attach://{name}",
                }
                if item.kind == "video":
                    entry.update(self._video_fields(item))
                if index == 0 and text:
                    entry["caption"] = text  # an album shows its first item's caption
                entries.append(entry)
                handle = stack.enter_context(open(item.path, "rb"))
                files[name] = (Path(item.path).name, handle, item.mime_type)
            data["media"] = json.dumps(entries)
            messages = bot.call("sendMediaGroup", data, files, creates=True)
        return messages[0] if isinstance(messages, list) and messages else messages

    @staticmethod
    def _video_fields(item: MediaItem) -> dict[str, Any]:
        fields: dict[str, Any] = {"supports_streaming": True}
        if item.width and item.height:
            fields.update(width=item.width, height=item.height)
        if item.duration:
            fields["duration"] = round(item.duration)
        return fields

    def _published(self, creds: Credentials, message: Any) -> Published:
        if not isinstance(message, dict) or "message_id" not in message:
            raise Unknown(words("Telegram answered without the message it sent."))
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        username = chat.get("username") or creds.options.get("username") or ""
        chat_id = chat.get("id") or creds.options.get("chat_id") or creds.external_id
        sent = message.get("date")
        when = datetime.fromtimestamp(sent, UTC) if isinstance(sent, int) else datetime.now(UTC)
        message_id = message["message_id"]
        return Published(str(message_id), message_url(username, chat_id, message_id), when)

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        # No idempotency key, and the Bot API cannot list a chat's messages.
        raise CannotTell(
            words(
                "Telegram cannot tell whether this message went out. Check the channel, "
                "then mark it published or schedule it again."
            )
        )

    # --- Connecting and reading ---

    @override
    def connect_password(self, handle: str, password: str, server: str = "") -> Connection:
        """Connect the chat `handle` with the bot token typed as `password`."""
        return telegram_connect.connect(self.api_url, self.session, handle, password)

    @override
    def fetch_followers(self, creds: Credentials) -> int | None:
        chat_id = creds.options.get("chat_id") or creds.external_id
        count = self._bot(creds).call("getChatMemberCount", {"chat_id": chat_id})
        return count if isinstance(count, int) else None

    def _bot(self, creds: Credentials) -> BotAPI:
        token = str(creds.secrets.get("bot_token") or "")
        if not token:
            raise AuthExpired(words("This Telegram chat has no bot token; reconnect it."))
        return BotAPI(self.session, self.api_url, token)


def post_text(content: Content) -> str:
    """The message's text: the post's link is added unless it is there already."""
    text = content.text.replace("\r\n", "\n").strip()
    if content.link and content.link not in text:
        text = f"{text}\n\n{content.link}" if text else content.link
    return text


def message_url(username: str, chat_id: Any, message_id: Any) -> str:
    """https://t.me/{username}/{id} for a public chat; t.me/c/ for a private
    channel or supergroup (its id without -100); "" for a basic group, which has
    no message links (platforms.md §12)."""
    if username:
        return f"https://t.me/{username}/{message_id}"
    text = str(chat_id)
    if text.startswith("-100"):
        return f"https://t.me/c/{text[4:]}/{message_id}"
    return ""

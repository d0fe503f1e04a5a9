"""Discord: messages in a server's channel through its incoming webhook (platforms.md §13).

An admin makes a webhook in the channel's settings (Integrations, Webhooks) and
pastes its URL, https://discord.com/api/webhooks/{id}/{token}; SMO checks it
with GET on that URL and keeps the token encrypted as the account's secret. The
account is the channel: connecting a new webhook for the same channel reconnects
it. A post is one execute call with `?wait=true`, so Discord answers with the
message: JSON for text alone, multipart (`payload_json` + `files[n]`) with files.
Discord makes the link preview itself from a URL in the text, so the post's
link is added to the text.

Webhooks take no idempotency key (`nonce`/`enforce_nonce` are Create Message
parameters, not Execute Webhook ones) and cannot list the channel's messages,
so a lost answer cannot be looked up: the delivery goes to a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any, ClassVar

import requests
from typing_extensions import override

from channels import text as text_rules
from channels.adapters.base import (
    Adapter,
    AuthExpired,
    CannotTell,
    Connection,
    Content,
    Credentials,
    Limits,
    Permanent,
    PostOption,
    Problem,
    Progress,
    Published,
    Unknown,
)
from channels.adapters.discord_errors import UNKNOWN_WEBHOOK, error_for, lost
from channels.adapters.discord_message import files, json_text, message_text, payload
from channels.adapters.engagement import EngagementSupport
from channels.adapters.metrics import MetricsSupport
from channels.words import words

API_URL = "https://discord.com/api"
MB = 1024 * 1024
MAX_FILES = 10  # attachments per message (Execute Webhook, `files[n]`)
MAX_USERNAME = 80  # webhook names and `username` overrides
MAX_THREAD_NAME = 100  # a channel's (and so a forum post's) name
# The URL Discord shows under the webhook's "Copy Webhook URL"; older webhooks
# say discordapp.com, the test clients ptb./canary., and some an API version.
WEBHOOK_URL = re.compile(
    r"^https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api(?:/v\d+)?"
    r"/webhooks/(?P<id>\d{15,25})/(?P<token>[A-Za-z0-9_\-]{20,100})/?$"
)
SNOWFLAKE = re.compile(r"^\d{15,25}$")
THE_MESSAGE = words("the message")


class DiscordAdapter(Adapter):
    network: ClassVar[str] = "discord"
    display_name: ClassVar[str] = "Discord"
    # An admin pastes a channel's webhook URL (connect_webhook); no app to register.
    connects_by: ClassVar[str] = "webhook"
    supports_lookup: ClassVar[bool] = False
    limits: ClassVar[Limits] = Limits(
        max_text=2000,  # `content`, platforms.md §13
        max_images=MAX_FILES,
        max_videos=MAX_FILES,
        mix_images_and_video=True,  # any files, up to ten
        # The upload cap of a server without boosts, per file (§13, "unconfirmed";
        # support.discord.com "File upload size limit": 10 MB).
        max_image_bytes=10 * MB,
        max_video_bytes=10 * MB,
        video_types=frozenset({"video/mp4", "video/quicktime", "video/webm"}),
    )
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        note=words("A Discord webhook can only post, so answer in Discord itself.")
    )
    metrics: ClassVar[MetricsSupport] = MetricsSupport(
        note=words("A Discord webhook can only post: Discord gives it no reactions or views.")
    )
    post_options: ClassVar[tuple[PostOption, ...]] = (
        PostOption(
            "username",
            words("Post as"),
            max_length=MAX_USERNAME,
            help=words("A name shown instead of the webhook's own for this message."),
        ),
        PostOption(
            "thread_name",
            words("Forum post title"),
            max_length=MAX_THREAD_NAME,
            help=words("For a webhook in a forum channel: the message starts a post of this name."),
        ),
        PostOption(
            "thread_id",
            words("Thread ID"),
            max_length=25,
            help=words(
                "Post into this thread of the channel instead (Copy Thread ID in Discord, "
                "with Developer Mode on)."
            ),
        ),
    )

    def __init__(self, config: Mapping[str, Any], session: requests.Session) -> None:
        super().__init__(config, session)
        self.api_url = str(config.get("api_url") or API_URL).rstrip("/")
        self.now: Callable[[], datetime] = config.get("now") or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        return f"DiscordAdapter(api_url={self.api_url!r})"

    # --- Checking ---

    @override
    def text_length(self, content: Content) -> int:
        return text_rules.count(message_text(content), self.limits.counting)

    @override
    def validate(self, content: Content) -> list[Problem]:
        problems = super().validate(content)
        if content.link and not any(p.field == "text" and p.code == "too_long" for p in problems):
            length = self.text_length(content)
            if length > self.limits.max_text:
                problems.append(
                    Problem(
                        "text",
                        words(
                            "Discord allows %(limit)s characters with the link; "
                            "this text has %(length)s.",
                            limit=self.limits.max_text,
                            length=length,
                        ),
                        "too_long",
                    )
                )
        kinds = [m.kind for m in content.media]
        # Ten files of one kind are already said by Adapter.validate; a mix is not.
        if len(kinds) > MAX_FILES and max(kinds.count("image"), kinds.count("video")) <= MAX_FILES:
            problems.append(
                Problem(
                    "media",
                    words("Discord allows %(count)s files per message.", count=MAX_FILES),
                    "too_many",
                )
            )
        problems.extend(_option_rules(content.options))
        return problems

    # --- Publishing ---

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        if progress.get("message_id"):
            return self._published(creds, progress)
        url, params = self._execute_url(creds), {"wait": "true"}
        thread_id = str(content.options.get("thread_id") or "").strip()
        if thread_id:
            params["thread_id"] = thread_id
        body = payload(content)
        hidden = self._hidden(creds)
        with ExitStack() as stack:
            try:
                if content.media:
                    response = self.session.post(
                        url,
                        params=params,
                        data={"payload_json": json_text(body)},
                        files=files(content.media, stack),
                    )
                else:
                    response = self.session.post(url, params=params, json=body)
            except OSError as error:
                if isinstance(error, requests.RequestException):
                    raise lost(error, creating=True) from None
                raise Permanent(
                    words(
                        "SMO could not read a file of this post (%(error)s).",
                        error=error.strerror or type(error).__name__,
                    ),
                    code="file",
                ) from None
        if not response.ok:
            raise error_for(response, THE_MESSAGE, creating=True, now=self.now(), hidden=hidden)
        message = _body(response)
        if not message.get("id"):
            raise Unknown(
                words("Discord answered without the message's id; it may be in the channel."),
                status=response.status_code,
                code="no-id",
            )
        progress.record("message_id", str(message["id"]))
        progress.record("channel_id", str(message.get("channel_id") or creds.external_id))
        progress.record("published_at", str(message.get("timestamp") or self.now().isoformat()))
        return self._published(creds, progress)

    def _published(self, creds: Credentials, progress: Progress) -> Published:
        message_id = str(progress.get("message_id"))
        channel = str(progress.get("channel_id") or creds.external_id)
        guild = str(creds.options.get("guild_id") or "")
        return Published(
            message_id,
            message_url(guild, channel, message_id),
            _time(progress.get("published_at")) or self.now(),
        )

    @override
    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        if progress.get("message_id"):
            return self._published(creds, progress)
        raise CannotTell(
            words(
                "A Discord webhook cannot list the channel's messages, so SMO cannot tell "
                "whether this one went out. Look in the channel, then mark it published or "
                "schedule it again."
            )
        )

    # --- Connecting ---

    def connect_webhook(self, url: str) -> Connection:
        """Check a pasted webhook URL with Discord (GET on it) and return the channel.

        Raise Permanent with code "url" when the URL is no webhook URL or Discord
        does not know it, another AdapterError when Discord cannot be asked.
        """
        found = WEBHOOK_URL.match(url.strip())
        if found is None:
            raise Permanent(
                words(
                    "That is not a Discord webhook URL; it looks like "
                    "https://discord.com/api/webhooks/123…/abc…"
                ),
                code="url",
            )
        webhook_id, token = found["id"], found["token"]
        hidden = [token]
        try:
            response = self.session.get(f"{self.api_url}/webhooks/{webhook_id}/{token}")
        except requests.RequestException as error:
            raise lost(error, creating=False) from None
        if not response.ok:
            error = error_for(
                response, words("the webhook"), creating=False, now=self.now(), hidden=hidden
            )
            if isinstance(error, AuthExpired) or response.status_code == 404:
                raise Permanent(
                    words("Discord does not know that webhook: copy its URL again."),
                    status=error.status,
                    code="url",
                )
            raise error
        hook = _body(response)
        channel, guild = str(hook.get("channel_id") or ""), str(hook.get("guild_id") or "")
        if not SNOWFLAKE.match(channel):
            raise Permanent(
                words("Discord did not say which channel the webhook posts to."), code="url"
            )
        name = str(hook.get("name") or "Discord webhook")
        creds = Credentials(
            channel,
            name,
            {"webhook_token": token},
            options={"webhook_id": webhook_id, "guild_id": guild, "channel_id": channel},
        )
        return Connection(self.network, creds, name, _avatar(hook))

    def _execute_url(self, creds: Credentials) -> str:
        webhook_id = str(creds.options.get("webhook_id") or "")
        token = str(creds.secrets.get("webhook_token") or "")
        if not (webhook_id and token):
            raise AuthExpired(
                words("This Discord channel has no webhook; connect it again."),
                code=str(UNKNOWN_WEBHOOK),
            )
        return f"{self.api_url}/webhooks/{webhook_id}/{token}"

    def _hidden(self, creds: Credentials) -> list[str]:
        return [str(v) for v in creds.secrets.values() if v]


# --- Plain functions ---------------------------------------------------------------


def message_url(guild_id: str, channel_id: str, message_id: str) -> str:
    # A webhook outside a server has no guild; Discord's links say "@me" there.
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"


def _option_rules(options: Mapping[str, Any]) -> list[Problem]:
    problems = []
    thread_id = str(options.get("thread_id") or "").strip()
    if thread_id and not SNOWFLAKE.match(thread_id):
        problems.append(
            Problem(
                "options.thread_id",
                words("A Discord thread ID is a long number, like 1234567890123456789."),
                "invalid",
            )
        )
    if thread_id and str(options.get("thread_name") or "").strip():
        problems.append(
            Problem(
                "options.thread_name",
                words("Discord takes a forum post title or a thread ID, not both."),
                "invalid",
            )
        )
    username = str(options.get("username") or "")
    if re.search("clyde|discord", username, re.IGNORECASE):
        problems.append(
            Problem(
                "options.username",
                words('Discord refuses names with "clyde" or "discord" in them.'),
                "invalid",
            )
        )
    return problems


def _avatar(hook: Mapping[str, Any]) -> str:
    avatar = str(hook.get("avatar") or "")
    if avatar and hook.get("id"):
        return f"https://cdn.discordapp.com/avatars/{hook['id']}/{avatar}.png"
    return ""


def _body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _time(value: Any) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)

"""Connecting a Telegram channel or group: a bot token from @BotFather and the chat.

Nothing is saved until Telegram confirms all three: the token is a bot's
(getMe), the chat exists and the bot can see it (getChat), and the bot is an
administrator there that may post (getChatMember). Errors name the form field
at fault: "password" for the token, "handle" for the chat.
"""

from __future__ import annotations

import re
from typing import Any

from channels.adapters.base import (
    AuthExpired,
    Connection,
    Credentials,
    Permanent,
)
from channels.adapters.telegram_bot import BotAPI
from channels.words import words

# "123456789:AA..." (core.telegram.org/bots/features#botfather): digits, a colon, the secret.
TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
CHAT_ID = re.compile(r"^-?\d{1,20}$")
LINK = re.compile(r"^(?:https?://)?(?:t\.me|telegram\.me)/(?P<name>[A-Za-z0-9_]+)/?$")
CHAT_TYPES = frozenset({"channel", "supergroup", "group"})


def chat_ref(typed: str) -> str:
    """Return what getChat takes for what a person typed: "@name" or a numeric id.

    Takes "@name", "name", "https://t.me/name" and "-1001234567890".
    """
    typed = typed.strip()
    link = LINK.match(typed)
    if link:
        typed = link["name"]
    if CHAT_ID.match(typed):
        return typed
    name = typed.removeprefix("@")
    if not USERNAME.match(name):
        raise Permanent(
            words(
                "Type the channel as @username, its t.me link, or its numeric id "
                "(such as -1001234567890)."
            ),
            code="handle",
        )
    return "@" + name


def connect(api_url: str, session: Any, chat: str, token: str) -> Connection:
    token = token.strip()
    if not TOKEN.match(token):
        raise Permanent(
            words("That is not a bot token: @BotFather gives one like 123456789:AAH…"),
            code="password",
        )
    ref = chat_ref(chat)
    bot = BotAPI(session, api_url, token)
    try:
        me = bot.call("getMe")
    except AuthExpired:
        raise Permanent(
            words("Telegram does not accept this bot token."), code="password"
        ) from None
    try:
        found = bot.call("getChat", {"chat_id": ref})
        member = bot.call("getChatMember", {"chat_id": found["id"], "user_id": me["id"]})
    except Permanent as error:
        raise Permanent(
            words(
                "The bot cannot see this chat: add @%(bot)s to it as an administrator first.",
                bot=me.get("username", ""),
            ),
            code="handle",
            status=error.status,
        ) from None
    _check_chat(found, member, me)
    username = found.get("username") or ""
    creds = Credentials(
        external_id=str(found["id"]),
        handle=f"@{username}" if username else "",
        secrets={"bot_token": token},
        options={
            "chat_id": found["id"],
            "chat_type": found["type"],
            "username": username,
            "bot_id": me["id"],
            "bot_username": me.get("username", ""),
        },
    )
    return Connection("telegram", creds, str(found.get("title") or username or found["id"]))


def _check_chat(chat: dict[str, Any], member: dict[str, Any], me: dict[str, Any]) -> None:
    if chat.get("type") not in CHAT_TYPES:
        raise Permanent(
            words("SMO posts to Telegram channels and groups, not to a person's chat."),
            code="handle",
        )
    status = member.get("status")
    admin = status == "creator" or (
        status == "administrator"
        # Only channels have the right to post; in groups every admin may.
        and (chat["type"] != "channel" or member.get("can_post_messages") is True)
    )
    if not admin:
        raise Permanent(
            words(
                "@%(bot)s must be an administrator of this chat with the right to post messages.",
                bot=me.get("username", ""),
            ),
            code="handle",
        )

"""X's inbox: mentions, replies under the account's posts, and direct messages.

X has no comments feed: replies to the account's posts reach it through the
mentions timeline (X puts the author of the post replied to at the head of
every reply), so one feed gives comments, replies and mentions, told apart by
`conversation_id` (the id of the thread's first post, which is what `publish`
returns). The account's own answers are not mentions of itself: they are read
from its own timeline. Direct messages come from GET /2/dm_events, which has
no `since`, so paging stops at the first event older than it.

XAdapter delegates its inbox methods here (this module imports x.py, so x.py
imports it inside the methods).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import tweepy

from channels.adapters.base import Credentials, Permanent, Progress, Published, Unknown
from channels.adapters.engagement import (
    COMMENT,
    DELETE,
    HIDE,
    MENTION,
    MESSAGE,
    REPLY,
    UNHIDE,
    Engagement,
    PostRef,
)
from channels.adapters.x import XAdapter, fingerprint, post_url
from channels.words import words

logger = logging.getLogger(__name__)

POST_FIELDS = [
    "created_at",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "author_id",
]
USER_FIELDS = ["username", "name"]
DM_FIELDS = ["created_at", "dm_conversation_id", "event_type", "text"]
PAGE_SIZE = 100  # the most X's timelines and dm_events give per page
# X's reply prefix: the handles of the thread it answers, before the words.
LEADING_MENTIONS = re.compile(r"^(?:@\w{1,15}\s+)+")

# --- Reading ---------------------------------------------------------------------------


def fetch(
    adapter: XAdapter, creds: Credentials, since: datetime, posts: Sequence[PostRef]
) -> Iterator[Engagement]:
    client = adapter._client(creds)
    ours = {p.external_id for p in posts}
    me = creds.external_id
    for page in _pages(
        adapter, creds, lambda token: _timeline(adapter, client, "mentions", me, since, token)
    ):
        users = _users(page)
        for post in page.data or []:
            if str(post.author_id) != me:  # a post naming the account in its own thread
                yield _item(creds, post, users, ours)
    yield from answers(adapter, creds, since, ours)
    yield from messages(adapter, creds, since)


def answers(
    adapter: XAdapter, creds: Credentials, since: datetime, ours: set[str]
) -> Iterator[Engagement]:
    """Yield the account's own replies since `since`, from its own timeline."""
    client = adapter._client(creds)
    me = creds.external_id
    for page in _pages(
        adapter, creds, lambda token: _timeline(adapter, client, "own", me, since, token)
    ):
        for post in page.data or []:
            if replied_to(post):  # its own posts are not engagement
                yield _item(creds, post, {}, ours)


def _timeline(
    adapter: XAdapter, client: tweepy.Client, which: str, me: str, since: datetime, token: str
) -> Any:
    read = client.get_users_mentions if which == "mentions" else client.get_users_tweets
    return read(
        me,
        start_time=since,
        max_results=_page_size(adapter),
        pagination_token=token or None,
        tweet_fields=POST_FIELDS,
        expansions=["author_id"] if which == "mentions" else None,
        user_fields=USER_FIELDS if which == "mentions" else None,
        user_auth=False,
    )


def _pages(
    adapter: XAdapter, creds: Credentials, read: Callable[[str], Any]
) -> Iterator[tweepy.Response]:
    """Follow `meta.next_token` to the last page, yielding each as it arrives."""
    token = ""
    while True:
        page = adapter._call(creds, lambda token=token: read(token))
        yield page
        token = str((page.meta or {}).get("next_token") or "")
        if not token:
            return


def _item(
    creds: Credentials, post: tweepy.Tweet, users: dict[str, tweepy.User], ours: set[str]
) -> Engagement:
    author = str(post.author_id or "")
    own = author == creds.external_id
    user = users.get(author)
    handle = creds.handle if own else (user.username if user else "")
    answered = replied_to(post) or ""
    conversation = str(post.conversation_id or "")
    parent = conversation if conversation in ours else ""
    if not parent:
        kind = MENTION
    else:
        kind = COMMENT if answered == parent else REPLY
    return Engagement(
        external_id=str(post.id),
        kind=kind,
        text=html.unescape(post.text),  # the API sends &, < and > as entities
        created_at=post.created_at,
        author_name=(user.name if user else "") or handle,
        author_handle=handle,
        author_id=author,
        parent_post_id=parent,
        in_reply_to_id=answered if answered != parent else "",
        url=post_url(handle, str(post.id)),
        own=own,
    )


def messages(adapter: XAdapter, creds: Credentials, since: datetime) -> Iterator[Engagement]:
    """Yield the account's direct messages since `since`, newest first.

    DMs answer nothing on X; an own message is taken to answer the other side's
    latest message before it in the same conversation, so an answer SMO sent
    comes back with `in_reply_to_id` set to the message it answered. Own
    messages wait for that earlier message (possibly on a later page).
    """
    client = adapter._client(creds)
    waiting: dict[str, list[Engagement]] = {}
    token = ""
    while True:
        try:
            page = adapter._call(creds, lambda token=token: _dm_page(adapter, client, token))
        except Permanent as error:
            if error.status != 403 or token:
                raise
            # Accounts connected before SMO asked for dm.read, or apps whose X plan
            # has no DM access: the inbox shows their posts' replies without DMs,
            # as the engagement note says, instead of failing every fetch.
            logger.warning("X account %s: direct messages refused (403)", creds.external_id)
            return
        users = _users(page)
        older = False
        for event in page.data or []:
            item = _message(creds, event, users)
            if item.own:
                waiting.setdefault(item.thread_id, []).append(item)
                continue
            for answer in waiting.pop(item.thread_id, []):
                if answer.created_at >= since:
                    yield _answering(answer, item.external_id)
            if item.created_at >= since:
                yield item
            older = older or item.created_at < since
        token = str((page.meta or {}).get("next_token") or "")
        if not token or older:
            break
    for answers in waiting.values():
        yield from (a for a in answers if a.created_at >= since)


def _dm_page(adapter: XAdapter, client: tweepy.Client, token: str) -> Any:
    return client.get_direct_message_events(
        event_types=["MessageCreate"],
        dm_event_fields=DM_FIELDS,
        expansions=["sender_id"],
        user_fields=USER_FIELDS,
        max_results=_page_size(adapter),
        pagination_token=token or None,
        user_auth=False,
    )


def _message(creds: Credentials, event: Any, users: dict[str, tweepy.User]) -> Engagement:
    sender = str(event.sender_id or "")
    user = users.get(sender)
    own = sender == creds.external_id
    handle = creds.handle if own else (user.username if user else "")
    conversation = str(event.dm_conversation_id or "")
    return Engagement(
        external_id=str(event.id),
        kind=MESSAGE,
        text=str(event.text or ""),  # only post text is sent HTML-escaped
        created_at=event.created_at,
        author_name=(user.name if user else "") or handle,
        author_handle=handle,
        author_id=sender,
        thread_id=conversation,
        url=f"https://x.com/messages/{conversation}",
        own=own,
    )


def _answering(answer: Engagement, message_id: str) -> Engagement:
    return replace(answer, in_reply_to_id=message_id)


def _users(page: Any) -> dict[str, tweepy.User]:
    return {str(u.id): u for u in (page.includes or {}).get("users", [])}


def _page_size(adapter: XAdapter) -> int:
    return int(adapter.config.get("inbox_page_size") or PAGE_SIZE)


def replied_to(post: tweepy.Tweet) -> str | None:
    for reference in post.referenced_tweets or []:
        if reference.type == "replied_to":
            return str(reference.id)
    return None


# --- Answering ---------------------------------------------------------------------------


def reply(
    adapter: XAdapter, creds: Credentials, target: Engagement, text: str, progress: Progress
) -> Published:
    done = progress.get("reply")
    if done:
        return Published(done["id"], done["url"], datetime.fromisoformat(done["at"]))
    client = adapter._client(creds)
    text = text.replace("\r\n", "\n")
    if target.kind == MESSAGE:
        answer = adapter._call(
            creds,
            lambda: client.create_direct_message(
                dm_conversation_id=target.thread_id, text=text, user_auth=False
            ),
            creating=True,
        )
        answer_id = str((answer.data or {}).get("dm_event_id") or "")
        url = f"https://x.com/messages/{target.thread_id}"
    else:
        answer_id = adapter._create(client, creds, text, [], target.external_id)
        url = post_url(creds.handle, answer_id)
    if not answer_id:
        raise Unknown(words("X accepted the answer but sent back no id."), code="no-id")
    published = Published(answer_id, url, adapter.now())
    progress.record(
        "reply", {"id": answer_id, "url": url, "at": published.published_at.isoformat()}
    )
    return published


def find_reply(
    adapter: XAdapter, creds: Credentials, target: Engagement, text: str
) -> Published | None:
    """Find the account's answer to `target` by its words, as X shows them: X adds the
    handles it answers in front, turns links into t.co links and escapes &, < and >."""
    wanted = fingerprint(text)
    since = target.created_at - timedelta(minutes=1)
    if target.kind == MESSAGE:
        found = (
            m
            for m in messages(adapter, creds, since)
            if m.own and m.thread_id == target.thread_id and m.created_at >= target.created_at
        )
    else:
        found = (
            i
            for i in answers(adapter, creds, since, set())
            if i.in_reply_to_id == target.external_id
        )
    for item in found:
        if fingerprint(LEADING_MENTIONS.sub("", item.text)) == wanted:
            return Published(item.external_id, item.url, item.created_at)
    return None


# --- Moderating ---------------------------------------------------------------------------


def moderate(adapter: XAdapter, creds: Credentials, target: Engagement, action: str) -> None:
    client = adapter._client(creds)
    if action in (HIDE, UNHIDE) and target.kind in XAdapter.engagement.hides and not target.own:
        if not target.parent_post_id:
            raise Permanent(
                words("X hides only replies under the account's own posts."), code="unsupported"
            )
        hide = client.hide_reply if action == HIDE else client.unhide_reply
        adapter._call(creds, lambda: hide(target.external_id, user_auth=False))
        return
    if action == DELETE and target.kind in XAdapter.engagement.deletes and target.own:
        try:
            adapter._call(creds, lambda: client.delete_tweet(target.external_id, user_auth=False))
        except Permanent as error:
            if error.status != 404:  # gone already: what was asked
                raise
        return
    raise Permanent(words("X does not let SMO do this to this item."), code="unsupported")

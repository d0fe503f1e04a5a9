"""The Facebook Page inbox: comments and replies under the Page's posts, and
Messenger conversations (Graph API; platforms.md §2).

Facebook threads comments two levels deep: a comment on a post, and replies
under that comment. Answering a reply therefore posts under its comment, as
Facebook's own "Reply" does; the answer then answers the comment, so
`find_reply` looks for it there. Messenger has no threading at all: the Page's
own message counts as the answer to the person's last message before it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from channels.adapters.base import Permanent, Progress, Published
from channels.adapters.engagement import (
    COMMENT,
    DELETE,
    HIDE,
    MESSAGE,
    REPLY,
    UNHIDE,
    Engagement,
    PostRef,
)
from channels.adapters.graph import WWW_ORIGIN, Call, GraphClient, created_id, graph_time, permalink
from channels.words import words

COMMENT_FIELDS = "id,message,from,created_time,parent{id},is_hidden,permalink_url"
CONVERSATION_FIELDS = "id,updated_time,participants"
MESSAGE_FIELDS = "id,message,from,created_time"
PAGE_SIZE = 50
# Graph's clock and SMO's may differ: an answer found this long before the item
# it answers still counts.
SKEW = timedelta(minutes=1)


def fetch(
    client: GraphClient, page_id: str, since: datetime, posts: Iterable[PostRef]
) -> Iterator[Engagement]:
    """Comments under each post (oldest first), then Messenger messages."""
    for post in posts:
        yield from comments(client, page_id, post.external_id, since)
    yield from _messages(client, page_id, since)


def comments(
    client: GraphClient, page_id: str, post_id: str, since: datetime
) -> Iterator[Engagement]:
    # filter=stream lists replies with the comments, each naming its `parent`,
    # so one edge per post covers both levels.
    for page in client.pages(
        f"{post_id}/comments",
        filter="stream",
        order="chronological",
        since=int(since.timestamp()),
        fields=COMMENT_FIELDS,
        limit=PAGE_SIZE,
    ):
        for item in page:
            found = _comment(item, page_id, post_id, client.app.now())
            if found.created_at >= since:
                yield found


def _comment(item: Mapping[str, Any], page_id: str, post_id: str, now: datetime) -> Engagement:
    author = item.get("from") or {}  # absent when the commenter's privacy hides them
    parent = str((item.get("parent") or {}).get("id") or "")
    return Engagement(
        external_id=str(item["id"]),
        kind=REPLY if parent else COMMENT,
        text=str(item.get("message") or ""),
        created_at=graph_time(item.get("created_time")) or now,
        author_name=str(author.get("name") or ""),
        author_id=str(author.get("id") or ""),
        parent_post_id=post_id,
        in_reply_to_id=parent,
        url=str(item.get("permalink_url") or ""),
        own=str(author.get("id") or "") == page_id,
        hidden=bool(item.get("is_hidden")),
    )


def _messages(client: GraphClient, page_id: str, since: datetime) -> Iterator[Engagement]:
    """Conversations come most recently active first: stop at the first one
    untouched since `since`.

    Pages connected before SMO asked for pages_messaging are refused here
    (code 10 or 200-299) after their comments were yielded; the error says how
    to fix it instead of Graph's bare "(#200) Permissions error".
    """
    try:
        for page in client.pages(
            f"{page_id}/conversations",
            platform="messenger",
            fields=CONVERSATION_FIELDS,
            limit=PAGE_SIZE,
        ):
            for conversation in page:
                updated = graph_time(conversation.get("updated_time"))
                if updated is not None and updated < since:
                    return
                yield from _conversation(client, page_id, conversation, since)
    except Permanent as error:
        if not _permission(error.code):
            raise
        raise Permanent(
            words(
                "Facebook does not let SMO read this Page's Messenger conversations "
                "(%(reason)s). Reconnect the account to grant SMO Messenger access.",
                reason=error.detail,
            ),
            status=error.status,
            code=error.code,
        ) from None


def _permission(code: str) -> bool:
    main = code.split("/")[0]
    return main.isdigit() and (main == "10" or 200 <= int(main) <= 299)


def _conversation(
    client: GraphClient, page_id: str, conversation: Mapping[str, Any], since: datetime
) -> list[Engagement]:
    """One conversation's messages since `since`, oldest first.

    Read whole (messages come newest first) so each of the Page's messages can
    name the person's message it answers."""
    thread = str(conversation["id"])
    people = ((conversation.get("participants") or {}).get("data")) or []
    psid = next((str(p["id"]) for p in people if str(p.get("id")) != page_id), "")
    found: list[Engagement] = []
    for page in client.pages(f"{thread}/messages", fields=MESSAGE_FIELDS, limit=PAGE_SIZE):
        items = [_message(m, page_id, thread, psid, client.app.now()) for m in page]
        found.extend(i for i in items if i.created_at >= since)
        if any(i.created_at < since for i in items):
            break  # the rest is older still
    found.sort(key=lambda i: i.created_at)
    answered, threaded = "", []
    for item in found:
        if item.own:
            item = replace(item, in_reply_to_id=answered)
        else:
            answered = item.external_id
        threaded.append(item)
    return threaded


def _message(
    item: Mapping[str, Any], page_id: str, thread: str, psid: str, now: datetime
) -> Engagement:
    author = item.get("from") or {}
    return Engagement(
        external_id=str(item["id"]),
        kind=MESSAGE,
        text=str(item.get("message") or ""),
        created_at=graph_time(item.get("created_time")) or now,
        author_name=str(author.get("name") or ""),
        author_id=str(author.get("id") or ""),
        thread_id=thread,
        own=str(author.get("id") or "") == page_id,
        extra={"psid": psid},
    )


# --- Answering and moderating ------------------------------------------------------


def answered_comment(target: Engagement) -> str:
    """The comment an answer to `target` goes under (a reply's own comment)."""
    if target.kind == REPLY and target.in_reply_to_id:
        return target.in_reply_to_id
    return target.external_id


def reply(
    client: GraphClient, page_id: str, target: Engagement, text: str, progress: Progress
) -> Published:
    answer_id = progress.get("answer_id")
    if target.kind == MESSAGE:
        if not answer_id:
            answer_id = _send_message(client, page_id, target, text)
            progress.record("answer_id", answer_id)
        return Published(answer_id, "", client.app.now())
    if target.kind not in (COMMENT, REPLY):
        raise Permanent(words("Facebook does not let SMO answer this."), code="unsupported")
    if not answer_id:
        on = answered_comment(target)
        answer = client.post(f"{on}/comments", Call.CREATE, message=text)
        answer_id = created_id(answer, "Facebook")
        progress.record("answer_id", answer_id)
    url, made = permalink(
        client,
        answer_id,
        url_field="permalink_url",
        time_field="created_time",
        fallback=f"{WWW_ORIGIN}/{answer_id}",
    )
    return Published(answer_id, url, made)


def _send_message(client: GraphClient, page_id: str, target: Engagement, text: str) -> str:
    """Messenger's Send API; RESPONSE works within 24 hours of the person's last
    message, and graph.error_for explains the refusal after that."""
    psid = str(target.extra.get("psid") or ("" if target.own else target.author_id))
    if not psid:
        raise Permanent(
            words("SMO does not know whom to answer in this Messenger conversation."),
            code="no-recipient",
        )
    answer = client.post(
        f"{page_id}/messages",
        Call.CREATE,
        recipient=json.dumps({"id": psid}),
        message=json.dumps({"text": text}),
        messaging_type="RESPONSE",
    )
    return created_id(answer, "Facebook", "message_id")


def find_reply(
    client: GraphClient, page_id: str, target: Engagement, text: str
) -> Published | None:
    """Look where the answer went: under the comment (a reply's answer goes
    there too), or in the Messenger conversation."""
    since = target.created_at - SKEW
    if target.kind == MESSAGE:
        items = _messages(client, page_id, since)
    elif target.parent_post_id:
        items = comments(client, page_id, target.parent_post_id, since)
    else:
        return None
    return own_answer(items, target, text)


def own_answer(items: Iterable[Engagement], target: Engagement, text: str) -> Published | None:
    """The Page's own answer to `target` with `text`, among `items`."""
    wanted = Engagement("", target.kind, text, target.created_at).fingerprint
    for item in items:
        if not item.own or item.fingerprint != wanted or item.created_at < target.created_at - SKEW:
            continue
        if target.kind == MESSAGE and item.thread_id == target.thread_id:
            return Published(item.external_id, item.url, item.created_at)
        if target.kind != MESSAGE and item.in_reply_to_id == answered_comment(target):
            return Published(item.external_id, item.url, item.created_at)
    return None


def moderate(client: GraphClient, target: Engagement, action: str) -> None:
    if target.kind not in (COMMENT, REPLY) or action not in (HIDE, UNHIDE, DELETE):
        raise Permanent(words("Facebook does not let SMO do this."), code="unsupported")
    if action == DELETE:
        client.delete(target.external_id)
        return
    client.post(target.external_id, Call.REPEAT, is_hidden=action == HIDE)

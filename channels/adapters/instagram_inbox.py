"""The Instagram inbox: comments and their replies on the account's media
(IG Media comments and IG Comment references; platforms.md §3).

Instagram threads two levels deep, like Facebook: a comment lists its replies
(the `replies` field), and an answer to a reply goes under its comment. Direct
messages need the Messenger Platform for Instagram and its own app review, so
they are not read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from channels.adapters.base import Permanent, Progress, Published
from channels.adapters.engagement import (
    COMMENT,
    DELETE,
    HIDE,
    REPLY,
    UNHIDE,
    Engagement,
    PostRef,
)
from channels.adapters.facebook_inbox import SKEW, answered_comment, own_answer
from channels.adapters.graph import Call, GraphClient, created_id, graph_time
from channels.words import words

REPLY_FIELDS = "id,text,username,timestamp,from,hidden"
COMMENT_FIELDS = f"{REPLY_FIELDS},replies{{{REPLY_FIELDS}}}"
PAGE_SIZE = 50


class Account:
    """Who the account is, to recognise its own comments."""

    def __init__(self, user_id: str, username: str) -> None:
        self.user_id, self.username = user_id, username

    def wrote(self, item: Mapping[str, Any]) -> bool:
        author = item.get("from") or {}
        if author.get("id"):
            return str(author["id"]) == self.user_id
        return bool(self.username) and item.get("username") == self.username


def fetch(
    client: GraphClient, account: Account, since: datetime, posts: Iterable[PostRef]
) -> Iterator[Engagement]:
    for post in posts:
        yield from comments(client, account, post, since)


def comments(
    client: GraphClient, account: Account, post: PostRef, since: datetime
) -> Iterator[Engagement]:
    """Every comment and reply on one media since `since`.

    The comments edge takes no `since`, so each media is read whole: SMO only
    asks about recent posts, and a comment's new reply can come long after it.
    """
    for page in client.pages(
        f"{post.external_id}/comments", fields=COMMENT_FIELDS, limit=PAGE_SIZE
    ):
        for item in page:
            comment = _engagement(item, account, post, "", client.app.now())
            if comment.created_at >= since:
                yield comment
            for reply in _replies(client, item):
                answer = _engagement(reply, account, post, comment.external_id, client.app.now())
                if answer.created_at >= since:
                    yield answer


def _replies(client: GraphClient, comment: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The replies the comment came with, or all of them when they run to more pages."""
    nested = comment.get("replies") or {}
    if not (nested.get("paging") or {}).get("next"):
        return list(nested.get("data") or [])
    return [
        reply
        for page in client.pages(f"{comment['id']}/replies", fields=REPLY_FIELDS, limit=PAGE_SIZE)
        for reply in page
    ]


def _engagement(
    item: Mapping[str, Any], account: Account, post: PostRef, parent: str, now: datetime
) -> Engagement:
    author = item.get("from") or {}
    username = str(item.get("username") or author.get("username") or "")
    return Engagement(
        external_id=str(item["id"]),
        kind=REPLY if parent else COMMENT,
        text=str(item.get("text") or ""),
        created_at=graph_time(item.get("timestamp")) or now,
        author_name=username,
        author_handle=username,
        author_id=str(author.get("id") or ""),
        parent_post_id=post.external_id,
        in_reply_to_id=parent,
        url=post.url,  # comments have no address of their own
        own=account.wrote(item),
        hidden=bool(item.get("hidden")),
    )


def reply(client: GraphClient, target: Engagement, text: str, progress: Progress) -> Published:
    if target.kind not in (COMMENT, REPLY):
        raise Permanent(words("Instagram does not let SMO answer this."), code="unsupported")
    answer_id = progress.get("answer_id")
    if not answer_id:
        answer = client.post(f"{answered_comment(target)}/replies", Call.CREATE, message=text)
        answer_id = created_id(answer, "Instagram")
        progress.record("answer_id", answer_id)
    return Published(answer_id, target.url, client.app.now())


def find_reply(
    client: GraphClient, account: Account, target: Engagement, text: str
) -> Published | None:
    if not target.parent_post_id:
        return None
    post = PostRef(target.parent_post_id, target.url)
    return own_answer(comments(client, account, post, target.created_at - SKEW), target, text)


def moderate(client: GraphClient, target: Engagement, action: str) -> None:
    if target.kind not in (COMMENT, REPLY) or action not in (HIDE, UNHIDE, DELETE):
        raise Permanent(words("Instagram does not let SMO do this."), code="unsupported")
    if action == DELETE:
        client.delete(target.external_id)
        return
    client.post(target.external_id, Call.REPEAT, hide=action == HIDE)

"""YouTube's inbox: comment threads on the channel's videos, answers and moderation.

Comments are read per video (commentThreads.list videoId=..., part=snippet,replies),
or, when no video is named, for the whole channel (allThreadsRelatedToChannelId).
A thread carries only some of its replies; the rest come from comments.list
parentId=... . Each call is charged against the project's daily quota first
(youtube_quota: lists 1 unit, each write 50).

YouTube's replies are flat: every reply names the thread's top comment as its
parent, and answering a reply means replying in the thread with "@handle" in
front, as YouTube's own app does. So a reply that starts with "@handle" is read
as answering that person's latest earlier comment in the thread.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from channels.adapters.base import Credentials, Permanent, Progress, Published, Unknown
from channels.adapters.engagement import (
    COMMENT,
    DELETE,
    HIDE,
    REPLY,
    UNHIDE,
    Engagement,
    EngagementSupport,
    PostRef,
)
from channels.adapters.youtube_api import Calls
from channels.adapters.youtube_errors import Step
from channels.words import words

if TYPE_CHECKING:
    from channels.adapters.youtube import YouTubeAdapter

PAGE_SIZE = 100  # commentThreads.list and comments.list give at most 100 a page
# A video with comments turned off, or deleted since SMO published it, has none
# to read: the other videos are still read.
NOTHING_TO_READ = frozenset({"commentsDisabled", "videoNotFound"})
STATUSES = {HIDE: "heldForReview", UNHIDE: "published", DELETE: "rejected"}
ANSWERING = re.compile(r"^@([\w.\-]+)")
# Held, rejected and deleted comments leave the listing, so they cannot be
# read back; a second hide or delete is harmless all the same.
GONE = frozenset({"commentNotFound"})

SUPPORT = EngagementSupport(
    fetches=frozenset({COMMENT, REPLY}),
    replies_to=frozenset({COMMENT, REPLY}),
    hides=frozenset({COMMENT, REPLY}),
    deletes=frozenset({COMMENT, REPLY}),
    # Every read costs quota from the project's 10,000 units a day, shared by
    # every channel: each video's comments are read twice an hour.
    interval=timedelta(minutes=30),
    note=words(
        "YouTube gives comments on videos only; hiding holds a comment for review, and "
        "deleting someone else's comment rejects it (only the account's own are deleted)."
    ),
)


# --- Reading ---------------------------------------------------------------------------


def fetch(
    adapter: YouTubeAdapter, creds: Credentials, since: datetime, posts: Sequence[PostRef]
) -> Iterator[Engagement]:
    calls = adapter._calls(creds)
    sources = [{"videoId": p.external_id} for p in posts] or [
        {"allThreadsRelatedToChannelId": creds.external_id}
    ]
    for where in sources:
        try:
            yield from _threads(adapter, calls, creds, since, where)
        except Permanent as error:
            if "videoId" not in where or error.code not in NOTHING_TO_READ:
                raise


def _threads(
    adapter: YouTubeAdapter,
    calls: Calls,
    creds: Credentials,
    since: datetime,
    where: Mapping[str, str],
) -> Iterator[Engagement]:
    """Read every page of threads (newest first): an old thread may have new replies."""
    token = None
    while True:
        request = calls.client.commentThreads().list(
            part="snippet,replies",
            order="time",
            textFormat="plainText",
            maxResults=_page_size(adapter),
            pageToken=token,
            **where,
        )
        answer = calls.execute(request, "commentThreads.list")
        for thread in answer.get("items") or []:
            for item in _thread_items(adapter, calls, creds, thread):
                if item.created_at >= since:
                    yield item
        token = answer.get("nextPageToken")
        if not token:
            return


def _thread_items(
    adapter: YouTubeAdapter, calls: Calls, creds: Credentials, thread: Mapping[str, Any]
) -> list[Engagement]:
    snippet = thread.get("snippet") or {}
    video = str(snippet.get("videoId") or "")
    top = _item(creds, snippet.get("topLevelComment") or {}, video, COMMENT)
    replies = list((thread.get("replies") or {}).get("comments") or [])
    if int(snippet.get("totalReplyCount") or 0) > len(replies):
        replies = list(_replies(adapter, calls, top.external_id))
    items = [_item(creds, r, video, REPLY, thread=top.external_id) for r in replies]
    return [top, *answering(top, sorted(items, key=lambda i: i.created_at))]


def _replies(adapter: YouTubeAdapter, calls: Calls, thread: str) -> Iterator[Mapping[str, Any]]:
    token = None
    while True:
        request = calls.client.comments().list(
            part="snippet",
            parentId=thread,
            textFormat="plainText",
            maxResults=_page_size(adapter),
            pageToken=token,
        )
        answer = calls.execute(request, "comments.list")
        yield from answer.get("items") or []
        token = answer.get("nextPageToken")
        if not token:
            return


def _item(
    creds: Credentials, comment: Mapping[str, Any], video: str, kind: str, thread: str = ""
) -> Engagement:
    snippet = comment.get("snippet") or {}
    author = str((snippet.get("authorChannelId") or {}).get("value") or "")
    name = str(snippet.get("authorDisplayName") or "")
    comment_id = str(comment.get("id") or "")
    return Engagement(
        external_id=comment_id,
        kind=kind,
        # textOriginal is shown only to the comment's author; plainText otherwise.
        text=str(snippet.get("textOriginal") or snippet.get("textDisplay") or ""),
        created_at=_time(str(snippet.get("publishedAt") or "")),
        author_name=name,
        author_handle=name.removeprefix("@") if name.startswith("@") else "",
        author_id=author,
        parent_post_id=str(snippet.get("videoId") or video),
        in_reply_to_id=str(snippet.get("parentId") or ""),
        url=comment_url(video, comment_id),
        own=author == creds.external_id,
        extra={"thread": thread} if thread else {},
    )


def answering(top: Engagement, replies: list[Engagement]) -> list[Engagement]:
    """Point each reply that starts with "@handle" at that person's latest earlier
    comment in the thread; the others answer the top comment."""
    earlier = [top]
    found = []
    for item in replies:
        wanted = ANSWERING.match(item.text)
        if wanted:
            handle = wanted.group(1).lower()
            match = next((e for e in reversed(earlier) if e.author_handle.lower() == handle), None)
            if match is not None:
                item = replace(item, in_reply_to_id=match.external_id)
        earlier.append(item)
        found.append(item)
    return found


def _page_size(adapter: YouTubeAdapter) -> int:
    return int(adapter.config.get("inbox_page_size") or PAGE_SIZE)


def comment_url(video: str, comment_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video}&lc={comment_id}"


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- Answering ---------------------------------------------------------------------------


def answer_text(target: Engagement, text: str) -> str:
    """The text sent: answering a reply names its author first, as YouTube's app does."""
    text = text.replace("\r\n", "\n")
    mention = f"@{target.author_handle}"
    if target.kind == REPLY and target.author_handle and not text.startswith(mention):
        return f"{mention} {text}"
    return text


def reply(
    adapter: YouTubeAdapter, creds: Credentials, target: Engagement, text: str, progress: Progress
) -> Published:
    done = progress.get("reply")
    if done:
        return Published(done["id"], done["url"], _time(done["at"]))
    if target.kind not in SUPPORT.replies_to:
        raise Permanent(words("YouTube has no way to answer this."), code="unsupported")
    calls = adapter._calls(creds)
    snippet = {"parentId": _thread(target), "textOriginal": answer_text(target, text)}
    request = calls.client.comments().insert(part="snippet", body={"snippet": snippet})
    answer = calls.execute(request, "comments.insert", Step.COMMENT)
    answer_id = str(answer.get("id") or "")
    if not answer_id:
        raise Unknown(words("YouTube accepted the answer but sent back no id."), code="no-id")
    when = str((answer.get("snippet") or {}).get("publishedAt") or "")
    published = Published(
        answer_id,
        comment_url(target.parent_post_id, answer_id),
        _time(when) if when else adapter.now(),
    )
    at = published.published_at.isoformat()
    progress.record("reply", {"id": answer_id, "url": published.url, "at": at})
    return published


def find_reply(
    adapter: YouTubeAdapter, creds: Credentials, target: Engagement, text: str
) -> Published | None:
    """Look for the account's answer among the thread's replies (one comments.list
    page per 100 replies, instead of every thread of the video)."""
    calls = adapter._calls(creds)
    wanted = _same(answer_text(target, text))
    not_before = target.created_at - timedelta(minutes=1)
    for comment in _replies(adapter, calls, _thread(target)):
        item = _item(creds, comment, target.parent_post_id, REPLY)
        if item.own and item.created_at >= not_before and _same(item.text) == wanted:
            return Published(item.external_id, item.url, item.created_at)
    return None


def _thread(target: Engagement) -> str:
    return str(target.extra.get("thread") or target.external_id)


def _same(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# --- Moderating ---------------------------------------------------------------------------


def moderate(adapter: YouTubeAdapter, creds: Credentials, target: Engagement, action: str) -> None:
    if target.kind not in SUPPORT.hides or action not in STATUSES:
        raise Permanent(words("YouTube does not let SMO do this."), code="unsupported")
    calls = adapter._calls(creds)
    if target.own and action == DELETE:
        request = calls.client.comments().delete(id=target.external_id)
        method = "comments.delete"
    elif target.own:
        raise Permanent(
            words("YouTube holds back comments by others only; delete the account's own."),
            code="unsupported",
        )
    else:
        request = calls.client.comments().setModerationStatus(
            id=target.external_id, moderationStatus=STATUSES[action]
        )
        method = "comments.setModerationStatus"
    try:
        calls.execute(request, method, Step.MODERATE)
    except Permanent as error:
        if error.code not in GONE:  # deleted already: what was asked
            raise

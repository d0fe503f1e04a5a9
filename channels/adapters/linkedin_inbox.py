"""The LinkedIn inbox: comments on a Page's posts and the replies under them
(learn.microsoft.com/linkedin/marketing/community-management/shares/comments-api).

- Reading: GET /rest/socialActions/{post-urn}/comments lists a post's comments,
  `start`/`count` paging with a `next` link in `paging.links`; the replies to a
  comment are GET /rest/socialActions/{comment-urn}/comments, read for every
  comment whose `commentsSummary` counts any. LinkedIn nests one level deep:
  a reply to a reply is posted under the same top-level comment.
- Answering: POST /rest/socialActions/{comment-urn}/comments with the Page as
  `actor`, the post as `object` and `parentComment`. No idempotency key, so a
  lost answer is Unknown and find_reply reads the comment's replies again.
- Deleting: DELETE /rest/socialActions/{on}/comments/{id}?actor=..., the Page's
  own comments only. LinkedIn has no hiding of comments.

Only Pages are read: a member's comments need r_member_social, which LinkedIn
grants to few apps, so member accounts fetch nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import requests

from channels.adapters.base import Credentials, Permanent, Progress, Published, Unknown
from channels.adapters.engagement import COMMENT, DELETE, REPLY, Engagement, PostRef
from channels.adapters.linkedin_auth import ORGANIZATION
from channels.adapters.linkedin_http import LinkedInAPI
from channels.words import words

PAGE_SIZE = 50
MAX_PAGES = 100  # a guard against a `next` link that never ends
COMMENTS = words("the post's comments")
THE_ANSWER = words("the answer")
THE_DELETE = words("deleting the comment")


def fetch(
    api: LinkedInAPI, creds: Credentials, since: datetime, posts: Sequence[PostRef]
) -> Iterator[Engagement]:
    """Yield the comments on `posts` made since `since`, each comment's replies after it."""
    if not creds.external_id.startswith(ORGANIZATION):
        return  # members: LinkedIn refuses without r_member_social
    for post in posts:
        for comment in _listed(api, post.external_id):
            if _made(comment) >= since:
                yield engagement(comment, creds, post.external_id)
            if _has_replies(comment):
                for reply in _listed(api, str(comment.get("commentUrn") or "")):
                    if _made(reply) >= since:
                        yield engagement(reply, creds, post.external_id)


def engagement(element: Mapping[str, Any], creds: Credentials, post_urn: str) -> Engagement:
    urn = str(element.get("commentUrn") or element.get("$URN") or "")
    parent = str(element.get("parentComment") or "")
    actor = str(element.get("actor") or (element.get("created") or {}).get("actor") or "")
    return Engagement(
        external_id=urn,
        kind=REPLY if parent else COMMENT,
        text=str((element.get("message") or {}).get("text") or ""),
        created_at=_made(element),
        author_id=actor,
        parent_post_id=post_urn,
        in_reply_to_id=parent,
        url=f"https://www.linkedin.com/feed/update/{post_urn}/?commentUrn={quote(urn, safe='')}",
        own=actor == creds.external_id,
    )


def under(target: Engagement) -> str:
    """The comment an answer to `target` goes under: LinkedIn nests one level, so
    an answer to a reply sits under that reply's top-level comment."""
    return target.in_reply_to_id if target.kind == REPLY else target.external_id


def reply(
    api: LinkedInAPI, creds: Credentials, target: Engagement, text: str, progress: Progress
) -> Published:
    if target.kind not in (COMMENT, REPLY) or not target.parent_post_id:
        raise Permanent(words("LinkedIn lets SMO answer comments only."), code="unsupported")
    if not creds.external_id.startswith(ORGANIZATION):
        raise Permanent(words("LinkedIn lets SMO answer comments as a Page only."), code="member")
    if progress.get("comment_urn"):
        return _answered(progress)
    parent = under(target)
    body = {
        "actor": creds.external_id,
        "object": target.parent_post_id,
        "message": {"text": text},
        "parentComment": parent,
    }
    response = api.post(_comments(parent), THE_ANSWER, body, creating=True)
    made = _body(response)
    urn = str(made.get("commentUrn") or response.headers.get("x-restli-id") or "")
    if not urn.startswith("urn:li:comment:"):
        raise Unknown(words("LinkedIn answered without the comment's URN; it may exist."))
    progress.record("comment_urn", urn)
    progress.record("post_urn", target.parent_post_id)
    progress.record("published_at", _made(made, api.now()).isoformat())
    return _answered(progress)


def delete(api: LinkedInAPI, creds: Credentials, target: Engagement, action: str) -> None:
    if action != DELETE:
        raise Permanent(words("LinkedIn has no hiding of comments."), code="unsupported")
    if not target.own:
        raise Permanent(
            words("LinkedIn lets SMO delete only the Page's own comments."), code="unsupported"
        )
    on = target.in_reply_to_id or target.parent_post_id
    path = f"{_comments(on)}/{quote(comment_id(target.external_id), safe='')}"
    try:
        api.send("DELETE", path, THE_DELETE, creating=False, params={"actor": creds.external_id})
    except Permanent as refused:
        if refused.status != 404:  # already gone: deleting twice succeeds
            raise


def comment_id(urn: str) -> str:
    """ "urn:li:comment:(urn:li:activity:123,456)" -> "456"."""
    return urn.rstrip(")").rsplit(",", 1)[-1]


def answered(progress: Progress) -> Published | None:
    return _answered(progress) if progress.get("comment_urn") else None


def _answered(progress: Progress) -> Published:
    urn, post = str(progress.get("comment_urn")), str(progress.get("post_urn") or "")
    url = f"https://www.linkedin.com/feed/update/{post}/?commentUrn={quote(urn, safe='')}"
    return Published(urn, url, datetime.fromisoformat(str(progress.get("published_at"))))


def _listed(api: LinkedInAPI, urn: str) -> Iterator[dict[str, Any]]:
    """The comments on `urn` (a post or a comment), page by page to the last."""
    params: dict[str, Any] = {"start": 0, "count": PAGE_SIZE}
    for _ in range(MAX_PAGES):
        page = api.get(_comments(urn), COMMENTS, params)
        yield from (e for e in page.get("elements") or [] if isinstance(e, dict))
        following = _next(page)
        if following is None:
            return
        params = following


def _next(page: Mapping[str, Any]) -> dict[str, Any] | None:
    """The start and count of the `next` link in paging.links, if there is one."""
    links = (page.get("paging") or {}).get("links") or []
    for link in links:
        if isinstance(link, Mapping) and link.get("rel") == "next" and link.get("href"):
            query = parse_qs(urlparse(str(link["href"])).query)
            return {k: v[-1] for k, v in query.items() if k in ("start", "count")}
    return None


def _comments(urn: str) -> str:
    # Rest.li 2.0 takes URNs in a path URL-encoded, parentheses and commas too.
    return f"/rest/socialActions/{quote(urn, safe='')}/comments"


def _has_replies(comment: Mapping[str, Any]) -> bool:
    summary = comment.get("commentsSummary") or {}
    return bool(summary.get("aggregatedTotalComments") or summary.get("totalFirstLevelComments"))


def _made(element: Mapping[str, Any], default: datetime | None = None) -> datetime:
    """`created.time` (epoch milliseconds)."""
    try:
        return datetime.fromtimestamp(int((element.get("created") or {})["time"]) / 1000, UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return default or datetime.fromtimestamp(0, UTC)


def _body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

"""Finding a post whose create answer was lost, among the author's recent posts
(learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api,
"Find Posts by Authors").

`GET /rest/posts?author={urn}&q=author&sortBy=CREATED` lists the author's posts,
newest first, `count` a page and `start` the offset. A Page's posts need
r_organization_social; a member's need r_member_social, which LinkedIn grants
to few apps. When LinkedIn refuses the list (403) SMO cannot say whether the
post exists, so the reconciler hands the delivery to a person (CannotTell)
rather than publishing a second time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from channels.adapters.base import CannotTell, Permanent
from channels.adapters.linkedin_http import LinkedInAPI
from channels.adapters.linkedin_text import same_text
from channels.words import words

PAGE_SIZE = 20
MAX_PAGES = 3  # the 60 newest posts
# LinkedIn's clock and SMO's may differ: a post made this long before the first
# attempt started still counts as that attempt's.
CLOCK_SKEW = timedelta(minutes=10)


def find_post(
    api: LinkedInAPI, author: str, text: str, not_before: datetime | None
) -> dict[str, Any] | None:
    """Return the newest listed post by `author` whose commentary is `text`, made no
    earlier than `not_before` (less the clock skew)."""
    since = not_before - CLOCK_SKEW if not_before else None
    for page in range(MAX_PAGES):
        params = {
            "author": author,
            "q": "author",
            "count": PAGE_SIZE,
            "start": page * PAGE_SIZE,
            "sortBy": "CREATED",
        }
        try:
            answer = api.get("/rest/posts", words("the account's recent posts"), params)
        except Permanent as refused:
            if refused.status == 403:
                raise CannotTell(
                    words(
                        "LinkedIn does not let SMO read this account's posts, so it cannot "
                        "tell whether the post was made; check the account on LinkedIn."
                    ),
                    status=403,
                    code=refused.code,
                ) from None
            raise
        elements = [e for e in answer.get("elements") or [] if isinstance(e, dict)]
        for post in elements:
            made = created(post)
            if since is not None and made is not None and made < since:
                return None  # newest first: the rest is older still
            if post.get("lifecycleState", "PUBLISHED") != "PUBLISHED":
                continue
            if same_text(str(post.get("commentary") or ""), text):
                return post
        if len(elements) < PAGE_SIZE:
            return None
    return None


def created(post: dict[str, Any]) -> datetime | None:
    """A post's `publishedAt` or `createdAt` (epoch milliseconds)."""
    value = post.get("publishedAt") or post.get("createdAt")
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None

"""LinkedIn's analytics: a Page's post statistics, social action counts, and the
Page's followers (learn.microsoft.com/linkedin/marketing/community-management/
organizations/share-statistics, .../shares/network-sizes, .../shares/social-actions-api).

- Page posts: GET /rest/organizationalEntityShareStatistics?q=organizationalEntity
  &organizationalEntity={org}&shares=List(...) (or ugcPosts=List(...) for
  urn:li:ugcPost ids; the two are asked for separately), without timeIntervals,
  so the totals are lifetime. It needs rw_organization_admin as the Page's
  ADMINISTRATOR and only covers the last 12 months: a post it leaves out is
  read again with GET /rest/socialActions?ids=List(...) for likes and comments.
  A post neither knows (404 there) is gone and skipped.
- Member posts: GET /rest/socialActions?ids=List(...) only, which needs
  r_member_social, a permission LinkedIn grants to few apps; refused, a member's
  posts give no figures (and members have no follower count SMO may read).
- Followers: GET /rest/networkSizes/{org}?edgeType=COMPANY_FOLLOWED_BY_MEMBER
  (firstDegreeSize), Pages only.

Rest.li 2.0 lists go in the query as List(a,b) with each URN URL-encoded and
the brackets and commas as they are, so those query strings are built here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from channels.adapters import metrics as m
from channels.adapters.base import Credentials, Permanent
from channels.adapters.linkedin_auth import ORGANIZATION
from channels.adapters.linkedin_http import LinkedInAPI
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.words import words

logger = logging.getLogger(__name__)

# How many URNs one call names. LinkedIn documents no maximum (unconfirmed); this
# keeps the URL well under the 8 KB its front ends take.
BATCH = 50
STATISTICS = words("the posts' statistics")
SOCIAL = words("the posts' likes and comments")
FOLLOWERS = words("the Page's followers")
# totalShareStatistics -> ours. engagement (a rate) is left out: SMO adds its own.
SHARE_FIGURES = {
    "impressionCount": m.IMPRESSIONS,
    "uniqueImpressionsCount": m.REACH,
    "likeCount": m.LIKES,
    "commentCount": m.COMMENTS,
    "shareCount": m.SHARES,
    "clickCount": m.LINK_CLICKS,  # clicks on the post's content, links included
}
# socialActions -> ours: (summary, field).
SOCIAL_FIGURES = {
    m.LIKES: ("likesSummary", "totalLikes"),
    m.COMMENTS: ("commentsSummary", "aggregatedTotalComments"),
}
# The URN types share statistics take, by query parameter.
KINDS = {"urn:li:share:": "shares", "urn:li:ugcPost:": "ugcPosts"}

SUPPORT = MetricsSupport(
    figures=frozenset(SHARE_FIGURES.values()),
    followers=True,
    # LinkedIn counts calls per day with unpublished limits (platforms.md §5).
    interval=timedelta(hours=6),
    note=words(
        "LinkedIn gives figures and followers for Pages only (a member's posts need a "
        "permission LinkedIn grants to few apps), only likes and comments for a Page's "
        "posts older than 12 months, and no saves or video views."
    ),
)


def fetch(
    api: LinkedInAPI, creds: Credentials, external_ids: Sequence[str]
) -> Iterator[PostMetrics]:
    ids = list(dict.fromkeys(str(i) for i in external_ids if i))
    if not ids:
        return
    page = creds.external_id if creds.external_id.startswith(ORGANIZATION) else ""
    left = ids
    if page:
        left = []
        for kind, parameter in KINDS.items():
            wanted = [i for i in ids if i.startswith(kind)]
            for batch in _batches(wanted):
                found = _share_statistics(api, page, parameter, batch)
                yield from (found[i] for i in batch if i in found)
                left += [i for i in batch if i not in found]
        left += [i for i in ids if not i.startswith(tuple(KINDS))]
    for batch in _batches(left):
        try:
            yield from _social_actions(api, batch)
        except Permanent as error:
            if page or error.status != 403:
                raise
            # A member's posts need r_member_social: nothing to read, as the note says.
            logger.info("LinkedIn member %s: social actions refused (403)", creds.external_id)
            return


def followers(api: LinkedInAPI, creds: Credentials) -> int | None:
    if not creds.external_id.startswith(ORGANIZATION):
        return None  # a member's follower count is not open to apps like SMO
    path = f"/rest/networkSizes/{quote(creds.external_id, safe='')}"
    body = api.get(path, FOLLOWERS, {"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"})
    size = body.get("firstDegreeSize")
    return int(size) if isinstance(size, int) else None


def _share_statistics(
    api: LinkedInAPI, page: str, parameter: str, urns: list[str]
) -> dict[str, PostMetrics]:
    query = (
        f"q=organizationalEntity&organizationalEntity={quote(page, safe='')}"
        f"&{parameter}={_list(urns)}"
    )
    body = api.get(f"/rest/organizationalEntityShareStatistics?{query}", STATISTICS)
    found = {}
    for element in body.get("elements") or []:
        if not isinstance(element, Mapping):
            continue
        urn = str(element.get("share") or element.get("ugcPost") or "")
        totals = element.get("totalShareStatistics") or {}
        figures = {ours: _count(totals.get(theirs)) for theirs, ours in SHARE_FIGURES.items()}
        if urn in urns:
            found[urn] = PostMetrics(external_id=urn, **figures)
    return found


def _social_actions(api: LinkedInAPI, urns: list[str]) -> Iterator[PostMetrics]:
    """Likes and comments of each post; one LinkedIn does not have is in `errors`."""
    body = api.get(f"/rest/socialActions?ids={_list(urns)}", SOCIAL)
    results = body.get("results") or {}
    for urn in urns:
        actions = results.get(urn)
        if not isinstance(actions, Mapping):
            continue  # gone (404 in `errors`): skipped
        figures = {
            ours: _count((actions.get(summary) or {}).get(field))
            for ours, (summary, field) in SOCIAL_FIGURES.items()
        }
        yield PostMetrics(external_id=urn, **figures)


def _list(urns: list[str]) -> str:
    return "List(" + ",".join(quote(u, safe="") for u in urns) + ")"


def _batches(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None

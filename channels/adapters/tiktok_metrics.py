"""TikTok analytics: each post's counts and the account's followers (platforms.md §7).

`POST /v2/video/query/` (scope video.list) takes up to 20 post ids in
`filters.video_ids` and answers the creator's videos among them with their
lifetime like, comment, share and view counts; a post that is gone is left
out. `GET /v2/user/info/?fields=follower_count` needs user.info.stats.

publish() returns the public post id when TikTok gave it in time, else the
publish_id (tiktok.py `_published`): moderation gives the id "usually within
one minute, in some cases a few hours", and never for a private post. A
publish_id is looked up with status/fetch (30 calls a minute, shared with
publishing, so at most RESOLVE_AT_ONCE a reading); one with no post id yet is
skipped, and its figures are yielded under the publish_id as passed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

from channels.adapters import metrics as m
from channels.adapters.base import AuthExpired, Permanent, RateLimited
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.adapters.tiktok_api import Call, TikTokClient
from channels.adapters.tiktok_status import fetch_status, post_ids
from channels.words import words

QUERY = "/v2/video/query/"
USER_INFO = "/v2/user/info/"
BATCH = 20  # filters.video_ids takes at most 20
RESOLVE_AT_ONCE = 10  # publish_ids looked up per reading, well under status/fetch's 30 a minute

# TikTok's counts -> SMO's figures. TikTok counts plays and nothing else that
# is shown, so a play is both a video view and an impression (metrics.py:
# "views, where the network counts views").
NAMES: dict[str, tuple[str, ...]] = {
    "like_count": (m.LIKES,),
    "comment_count": (m.COMMENTS,),
    "share_count": (m.SHARES,),
    "view_count": (m.VIDEO_VIEWS, m.IMPRESSIONS),
}
FIELDS = ",".join(["id", *NAMES])

SUPPORT = MetricsSupport(
    figures=frozenset(f for names in NAMES.values() for f in names),
    followers=True,
    interval=timedelta(hours=1),
    note=words(
        "TikTok gives likes, comments, shares and plays of public posts only: no reach, "
        "saves or link clicks, and nothing for a post until TikTok has given it a public id."
    ),
)


def is_post_id(external_id: str) -> bool:
    """A public post id is all digits; a publish_id reads "v_pub_file~v2-1.7441…"."""
    return external_id.isdigit()


def post_metrics(external_id: str, video: Mapping[str, Any]) -> PostMetrics:
    found: dict[str, int | None] = {}
    for name, figures in NAMES.items():
        value = video.get(name)
        if isinstance(value, int):
            found.update(dict.fromkeys(figures, value))
    return PostMetrics(external_id, **found)


def fetch(client: TikTokClient, external_ids: Sequence[str]) -> Iterator[PostMetrics]:
    ids = list(dict.fromkeys(str(i) for i in external_ids))
    wanted = {i: i for i in ids if is_post_id(i)}  # post id -> the id as passed
    for publish_id, post_id in resolved(client, [i for i in ids if not is_post_id(i)]):
        wanted.setdefault(post_id, publish_id)
    post_ids_ = list(wanted)
    for start in range(0, len(post_ids_), BATCH):
        body = {"filters": {"video_ids": post_ids_[start : start + BATCH]}}
        data = client.post(QUERY, body, Call.READ, params={"fields": FIELDS})
        for video in data.get("videos") or []:
            passed = wanted.get(str(video.get("id") or ""))
            if passed is not None:
                yield post_metrics(passed, video)


def resolved(client: TikTokClient, publish_ids: list[str]) -> Iterator[tuple[str, str]]:
    """(publish_id, post id) of the publishes TikTok has given a public id by now.
    A publish TikTok no longer knows, or one it rate-limits, is left for later."""
    for publish_id in publish_ids[:RESOLVE_AT_ONCE]:
        try:
            ids = post_ids(fetch_status(client, publish_id))
        except RateLimited:
            return  # the rest wait for the next reading; publishing needs these calls
        except AuthExpired:
            raise
        except Permanent:
            continue
        if ids:
            yield publish_id, ids[0]


def followers(client: TikTokClient) -> int | None:
    try:
        user = client.get(USER_INFO, {"fields": "follower_count"}).get("user") or {}
    except AuthExpired as error:
        if error.code != "scope_not_authorized":
            raise
        # Accounts connected before SMO asked for user.info.stats: publishing
        # still works, so this must not read as a dead token.
        raise Permanent(
            words(
                "TikTok gives the follower count only with the user.info.stats permission; "
                "reconnect the account to allow it."
            ),
            status=error.status,
            code="scope",
        ) from None
    count = user.get("follower_count")
    return count if isinstance(count, int) else None

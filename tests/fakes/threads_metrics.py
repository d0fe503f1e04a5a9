"""The fake Threads API's insights (developers.facebook.com/docs/threads/insights):
GET /{media-id}/insights?metric=views,likes,replies,reposts,quotes,shares and
GET /{user-id}/threads_insights?metric=followers_count. threads_routes.route
calls these.

Figures are seeded with FakeThreads.set_metrics(media_id, views=..., likes=...)
and set_followers(user_id, n); a metric never seeded is left out of the answer
(a post with part of the figures). A post that is gone answers 100/33, like
every other read of it. `fake.insights_allowed = False` is a token without
threads_manage_insights: code 10, as for mentions (the code is assumed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakes import threads_inbox
from tests.fakes.graph_wire import Recorded, fault

if TYPE_CHECKING:
    from tests.fakes.threads import FakeThreads

MEDIA_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
USER_METRICS = ("views", "likes", "replies", "reposts", "quotes", "clicks", "followers_count")


def _metrics(r: Recorded, allowed: tuple[str, ...]) -> list[str]:
    names = [n for n in r.query.get("metric", "").split(",") if n]
    for name in names or [""]:
        if name not in allowed:
            # The wording is assumed; Graph answers code 100 for a bad parameter.
            raise fault(
                400,
                100,
                f"(#100) metric[0] must be one of the following values: {', '.join(allowed)}",
            )
    return names


def _permitted(fake: FakeThreads) -> None:
    if not fake.insights_allowed:
        raise fault(400, 10, "(#10) Application does not have permission for this action")


def media_insights(fake: FakeThreads, r: Recorded, user_id: str, media_id: str) -> Any:
    post = threads_inbox._existing(fake, media_id, "get")
    _permitted(fake)
    names = _metrics(r, MEDIA_METRICS)
    if post["user_id"] != user_id:
        return {"data": []}  # others' posts (REPOST_FACADE) answer an empty list
    figures = fake.figures.get(media_id, {})
    return {
        "data": [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": figures[name]}],
                "title": name.capitalize(),
                "description": f"The number of {name} of your post.",
                "id": f"{media_id}/insights/{name}/lifetime",
            }
            for name in names
            if name in figures
        ]
    }


def user_insights(fake: FakeThreads, r: Recorded, user_id: str) -> tuple[int, Any]:
    _permitted(fake)
    names = _metrics(r, USER_METRICS)
    data = []
    if "followers_count" in names and fake.followers.get(user_id) is not None:
        data.append(
            {
                "name": "followers_count",
                "period": "day",
                "title": "followers_count",
                "description": "The number of followers on the profile.",
                "total_value": {"value": fake.followers[user_id]},
                "id": f"{user_id}/insights/followers_count/day",
            }
        )
    return 200, {"data": data}

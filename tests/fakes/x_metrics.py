"""FakeX's analytics routes: GET /2/tweets?ids=... with metrics, and followers on /2/users/me.

Answers follow X API v2 (held to its OpenAPI description with the rest of FakeX):
up to 100 ids a call; an id X does not have comes back in `errors` as a "Not
Found Error" (resource-not-found); `non_public_metrics` and `organic_metrics`
are given only to the post's author within 30 days of posting, and a post
they are refused for is left out of `data` and named in `errors` as a "Field
Authorization Error" (not-authorized-for-field), as X does.

    post = fake.add_tweet(USER_ID, "Our news")
    fake.set_metrics(post, like_count=3, url_link_clicks=2)
    fake.set_followers(USER_ID, 1200)
    fake.age(post, days=31)  # past the non-public window
"""

from __future__ import annotations

from typing import Any

from twitter_text import extract_urls

DAY = 24 * 60 * 60
OWNED_WINDOW = 30 * DAY  # non-public metrics: the author's posts of the last 30 days
PUBLIC = (
    "repost_count",
    "reply_count",
    "like_count",
    "quote_count",
    "bookmark_count",
    "impression_count",
)
NON_PUBLIC = ("impression_count", "url_link_clicks", "user_profile_clicks")
ORGANIC = ("impression_count", "like_count", "reply_count", "retweet_count", "url_link_clicks")
OWNED_FIELDS = ("non_public_metrics", "organic_metrics")
PROBLEMS = "https://api.x.com/2/problems/"


def _x() -> Any:
    # tests.fakes.x imports this module for the mixin.
    from tests.fakes import x

    return x


class XMetricsRoutes:
    """Mixed into FakeX: it supplies tweets, users, now() and the Reply helpers."""

    tweets: list[dict[str, Any]]
    users: dict[str, dict[str, Any]]

    # --- Seeding ---

    def set_metrics(self, tweet_id: str, **counts: int) -> None:
        """Set a post's counts by X's names (like_count, impression_count, url_link_clicks,
        ...); the rest stay 0 as on a new post. `repost_count` also takes `retweet_count`."""
        tweet = self._find(tweet_id)  # type: ignore[attr-defined]
        assert tweet is not None, tweet_id
        if "retweet_count" in counts:
            counts["repost_count"] = counts.pop("retweet_count")
        tweet.setdefault("counts", {}).update(counts)

    def age(self, tweet_id: str, days: float) -> None:
        """Make a post `days` older (the non-public metrics window)."""
        tweet = self._find(tweet_id)  # type: ignore[attr-defined]
        tweet["posted"] = tweet.get("posted", self.now()) - days * DAY  # type: ignore[attr-defined]

    def set_followers(self, user_id: str, followers: int) -> None:
        self.users[user_id]["public_metrics"] = {
            "followers_count": followers,
            "following_count": 12,
            "tweet_count": 40,
            "post_count": 40,
            "listed_count": 1,
            "like_count": 7,
            "media_count": 3,
        }

    # --- Routes ---

    def metrics_routes(self, user: str, query: dict[str, str]) -> dict[str, Any]:
        return {"GET /2/tweets": lambda: self._lookup(user, query)}

    def _lookup(self, user: str, query: dict[str, str]) -> Any:
        x = _x()
        ids = [i for i in query.get("ids", "").split(",") if i]
        wanted = set(query.get("tweet.fields", "").split(","))
        owned = wanted & set(OWNED_FIELDS)
        data, errors = [], []
        for post_id in ids:
            tweet = self._find(post_id)  # type: ignore[attr-defined]
            if tweet is None:
                errors.append(_not_found(post_id))
                continue
            if owned and not self._may_read_owned(user, tweet):
                errors.extend(_field_refused(post_id, field) for field in sorted(owned))
                continue
            post = x.post_json(tweet, wanted)
            post.update(self._metrics_json(tweet, wanted))
            data.append(post)
        body: dict[str, Any] = {}
        if data:
            body["data"] = data
        if errors:
            body["errors"] = errors
        return x.Reply(200, body)

    def _may_read_owned(self, user: str, tweet: dict[str, Any]) -> bool:
        posted = tweet.get("posted", self.now())  # type: ignore[attr-defined]
        return tweet["author_id"] == user and self.now() - posted < OWNED_WINDOW  # type: ignore[attr-defined]

    def _metrics_json(self, tweet: dict[str, Any], wanted: set[str]) -> dict[str, Any]:
        counts = tweet.get("counts", {})
        # X sends url_link_clicks only for posts with a link in them.
        linked = bool(extract_urls(tweet["text"]))
        out: dict[str, Any] = {}
        if "public_metrics" in wanted:
            out["public_metrics"] = {n: int(counts.get(n, 0)) for n in PUBLIC}
        if "non_public_metrics" in wanted:
            out["non_public_metrics"] = {
                n: int(counts.get(n, 0)) for n in NON_PUBLIC if linked or n != "url_link_clicks"
            }
        if "organic_metrics" in wanted:
            organic = {n: int(counts.get(n, 0)) for n in ORGANIC if n != "retweet_count"}
            organic["retweet_count"] = int(counts.get("repost_count", 0))
            if not linked:
                organic.pop("url_link_clicks")
            out["organic_metrics"] = organic
        return out


def _not_found(post_id: str) -> dict[str, Any]:
    return {
        "value": post_id,
        "detail": f"Could not find tweet with ids: [{post_id}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "ids",
        "resource_id": post_id,
        "type": PROBLEMS + "resource-not-found",
    }


def _field_refused(post_id: str, field: str) -> dict[str, Any]:
    return {
        "value": post_id,
        "detail": f"Sorry, you are not authorized to access '{field}' on the Tweet with ids: [{post_id}].",
        "title": "Field Authorization Error",
        "resource_type": "tweet",
        "parameter": field,
        "resource_id": post_id,
        "field": field,
        "section": "data",
        "type": PROBLEMS + "not-authorized-for-field",
    }

"""The fake Graph API's analytics: the multi-id lookup `GET /?ids=a,b&fields=...`
(at most 50 ids; an id that does not exist fails the call with code 803, as
Graph does), field expansion with modifiers (`reactions.summary(total_count)
.limit(0)`, `insights.metric(reach,views)`), the `insights` and
`video_insights` edges, and `followers_count`/`fan_count` on Pages and
Instagram accounts. graph_routes.route sends these here.

Figures are seeded with FakeGraph.set_metrics(object_id, **figures) in the
network's own names: for Facebook posts `shares`, `reactions`, `comments` and
insight metrics (`post_impressions`, `post_clicks_by_type`, ...); for videos
`reactions`, `comments` and `total_video_views`, ...; for Instagram media
`like_count`, `comments_count` and insight metrics (`views`, `reach`, ...). A
figure never seeded is left out of the answer, as Graph leaves out `shares` of
a post nobody shared and a metric it has no data for.

Knobs: `retired_metrics` (metrics Graph refuses with code 100, as it does for
those Meta retired), `no_insights` (Instagram media posted before the account
turned professional: insights refused with 10/2108006), set_followers().
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.fakes.graph_wire import Recorded, fault, unsupported

if TYPE_CHECKING:
    from tests.fakes.graph import FakeGraph
    from tests.fakes.graph_routes import Actor

MAX_IDS = 50
POST_METRICS = frozenset(
    {"post_impressions", "post_impressions_unique", "post_clicks", "post_clicks_by_type"}
)
VIDEO_METRICS = frozenset(
    {"total_video_views", "total_video_impressions", "total_video_impressions_unique"}
)
MEDIA_METRICS = frozenset(
    {"views", "reach", "likes", "comments", "shares", "saved", "total_interactions"}
)
# Which expandable fields each kind of object has.
POST_FIELDS = frozenset({"shares", "reactions", "comments", "insights"})
VIDEO_FIELDS = frozenset({"reactions", "comments", "video_insights"})
MEDIA_FIELDS = frozenset(
    {"like_count", "comments_count", "media_type", "media_product_type", "insights"}
)
FIELD = re.compile(r"^(\w+)((?:\.\w+\([^()]*\))*)$")
MODIFIER = re.compile(r"\.(\w+)\(([^()]*)\)")


def split_fields(fields: str) -> list[str]:
    """Top-level fields: commas inside (...) or {...} do not split."""
    found, depth, current = [], 0, ""
    for char in fields:
        depth += char in "({"
        depth -= char in ")}"
        if char == "," and depth == 0:
            found.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        found.append(current.strip())
    return found


def kind_of(fake: FakeGraph, object_id: str) -> tuple[str, dict[str, Any]] | None:
    """("post" | "video" | "photo" | "media", the object) for an id the fake holds."""
    post = next((p for p in fake.posts if p["id"] == object_id), None)
    if post is not None:
        return "post", post
    if object_id in fake.videos:
        return "video", fake.videos[object_id]
    if object_id in fake.photos:
        return "photo", fake.photos[object_id]
    media = next((m for m in fake.media if m["id"] == object_id), None)
    return ("media", media) if media is not None else None


def multi_read(fake: FakeGraph, r: Recorded, actor: Actor) -> tuple[int, Any]:
    """GET /?ids=a,b,c&fields=...: one answer keyed by id."""
    ids = [i for i in r.query.get("ids", "").split(",") if i]
    if not ids:
        raise fault(400, 100, "(#100) The parameter ids is required")
    if len(ids) > MAX_IDS:
        raise fault(400, 100, f"(#100) Too many IDs. Maximum: {MAX_IDS}. Actual: {len(ids)}")
    missing = [i for i in ids if kind_of(fake, i) is None and i not in fake.pages]
    if missing:
        raise fault(
            404, 803, f"(#803) Some of the aliases you requested do not exist: {','.join(missing)}"
        )
    fields = r.query.get("fields", "")
    return 200, {i: read(fake, i, fields) for i in ids}


def read(fake: FakeGraph, object_id: str, fields: str) -> dict[str, Any]:
    """One object with `fields`, expanding the analytics fields."""
    found = kind_of(fake, object_id)
    if found is None:
        if object_id in fake.pages:
            return _page(fake, object_id, fields)
        raise unsupported("GET", object_id)
    kind, item = found
    allowed = {"post": POST_FIELDS, "video": VIDEO_FIELDS, "media": MEDIA_FIELDS}.get(kind, set())
    view: dict[str, Any] = {"id": object_id}
    for field in split_fields(fields or "id"):
        match = FIELD.match(re.sub(r"\{.*\}$", "", field))
        if match is None:
            raise fault(400, 2500, f'Syntax error "Expected end of string instead of "{field}""')
        name, modifiers = match.group(1), dict(MODIFIER.findall(match.group(2)))
        if name in item and name not in allowed:
            view[name] = item[name]
        elif name in allowed:
            value = _expanded(fake, kind, object_id, item, name, modifiers)
            if value is not None:
                view[name] = value
        elif name not in item and name in (POST_FIELDS | VIDEO_FIELDS | MEDIA_FIELDS):
            node = {"post": "Post", "video": "Video", "photo": "Photo"}.get(kind, "IGMedia")
            raise fault(
                400, 100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node})"
            )
    return view


def _expanded(
    fake: FakeGraph,
    kind: str,
    object_id: str,
    item: dict[str, Any],
    name: str,
    modifiers: dict[str, str],
) -> Any:
    figures = fake.figures.get(object_id, {})
    if name in ("insights", "video_insights"):
        return insights(fake, kind, object_id, modifiers.get("metric", ""))
    if name in ("media_type", "media_product_type"):
        return item.get(name)
    if name in ("reactions", "comments"):
        count = figures.get(name)
        if count is None and name == "comments":
            top = modifiers.get("filter", "toplevel") == "toplevel"
            count = sum(
                1
                for c in fake.comments
                if c["post_id"] == object_id and (not top or c["parent_id"] == object_id)
            )
        summary: dict[str, Any] = {"total_count": int(count or 0)}
        if "summary" not in modifiers:
            return {"data": []}
        return {"data": [], "summary": summary}
    if name == "shares":
        return {"count": figures["shares"]} if figures.get("shares") else None
    return figures.get(name)


def insights(fake: FakeGraph, kind: str, object_id: str, metric: str) -> dict[str, Any]:
    """An insights edge's answer: one entry per metric the fake has a figure for."""
    names = [n for n in metric.split(",") if n]
    if not names:
        raise fault(
            400,
            3001,
            "Invalid query",
            subcode=1504028,
            user_title="No Metric Specified",
            user_msg="No metric was specified to be fetched. Please specify one or more "
            "metrics to be fetched and try again.",
        )
    known = {"post": POST_METRICS, "video": VIDEO_METRICS, "media": MEDIA_METRICS}.get(kind, set())
    for name in names:
        if name not in known or name in fake.retired_metrics:
            raise fault(400, 100, f"(#100) The value must be a valid insights metric: {name}")
    if kind == "media" and object_id in fake.no_insights:
        raise fault(
            400,
            10,
            "(#10) Not enough viewers for the media to show insights",
            subcode=2108006,
            user_title="Media Posted Before Business Account Conversion",
            user_msg="The media was posted before the most recent time that the user's "
            "account was converted to a business account from a personal account.",
        )
    figures = fake.figures.get(object_id, {})
    data = [
        {
            "name": name,
            "period": "lifetime",
            "values": [{"value": figures[name]}],
            "title": name.replace("_", " ").capitalize(),
            "description": f"Lifetime {name.replace('_', ' ')}",
            "id": f"{object_id}/insights/{name}/lifetime",
        }
        for name in names
        if name in figures
    ]
    return {"data": data}


def insights_edge(fake: FakeGraph, r: Recorded, object_id: str, actor: Actor) -> tuple[int, Any]:
    """GET /{object-id}/insights?metric=... (and /video_insights for videos)."""
    found = kind_of(fake, object_id)
    if found is None:
        raise unsupported("GET", object_id)
    edge = r.path.rsplit("/", 1)[-1]
    if (edge == "video_insights") != (found[0] == "video"):
        raise unsupported("GET", object_id)
    return 200, insights(fake, found[0], object_id, r.query.get("metric", ""))


def _page(fake: FakeGraph, page_id: str, fields: str) -> dict[str, Any]:
    page = fake.pages[page_id]
    known = {"id": page_id, "name": page.name, **_followers(fake, page_id)}
    return {k: known[k] for k in ["id", *(split_fields(fields) or known)] if k in known}


def _followers(fake: FakeGraph, owner: str) -> dict[str, int]:
    found = {"followers_count": fake.followers.get(owner), "fan_count": fake.fans.get(owner)}
    return {k: v for k, v in found.items() if v is not None}


def owner_view(fake: FakeGraph, object_id: str, fields: str) -> dict[str, Any] | None:
    """A Page or Instagram account read by id, with its followers."""
    if object_id in fake.pages:
        return _page(fake, object_id, fields)
    for page in fake.pages.values():
        if page.instagram and page.instagram[0] == object_id:
            known = {"id": object_id, "username": page.instagram[1]}
            known.update({k: v for k, v in _followers(fake, object_id).items() if k != "fan_count"})
            return {k: known[k] for k in ["id", *(split_fields(fields) or known)] if k in known}
    return None

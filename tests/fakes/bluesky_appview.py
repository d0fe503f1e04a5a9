"""FakeBluesky's analytics side: what the AppView behind a PDS answers for
app.bsky.feed.getPosts and app.bsky.actor.getProfile (platforms.md §11).

getPosts takes 1 to 25 `uris` (repeated in the query) and answers
`{"posts": [postView]}` in the order asked, leaving out posts that are gone;
each view carries the counts seeded with FakeBluesky.set_metrics (a count not
seeded is left out, as an AppView that does not count quotes leaves quoteCount
out). getProfile answers a profileViewDetailed with followersCount. With
`no_appview` set, both answer as a PDS without an AppView does: 400
InvalidRequest "No service configured for <nsid>" (@atproto/pds 0.4.217).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakes import bluesky_routes
from tests.fakes.x import Recorded, Reply

if TYPE_CHECKING:
    from tests.fakes.bluesky import FakeBluesky

MAX_URIS = 25


def route(fake: FakeBluesky, nsid: str, request: Recorded) -> Reply | None:
    """The answer to an AppView method, or None when `nsid` is not one of these."""
    if nsid not in ("app.bsky.feed.getPosts", "app.bsky.actor.getProfile"):
        return None
    if fake.no_appview:
        return bluesky_routes.xrpc_error(400, "InvalidRequest", f"No service configured for {nsid}")
    if nsid == "app.bsky.feed.getPosts":
        return get_posts(fake, request)
    return get_profile(fake, request)


def get_posts(fake: FakeBluesky, request: Recorded) -> Reply:
    uris = list(getattr(request, "query_lists", {}).get("uris", []))
    if not uris:
        return bluesky_routes.xrpc_error(
            400, "InvalidRequest", 'Error: Params must have the property "uris"'
        )
    if len(uris) > MAX_URIS:
        return bluesky_routes.xrpc_error(
            400, "InvalidRequest", f"Error: uris must not have more than {MAX_URIS} elements"
        )
    return Reply(200, {"posts": [post_view(fake, u) for u in uris if u in fake.records]})


def post_view(fake: FakeBluesky, uri: str) -> dict[str, Any]:
    stored = fake.records[uri]
    did = uri.removeprefix("at://").split("/", 1)[0]
    return {
        "uri": uri,
        "cid": stored["cid"],
        "author": author(fake, did),
        "record": stored["value"],
        **fake.counts.get(uri, {}),
        "indexedAt": stored["value"].get("createdAt") or "2026-01-01T00:00:00.000Z",
        "viewer": {},
        "labels": [],
    }


def author(fake: FakeBluesky, did: str) -> dict[str, Any]:
    account = fake.accounts.get(did) or {"did": did, "handle": "handle.invalid"}
    return {
        "did": did,
        "handle": account["handle"],
        "displayName": account.get("display_name") or "",
        "labels": [],
        "createdAt": "2024-01-01T00:00:00.000Z",
    }


def get_profile(fake: FakeBluesky, request: Recorded) -> Reply:
    actor = request.query.get("actor", "")
    did = next(
        (d for d, a in fake.accounts.items() if actor in (a["did"], a["handle"])),
        None,
    )
    if did is None:
        return bluesky_routes.xrpc_error(400, "InvalidRequest", "Profile not found")
    account = fake.accounts[did]
    return Reply(
        200,
        {
            **author(fake, did),
            "followersCount": account.get("followers", 0),
            "followsCount": 0,
            "postsCount": len(fake.posts(did)),
        },
    )

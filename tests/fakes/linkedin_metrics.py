"""The fake LinkedIn's analytics: organizationalEntityShareStatistics for a Page's
posts, batch socialActions, and networkSizes for a Page's followers.

- Share statistics need rw_organization_admin and the member to administer the
  Page (403 otherwise), take `shares=List(...)` or `ugcPosts=List(...)`, and
  answer lifetime `totalShareStatistics` for the Page's posts of the last 12
  months; other URNs (older, gone, someone else's) are left out.
- socialActions?ids=List(...) is a Rest.li BATCH_GET: `results` by URN, and a
  post that does not exist in `errors` with its 404 (and in `statuses`). Reading
  needs r_organization_social as an admin for a Page's posts and r_member_social
  for a member's, as the Comments API does.
- networkSizes/{org}?edgeType=COMPANY_FOLLOWED_BY_MEMBER gives firstDegreeSize.

A figure set to None is left out of the answer (a partial answer).

    fake.set_statistics(post, impressionCount=900, clickCount=None)
    fake.set_followers(page, 4200)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.fakes import linkedin_wire as wire
from tests.fakes.linkedin_wire import Refusal
from tests.fakes.x import Recorded, Reply

if TYPE_CHECKING:
    from tests.fakes.linkedin import FakeLinkedIn

STATISTICS = "/rest/organizationalEntityShareStatistics"
SOCIAL_ACTIONS = "/rest/socialActions"
NETWORK_SIZES = re.compile(r"^/rest/networkSizes/(?P<urn>urn:li:organization:\d+)$")
LIST = re.compile(r"^List\((?P<items>[^()]*)\)$")
YEAR_MS = 365 * 24 * 3600 * 1000
ZERO = {
    "uniqueImpressionsCount": 0,
    "shareCount": 0,
    "engagement": 0.0,
    "clickCount": 0,
    "likeCount": 0,
    "impressionCount": 0,
    "commentCount": 0,
}
ORGANIZATION = "urn:li:organization:"
PERSON = "urn:li:person:"


def matches(method: str, path: str) -> bool:
    return method == "GET" and (
        path in (STATISTICS, SOCIAL_ACTIONS) or NETWORK_SIZES.match(path) is not None
    )


def route(fake: FakeLinkedIn, grant: dict[str, Any], request: Recorded) -> Reply:
    if request.path == STATISTICS:
        return _share_statistics(fake, grant, request.query)
    if request.path == SOCIAL_ACTIONS:
        return _social_actions(fake, grant, request.query)
    found = NETWORK_SIZES.match(request.path)
    assert found is not None
    return _network_size(fake, grant, found.group("urn"), request.query)


# --- Seeding ---


def set_statistics(fake: FakeLinkedIn, urn: str, **figures: int | None) -> None:
    post = _post(fake, urn)
    assert post is not None, urn
    statistics = post.setdefault("statistics", dict(ZERO))
    for name, value in figures.items():
        if value is None:
            statistics.pop(name, None)
        else:
            statistics[name] = value


# --- Routes ---


def _share_statistics(fake: FakeLinkedIn, grant: dict[str, Any], query: dict[str, str]) -> Reply:
    if query.get("q") != "organizationalEntity" or not query.get("organizationalEntity"):
        raise Refusal(400, {"status": 400, "message": "Missing required parameter q"})
    page = query["organizationalEntity"]
    _admin(fake, grant, page, "rw_organization_admin")
    kinds = [k for k in ("shares", "ugcPosts") if k in query]
    if len(kinds) > 1:
        # Asking for both at once is refused (assumed from reports; unconfirmed).
        raise Refusal(400, {"status": 400, "message": "Only one of shares, ugcPosts allowed"})
    urns = _parse_list(query[kinds[0]]) if kinds else []
    key = "ugcPost" if kinds == ["ugcPosts"] else "share"
    now_ms = int(fake.now() * 1000)
    elements = []
    for urn in urns:
        post = _post(fake, urn)
        if post is None or post["author"] != page or now_ms - post["createdAt"] > YEAR_MS:
            continue
        elements.append(
            {
                "organizationalEntity": page,
                key: urn,
                "totalShareStatistics": dict(post.get("statistics") or ZERO),
            }
        )
    paging = {"start": 0, "count": 10, "links": []}
    return Reply(200, {"paging": paging, "elements": elements})


def _social_actions(fake: FakeLinkedIn, grant: dict[str, Any], query: dict[str, str]) -> Reply:
    urns = _parse_list(query.get("ids", ""))
    if not urns:
        raise Refusal(400, {"status": 400, "message": "Missing required parameter ids"})
    results: dict[str, Any] = {}
    statuses: dict[str, int] = {}
    errors: dict[str, Any] = {}
    for urn in urns:
        post = _post(fake, urn)
        if post is None:
            statuses[urn] = 404
            errors[urn] = {"status": 404, "message": f"Not found: {urn}"}
            continue
        _may_read(fake, grant, post["author"])
        statistics = post.get("statistics") or ZERO
        likes = statistics.get("likeCount", 0)
        comments = sum(1 for c in fake.comments if c["post"] == urn)
        first_level = sum(
            1 for c in fake.comments if c["post"] == urn and not c.get("parentComment")
        )
        statuses[urn] = 200
        results[urn] = {
            "$URN": urn,
            "target": urn,
            "likesSummary": {
                "totalLikes": likes,
                "aggregatedTotalLikes": likes,
                "likedByCurrentUser": False,
            },
            "commentsSummary": {
                "totalFirstLevelComments": first_level,
                "aggregatedTotalComments": comments,
            },
        }
    return Reply(200, {"results": results, "statuses": statuses, "errors": errors})


def _network_size(
    fake: FakeLinkedIn, grant: dict[str, Any], urn: str, query: dict[str, str]
) -> Reply:
    if query.get("edgeType") != "COMPANY_FOLLOWED_BY_MEMBER":
        raise Refusal(400, {"status": 400, "message": "Invalid edgeType"})
    org = fake.organizations.get(urn.removeprefix(ORGANIZATION))
    if org is None:
        raise Refusal(404, wire.not_found(f"/networkSizes/{urn}"))
    return Reply(200, {"firstDegreeSize": int(org.get("followers", 0))})


def _admin(fake: FakeLinkedIn, grant: dict[str, Any], page: str, scope: str) -> None:
    org = (
        fake.organizations.get(page.removeprefix(ORGANIZATION))
        if page.startswith(ORGANIZATION)
        else None
    )
    if org is None or grant["member"] not in org["admins"] or scope not in grant["scopes"]:
        raise Refusal(403, wire.forbidden(STATISTICS))


def _may_read(fake: FakeLinkedIn, grant: dict[str, Any], author: str) -> None:
    if author.startswith(PERSON):
        if "r_member_social" not in grant["scopes"]:
            raise Refusal(403, wire.forbidden(SOCIAL_ACTIONS))
        return
    _admin(fake, grant, author, "r_organization_social")


def _parse_list(value: str) -> list[str]:
    found = LIST.match(value)
    if found is None:
        raise Refusal(400, {"status": 400, "message": f"Invalid Rest.li list: {value}"})
    return [u for u in found.group("items").split(",") if u]


def _post(fake: FakeLinkedIn, urn: str) -> dict[str, Any] | None:
    return next((p for p in fake.posts if p["id"] == urn), None)

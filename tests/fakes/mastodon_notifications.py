"""FakeMastodon's inbox endpoints (platforms.md §10): the notifications feed, a
status's context and deleting a status.

GET /api/v1/notifications lists newest first, `limit` a page (default 40, at
most 80, or the fake's `page_cap`), `types[]`, `max_id`/`since_id`/`min_id`; a
full page carries a Link header to the next (older, `max_id`) and previous
(newer, `min_id`) pages, as Mastodon sends it, so the page after the last full
one is empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from tests.fakes import mastodon_wire as wire
from tests.fakes.x import Reply

if TYPE_CHECKING:
    from tests.fakes.mastodon import FakeMastodon, Request


def notifications(fake: FakeMastodon, request: Request, account: dict[str, Any]) -> Reply:
    query = request.query
    limit = min(int(query.get("limit") or 40), 80, fake.page_cap or 80)
    wanted = query.get("types[]")
    newest_first = [
        n
        for n in reversed(fake.notifications)
        if n["account"] == account["id"]
        and n["status"] in fake.statuses
        and (not wanted or n["type"] == wanted)
        and _in_range(n["id"], query)
    ]
    page = newest_first[:limit]
    headers: dict[str, str | None] = {}
    if page and len(page) == limit:
        older = {**query, "max_id": page[-1]["id"]}
        newer = {k: v for k, v in query.items() if k != "max_id"} | {"min_id": page[0]["id"]}
        base = f"{fake.url}{request.path}"
        headers["Link"] = (
            f'<{base}?{urlencode(older)}>; rel="next", <{base}?{urlencode(newer)}>; rel="prev"'
        )
    return Reply(200, [notification_json(fake, n) for n in page], headers)


def _in_range(item_id: str, query: dict[str, str]) -> bool:
    value = int(item_id)
    if query.get("max_id") and value >= int(query["max_id"]):
        return False
    low = query.get("since_id") or query.get("min_id")
    return not (low and value <= int(low))


def notification_json(fake: FakeMastodon, notification: dict[str, Any]) -> dict[str, Any]:
    status = fake.statuses[notification["status"]]
    return {
        "id": notification["id"],
        "type": notification["type"],
        "group_key": f"ungrouped-{notification['id']}",
        "created_at": wire.iso(notification["created"]),
        "account": wire.account_json(fake.accounts[status["account"]], fake.domain),
        "status": fake.status_json(status),
    }


def context(fake: FakeMastodon, status_id: str) -> Reply:
    """Ancestors oldest first, then every status below it (Mastodon's order)."""
    ancestors = []
    parent = fake.statuses[status_id]["in_reply_to_id"]
    while parent and parent in fake.statuses:
        ancestors.insert(0, fake.statuses[parent])
        parent = fake.statuses[parent]["in_reply_to_id"]
    below = {status_id}
    descendants = []
    for status in fake.statuses.values():  # oldest first: a parent comes before its replies
        if status["in_reply_to_id"] in below:
            below.add(status["id"])
            descendants.append(status)
    return Reply(
        200,
        {
            "ancestors": [fake.status_json(s) for s in ancestors],
            "descendants": [fake.status_json(s) for s in descendants],
        },
    )


def delete(fake: FakeMastodon, status_id: str, account: dict[str, Any]) -> Reply:
    """Only the author may delete (another's status is "not found"); the answer is
    the status with its source text, for "delete and redraft"."""
    status = fake.statuses.get(status_id)
    if status is None or status["account"] != account["id"]:
        return Reply(404, {"error": "Record not found"})
    body = {**fake.status_json(status), "text": status["text"]}
    del fake.statuses[status_id]
    return Reply(200, body)

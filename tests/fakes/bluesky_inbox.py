"""FakeBluesky's inbox side (platforms.md §11): what the AppView behind a PDS
answers for app.bsky.notification.listNotifications, and the repository writes
the inbox uses (deleteRecord, putRecord for a threadgate).

Every post record stored (through createRecord or `add_post`) notifies as the
AppView would: the parent's and the root's authors of a reply ("reply"), each
DID a mention facet names ("mention"), the author of a quoted post ("quote");
never the post's own author. listNotifications lists newest first, `limit` a
page (default 50, at most 100, or the fake's `page_cap`) with an opaque
`cursor`, and `reasons` filters as on the AppView.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

from tests.fakes import bluesky_routes
from tests.fakes.x import Recorded, Reply

if TYPE_CHECKING:
    from tests.fakes.bluesky import FakeBluesky

THREADGATE = "app.bsky.feed.threadgate"


def iso(epoch: float) -> str:
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"
    )


def notify(fake: FakeBluesky, author: str, stored: dict[str, Any]) -> None:
    """Record the notifications a new post record makes (see the module's doc)."""
    record = stored["value"]
    reply = record.get("reply") or {}
    found: dict[str, str] = {}  # recipient -> reason; the first reason wins, as on the AppView
    for ref in (reply.get("parent"), reply.get("root")):
        if ref:
            found.setdefault(repo_of(ref["uri"]), "reply")
    for facet in record.get("facets") or []:
        for feature in facet.get("features") or []:
            if feature.get("$type") == "app.bsky.richtext.facet#mention":
                found.setdefault(str(feature.get("did")), "mention")
    quoted = ((record.get("embed") or {}).get("record") or {}).get("uri")
    if quoted:
        found.setdefault(repo_of(quoted), "quote")
    for recipient, reason in found.items():
        if recipient != author and recipient in fake.accounts:
            fake.notifications.append(
                {
                    "recipient": recipient,
                    "uri": stored["uri"],
                    "cid": stored["cid"],
                    "author": author,
                    "reason": reason,
                    "indexed": fake.now(),
                }
            )


def repo_of(uri: str) -> str:
    return uri.removeprefix("at://").split("/", 1)[0]


def list_notifications(fake: FakeBluesky, request: Recorded, did: str) -> Reply:
    query = request.query
    limit = int(query.get("limit") or 50)
    if not 1 <= limit <= 100:
        return bluesky_routes.xrpc_error(400, "InvalidRequest", "limit must be between 1 and 100")
    limit = min(limit, fake.page_cap or 100)
    reasons = set(getattr(request, "query_lists", {}).get("reasons", []))  # repeated
    mine = [
        (index, n)
        for index, n in reversed(list(enumerate(fake.notifications)))
        if n["recipient"] == did
        and n["uri"] in fake.records
        and (not reasons or n["reason"] in reasons)
    ]
    cursor = query.get("cursor")
    if cursor:
        mine = [(i, n) for i, n in mine if i < int(cursor.split("::")[1])]
    page = mine[:limit]
    body: dict[str, Any] = {
        "notifications": [notification_json(fake, n) for _, n in page],
        "priority": False,
    }
    if len(mine) > limit:
        last_index, last = page[-1]
        body["cursor"] = f"{int(last['indexed'] * 1000)}::{last_index}"
    return Reply(200, body)


def notification_json(fake: FakeBluesky, n: dict[str, Any]) -> dict[str, Any]:
    author = fake.accounts[n["author"]]
    stored = fake.records[n["uri"]]
    body = {
        "uri": n["uri"],
        "cid": n["cid"],
        "author": {
            "did": author["did"],
            "handle": author["handle"],
            "displayName": author["display_name"],
            "labels": [],
            "createdAt": "2024-01-01T00:00:00.000Z",
        },
        "reason": n["reason"],
        "record": stored["value"],
        "isRead": False,
        "indexedAt": iso(n["indexed"]),
        "labels": [],
    }
    if n["reason"] == "reply":
        body["reasonSubject"] = stored["value"]["reply"]["parent"]["uri"]
    return body


def list_records(fake: FakeBluesky, request: Recorded) -> Reply:
    """Newest rkey first; `cursor` is the last rkey of the page before, and every
    non-empty page names one (as @atproto/pds does), so the last page is empty."""
    query = request.query
    prefix = f"at://{query.get('repo')}/{query.get('collection')}/"
    limit = min(int(query.get("limit") or 50), 100, fake.page_cap or 100)
    cursor = query.get("cursor")
    found = [
        fake.records[u]
        for u in sorted(fake.records, reverse=True)
        if u.startswith(prefix) and (not cursor or u.removeprefix(prefix) < cursor)
    ][:limit]
    body: dict[str, Any] = {"records": found}
    if found:
        body["cursor"] = found[-1]["uri"].rsplit("/", 1)[1]
    return Reply(200, body)


def delete_record(fake: FakeBluesky, did: str, body: dict[str, Any]) -> Reply:
    """Deleting a record that is not there succeeds too, as on the PDS."""
    if body.get("repo") not in (did, fake.accounts[did]["handle"]):
        return bluesky_routes.xrpc_error(401, "AuthenticationRequired", "Authentication Required")
    uri = f"at://{did}/{body.get('collection')}/{body.get('rkey')}"
    fake.records.pop(uri, None)
    return Reply(200, {"commit": {"cid": "bafyreicommit" + _hash(uri)[:20], "rev": "3l0"}})


def put_record(fake: FakeBluesky, did: str, body: dict[str, Any]) -> Reply:
    if body.get("repo") not in (did, fake.accounts[did]["handle"]):
        return bluesky_routes.xrpc_error(401, "AuthenticationRequired", "Authentication Required")
    collection, record = str(body.get("collection") or ""), body.get("record") or {}
    uri = f"at://{did}/{collection}/{body.get('rkey')}"
    current = fake.records.get(uri)
    swap = body.get("swapRecord")
    if swap is not None and (current is None or current["cid"] != swap):
        return bluesky_routes.xrpc_error(
            400, "InvalidSwap", f"Record was at {current and current['cid']}"
        )
    if collection == THREADGATE:
        post = str(record.get("post") or "")
        if post.rsplit("/", 1)[-1] != body.get("rkey") or post not in fake.records:
            return bluesky_routes.xrpc_error(
                400, "InvalidRequest", "Invalid threadgate: post must match rkey"
            )
        if len(record.get("hiddenReplies") or []) > 300:
            return bluesky_routes.xrpc_error(
                400, "InvalidRequest", "hiddenReplies must not be longer than 300"
            )
    cid = "bafyrei" + _hash(json.dumps(record, sort_keys=True))[:52]
    fake.records[uri] = {"uri": uri, "cid": cid, "value": record}
    return Reply(200, {"uri": uri, "cid": cid, "validationStatus": "valid"})


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()

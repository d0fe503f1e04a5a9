"""The fake PDS's XRPC methods (platforms.md §11): sessions, records, blobs and
handle resolution. FakeBluesky.handle (bluesky.py) calls `route` for each request."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import regex

from tests.fakes import bluesky_appview, bluesky_inbox
from tests.fakes.x import Recorded, Reply

if TYPE_CHECKING:
    from tests.fakes.bluesky import FakeBluesky

POST = "app.bsky.feed.post"
TID = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
XRPC = "/xrpc/"


def xrpc_error(status: int, error: str, message: str, **headers: str) -> Reply:
    """An XRPC error answer: `{"error": name, "message": text}` (§11)."""
    return Reply(status, {"error": error, "message": message}, dict(headers))


def route(fake: FakeBluesky, request: Recorded) -> Reply:
    nsid = request.path.removeprefix(XRPC)
    body = request.body if isinstance(request.body, dict) else {}
    if nsid == "com.atproto.server.createSession":
        return _create_session(fake, body)
    if nsid == "com.atproto.server.refreshSession":
        did = fake.bearer(request, "com.atproto.refresh")
        return did if isinstance(did, Reply) else Reply(200, fake.session(did))
    if nsid == "com.atproto.identity.resolveHandle":
        handle = request.query.get("handle", "")
        found = next((a["did"] for a in fake.accounts.values() if a["handle"] == handle), None)
        if found is None:
            return xrpc_error(400, "InvalidRequest", "Unable to resolve handle")
        return Reply(200, {"did": found})
    if nsid == "com.atproto.repo.getRecord":
        uri = f"at://{request.query.get('repo')}/{request.query.get('collection')}/{request.query.get('rkey')}"
        if uri not in fake.records:
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return Reply(200, fake.records[uri])
    if nsid == "com.atproto.repo.listRecords":
        return bluesky_inbox.list_records(fake, request)
    did = fake.bearer(request)
    if isinstance(did, Reply):
        return did
    if nsid == "com.atproto.repo.uploadBlob":
        return _upload(fake, request)
    if nsid == "com.atproto.repo.createRecord":
        return _create_record(fake, did, body)
    if nsid == "com.atproto.repo.deleteRecord":
        return bluesky_inbox.delete_record(fake, did, body)
    if nsid == "com.atproto.repo.putRecord":
        return bluesky_inbox.put_record(fake, did, body)
    if nsid == "app.bsky.notification.listNotifications":
        return bluesky_inbox.list_notifications(fake, request, did)
    found = bluesky_appview.route(fake, nsid, request)
    if found is not None:
        return found
    return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")


def _create_session(fake: FakeBluesky, body: dict[str, Any]) -> Reply:
    who = str(body.get("identifier") or "")
    account = next((a for a in fake.accounts.values() if who in (a["did"], a["handle"])), None)
    password = str(body.get("password") or "")
    if account is None or password not in account["app_passwords"] | {account["password"]}:
        return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
    return Reply(200, fake.session(account["did"]))


def _upload(fake: FakeBluesky, request: Recorded) -> Reply:
    data = request.body if isinstance(request.body, bytes) else b""
    link = "bafkrei" + hashlib.sha256(data).hexdigest()[:52]
    fake.blobs[link] = data
    blob = {
        "$type": "blob",
        "ref": {"$link": link},
        "mimeType": request.content_type,
        "size": len(data),
    }
    return Reply(200, {"blob": blob})


def _create_record(fake: FakeBluesky, did: str, body: dict[str, Any]) -> Reply:
    if body.get("repo") not in (did, fake.accounts[did]["handle"]):
        return xrpc_error(401, "AuthenticationRequired", "Authentication Required")
    collection, record = str(body.get("collection") or ""), body.get("record") or {}
    rkey = str(body.get("rkey") or "")
    if collection == POST and rkey and not TID.match(rkey):
        return xrpc_error(
            400,
            "InvalidRequest",
            f'Invalid record key for {POST}: Invalid TID string (got "{rkey}") at $',
        )
    text = str(record.get("text") or "")
    graphemes = len(regex.findall(r"\X", text))
    if graphemes > 300:
        return xrpc_error(
            400,
            "InvalidRequest",
            f"Invalid {POST} record: grapheme too big (maximum 300, got {graphemes}) at $.record.text",
        )
    uri = f"at://{did}/{collection}/{rkey or hashlib.sha256(text.encode()).hexdigest()[:13]}"
    if uri in fake.records:
        # What @atproto/pds 0.4.217 answers a taken rkey (seen against a real one).
        return xrpc_error(500, "InternalServerError", "Internal Server Error")
    cid = "bafyrei" + hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:52]
    fake.records[uri] = {"uri": uri, "cid": cid, "value": record}
    if collection == POST:
        bluesky_inbox.notify(fake, did, fake.records[uri])
    commit = {"cid": "bafyreicommit" + cid[-20:], "rev": rkey or "3l000000000000"}
    return Reply(200, {"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"})

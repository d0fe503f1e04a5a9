"""The Bluesky inbox against a real @atproto/pds on 127.0.0.1 (tests/peers/bluesky_pds).

What the PDS alone can and cannot do: listNotifications is an AppView method the
PDS only passes on, and this one has no AppView configured (as a PDS set up
without PDS_BSKY_APP_VIEW_URL), so it answers 400 InvalidRequest "No service
configured for app.bsky.notification.listNotifications"; fetching notifications
is tested against FakeBluesky (test_bluesky_inbox.py). Everything the inbox writes
(answers, threadgates, deletes) and the account's own replies are the PDS's own
repository methods, tested here.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from channels.adapters import bluesky_inbox as inbox
from channels.adapters import bluesky_records as records
from channels.adapters.base import Content, Credentials, Permanent, Progress
from channels.adapters.bluesky import BlueskyAdapter
from channels.adapters.engagement import COMMENT, DELETE, HIDE, REPLY, UNHIDE, Engagement
from channels.adapters.session import build_session
from tests.peers.bluesky_pds.launch import Account, LocalPds

NAMES = itertools.count()


def connected(pds: LocalPds, name: str) -> tuple[BlueskyAdapter, Account, Credentials]:
    # "inbox" keeps the handles apart from test_bluesky_pds.py's on the shared PDS.
    account = pds.create_account(f"inbox{name}{next(NAMES)}", display_name=name.title())
    bluesky = BlueskyAdapter({"pds_url": pds.url}, build_session(10.0))
    creds = bluesky.connect_password(account.handle, account.app_password).credentials
    return bluesky, account, creds


def answer_from(pds: LocalPds, friend: Account, parent_uri: str, text: str) -> dict[str, Any]:
    """`friend` replies to `parent_uri` as an app would; returns the stored record."""
    session = httpx.post(
        f"{pds.url}/xrpc/com.atproto.server.createSession",
        json={"identifier": friend.handle, "password": friend.password},
    ).json()
    parent = pds.get_record(parent_uri)
    root = (parent["value"].get("reply") or {}).get("root") or {
        "uri": parent["uri"],
        "cid": parent["cid"],
    }
    record = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "reply": {"root": root, "parent": {"uri": parent["uri"], "cid": parent["cid"]}},
    }
    made = httpx.post(
        f"{pds.url}/xrpc/com.atproto.repo.createRecord",
        headers={"Authorization": f"Bearer {session['accessJwt']}"},
        json={"repo": friend.did, "collection": "app.bsky.feed.post", "record": record},
    )
    made.raise_for_status()
    return pds.get_record(made.json()["uri"])


def as_notified(did: str, stored: dict[str, Any], friend: Account) -> Engagement:
    """The item a notification of `stored` becomes (what the AppView would send)."""
    author = {"did": friend.did, "handle": friend.handle}
    return inbox.item(did, stored["uri"], stored["cid"], stored["value"], author, None)


def test_an_answer_is_a_reply_record_with_root_and_parent(bluesky_pds: LocalPds) -> None:
    bluesky, _, creds = connected(bluesky_pds, "acme")
    _, friend, _ = connected(bluesky_pds, "alice")
    post = bluesky.publish(creds, Content("Buns at 7"), "post", Progress()).external_id
    comment = as_notified(creds.external_id, answer_from(bluesky_pds, friend, post, "Yum"), friend)
    assert (comment.kind, comment.parent_post_id) == (COMMENT, post)

    progress = Progress()
    answer = bluesky.reply(creds, comment, "Thank you!", "answer-1", progress)

    stored = bluesky_pds.get_record(answer.external_id)
    reply = stored["value"]["reply"]
    post_cid = bluesky_pds.get_record(post)["cid"]
    assert (reply["root"]["uri"], reply["root"]["cid"]) == (post, post_cid)
    assert (reply["parent"]["uri"], reply["parent"]["cid"]) == (
        comment.external_id,
        comment.extra["cid"],
    )
    assert stored["value"]["text"] == "Thank you!"
    assert records.is_ours(records.rkey_of(answer.external_id), "answer-1", 0)
    # A second answer to a reply below it keeps the same root.
    below = as_notified(
        creds.external_id, answer_from(bluesky_pds, friend, answer.external_id, "More?"), friend
    )
    assert (below.kind, below.in_reply_to_id) == (REPLY, answer.external_id)
    again = bluesky.reply(creds, below, "Yes", "answer-2", Progress())
    assert bluesky_pds.get_record(again.external_id)["value"]["reply"]["root"]["uri"] == post

    # find_reply asks for exactly the key's record; another key's is not there.
    assert bluesky.find_reply(creds, comment, "Thank you!", "answer-1", progress) == answer
    assert bluesky.find_reply(creds, comment, "Thank you!", "answer-1", Progress()) == answer
    assert bluesky.find_reply(creds, comment, "Thank you!", "nope", Progress()) is None


def test_the_pds_alone_does_not_serve_notifications_but_own_replies_come(
    bluesky_pds: LocalPds,
) -> None:
    bluesky, _, creds = connected(bluesky_pds, "acme")
    _, friend, _ = connected(bluesky_pds, "bob")
    post = bluesky.publish(creds, Content("Buns"), "p", Progress()).external_id
    comment = as_notified(creds.external_id, answer_from(bluesky_pds, friend, post, "Hi"), friend)
    answer = bluesky.reply(creds, comment, "Hello", "a", Progress())

    items = bluesky.fetch_engagement(creds, datetime.now(UTC) - timedelta(hours=1))
    mine = next(items)
    with pytest.raises(Permanent) as refused:
        next(items)

    assert (mine.external_id, mine.own, mine.kind, mine.parent_post_id, mine.in_reply_to_id) == (
        answer.external_id,
        True,
        REPLY,
        post,
        comment.external_id,
    )
    assert refused.value.code == "no_appview"
    assert (refused.value.status, "AppView" in refused.value.detail) == (400, True)


def test_hiding_writes_a_threadgate_the_pds_accepts(bluesky_pds: LocalPds) -> None:
    bluesky, _, creds = connected(bluesky_pds, "acme")
    _, friend, _ = connected(bluesky_pds, "carol")
    post = bluesky.publish(creds, Content("Buns"), "p", Progress()).external_id
    comment = as_notified(creds.external_id, answer_from(bluesky_pds, friend, post, "Meh"), friend)
    gate = f"at://{creds.external_id}/app.bsky.feed.threadgate/{records.rkey_of(post)}"

    bluesky.moderate(creds, comment, HIDE)
    bluesky.moderate(creds, comment, HIDE)

    value = bluesky_pds.get_record(gate)["value"]
    assert (value["post"], value["hiddenReplies"]) == (post, [comment.external_id])
    assert "allow" not in value

    bluesky.moderate(creds, comment, UNHIDE)
    assert bluesky_pds.get_record(gate)["value"]["hiddenReplies"] == []


def test_deleting_an_own_answer_twice(bluesky_pds: LocalPds) -> None:
    bluesky, _, creds = connected(bluesky_pds, "acme")
    _, friend, _ = connected(bluesky_pds, "dave")
    post = bluesky.publish(creds, Content("Buns"), "p", Progress()).external_id
    comment = as_notified(creds.external_id, answer_from(bluesky_pds, friend, post, "Hi"), friend)
    answer = bluesky.reply(creds, comment, "Hello", "a", Progress())
    mine = as_notified(
        creds.external_id,
        bluesky_pds.get_record(answer.external_id),
        Account(creds.external_id, creds.handle, ""),
    )
    assert mine.own

    bluesky.moderate(creds, mine, DELETE)
    bluesky.moderate(creds, mine, DELETE)  # deleteRecord of a missing record answers 200

    listed = [r["uri"] for r in bluesky_pds.list_posts(creds.external_id)]
    assert answer.external_id not in listed and post in listed
    with pytest.raises(Permanent):
        bluesky.moderate(creds, comment, DELETE)
    assert comment.external_id in [r["uri"] for r in bluesky_pds.list_posts(friend.did)]

"""The Bluesky adapter against a real @atproto/pds on 127.0.0.1 (tests/peers/bluesky_pds):
connecting, refreshing, and posts read back through the PDS itself."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from channels.adapters.base import AuthExpired, Content, MediaItem, Permanent, Progress
from channels.adapters.bluesky import BlueskyAdapter
from channels.adapters.session import build_session
from tests.peers.bluesky_pds.launch import Account, LocalPds

NAMES = itertools.count()


def adapter(pds: LocalPds, **config: object) -> BlueskyAdapter:
    return BlueskyAdapter({"pds_url": pds.url, **config}, build_session(10.0))


def signed_in(pds: LocalPds, name: str = "acme") -> tuple[BlueskyAdapter, Account, object]:
    account = pds.create_account(f"{name}{next(NAMES)}", display_name="Acme Bakery")
    bluesky = adapter(pds)
    return (
        bluesky,
        account,
        bluesky.connect_password(account.handle, account.app_password).credentials,
    )


# The `$type`s the atproto models add to nested objects of a record they send.
ADDED_TYPES = {
    "com.atproto.repo.strongRef",
    "app.bsky.embed.defs#aspectRatio",
    "app.bsky.embed.external#external",
    "app.bsky.feed.post#replyRef",
}


def plain(value: object) -> object:
    """A record read back, without the `$type`s added on the way (ADDED_TYPES)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if not (k == "$type" and v in ADDED_TYPES)}
    return value


def byte_slice(text: str, facet: dict) -> str:
    index = facet["index"]
    return text.encode()[index["byteStart"] : index["byteEnd"]].decode()


def test_connecting_signs_in_with_the_app_password(bluesky_pds: LocalPds) -> None:
    account = bluesky_pds.create_account(f"connect{next(NAMES)}", display_name="Acme Bakery")
    found = adapter(bluesky_pds).connect_password(
        f" @{account.handle.upper()} ", account.app_password
    )
    creds = found.credentials
    assert (found.network, found.name, creds.external_id, creds.handle) == (
        "bluesky",
        "Acme Bakery",
        account.did,
        account.handle,
    )
    assert set(creds.secrets) == {"app_password", "access_jwt", "refresh_jwt", "pds_url"}
    assert creds.secrets["pds_url"] == bluesky_pds.url
    assert creds.expires_at is not None
    assert timedelta(hours=1) < creds.expires_at - datetime.now(UTC) <= timedelta(hours=2)


def test_a_wrong_app_password_is_refused_on_the_password_field(bluesky_pds: LocalPds) -> None:
    account = bluesky_pds.create_account(f"wrong{next(NAMES)}")
    with pytest.raises(Permanent) as refused:
        adapter(bluesky_pds).connect_password(account.handle, "aaaa-bbbb-cccc-dddd")
    assert refused.value.code == "password"
    assert refused.value.detail == "Bluesky did not accept that handle and app password."


def test_the_main_password_is_refused_before_anything_is_sent(bluesky_pds: LocalPds) -> None:
    account = bluesky_pds.create_account(f"main{next(NAMES)}")
    with pytest.raises(Permanent) as refused:
        adapter(bluesky_pds).connect_password(account.handle, account.password)
    assert refused.value.code == "password"
    assert "app password" in refused.value.detail
    assert account.password not in refused.value.detail


def test_facets_land_on_the_right_bytes_of_tricky_text(bluesky_pds: LocalPds) -> None:
    bluesky, account, creds = signed_in(bluesky_pds)
    friend = bluesky_pds.create_account(f"friend{next(NAMES)}")
    text = (
        f"Fika 👩‍👩‍👧 på Åkersberga, 日本語 https://example.com/ä?q=1. "
        f"Hej @{friend.handle} and @nobody.test #kanelbulle #2024 (https://acme.example/x)"
    )
    published = bluesky.publish(creds, Content(text), "facets", Progress())
    record = bluesky_pds.get_record(published.external_id)["value"]
    assert record["text"] == text
    shown = [(byte_slice(text, f), f["features"][0]) for f in record["facets"]]
    assert shown == [
        (
            "https://example.com/ä?q=1",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/ä?q=1"},
        ),
        (f"@{friend.handle}", {"$type": "app.bsky.richtext.facet#mention", "did": friend.did}),
        ("#kanelbulle", {"$type": "app.bsky.richtext.facet#tag", "tag": "kanelbulle"}),
        (
            "https://acme.example/x",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://acme.example/x"},
        ),
    ]
    assert (
        published.url
        == f"https://bsky.app/profile/{account.handle}/post/{published.external_id.rsplit('/', 1)[1]}"
    )


def test_images_go_up_with_alt_text_and_shape_and_large_ones_are_made_small(
    bluesky_pds: LocalPds, tmp_path: Path
) -> None:
    bluesky, _, creds = signed_in(bluesky_pds)
    small, large = tmp_path / "small.png", tmp_path / "large.jpg"
    Image.new("RGB", (300, 200), (200, 60, 30)).save(small)
    Image.effect_noise((2400, 1600), 90).convert("RGB").save(large, quality=98)
    assert large.stat().st_size > 1_000_000
    media = (
        MediaItem(str(small), "image/png", "image", small.stat().st_size, 300, 200, "A red square"),
        MediaItem(str(large), "image/jpeg", "image", large.stat().st_size, 2400, 1600, "Noise"),
    )
    content = Content("Two pictures", media=media, link="https://acme.example/pics")
    assert bluesky.validate(content) == []
    published = bluesky.publish(creds, content, "images", Progress())
    record = bluesky_pds.get_record(published.external_id)["value"]
    assert record["text"] == "Two pictures\n\nhttps://acme.example/pics"
    images = record["embed"]["images"]
    assert record["embed"]["$type"] == "app.bsky.embed.images"
    shapes = [(i["aspectRatio"]["width"], i["aspectRatio"]["height"]) for i in images]
    assert [(i["alt"], shape) for i, shape in zip(images, shapes, strict=True)] == [
        ("A red square", (300, 200)),
        ("Noise", (2000, 1333)),
    ]
    assert [i["image"]["mimeType"] for i in images] == ["image/png", "image/jpeg"]
    assert all(i["image"]["size"] <= 1_000_000 for i in images)


def test_a_link_without_images_gets_a_card(bluesky_pds: LocalPds) -> None:
    bluesky, _, creds = signed_in(bluesky_pds)
    content = Content(
        "Our new menu",
        link="https://acme.example/menu",
        options={"card_title": "Menu", "card_description": "Buns and bread"},
    )
    record = bluesky_pds.get_record(bluesky.publish(creds, content, "card", Progress()).external_id)
    assert record["value"]["text"] == "Our new menu"
    assert plain(record["value"]["embed"]) == {
        "$type": "app.bsky.embed.external",
        "external": {
            "uri": "https://acme.example/menu",
            "title": "Menu",
            "description": "Buns and bread",
        },
    }


def test_a_thread_replies_to_its_root_and_parent_and_records_each_part(
    bluesky_pds: LocalPds,
) -> None:
    bluesky, account, creds = signed_in(bluesky_pds)
    progress = Progress()
    published = bluesky.publish(
        creds, Content("1/3 first", thread=("2/3 second", "3/3 third")), "thread", progress
    )
    parts = [progress.get(f"post.{n}") for n in range(3)]
    assert parts[0]["uri"] == published.external_id
    second = bluesky_pds.get_record(parts[1]["uri"])["value"]
    third = bluesky_pds.get_record(parts[2]["uri"])["value"]
    root = {"uri": parts[0]["uri"], "cid": parts[0]["cid"]}
    assert plain(second["reply"]) == {"root": root, "parent": root}
    assert plain(third["reply"]) == {
        "root": root,
        "parent": {"uri": parts[1]["uri"], "cid": parts[1]["cid"]},
    }
    assert [p["value"]["text"] for p in bluesky_pds.list_posts(account.did)] == [
        "3/3 third",
        "2/3 second",
        "1/3 first",
    ]


def test_a_retried_publish_finds_its_posts_instead_of_posting_twice(bluesky_pds: LocalPds) -> None:
    bluesky, account, creds = signed_in(bluesky_pds)
    content = Content("Once only", thread=("and its reply",))
    first = Progress()
    published = bluesky.publish(creds, content, "retry", first)
    # The answers were lost: only the keys chosen before sending were kept.
    kept = Progress({k: v for k, v in first.as_dict().items() if k.startswith("rkey.")})
    assert bluesky.publish(creds, content, "retry", kept) == published
    assert kept.as_dict() == first.as_dict()
    assert len(bluesky_pds.list_posts(account.did)) == 2


def test_a_create_that_collides_with_its_own_earlier_post_returns_that_post(
    bluesky_pds: LocalPds,
) -> None:
    bluesky_pds_clock = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    account = bluesky_pds.create_account(f"collide{next(NAMES)}")
    bluesky = adapter(bluesky_pds, now=lambda: bluesky_pds_clock)
    creds = bluesky.connect_password(account.handle, account.app_password).credentials
    published = bluesky.publish(creds, Content("Same key"), "collide", Progress())
    # Nothing recorded, same key and clock: the same rkey, which the PDS already has
    # (it answers 500); the adapter looks the key up and finds its post.
    again = bluesky.publish(creds, Content("Same key"), "collide", Progress())
    assert again.external_id == published.external_id
    assert len(bluesky_pds.list_posts(account.did)) == 1


def test_find_published_is_exact(bluesky_pds: LocalPds) -> None:
    bluesky, _, creds = signed_in(bluesky_pds)
    content = Content("Look me up", thread=("part two",))
    progress = Progress()
    published = bluesky.publish(creds, content, "lookup", progress)
    assert (
        bluesky.find_published(creds, content, "lookup", Progress(progress.as_dict())) == published
    )
    # Even with nothing recorded, the key's bits in the rkey find it among recent posts.
    assert bluesky.find_published(creds, content, "lookup", Progress()) == published
    assert bluesky.find_published(creds, content, "another key", Progress()) is None
    unsent = Progress({"rkey.0": "3n36nra5e4sc5"})
    assert bluesky.find_published(creds, Content("never sent"), "unsent", unsent) is None


def test_text_over_300_graphemes_is_refused_by_the_pds_with_its_message(
    bluesky_pds: LocalPds,
) -> None:
    bluesky, account, creds = signed_in(bluesky_pds)
    text = "å" * 301
    assert [(p.field, p.code) for p in bluesky.validate(Content(text))] == [("text", "too_long")]
    with pytest.raises(Permanent) as refused:
        bluesky.publish(creds, Content(text), "long", Progress())
    assert refused.value.code == "InvalidRequest"
    assert "grapheme too big (maximum 300, got 301)" in refused.value.detail
    assert bluesky_pds.list_posts(account.did) == []


def test_refresh_renews_the_session_and_a_revoked_app_password_needs_a_reconnect(
    bluesky_pds: LocalPds,
) -> None:
    bluesky, account, creds = signed_in(bluesky_pds)
    fresh = bluesky.refresh(creds)
    # A new refresh token each time (its jti); the access token may match to the second.
    assert fresh.secrets["refresh_jwt"] != creds.secrets["refresh_jwt"]
    assert fresh.secrets["app_password"] == account.app_password
    assert fresh.expires_at is not None
    bluesky.publish(fresh, Content("After a refresh"), "refreshed", Progress())
    bluesky_pds.revoke_app_passwords(account)
    with pytest.raises(AuthExpired) as expired:
        bluesky.refresh(fresh)
    assert "reconnect" in expired.value.detail
    assert account.app_password not in expired.value.detail


def test_the_pds_answers_a_taken_record_key_with_a_500(bluesky_pds: LocalPds) -> None:
    """What the adapter's collision handling rests on (@atproto/pds 0.4.217)."""
    import httpx

    bluesky, account, creds = signed_in(bluesky_pds)
    published = bluesky.publish(creds, Content("Taken"), "taken", Progress())
    body = {
        "repo": account.did,
        "collection": "app.bsky.feed.post",
        "rkey": published.external_id.rsplit("/", 1)[1],
        "record": {
            "$type": "app.bsky.feed.post",
            "text": "Again",
            "createdAt": "2026-11-26T03:00:00Z",
        },
    }
    answer = httpx.post(
        f"{bluesky_pds.url}/xrpc/com.atproto.repo.createRecord",
        json=body,
        headers={"Authorization": f"Bearer {creds.secrets['access_jwt']}"},
    )
    assert (answer.status_code, answer.json()) == (
        500,
        {"error": "InternalServerError", "message": "Internal Server Error"},
    )

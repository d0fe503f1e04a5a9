"""The composer's live meters for LinkedIn, Mastodon and Bluesky, each counted as
that network counts (Threads has its own file): LinkedIn's escapes, a Mastodon
server's own limit with links at 23, Bluesky's graphemes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from channels.models import SocialAccount
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def meters_for(cast: Cast, accounts: list[SocialAccount], text: str) -> dict[str, Any]:
    client = Client()
    client.force_login(cast.role("editor").user)
    response = client.post("/compose/check/", {"text": text, "accounts": [a.pk for a in accounts]})
    assert response.status_code == 200
    return {m.network: m for m in response.context["meters"]}


def account(cast: Cast, network: str, external_id: str, **options: Any) -> SocialAccount:
    return SocialAccount.objects.create(
        workspace=cast.workspace,
        network=network,
        external_id=external_id,
        name=f"Acme on {network} {external_id}",
        options=options,
    )


def test_each_network_counts_the_same_text_its_own_way(cast: Cast) -> None:
    linkedin = account(cast, "linkedin", "urn:li:person:1")
    mastodon = account(cast, "mastodon", "1@social.example", limits={"max_characters": 1000})
    bluesky = account(cast, "bluesky", "did:plc:acme")
    # 30 characters of text, a 26-character link, a space and a family emoji of 5
    # code points. (A link needs a real top-level domain to count as a link.)
    text = "Fresh (cinnamon) buns at 7am! https://acme.se/buns/today 👨‍👩‍👧"

    found = meters_for(cast, [linkedin, mastodon, bluesky], text)

    # LinkedIn counts the backslash before each of ( and ) it needs, in UTF-16 units.
    assert (found["linkedin"].used, found["linkedin"].limit) == (len(text) + 2 + 3, 3000)
    # Mastodon: this server's 1,000, the link as 23, the emoji as one grapheme.
    assert (found["mastodon"].used, found["mastodon"].limit) == (30 + 23 + 1 + 1, 1000)
    # Bluesky: graphemes, the link in full.
    assert (found["bluesky"].used, found["bluesky"].limit) == (30 + 26 + 1 + 1, 300)
    assert all(m.ok for m in found.values())


def test_two_mastodon_servers_are_counted_against_the_stricter(cast: Cast) -> None:
    roomy = account(cast, "mastodon", "1@roomy.example", limits={"max_characters": 5000})
    default = account(cast, "mastodon", "2@social.example")  # Mastodon's own 500

    [meter] = meters_for(cast, [roomy, default], "a" * 600).values()

    assert (meter.used, meter.limit, meter.over) == (600, 500, True)
    assert meter.problems == ("Mastodon allows 500 characters; this text has 600.",)


def test_bluesky_says_when_the_text_is_over_300_graphemes(cast: Cast) -> None:
    bluesky = account(cast, "bluesky", "did:plc:acme")

    [meter] = meters_for(cast, [bluesky], "å" * 301).values()

    assert (meter.used, meter.limit, meter.over) == (301, 300, True)
    assert meter.problems

"""The composer's live meter for Threads: 500, with each emoji counting its UTF-8
bytes and the link at the end of the text (platforms.md §4)."""

from __future__ import annotations

import pytest
from django.test import Client

from channels.models import SocialAccount
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_the_threads_meter_counts_emoji_as_their_bytes(cast: Cast) -> None:
    account = SocialAccount.objects.create(
        workspace=cast.workspace, network="threads", external_id="1", name="Acme"
    )
    client = Client()
    client.force_login(cast.role("editor").user)
    text = "a" * 490 + "🥐🥐🥐"  # 493 characters, 502 as Threads counts

    response = client.post("/compose/check/", {"text": text, "accounts": [account.pk]})

    [meter] = response.context["meters"]
    assert (meter.network, meter.used, meter.limit, meter.over) == ("threads", 502, 500, True)
    assert meter.problems == ("Threads allows 500 characters; this text has 502.",)

    response = client.post(
        "/compose/check/",
        {"text": "Buns 🥐", "link": "https://acme.example/", "accounts": [account.pk]},
    )
    [meter] = response.context["meters"]
    assert (meter.used, meter.over) == (5 + 4 + 2 + 21, False)

"""The composer shows Telegram's one setting, "Send silently", once a Telegram
channel is ticked, and saves it for the post."""

from __future__ import annotations

import pytest
from django.test import Client

from channels.models import SocialAccount
from scheduler.models import Post
from tests.conftest import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def channel(cast: Cast) -> SocialAccount:
    return SocialAccount.objects.create(
        workspace=cast.workspace,
        network="telegram",
        external_id="-1001234567890",
        name="Acme Bakery",
        handle="@acmebakery",
        credentials={"bot_token": "123456789:AAfakeTokenForTheComposerTest_x"},
        options={"chat_id": -1001234567890, "chat_type": "channel", "username": "acmebakery"},
    )


def signed_in(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.role("editor").user)
    return client


def test_the_composer_offers_to_send_silently(cast: Cast) -> None:
    channel(cast)
    html = signed_in(cast).get("/compose/").content.decode()
    assert '<fieldset class="options-section" data-network="telegram" hidden>' in html
    assert 'name="opt-telegram-silent"' in html
    assert "Send silently" in html


def test_a_post_sent_silently_keeps_the_choice(cast: Cast) -> None:
    account = channel(cast)
    data = {
        "text": "Buns at 7",
        "accounts": [account.pk],
        "when": "schedule",
        "date": "2026-11-26",
        "time": "09:00",
        "opt-telegram-silent": "on",
    }
    response = signed_in(cast).post("/compose/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    assert post.overrides["telegram"]["options"] == {"silent": True}

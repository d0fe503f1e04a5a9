"""Reddit's settings in the composer: subreddit and title (required), flair, NSFW and
spoiler, shown once a Reddit account is ticked and saved in Post.overrides."""

from __future__ import annotations

import pytest
from django.test import Client

from channels.models import SocialAccount
from scheduler.models import Post
from tests.conftest import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def account(cast: Cast) -> SocialAccount:
    return SocialAccount.objects.create(
        workspace=cast.workspace,
        network="reddit",
        external_id="1a2b3c",
        name="u/acmebakery",
        handle="acmebakery",
        credentials={"access_token": "a" * 20, "refresh_token": "r" * 20},
    )


def editor(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.role("editor").user)
    return client


def test_the_composer_offers_reddits_settings(cast: Cast, account: SocialAccount) -> None:
    html = editor(cast).post("/compose/options/", {"accounts": [account.pk]}).content.decode()
    assert '<fieldset class="options-section" data-network="reddit">' in html
    for name in ("subreddit", "title", "flair", "nsfw", "spoiler"):
        assert f'name="opt-reddit-{name}"' in html
    assert 'data-max="300"' in html  # the title's limit, counted live


def test_a_post_keeps_its_subreddit_title_and_flair(cast: Cast, account: SocialAccount) -> None:
    data = {
        "text": "Cardamom buns, warm from 7",
        "accounts": [account.pk],
        "when": "schedule",
        "date": "2026-11-26",
        "time": "09:00",
        "opt-reddit-subreddit": "r/Baking",
        "opt-reddit-title": "Buns are back",
        "opt-reddit-flair": "Recipe",
        "opt-reddit-spoiler": "on",
    }
    response = editor(cast).post("/compose/", data)
    assert response.status_code == 302, response.context["form"].errors
    options = Post.objects.get().overrides["reddit"]["options"]
    assert (options["subreddit"], options["title"], options["flair"]) == (
        "r/Baking",
        "Buns are back",
        "Recipe",
    )
    assert options["spoiler"] is True


def test_a_post_without_a_title_is_refused_with_reddits_reason(
    cast: Cast, account: SocialAccount
) -> None:
    data = {
        "text": "Cardamom buns",
        "accounts": [account.pk],
        "when": "schedule",
        "date": "2026-11-26",
        "time": "09:00",
        "opt-reddit-subreddit": "Baking",
    }
    response = editor(cast).post("/compose/", data)
    assert response.status_code == 400  # the form again, saying what is wrong
    assert "Reddit needs Title." in response.content.decode()
    assert not Post.objects.exists()

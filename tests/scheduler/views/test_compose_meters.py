"""The composer's live counters: each chosen network's length, limit and problems."""

from __future__ import annotations

import pytest
from django.test import Client

from scheduler.forms import split_thread
from tests.conftest import Cast
from tests.factories import SandboxAccountFactory

pytestmark = pytest.mark.django_db


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def test_the_check_counts_the_text_as_each_chosen_network_does(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(cast).post(
        "/compose/check/", {"text": "x" * 501, "accounts": [account.pk]}
    )
    assert response.status_code == 200
    [meter] = response.context["meters"]
    assert (meter.network, meter.used, meter.limit, meter.over) == ("sandbox", 501, 500, True)
    assert meter.problems == ("Sandbox allows 500 characters; this text has 501.",)
    assert b'class="meter over blocked" data-network="sandbox"' in response.content


def test_the_composer_shows_a_meter_for_every_network_on_offer_before_a_choice(
    cast: Cast, account
) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(cast).get("/compose/")
    assert [(m.network, m.used, m.limit) for m in response.context["meters"]] == [
        ("sandbox", 0, 500)
    ]


def test_the_check_is_for_people_who_can_write(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(cast, "viewer").post("/compose/check/", {"text": "x"}).status_code == 403
    assert signed_in(cast).get("/compose/check/").status_code == 405


def test_the_check_makes_the_same_queries_for_one_account_or_ten(
    cast: Cast, account, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(cast)
    many = [account.pk] + [SandboxAccountFactory(workspace=cast.workspace).pk for _ in range(9)]
    with django_assert_max_num_queries(8):
        client.post("/compose/check/", {"text": "hi", "accounts": many})


def test_the_thread_box_splits_at_lines_of_three_dashes() -> None:
    assert split_thread("One\n---\nTwo\nstill two\n ---  \n\n---\nThree") == [
        "One",
        "Two\nstill two",
        "Three",
    ]
    assert split_thread("") == []


def test_x_counts_urls_as_23_and_emoji_as_2_and_instagram_adds_the_link_to_the_caption(
    cast: Cast, settings
) -> None:  # type: ignore[no-untyped-def]
    from channels.models import SocialAccount

    accounts = [
        SocialAccount.objects.create(workspace=cast.workspace, network=n, external_id="1", name=n)
        for n in ("x", "facebook", "instagram")
    ]
    text = "Fresh buns 🥐 today https://acmebakery.com/menu/spring-2026"
    response = signed_in(cast).post(
        "/compose/check/",
        {"text": text, "link": "https://acmebakery.com/", "accounts": [a.pk for a in accounts]},
    )
    meters = {m.network: (m.used, m.limit) for m in response.context["meters"]}
    assert meters == {
        "x": (20 + 23 + 1 + 23, 280),  # the link is appended after a space
        "facebook": (len(text), 63206),  # Facebook shows the link as a preview
        "instagram": (len(text) + 2 + len("https://acmebakery.com/"), 2200),
    }
    problems = {m.network: m.problems for m in response.context["meters"]}
    assert problems["instagram"] == (
        "Instagram needs an image or a video; it has no text-only posts.",
    )
    assert problems["x"] == problems["facebook"] == ()


def test_a_thread_is_counted_against_x_post_by_post(cast: Cast) -> None:
    from channels.models import SocialAccount

    x = SocialAccount.objects.create(
        workspace=cast.workspace, network="x", external_id="1", name="X"
    )
    response = signed_in(cast).post(
        "/compose/check/", {"text": "One", "thread": "Two\n---\n" + "y" * 281, "accounts": [x.pk]}
    )
    [meter] = response.context["meters"]
    assert meter.problems == ("X allows 280 characters per post; post 3 of the thread has 281.",)

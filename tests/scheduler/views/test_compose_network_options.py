"""The composer's settings per network (Adapter.post_options): shown for the networks
ticked, per-account choices asked of the network and cached, saved in
Post.overrides, kept after an error, reloaded to edit, and measured live."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scheduler import content
from scheduler.models import Post
from tests.conftest import Cast
from tests.option_network import OptionsAdapter, add_testnet_account, video_asset

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "testnet")]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def accounts(cast: Cast) -> tuple[Any, Any]:
    return add_testnet_account(cast.workspace), add_testnet_account(
        cast.workspace, "Acme Two", "t2"
    )


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def filled(cast: Cast, accounts: tuple[Any, ...], **more: Any) -> dict[str, Any]:
    one = accounts[0]
    data = {
        "text": "Spring menu",
        "accounts": [a.pk for a in accounts],
        "media": [video_asset(cast.workspace).pk],
        "when": "schedule",
        "date": "2026-11-26",
        "time": "09:00",
        "opt-testnet-title": "Buns",
        "opt-testnet-description": "Fresh every day",
        "opt-testnet-privacy": "private",
        "opt-testnet-tags": "buns, rye",
        f"opt-testnet-board-{one.pk}": "t1-cakes",
    }
    if len(accounts) > 1:
        data[f"opt-testnet-board-{accounts[1].pk}"] = "t2-bread"
    data.update(more)
    return {k: v for k, v in data.items() if v is not None}


def test_the_settings_wait_hidden_until_an_account_of_the_network_is_ticked(
    cast: Cast, accounts: tuple[Any, Any]
) -> None:
    html = signed_in(cast).get("/compose/").content.decode()
    assert '<fieldset class="options-section" data-network="testnet" hidden>' in html
    assert 'name="opt-testnet-title"' in html and 'data-max="20"' in html
    assert "opt-testnet-board-" not in html
    assert OptionsAdapter.asked == []  # nothing asked of the network yet


def test_ticking_accounts_shows_each_ones_choices_asked_once_and_cached(
    cast: Cast, accounts: tuple[Any, Any]
) -> None:
    one, two = accounts
    client = signed_in(cast)
    data = {"accounts": [one.pk, two.pk], "opt-testnet-title": "Buns", "opt-testnet-tags": "a, b"}
    html = client.post("/compose/options/", data).content.decode()
    assert '<fieldset class="options-section" data-network="testnet">' in html
    assert 'value="Buns"' in html and 'value="a, b"' in html
    assert f'<label for="id_opt-testnet-board-{one.pk}">Board for Acme Testnet</label>' in html
    assert '<option value="t1-cakes">Acme Testnet cakes</option>' in html
    assert '<option value="t2-bread">Acme Two bread</option>' in html
    assert 'data-count-for="id_opt-testnet-title" aria-live="polite">4 / 20<' in html
    assert 'data-count-for="id_opt-testnet-tags" aria-live="polite">2 / 15<' in html
    assert "aria-invalid" not in html  # a refresh marks no setting as wrong yet
    client.post("/compose/options/", data)
    assert OptionsAdapter.asked == [("t1", "board"), ("t2", "board")]


def test_choices_that_fail_to_load_say_so_and_keep_the_page_working(
    cast: Cast, accounts: tuple[Any, Any]
) -> None:
    one, _two = accounts
    one.credentials = {"boards": "down"}
    one.save()
    client = signed_in(cast)
    response = client.post("/compose/options/", {"accounts": [one.pk]})
    assert response.status_code == 200
    assert (
        "Could not load the choices for Acme Testnet: Testnet did not answer."
        in response.content.decode()
    )
    # A board chosen before (a post being edited) stays chosen meanwhile.
    kept = client.post(
        "/compose/options/", {"accounts": [one.pk], f"opt-testnet-board-{one.pk}": "t1-cakes"}
    )
    assert '<option value="t1-cakes" selected>t1-cakes</option>' in kept.content.decode()
    assert OptionsAdapter.asked == [("t1", "board"), ("t1", "board")]  # a failure is not kept


def test_a_post_saves_each_networks_settings_and_each_account_gets_its_own(
    cast: Cast, accounts: tuple[Any, Any]
) -> None:
    one, two = accounts
    response = signed_in(cast).post("/compose/", filled(cast, accounts))
    assert response.status_code == 302, response.context["form"].errors
    post = Post.objects.get()
    assert post.overrides == {
        "testnet": {
            "options": {
                "title": "Buns",
                "description": "Fresh every day",
                "privacy": "private",
                "tags": ["buns", "rye"],
                "notify": False,
                "board": {str(one.pk): "t1-cakes", str(two.pk): "t2-bread"},
            }
        }
    }
    boards = {
        d.account.name: content.content_for(d).options["board"] for d in post.deliveries.all()
    }
    assert boards == {"Acme Testnet": "t1-cakes", "Acme Two": "t2-bread"}


def test_problems_show_beside_their_setting_and_what_was_typed_stays(
    cast: Cast, accounts: tuple[Any, Any]
) -> None:
    _one, two = accounts
    data = filled(
        cast, accounts, **{"opt-testnet-title": "x" * 21, f"opt-testnet-board-{two.pk}": ""}
    )
    response = signed_in(cast).post("/compose/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["opt-testnet-title"] == [
        "Acme Testnet: Testnet allows 20 characters in Title; this has 21.",
        "Acme Two: Testnet allows 20 characters in Title; this has 21.",
    ]
    assert errors[f"opt-testnet-board-{two.pk}"] == ["Acme Two: Testnet needs Board."]
    html = response.content.decode()
    title_errors = re.search(r'id="id_opt-testnet-title_errors"[^>]*>(.*?)</ul>', html)
    assert title_errors and "Testnet allows 20 characters in Title" in title_errors.group(1)
    assert f'value="{"x" * 21}"' in html
    assert '<option value="t1-cakes" selected>Acme Testnet cakes</option>' in html
    assert '<option value="private" selected>Only me</option>' in html
    assert Post.objects.count() == 0


def test_an_unticked_networks_settings_are_kept_hidden_in_the_form(
    cast: Cast, accounts: tuple[Any, Any]
) -> None:
    html = (
        signed_in(cast)
        .post("/compose/options/", {"accounts": [], "opt-testnet-title": "Keep me"})
        .content.decode()
    )
    assert 'data-network="testnet" hidden>' in html and 'value="Keep me"' in html


def test_editing_reloads_the_settings_and_saves_changes(
    cast: Cast, accounts: tuple[Any, Any]
) -> None:
    one, two = accounts
    client = signed_in(cast)
    client.post("/compose/", filled(cast, accounts))
    post = Post.objects.get()
    page = client.get(f"/posts/{post.pk}/edit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="/posts/{post.pk}/edit/"' in html
    assert 'name="opt-testnet-title" value="Buns"' in html
    assert 'value="buns, rye"' in html
    assert '<option value="t2-bread" selected>Acme Two bread</option>' in html
    assert '<fieldset class="options-section" data-network="testnet">' in html
    # The meters measure the stored post at once.
    [meter] = page.context["meters"]
    assert meter.problems == ()
    changed = filled(
        cast,
        accounts,
        media=[post.attachments.get().asset_id],
        **{"opt-testnet-title": "Rye", f"opt-testnet-board-{two.pk}": "t2-cakes"},
    )
    response = client.post(f"/posts/{post.pk}/edit/", changed)
    assert response.status_code == 302, response.context["form"].errors
    post.refresh_from_db()
    options = post.overrides["testnet"]["options"]
    assert (options["title"], options["board"]) == (
        "Rye",
        {str(one.pk): "t1-cakes", str(two.pk): "t2-cakes"},
    )
    assert Post.objects.count() == 1


def test_only_people_who_schedule_edit_and_cancelled_posts_are_not_edited(
    cast: Cast, accounts: tuple[Any, Any]
) -> None:
    signed_in(cast).post("/compose/", filled(cast, accounts))
    post = Post.objects.get()
    assert signed_in(cast, "contributor").get(f"/posts/{post.pk}/edit/").status_code == 403
    assert signed_in(cast, "viewer").post("/compose/options/", {}).status_code == 403
    post.cancelled_at = post.created_at
    post.save()
    assert signed_in(cast).get(f"/posts/{post.pk}/edit/").status_code == 302


def test_duplicate_copies_the_settings(cast: Cast, accounts: tuple[Any, Any]) -> None:
    client = signed_in(cast)
    client.post("/compose/", filled(cast, accounts))
    post = Post.objects.get()
    form = client.get(f"/compose/?duplicate={post.pk}").context["form"]
    assert form.initial["opt-testnet-title"] == "Buns"
    assert form.initial["opt-testnet-tags"] == ["buns", "rye"]


def test_the_meter_shows_the_networks_limits_against_the_chosen_video(
    cast: Cast, accounts: tuple[Any, Any]
) -> None:
    one = accounts[0]
    short = video_asset(cast.workspace, seconds=2, width=1920, height=1080)
    data = filled(cast, (one,), media=[short.pk], **{"opt-testnet-title": "y" * 26})
    response = signed_in(cast).post("/compose/check/", data)
    [meter] = response.context["meters"]
    assert [(f.label, f.value, f.ok) for f in meter.facts] == [
        ("Media", "1 file", True),
        ("Video length", "3 to 60 s; video 1: 2 s", False),
        ("Width:height", "9:16 to 1:1; file 1: 1920 by 1080", False),
        ("Title", "26 / 20", False),
        ("Description", "15 / 50", True),
        ("Tags", "7 / 15", True),
    ]
    assert meter.problems == (
        "Testnet takes videos of 3 to 60 seconds; this one is 2.",
        "Testnet takes width:height from 9:16 to 1:1; this file is 1920 by 1080 pixels.",
        "Testnet allows 20 characters in Title; this has 26.",
    )
    assert '<li class="fact-bad">Video length: 3 to 60 s; video 1: 2 s</li>' in (
        response.content.decode()
    )


def test_the_meter_says_media_is_needed_before_any_is_chosen(
    cast: Cast, accounts: tuple[Any, Any]
) -> None:
    response = signed_in(cast).post("/compose/check/", {"text": "", "accounts": [accounts[0].pk]})
    [meter] = response.context["meters"]
    assert meter.facts[:2] == (
        type(meter.facts[0])("Media", "needed", False),
        type(meter.facts[0])("Video length", "3 to 60 s", True),
    )
    assert "Testnet needs a photo or video." in meter.problems


def count_queries(client: Client, method: str, url: str, data: dict[str, Any] | None) -> int:
    with CaptureQueriesContext(connection) as queries:
        getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    return len(queries)


def test_the_composer_costs_the_same_queries_for_one_account_of_the_network_or_ten(
    cast: Cast, accounts: tuple[Any, Any]
) -> None:
    client = signed_in(cast)
    one = accounts[0]

    def cost(ticked: list[Any]) -> tuple[int, int, int]:
        data = filled(cast, tuple(ticked))
        return (
            count_queries(client, "get", "/compose/", None),
            count_queries(client, "post", "/compose/check/", data),
            count_queries(client, "post", "/compose/options/", data),
        )

    few = cost([one])
    many = [one] + [add_testnet_account(cast.workspace, f"More {i}", f"m{i}") for i in range(9)]
    assert cost(many) == few

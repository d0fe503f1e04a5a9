"""POST and PATCH /posts/ take each network's settings in overrides[network]["options"],
check their shape by field, and never save half a post."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from scheduler import content
from scheduler.models import Post
from tests.conftest import Cast
from tests.option_network import OptionsAdapter, add_testnet_account, video_asset

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("testnet")]

WHEN = datetime(2030, 1, 1, 9, 0, tzinfo=UTC).isoformat()


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def accounts(cast: Cast) -> tuple[Any, Any]:
    return add_testnet_account(cast.workspace), add_testnet_account(
        cast.workspace, "Acme Two", "t2"
    )


def body(cast: Cast, accounts: tuple[Any, Any], options: object, **more: Any) -> dict[str, Any]:
    return {
        "text": "Spring menu",
        "scheduled_at": WHEN,
        "account_ids": [a.pk for a in accounts],
        "media_ids": [video_asset(cast.workspace).pk],
        "overrides": {"testnet": {"options": options}},
        **more,
    }


def test_a_post_keeps_each_networks_settings_and_each_account_gets_its_own(
    cast: Cast, api: Any, accounts: tuple[Any, Any]
) -> None:
    one, two = accounts
    options = {
        "title": "Buns",
        "description": "",
        "privacy": "private",
        "tags": [" buns ", "", "rye"],
        "notify": False,
        "board": {str(one.pk): "t1-cakes", str(two.pk): "t2-bread"},
    }
    response = api.post("/api/v1/posts/", body(cast, accounts, options), format="json")
    assert response.status_code == 201, response.json()
    stored = {
        "title": "Buns",
        "privacy": "private",
        "tags": ["buns", "rye"],
        "notify": False,
        "board": {str(one.pk): "t1-cakes", str(two.pk): "t2-bread"},
    }
    assert response.json()["overrides"] == {"testnet": {"options": stored}}
    post = Post.objects.get()
    sent = {d.account.name: dict(content.content_for(d).options) for d in post.deliveries.all()}
    common = {"title": "Buns", "privacy": "private", "tags": ["buns", "rye"], "notify": False}
    assert sent == {
        "Acme Testnet": {**common, "board": "t1-cakes"},
        "Acme Two": {**common, "board": "t2-bread"},
    }


def test_an_option_the_network_does_not_have_is_named(
    cast: Cast, api: Any, accounts: tuple[Any, Any]
) -> None:
    response = api.post("/api/v1/posts/", body(cast, accounts, {"colour": "red"}), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "overrides.testnet.options.colour": [
            "testnet has no option colour; it takes: "
            "title, description, privacy, tags, notify, board."
        ]
    }
    assert Post.objects.count() == 0


def test_values_of_the_wrong_kind_are_named_one_by_one(
    cast: Cast, api: Any, accounts: tuple[Any, Any]
) -> None:
    one, _two = accounts
    options = {
        "title": 5,
        "tags": "buns, rye",
        "notify": "yes",
        "privacy": "friends",
        "board": {str(one.pk): ["t1-cakes"]},
    }
    response = api.post("/api/v1/posts/", body(cast, accounts, options), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "overrides.testnet.options.title": ["testnet option title takes text."],
        "overrides.testnet.options.tags": ["testnet option tags takes a list of words."],
        "overrides.testnet.options.notify": ["testnet option notify takes true or false."],
        "overrides.testnet.options.privacy": ["testnet option privacy is one of: public, private."],
        f"overrides.testnet.options.board.{one.pk}": ["testnet option board takes text."],
    }
    assert Post.objects.count() == 0


def test_a_per_account_value_must_name_an_account_of_the_post(
    cast: Cast, api: Any, accounts: tuple[Any, Any]
) -> None:
    one, _two = accounts
    theirs = add_testnet_account(cast.outsider.workspace, "Theirs", "t9")
    options = {"title": "Buns", "board": {str(one.pk): "a", str(theirs.pk): "b"}}
    response = api.post(
        "/api/v1/posts/",
        {**body(cast, accounts, options), "account_ids": [one.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        f"overrides.testnet.options.board.{theirs.pk}": [
            f"Account {theirs.pk} is not one of this post's testnet accounts."
        ]
    }
    flat = api.post(
        "/api/v1/posts/", body(cast, accounts, {"title": "Buns", "board": "a"}), format="json"
    )
    assert flat.json()["errors"] == {
        "overrides.testnet.options.board": [
            'testnet sets board per account: give {"<account id>": value}.'
        ]
    }
    assert Post.objects.count() == 0


def test_what_the_network_would_refuse_is_named_by_its_option_and_account(
    cast: Cast, api: Any, accounts: tuple[Any, Any]
) -> None:
    one, two = accounts
    options = {"title": "A title longer than twenty", "board": {str(one.pk): "t1-cakes"}}
    response = api.post("/api/v1/posts/", body(cast, accounts, options), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "overrides.testnet.options.title": [
            "Acme Testnet: Testnet allows 20 characters in Title; this has 26.",
            "Acme Two: Testnet allows 20 characters in Title; this has 26.",
        ],
        f"overrides.testnet.options.board.{two.pk}": ["Acme Two: Testnet needs Board."],
    }


def test_an_accounts_own_default_fills_a_per_account_setting(
    cast: Cast, api: Any, accounts: tuple[Any, Any]
) -> None:
    one, two = accounts
    two.options = {"board": "t2-default"}
    two.save()
    options = {"title": "Buns", "board": {str(one.pk): "t1-cakes"}}
    response = api.post("/api/v1/posts/", body(cast, accounts, options), format="json")
    assert response.status_code == 201, response.json()
    delivery = Post.objects.get().deliveries.get(account=two)
    assert content.content_for(delivery).options["board"] == "t2-default"


def test_patch_replaces_the_settings_and_a_refused_patch_changes_nothing(
    cast: Cast, api: Any, accounts: tuple[Any, Any]
) -> None:
    one, two = accounts
    boards = {str(one.pk): "t1-cakes", str(two.pk): "t2-bread"}
    created = api.post(
        "/api/v1/posts/", body(cast, accounts, {"title": "Buns", "board": boards}), format="json"
    ).json()
    url = f"/api/v1/posts/{created['id']}/"
    bad = api.patch(
        url,
        {"text": "New", "overrides": {"testnet": {"options": {"title": "", "board": boards}}}},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == {
        "overrides.testnet.options.title": [
            "Acme Testnet: Testnet needs Title.",
            "Acme Two: Testnet needs Title.",
        ]
    }
    post = Post.objects.get()
    assert (post.text, post.overrides["testnet"]["options"]["title"]) == ("Spring menu", "Buns")
    good = api.patch(
        url,
        {"overrides": {"testnet": {"text": "Own", "options": {"title": "Rye", "board": boards}}}},
        format="json",
    )
    assert good.status_code == 200, good.json()
    assert good.json()["overrides"] == {
        "testnet": {"text": "Own", "options": {"title": "Rye", "board": boards}}
    }


def test_taking_an_account_off_drops_its_own_settings(
    cast: Cast, api: Any, accounts: tuple[Any, Any]
) -> None:
    one, two = accounts
    boards = {str(one.pk): "t1-cakes", str(two.pk): "t2-bread"}
    created = api.post(
        "/api/v1/posts/", body(cast, accounts, {"title": "Buns", "board": boards}), format="json"
    ).json()
    response = api.patch(
        f"/api/v1/posts/{created['id']}/", {"account_ids": [one.pk]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert Post.objects.get().overrides["testnet"]["options"]["board"] == {str(one.pk): "t1-cakes"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ([], "overrides"),
        ("youtube", "overrides"),
        ({"testnet": []}, "overrides"),
        ({"testnet": {"text": 5}}, "overrides"),
        ({"testnet": {"title": "Buns"}}, "overrides.testnet"),
        ({"testnet": {"options": ["title"]}}, "overrides.testnet.options"),
        ({"testnet": {"options": {"board": []}}}, "overrides.testnet.options.board"),
        ({"testnet": {"options": {"board": {"abc": "x"}}}}, "overrides.testnet.options.board"),
        ({"testnet": {"options": {"tags": [1, 2]}}}, "overrides.testnet.options.tags"),
        ({"testnet": {"options": {"privacy": {"a": 1}}}}, "overrides.testnet.options.privacy"),
        ({"testnet": {"options": {"notify": None, "title": None}}}, "overrides.testnet.options"),
    ],
)
def test_malformed_overrides_answer_400_naming_the_field(
    cast: Cast, api: Any, accounts: tuple[Any, Any], overrides: object, field: str
) -> None:
    response = api.post(
        "/api/v1/posts/", {**body(cast, accounts, {}), "overrides": overrides}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [name for name in errors if name.startswith(field)], errors
    assert Post.objects.count() == 0


def test_the_openapi_schema_still_builds(cast: Cast, api: Any) -> None:
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    write = schema.json()["components"]["schemas"]["PostWriteRequest"]["properties"]
    assert "overrides.youtube.options.title" in write["overrides"]["description"]
    assert OptionsAdapter.asked == []  # nothing asked the network for choices

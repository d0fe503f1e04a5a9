"""The engine and PinterestAdapter together, against FakePinterest: a Pin on the board
chosen for the account, the account's default board, a lost answer, a rate limit
and an expired token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from channels.models import SocialAccount
from scheduler import engine
from scheduler.models import Delivery, DeliveryAttempt, MediaAsset, PostMedia
from tests.factories import PostFactory, WorkspaceFactory
from tests.fakes.graph_wire import jpeg
from tests.fakes.pinterest import FakePinterest

S = Delivery.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings: Any, tmp_path: Path) -> Iterator[FakePinterest]:
    settings.MEDIA_ROOT = tmp_path
    settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs half a second here
    with FakePinterest() as fake:
        config = fake.adapter_config(sleep=lambda seconds: None)
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "pinterest": config}
        yield fake
        assert fake.contract_violations == []


def delivery(fake: FakePinterest, *, default_board: str = "") -> Delivery:
    """A queued Pin of one photo for the fake's account. Its board is chosen on the
    post (Post.overrides, one board per account) unless the account has a default."""
    user = next(iter(fake.users), None) or fake.add_user("acmebakery", "Acme Bakery")
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network="pinterest",
        external_id=user,
        name="Acme Bakery",
        handle="acmebakery",
        credentials={
            "access_token": fake.issue_token(user),
            "refresh_token": fake.issue_refresh_token(user),
        },
        credentials_expire_at=timezone.now() + timedelta(days=30),
        options={"board": default_board} if default_board else {},
    )
    options: dict[str, Any] = {"title": "Buns are back"}
    if not default_board:
        options["board"] = {str(account.pk): fake.add_board(user, "Bakes")}
    post = PostFactory(
        workspace=workspace,
        text="Cardamom buns, warm from 7",
        link="https://acme.example/buns",
        overrides={"pinterest": {"options": options}},
    )
    data = jpeg(1000, 1500)
    (Path(django_settings.MEDIA_ROOT) / "buns.jpg").write_bytes(data)
    asset = MediaAsset.objects.create(
        workspace=workspace,
        file="buns.jpg",
        original_name="buns.jpg",
        kind="image",
        mime_type="image/jpeg",
        size=len(data),
        width=1000,
        height=1500,
        alt_text="Buns on a tray",
    )
    PostMedia.objects.create(post=post, asset=asset)
    return Delivery.objects.create(post=post, account=account, state=S.QUEUED)


def test_a_pin_goes_to_the_board_chosen_for_the_account(fake: FakePinterest) -> None:
    queued = delivery(fake)

    assert engine.publish(queued.pk) == "published"

    queued.refresh_from_db()
    [pin] = fake.pins
    assert (queued.state, queued.external_id) == (S.PUBLISHED, pin["id"])
    assert queued.external_url == f"https://www.pinterest.com/pin/{pin['id']}/"
    [call] = fake.calls("POST", "/v5/pins")
    board = queued.post.overrides["pinterest"]["options"]["board"][str(queued.account_id)]
    assert {k: v for k, v in call.body.items() if k != "media_source"} == {
        "board_id": board,
        "title": "Buns are back",
        "description": "Cardamom buns, warm from 7",
        "link": "https://acme.example/buns",
        "alt_text": "Buns on a tray",
    }
    assert call.body["media_source"]["source_type"] == "image_base64"
    assert queued.progress["pin_id"] == pin["id"]


def test_without_a_choice_on_the_post_the_accounts_default_board_is_used(
    fake: FakePinterest,
) -> None:
    user = fake.add_user("acmebakery", "Acme Bakery")
    default = fake.add_board(user, "Everything")
    queued = delivery(fake, default_board=default)
    assert engine.publish(queued.pk) == "published"
    [pin] = fake.pins
    assert pin["board_id"] == default


def test_a_lost_answer_is_reconciled_to_the_pin_that_was_made_not_pinned_twice(
    fake: FakePinterest,
) -> None:
    queued = delivery(fake)
    fake.timeout_after_receive("/v5/pins")
    assert engine.publish(queued.pk) == "unknown"
    assert engine.resolve_unknown(queued.pk) == "published"
    queued.refresh_from_db()
    [pin] = fake.pins
    assert (queued.state, queued.external_id) == (S.PUBLISHED, pin["id"])


def test_a_rate_limit_waits_a_minute_without_pinning(fake: FakePinterest) -> None:
    queued = delivery(fake)
    fake.fail_next(429, path="/v5/pins")
    before = timezone.now()
    assert engine.publish(queued.pk) == "rate-limited"
    queued.refresh_from_db()
    assert queued.state == S.RETRY_WAIT
    assert timedelta(seconds=59) <= queued.due_at - before <= timedelta(seconds=61)
    assert DeliveryAttempt.objects.get(delivery=queued).outcome == "rate_limited"
    assert fake.pins == []


def test_an_expired_token_is_refreshed_once_and_the_pin_goes_out(fake: FakePinterest) -> None:
    queued = delivery(fake)
    old = dict(queued.account.credentials)
    fake.expire_token(old["access_token"])
    assert engine.publish(queued.pk) == "refreshed"
    account = SocialAccount.objects.get(pk=queued.account_id)
    assert account.credentials["access_token"] != old["access_token"]
    assert account.credentials["refresh_token"] != old["refresh_token"]  # continuous refresh
    engine.transition(queued.pk, S.RETRY_WAIT, S.QUEUED)
    assert engine.publish(queued.pk) == "published"
    assert len(fake.pins) == 1

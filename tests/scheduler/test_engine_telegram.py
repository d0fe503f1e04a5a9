"""The engine and TelegramAdapter together, against FakeTelegram: a photo sent
silently to a channel, a lost answer handed to a person (Telegram cannot tell),
a rate limit and a revoked bot token."""

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
from tests.fakes.telegram import FakeTelegram

S = Delivery.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings: Any, tmp_path: Path) -> Iterator[FakeTelegram]:
    settings.MEDIA_ROOT = tmp_path
    settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs half a second here
    with FakeTelegram() as fake:
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "telegram": fake.adapter_config()}
        yield fake


def delivery(fake: FakeTelegram) -> Delivery:
    """A queued photo post, sent silently, for a channel the fake's bot administers."""
    token = fake.add_bot("acme_bot")
    chat_id = fake.add_channel("acmebakery", "Acme Bakery", admins={token})
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network="telegram",
        external_id=str(chat_id),
        name="Acme Bakery",
        handle="@acmebakery",
        credentials={"bot_token": token},
        options={"chat_id": chat_id, "chat_type": "channel", "username": "acmebakery"},
    )
    post = PostFactory(
        workspace=workspace,
        text="Cardamom buns, warm from 7",
        link="https://acme.example/buns",
        overrides={"telegram": {"options": {"silent": True}}},
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
    )
    PostMedia.objects.create(post=post, asset=asset)
    return Delivery.objects.create(post=post, account=account, state=S.QUEUED)


def test_a_photo_goes_to_the_channel_silently_with_its_caption(fake: FakeTelegram) -> None:
    queued = delivery(fake)

    assert engine.publish(queued.pk) == "published"

    queued.refresh_from_db()
    [message] = fake.sent(int(queued.account.external_id))
    assert (queued.state, queued.external_id) == (S.PUBLISHED, str(message["message_id"]))
    assert queued.external_url == f"https://t.me/acmebakery/{message['message_id']}"
    [call] = fake.calls("POST", "/sendPhoto")
    assert {k: v for k, v in call.body.items() if k != "photo"} == {
        "chat_id": queued.account.external_id,
        "caption": "Cardamom buns, warm from 7\n\nhttps://acme.example/buns",
        "disable_notification": "true",
    }
    assert call.body["photo"] == (Path(django_settings.MEDIA_ROOT) / "buns.jpg").read_bytes()


def test_a_lost_answer_goes_to_a_person_and_is_never_sent_twice(fake: FakeTelegram) -> None:
    queued = delivery(fake)
    fake.timeout_after_receive("/sendPhoto")

    assert engine.publish(queued.pk) == "unknown"
    assert engine.resolve_unknown(queued.pk) == "needs-attention"

    queued.refresh_from_db()
    assert queued.state == S.NEEDS_ATTENTION
    assert len(fake.sent(int(queued.account.external_id))) == 1
    assert len(fake.calls("POST", "/sendPhoto")) == 1


def test_a_rate_limit_waits_for_telegrams_retry_after(fake: FakeTelegram) -> None:
    queued = delivery(fake)
    fake.fail_next(429, path="/sendPhoto")  # retry after 35
    before = timezone.now()

    assert engine.publish(queued.pk) == "rate-limited"

    queued.refresh_from_db()
    assert queued.state == S.RETRY_WAIT
    assert timedelta(seconds=34) <= queued.due_at - before <= timedelta(seconds=36)
    assert DeliveryAttempt.objects.get(delivery=queued).outcome == "rate_limited"
    assert fake.sent(int(queued.account.external_id)) == []


def test_a_revoked_bot_token_asks_for_a_reconnect(fake: FakeTelegram) -> None:
    queued = delivery(fake)
    fake.revoke(queued.account.credentials["bot_token"])

    assert engine.publish(queued.pk) == "needs-reconnect"

    account = SocialAccount.objects.get(pk=queued.account_id)
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT

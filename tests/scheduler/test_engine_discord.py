"""The engine and DiscordAdapter together, against FakeDiscord: a scheduled post with a
photo goes to the channel, a lost answer goes to a person (a webhook cannot look
messages up), a rate limit waits, and a deleted webhook holds the account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from channels.models import SocialAccount
from scheduler import engine
from scheduler.models import Delivery, DeliveryAttempt, MediaAsset, PostMedia
from tests.conftest import Cast
from tests.factories import PostFactory, WorkspaceFactory
from tests.fakes.discord import RATE_LIMITED, FakeDiscord, Webhook
from tests.fakes.graph_wire import jpeg

S = Delivery.State
pytestmark = pytest.mark.django_db
GUILD = "81384788765712384"


@pytest.fixture
def fake(settings: Any, tmp_path: Path) -> Iterator[FakeDiscord]:
    settings.MEDIA_ROOT = tmp_path
    settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs half a second here
    with FakeDiscord() as fake:
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "discord": fake.adapter_config()}
        yield fake


def delivery(fake: FakeDiscord) -> tuple[Delivery, Webhook]:
    """A queued post with one photo for a channel connected by its webhook."""
    hook = fake.add_webhook("Acme news", guild_id=GUILD)
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network="discord",
        external_id=hook.channel_id,
        name="Acme news",
        handle="Acme news",
        credentials={"webhook_token": hook.token},
        options={"webhook_id": hook.id, "guild_id": GUILD, "channel_id": hook.channel_id},
    )
    post = PostFactory(
        workspace=workspace,
        text="Cardamom buns, warm from 7",
        link="https://acme.example/buns",
        overrides={"discord": {"options": {"username": "Acme Bakery"}}},
    )
    data = jpeg(800, 600)
    (Path(django_settings.MEDIA_ROOT) / "buns.jpg").write_bytes(data)
    asset = MediaAsset.objects.create(
        workspace=workspace,
        file="buns.jpg",
        original_name="buns.jpg",
        kind="image",
        mime_type="image/jpeg",
        size=len(data),
        width=800,
        height=600,
        alt_text="Buns on a tray",
    )
    PostMedia.objects.create(post=post, asset=asset)
    return Delivery.objects.create(post=post, account=account, state=S.QUEUED), hook


def test_a_scheduled_post_goes_to_the_channel_with_its_photo(fake: FakeDiscord) -> None:
    queued, hook = delivery(fake)

    assert engine.publish(queued.pk) == "published"

    queued.refresh_from_db()
    [message] = fake.messages
    assert (queued.state, queued.external_id) == (S.PUBLISHED, message["id"])
    assert queued.external_url == (
        f"https://discord.com/channels/{GUILD}/{hook.channel_id}/{message['id']}"
    )
    [call] = fake.calls("POST", hook.path)
    assert json.loads(call.body["payload_json"]) == {
        "content": "Cardamom buns, warm from 7\nhttps://acme.example/buns",
        "allowed_mentions": {"parse": []},
        "username": "Acme Bakery",
        "attachments": [{"id": 0, "filename": "file0.jpg", "description": "Buns on a tray"}],
    }
    assert call.body["files[0]"] == (Path(django_settings.MEDIA_ROOT) / "buns.jpg").read_bytes()
    assert queued.progress["message_id"] == message["id"]
    assert hook.token not in json.dumps(queued.progress)


def test_a_lost_answer_goes_to_a_person_and_is_never_posted_twice(fake: FakeDiscord) -> None:
    queued, hook = delivery(fake)
    fake.timeout_after_receive(hook.path)
    assert engine.publish(queued.pk) == "unknown"
    assert engine.resolve_unknown(queued.pk) == "needs-attention"
    queued.refresh_from_db()
    assert queued.state == S.NEEDS_ATTENTION
    assert queued.last_error.startswith("Discord cannot tell whether this post went out.")
    assert len(fake.messages) == 1


def test_a_rate_limit_waits_for_discords_retry_after(fake: FakeDiscord) -> None:
    queued, hook = delivery(fake)
    fake.fail_next(429, RATE_LIMITED, {"Retry-After": "30"}, path=hook.path)
    before = timezone.now()
    assert engine.publish(queued.pk) == "rate-limited"
    queued.refresh_from_db()
    assert queued.state == S.RETRY_WAIT
    assert timedelta(seconds=29) <= queued.due_at - before <= timedelta(seconds=31)
    assert DeliveryAttempt.objects.get(delivery=queued).outcome == "rate_limited"
    assert fake.messages == []


def test_a_deleted_webhook_holds_the_account_until_it_is_connected_again(
    fake: FakeDiscord,
) -> None:
    queued, hook = delivery(fake)
    fake.delete_webhook(hook)
    engine.publish(queued.pk)
    account = SocialAccount.objects.get(pk=queued.account_id)
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT
    assert fake.messages == []


def test_the_composer_offers_discords_settings_for_a_ticked_channel(
    fake: FakeDiscord, cast: Cast
) -> None:
    queued, _hook = delivery(fake)
    SocialAccount.objects.filter(pk=queued.account_id).update(workspace=cast.workspace)
    client = Client()
    client.force_login(cast.role("editor").user)
    data = {"accounts": [queued.account_id], "opt-discord-username": "Acme Bakery"}
    html = client.post("/compose/options/", data).content.decode()
    assert '<fieldset class="options-section" data-network="discord">' in html
    assert 'name="opt-discord-username"' in html and 'value="Acme Bakery"' in html
    assert 'name="opt-discord-thread_name"' in html
    assert 'name="opt-discord-thread_id"' in html

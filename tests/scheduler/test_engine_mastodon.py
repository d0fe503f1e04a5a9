"""The engine and MastodonAdapter together, against FakeMastodon: a post with a photo and
its description and the options chosen in the composer, the instance's own limits in
the checks, a lost answer reconciled without posting twice, a rate limit and a
revoked token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from channels.adapters.registry import adapter_for
from channels.models import SocialAccount
from scheduler import engine
from scheduler.models import Delivery, DeliveryAttempt, MediaAsset, PostMedia
from tests.factories import PostFactory, WorkspaceFactory
from tests.fakes.graph_wire import jpeg
from tests.fakes.mastodon import FakeMastodon

S = Delivery.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings: Any, tmp_path: Path) -> Iterator[FakeMastodon]:
    settings.MEDIA_ROOT = tmp_path
    settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs half a second here
    with FakeMastodon() as fake:
        settings.SMO_NETWORKS = {
            **settings.SMO_NETWORKS,
            "mastodon": {**settings.SMO_NETWORKS["mastodon"], "sleep": lambda seconds: None},
        }
        yield fake


def account(fake: FakeMastodon) -> SocialAccount:
    user = fake.add_account("acmebakery", "Acme Bakery")
    creds = fake.credentials(user, fake.issue_token(user))
    return SocialAccount.objects.create(
        workspace=WorkspaceFactory(),
        network="mastodon",
        external_id=creds.external_id,
        name="Acme Bakery",
        handle=creds.handle,
        credentials=dict(creds.secrets),
        options={**creds.options, "limits": {"max_characters": 1000}},
    )


def delivery(fake: FakeMastodon, text: str = "Cardamom buns, warm from 7", **post: Any) -> Delivery:
    target = account(fake)
    made = PostFactory(workspace=target.workspace, text=text, **post)
    return Delivery.objects.create(post=made, account=target, state=S.QUEUED)


def test_a_post_with_a_photo_goes_out_with_its_description_and_options(
    fake: FakeMastodon,
) -> None:
    options = {"spoiler_text": "Food", "visibility": "unlisted"}
    queued = delivery(fake, overrides={"mastodon": {"options": options}})
    data = jpeg(800, 600)
    (Path(django_settings.MEDIA_ROOT) / "buns.jpg").write_bytes(data)
    asset = MediaAsset.objects.create(
        workspace=queued.account.workspace,
        file="buns.jpg",
        original_name="buns.jpg",
        kind="image",
        mime_type="image/jpeg",
        size=len(data),
        width=800,
        height=600,
        alt_text="Buns on a tray",
    )
    PostMedia.objects.create(post=queued.post, asset=asset)

    assert engine.publish(queued.pk) == "published"

    queued.refresh_from_db()
    [status] = fake.posted()
    assert (queued.state, queued.external_id) == (S.PUBLISHED, status["id"])
    assert queued.external_url == f"https://mastodon.example/@acmebakery/{status['id']}"
    assert (status["spoiler_text"], status["visibility"]) == ("Food", "unlisted")
    [media_id] = status["media_ids"]
    assert fake.media[media_id]["description"] == "Buns on a tray"
    [call] = fake.calls("POST", "/api/v1/statuses")
    assert call.headers["idempotency-key"] == f"{queued.idempotency_key}-0"
    assert queued.progress["status_ids"] == [status["id"]]
    assert queued.progress["media_ids"] == [media_id]


def test_the_accounts_instance_limit_is_the_one_checked(fake: FakeMastodon) -> None:
    queued = delivery(fake, text="a" * 800)
    adapter = adapter_for(queued.account)
    assert adapter.limits.max_text == 1000
    assert adapter.validate(engine.content.content_for(queued)) == []
    assert adapter_for(SocialAccount(network="mastodon", options={})).limits.max_text == 500


def test_a_lost_answer_is_reconciled_to_the_status_that_was_made(fake: FakeMastodon) -> None:
    queued = delivery(fake)
    fake.timeout_after_receive("/api/v1/statuses")
    assert engine.publish(queued.pk) == "unknown"
    assert engine.resolve_unknown(queued.pk) == "published"
    queued.refresh_from_db()
    [status] = fake.posted()
    assert (queued.state, queued.external_id) == (S.PUBLISHED, status["id"])


def test_a_lost_answer_retried_within_the_hour_posts_once(fake: FakeMastodon) -> None:
    queued = delivery(fake)
    fake.timeout_after_receive("/api/v1/statuses")
    assert engine.publish(queued.pk) == "unknown"
    # Say the lookup missed it (the instance was still writing): the requeued
    # attempt sends the same Idempotency-Key and gets the same status back.
    engine.transition(queued.pk, S.UNKNOWN, S.QUEUED)
    assert engine.publish(queued.pk) == "published"
    assert len(fake.posted()) == 1


def test_a_rate_limit_waits_for_the_instances_reset(fake: FakeMastodon) -> None:
    queued = delivery(fake)
    reset = timezone.now() + timedelta(minutes=2)
    fake.fail_next(
        429,
        headers={"X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.000Z")},
        path="/api/v1/statuses",
    )
    assert engine.publish(queued.pk) == "rate-limited"
    queued.refresh_from_db()
    assert queued.state == S.RETRY_WAIT
    assert abs(queued.due_at - reset) < timedelta(seconds=2)
    assert DeliveryAttempt.objects.get(delivery=queued).outcome == "rate_limited"


def test_a_revoked_token_holds_the_delivery_until_a_reconnect(fake: FakeMastodon) -> None:
    queued = delivery(fake)
    fake.tokens.clear()
    assert engine.publish(queued.pk) == "needs-reconnect"
    queued.refresh_from_db()
    assert queued.state == S.RETRY_WAIT
    assert SocialAccount.objects.get(pk=queued.account_id).status == "needs_reconnect"
    assert fake.posted() == []

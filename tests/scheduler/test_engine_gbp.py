"""The engine and GoogleBusinessAdapter together, against FakeBusinessProfile: a
scheduled event post with a photo goes out through the worker path, a lost
answer is reconciled, a rate limit waits, and an expired token is refreshed."""

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
from tests.fakes.gbp import FakeBusinessProfile
from tests.fakes.graph_wire import jpeg

S = Delivery.State
pytestmark = pytest.mark.django_db
EVENT = {
    "topic": "EVENT",
    "event_title": "Bun festival",
    "event_start": "2026-12-14 09:00",
    "event_end": "2026-12-14 17:00",
}


@pytest.fixture
def fake(settings: Any, tmp_path: Path) -> Iterator[FakeBusinessProfile]:
    settings.MEDIA_ROOT = tmp_path
    settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs half a second here
    settings.SMO_PUBLIC_URL = "https://smo.example"
    with FakeBusinessProfile() as fake:
        config = fake.adapter_config(public_url=settings.SMO_PUBLIC_URL)
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "gbp": config}
        yield fake


def delivery(fake: FakeBusinessProfile) -> Delivery:
    """A queued event post with one photo for the fake's location."""
    parent = next(iter(fake.locations), None) or fake.add_location("Acme Bakery")
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network="gbp",
        external_id=parent,
        name="Acme Bakery (Leeds)",
        handle="Acme Bakery",
        credentials={
            "access_token": fake.issue_token(),
            "refresh_token": fake.issue_refresh_token(),
        },
        credentials_expire_at=timezone.now() + timedelta(hours=1),
        options={"maps_url": "https://maps.google.com/maps?cid=1"},
    )
    post = PostFactory(
        workspace=workspace,
        text="Every bun we bake, in one day",
        link="https://acme.example/festival",
        overrides={"gbp": {"options": dict(EVENT)}},
    )
    data = jpeg(1200, 900)
    (Path(django_settings.MEDIA_ROOT) / "buns.jpg").write_bytes(data)
    asset = MediaAsset.objects.create(
        workspace=workspace,
        file="buns.jpg",
        original_name="buns.jpg",
        kind="image",
        mime_type="image/jpeg",
        size=len(data),
        width=1200,
        height=900,
    )
    PostMedia.objects.create(post=post, asset=asset)
    return Delivery.objects.create(post=post, account=account, state=S.QUEUED)


def test_a_scheduled_event_post_goes_out_with_its_photo(fake: FakeBusinessProfile) -> None:
    queued = delivery(fake)

    assert engine.publish(queued.pk) == "published"

    queued.refresh_from_db()
    [post] = fake.posts[queued.account.external_id]
    assert (queued.state, queued.external_id) == (S.PUBLISHED, post["name"])
    assert queued.external_url == post["searchUrl"]
    [call] = fake.calls("POST", f"/v4/{queued.account.external_id}/localPosts")
    assert call.body["topicType"] == "EVENT"
    assert call.body["summary"] == "Every bun we bake, in one day"
    assert call.body["event"]["title"] == "Bun festival"
    assert call.body["callToAction"] == {
        "actionType": "LEARN_MORE",
        "url": "https://acme.example/festival",
    }
    [photo] = call.body["media"]
    assert photo["mediaFormat"] == "PHOTO"
    assert photo["sourceUrl"].startswith("https://smo.example/")


def test_a_lost_answer_is_reconciled_to_the_post_that_was_made(fake: FakeBusinessProfile) -> None:
    queued = delivery(fake)
    fake.timeout_after_receive()
    assert engine.publish(queued.pk) == "unknown"
    assert engine.resolve_unknown(queued.pk) == "published"
    queued.refresh_from_db()
    [post] = fake.posts[queued.account.external_id]
    assert (queued.state, queued.external_id) == (S.PUBLISHED, post["name"])


def test_a_rate_limit_waits_a_minute_without_posting(fake: FakeBusinessProfile) -> None:
    queued = delivery(fake)
    fake.fail_next(429, path=f"/v4/{queued.account.external_id}/localPosts")
    before = timezone.now()
    assert engine.publish(queued.pk) == "rate-limited"
    queued.refresh_from_db()
    assert queued.state == S.RETRY_WAIT
    assert timedelta(seconds=59) <= queued.due_at - before <= timedelta(seconds=61)
    assert DeliveryAttempt.objects.get(delivery=queued).outcome == "rate_limited"
    assert fake.posts[queued.account.external_id] == []


def test_an_expired_token_is_refreshed_and_the_post_goes_out(fake: FakeBusinessProfile) -> None:
    queued = delivery(fake)
    old = dict(queued.account.credentials)
    fake.expire_token(old["access_token"])
    assert engine.publish(queued.pk) == "refreshed"
    account = SocialAccount.objects.get(pk=queued.account_id)
    assert account.credentials["access_token"] != old["access_token"]
    assert account.credentials["refresh_token"] == old["refresh_token"]
    engine.transition(queued.pk, S.RETRY_WAIT, S.QUEUED)
    assert engine.publish(queued.pk) == "published"
    assert len(fake.posts[queued.account.external_id]) == 1

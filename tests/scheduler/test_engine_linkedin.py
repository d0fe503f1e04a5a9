"""The engine and LinkedInAdapter together, against FakeLinkedIn: a Page's post with a
photo, a lost answer reconciled, the daily throttle, and a token LinkedIn will not
refresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from channels.models import SocialAccount
from scheduler import engine
from scheduler.models import Delivery, DeliveryAttempt, MediaAsset, PostMedia
from tests.factories import PostFactory, WorkspaceFactory
from tests.fakes import linkedin_wire as wire
from tests.fakes.graph_wire import jpeg
from tests.fakes.linkedin import FakeLinkedIn

S = Delivery.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings: Any, tmp_path: Path) -> Iterator[FakeLinkedIn]:
    settings.MEDIA_ROOT = tmp_path
    settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs half a second here
    with FakeLinkedIn() as fake:
        config = fake.adapter_config(sleep=lambda seconds: None)
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "linkedin": config}
        yield fake


def delivery(fake: FakeLinkedIn, *, photo: bool = True) -> Delivery:
    """A queued post with one photo for a Page the fake's member administers."""
    member = fake.add_member("Ada Baker")
    page = fake.add_organization("Acme Bakery", "acme-bakery", admins=(member,))
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network="linkedin",
        external_id=page,
        name="Acme Bakery",
        handle="acme-bakery",
        credentials={"access_token": fake.issue_token(member)},
        credentials_expire_at=timezone.now() + timedelta(days=60),
        options={"member": f"urn:li:person:{member}"},
    )
    post = PostFactory(
        workspace=workspace,
        text="Cardamom buns (warm) from 7 #bakery",
        link="https://acme.example/buns",
    )
    if photo:
        data = jpeg(1200, 800)
        (Path(django_settings.MEDIA_ROOT) / "buns.jpg").write_bytes(data)
        asset = MediaAsset.objects.create(
            workspace=workspace,
            file="buns.jpg",
            original_name="buns.jpg",
            kind="image",
            mime_type="image/jpeg",
            size=len(data),
            width=1200,
            height=800,
            alt_text="Buns on a tray",
        )
        PostMedia.objects.create(post=post, asset=asset)
    return Delivery.objects.create(post=post, account=account, state=S.QUEUED)


def test_a_pages_post_with_a_photo_is_published(fake: FakeLinkedIn) -> None:
    queued = delivery(fake)

    assert engine.publish(queued.pk) == "published"

    queued.refresh_from_db()
    [post] = fake.posts
    [image] = fake.images
    assert (queued.state, queued.external_id) == (S.PUBLISHED, post["id"])
    assert queued.external_url == f"https://www.linkedin.com/feed/update/{post['id']}/"
    [call] = fake.calls("POST", "/rest/posts")
    assert call.body["author"] == queued.account.external_id
    assert call.body["commentary"] == (
        "Cardamom buns \\(warm\\) from 7 #bakery\n\nhttps://acme.example/buns"
    )
    assert call.body["content"] == {"media": {"id": image, "altText": "Buns on a tray"}}
    assert queued.progress["image.0"] == image
    assert queued.progress["post_urn"] == post["id"]


def test_a_lost_answer_is_reconciled_to_the_post_that_was_made_not_posted_twice(
    fake: FakeLinkedIn,
) -> None:
    queued = delivery(fake, photo=False)
    fake.timeout_after_receive("/rest/posts")
    assert engine.publish(queued.pk) == "unknown"
    assert engine.resolve_unknown(queued.pk) == "published"
    queued.refresh_from_db()
    [post] = fake.posts
    assert (queued.state, queued.external_id) == (S.PUBLISHED, post["id"])
    assert post["content"] == {
        "article": {"source": "https://acme.example/buns", "title": "https://acme.example/buns"}
    }


def test_the_daily_throttle_waits_until_midnight_utc_without_posting(fake: FakeLinkedIn) -> None:
    queued = delivery(fake, photo=False)
    fake.fail_next(429, wire.THROTTLED, path="/rest/posts")
    assert engine.publish(queued.pk) == "rate-limited"
    queued.refresh_from_db()
    assert queued.state == S.RETRY_WAIT
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    assert queued.due_at == datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=UTC)
    assert DeliveryAttempt.objects.get(delivery=queued).outcome == "rate_limited"
    assert fake.posts == []


def test_an_expired_token_without_a_refresh_token_asks_for_a_reconnect(
    fake: FakeLinkedIn,
) -> None:
    queued = delivery(fake, photo=False)
    fake.expire_token(queued.account.credentials["access_token"])
    assert engine.publish(queued.pk) == "needs-reconnect"
    account = SocialAccount.objects.get(pk=queued.account_id)
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT
    assert account.status_detail == (
        "LinkedIn did not accept the account's token: The token used in the request has expired"
    )
    assert fake.posts == []


def test_an_expired_token_with_a_granted_refresh_token_is_refreshed_and_posts(
    fake: FakeLinkedIn,
) -> None:
    queued = delivery(fake, photo=False)
    account = queued.account
    member = account.options["member"].removeprefix("urn:li:person:")
    old = account.credentials["access_token"]
    account.credentials = {"access_token": old, "refresh_token": fake.issue_refresh_token(member)}
    account.save()
    fake.expire_token(old)
    assert engine.publish(queued.pk) == "refreshed"
    account.refresh_from_db()
    assert account.credentials["access_token"] != old
    engine.transition(queued.pk, S.RETRY_WAIT, S.QUEUED)
    assert engine.publish(queued.pk) == "published"
    assert len(fake.posts) == 1

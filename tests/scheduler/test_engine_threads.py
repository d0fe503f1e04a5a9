"""The engine and ThreadsAdapter together, against FakeThreads: a text post, a thread,
a photo Threads fetches from SMO's signed media link, a lost answer, the 24-hour
cap and a revoked token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from channels.models import SocialAccount
from scheduler import engine
from scheduler.models import Delivery, DeliveryAttempt, MediaAsset, PostMedia
from tests.factories import PostFactory, WorkspaceFactory
from tests.fakes.graph_wire import jpeg
from tests.fakes.threads import FakeThreads

S = Delivery.State


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeThreads]:
    settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs half a second here
    with FakeThreads() as fake:
        fake.add_user("acmebakery", "Acme Bakery")
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "threads": fake.adapter_config()}
        yield fake
        assert fake.crashes == []


def delivery(fake: FakeThreads, **post: Any) -> Delivery:
    token = fake.issue_token(fake.login_user, age=timedelta(days=2))
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network="threads",
        external_id=fake.login_user,
        name="Acme Bakery",
        handle="acmebakery",
        credentials={"access_token": token},
        credentials_expire_at=fake.tokens[token].expires_at,
    )
    post.setdefault("text", "Cardamom buns are back 🥐")
    return Delivery.objects.create(
        post=PostFactory(workspace=workspace, **post), account=account, state=S.QUEUED
    )


@pytest.mark.django_db
def test_a_text_post_is_published(fake: FakeThreads) -> None:
    queued = delivery(fake)

    assert engine.publish(queued.pk) == "published"

    queued.refresh_from_db()
    [post] = fake.threads
    assert (queued.state, queued.external_id, queued.external_url) == (
        S.PUBLISHED,
        post["id"],
        post["permalink"],
    )
    assert post["text"] == "Cardamom buns are back 🥐"
    assert queued.progress["post_ids"] == [post["id"]]
    assert queued.progress["container"] == {"step": 0, "id": post["container_id"]}


@pytest.mark.django_db
def test_a_thread_goes_out_as_a_chain_of_replies(fake: FakeThreads) -> None:
    queued = delivery(fake, text="Spring menu, a thread:", thread=["Buns.", "Cold brew."])
    assert engine.publish(queued.pk) == "published"
    first, second, third = fake.threads
    assert (second["replied_to"], third["replied_to"]) == (
        {"id": first["id"]},
        {"id": second["id"]},
    )
    queued.refresh_from_db()
    assert queued.progress["post_ids"] == [first["id"], second["id"], third["id"]]
    assert queued.external_id == first["id"]


@pytest.mark.django_db(transaction=True)
def test_a_photo_is_fetched_by_threads_from_smos_signed_media_link(
    fake: FakeThreads, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.SMO_PUBLIC_URL = live_server.url
    queued = delivery(fake, text="Buns on a tray")
    data = jpeg(1080, 1080)
    (tmp_path / "buns.jpg").write_bytes(data)
    asset = MediaAsset.objects.create(
        workspace=queued.post.workspace,
        file="buns.jpg",
        original_name="buns.jpg",
        kind="image",
        mime_type="image/jpeg",
        size=len(data),
        width=1080,
        height=1080,
    )
    PostMedia.objects.create(post=queued.post, asset=asset)

    assert engine.publish(queued.pk) == "published"

    [fetch] = fake.fetches
    assert fetch.url.startswith(f"{live_server.url}/")
    assert (fetch.status, fetch.size, fetch.content_type) == (200, len(data), "image/jpeg")
    [post] = fake.threads
    assert (post["media_type"], post["text"]) == ("IMAGE", "Buns on a tray")


@pytest.mark.django_db
def test_a_lost_answer_is_reconciled_to_the_post_that_was_made_not_posted_twice(
    fake: FakeThreads,
) -> None:
    queued = delivery(fake)
    fake.timeout_after_receive("/threads_publish")
    assert engine.publish(queued.pk) == "unknown"
    assert engine.resolve_unknown(queued.pk) == "published"
    queued.refresh_from_db()
    [post] = fake.threads
    assert (queued.state, queued.external_id) == (S.PUBLISHED, post["id"])
    assert len(fake.calls("POST", "/threads_publish")) == 1


@pytest.mark.django_db
def test_a_publish_refused_by_a_server_error_is_requeued_and_reuses_its_container(
    fake: FakeThreads,
) -> None:
    queued = delivery(fake)
    fake.fail_next(500, path="/threads_publish")
    assert engine.publish(queued.pk) == "unknown"
    assert engine.resolve_unknown(queued.pk) == "requeued"
    assert engine.publish(queued.pk) == "published"
    assert len(fake.containers) == 1 and len(fake.threads) == 1


@pytest.mark.django_db
def test_at_the_24_hour_cap_the_delivery_waits_an_hour(fake: FakeThreads) -> None:
    queued = delivery(fake)
    fake.use_quota(fake.login_user, 250)
    before = timezone.now()
    assert engine.publish(queued.pk) == "rate-limited"
    queued.refresh_from_db()
    assert queued.state == S.RETRY_WAIT
    assert timedelta(minutes=59) <= queued.due_at - before <= timedelta(minutes=61)
    assert DeliveryAttempt.objects.get(delivery=queued).outcome == "rate_limited"
    assert fake.threads == []


@pytest.mark.django_db
def test_a_revoked_token_holds_the_delivery_until_someone_reconnects(fake: FakeThreads) -> None:
    queued = delivery(fake)
    del fake.tokens[queued.account.credentials["access_token"]]
    assert engine.publish(queued.pk) == "needs-reconnect"
    account = SocialAccount.objects.get(pk=queued.account_id)
    queued.refresh_from_db()
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT
    assert queued.state == S.RETRY_WAIT
    assert fake.threads == []

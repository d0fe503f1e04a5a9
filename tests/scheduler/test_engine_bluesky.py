"""The engine and BlueskyAdapter together, against FakeBluesky: a thread with an
image, a lost answer resolved by the record key, a rate limit, an expired
session and a revoked app password."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from channels.adapters.bluesky_auth import session_credentials
from channels.models import SocialAccount
from scheduler import engine
from scheduler.models import Delivery, DeliveryAttempt, MediaAsset, PostMedia
from tests.factories import PostFactory, WorkspaceFactory
from tests.fakes.bluesky import APP_PASSWORD, FakeBluesky, rate_limited
from tests.fakes.graph_wire import jpeg

S = Delivery.State
pytestmark = pytest.mark.django_db
CREATE = "/xrpc/com.atproto.repo.createRecord"


@pytest.fixture
def fake(settings: Any, tmp_path: Path) -> Iterator[FakeBluesky]:
    settings.MEDIA_ROOT = tmp_path
    settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs half a second here
    with FakeBluesky() as fake:
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "bluesky": fake.adapter_config()}
        yield fake


def delivery(fake: FakeBluesky, thread: list[str] | None = None) -> Delivery:
    """A queued post with one photo (and a thread, if given) for the fake's account."""
    did = fake.add_account("acmebakery.test", display_name="Acme Bakery")
    creds = session_credentials(fake.session(did), APP_PASSWORD, fake.url)
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network="bluesky",
        external_id=did,
        name="Acme Bakery",
        handle="acmebakery.test",
        credentials=dict(creds.secrets),
        credentials_expire_at=creds.expires_at,
    )
    post = PostFactory(
        workspace=workspace, text="Cardamom buns, warm from 7 #fika", thread=thread or []
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


def test_a_thread_with_an_image_is_published_and_each_part_recorded(fake: FakeBluesky) -> None:
    queued = delivery(fake, thread=["Also: bread.", "And coffee."])

    assert engine.publish(queued.pk) == "published"

    queued.refresh_from_db()
    first, second, third = fake.posts(queued.account.external_id)
    rkey = first["uri"].rsplit("/", 1)[1]
    assert (queued.state, queued.external_id) == (S.PUBLISHED, first["uri"])
    assert queued.external_url == f"https://bsky.app/profile/acmebakery.test/post/{rkey}"
    assert first["value"]["text"] == "Cardamom buns, warm from 7 #fika"
    assert first["value"]["facets"][0]["features"] == [
        {"$type": "app.bsky.richtext.facet#tag", "tag": "fika"}
    ]
    [image] = first["value"]["embed"]["images"]
    assert (image["alt"], image["aspectRatio"]["width"], image["aspectRatio"]["height"]) == (
        "Buns on a tray",
        1000,
        1500,
    )
    assert second["value"]["reply"]["parent"]["uri"] == first["uri"]
    assert third["value"]["reply"]["parent"]["uri"] == second["uri"]
    assert [queued.progress[f"post.{n}"]["uri"] for n in range(3)] == [
        first["uri"],
        second["uri"],
        third["uri"],
    ]


def test_a_lost_answer_is_resolved_by_its_record_key_not_posted_twice(fake: FakeBluesky) -> None:
    queued = delivery(fake)
    fake.timeout_after_receive(CREATE)
    assert engine.publish(queued.pk) == "unknown"
    queued.refresh_from_db()
    assert queued.progress["rkey.0"]  # recorded before the create was sent
    assert engine.resolve_unknown(queued.pk) == "published"
    queued.refresh_from_db()
    [post] = fake.posts(queued.account.external_id)
    assert (queued.state, queued.external_id) == (S.PUBLISHED, post["uri"])
    assert post["uri"].endswith("/" + queued.progress["rkey.0"])
    assert len(fake.calls("POST", "com.atproto.repo.createRecord")) == 1


def test_a_rate_limit_waits_until_ratelimit_reset(fake: FakeBluesky) -> None:
    queued = delivery(fake)
    reset = int(fake.now()) + 900
    limited = rate_limited(reset)
    fake.fail_next(
        limited.status, limited.body, {k: str(v) for k, v in limited.headers.items()}, path=CREATE
    )
    assert engine.publish(queued.pk) == "rate-limited"
    queued.refresh_from_db()
    assert (queued.state, queued.due_at) == (S.RETRY_WAIT, datetime.fromtimestamp(reset, UTC))
    assert DeliveryAttempt.objects.get(delivery=queued).outcome == "rate_limited"
    assert fake.posts(queued.account.external_id) == []


def test_an_expired_session_is_renewed_and_the_post_goes_out_once(fake: FakeBluesky) -> None:
    queued = delivery(fake)
    fake.expire_access_tokens()
    assert engine.publish(queued.pk) == "published"
    assert len(fake.posts(queued.account.external_id)) == 1
    assert len(fake.calls("POST", "com.atproto.server.refreshSession")) == 1


def test_a_revoked_app_password_holds_the_delivery_until_a_reconnect(fake: FakeBluesky) -> None:
    queued = delivery(fake)
    fake.revoke_app_password(queued.account.external_id)
    fake.expire_access_tokens()
    assert engine.publish(queued.pk) == "needs-reconnect"
    account = SocialAccount.objects.get(pk=queued.account_id)
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT
    assert "reconnect the account with a new one" in account.status_detail
    assert fake.posts(queued.account.external_id) == []

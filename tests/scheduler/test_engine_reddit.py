"""The engine and RedditAdapter together, against FakeReddit: a text post to the
subreddit chosen on the post, a lost answer reconciled, a RATELIMIT answer,
an expired token and a duplicate link after a lost answer."""

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
from tests.fakes.reddit import FakeReddit, ratelimited

S = Delivery.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings: Any, tmp_path: Path) -> Iterator[FakeReddit]:
    settings.MEDIA_ROOT = tmp_path
    settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs half a second here
    with FakeReddit() as fake:
        fake.add_subreddit("Baking", flairs=["Recipe"])
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "reddit": fake.adapter_config()}
        yield fake


def delivery(fake: FakeReddit, link: str = "") -> Delivery:
    user = next(iter(fake.users), None) or fake.add_user("acmebakery")
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network="reddit",
        external_id=user,
        name="u/acmebakery",
        handle="acmebakery",
        credentials={
            "access_token": fake.issue_token(user),
            "refresh_token": fake.issue_refresh_token(user),
        },
        credentials_expire_at=timezone.now() + timedelta(hours=1),
    )
    post = PostFactory(
        workspace=workspace,
        text="" if link else "Cardamom buns, warm from 7",
        link=link,
        overrides={
            "reddit": {
                "options": {"subreddit": "r/Baking", "title": "Buns are back", "flair": "Recipe"}
            }
        },
    )
    return Delivery.objects.create(post=post, account=account, state=S.QUEUED)


def test_a_scheduled_post_goes_to_the_chosen_subreddit(fake: FakeReddit) -> None:
    queued = delivery(fake)

    assert engine.publish(queued.pk) == "published"

    queued.refresh_from_db()
    [post] = fake.posts
    assert (queued.state, queued.external_id) == (S.PUBLISHED, post["id"])
    assert queued.external_url == "https://www.reddit.com" + post["permalink"]
    assert (post["subreddit"], post["title"], post["selftext"]) == (
        "Baking",
        "Buns are back",
        "Cardamom buns, warm from 7",
    )
    assert post["link_flair_template_id"] in fake.subreddits["baking"]["flairs"]


def test_a_lost_answer_is_reconciled_to_the_post_that_was_made_not_posted_twice(
    fake: FakeReddit,
) -> None:
    queued = delivery(fake)
    fake.timeout_after_receive("/api/submit/")
    assert engine.publish(queued.pk) == "unknown"
    assert engine.resolve_unknown(queued.pk) == "published"
    queued.refresh_from_db()
    [post] = fake.posts
    assert (queued.state, queued.external_id) == (S.PUBLISHED, post["id"])


def test_reddits_ratelimit_answer_waits_the_break_it_asks_for(fake: FakeReddit) -> None:
    queued = delivery(fake)
    fake.fail_next(200, body=ratelimited("9 minutes"), path="/api/submit/")
    before = timezone.now()
    assert engine.publish(queued.pk) == "rate-limited"
    queued.refresh_from_db()
    assert queued.state == S.RETRY_WAIT
    assert timedelta(seconds=538) <= queued.due_at - before <= timedelta(seconds=542)
    assert DeliveryAttempt.objects.get(delivery=queued).outcome == "rate_limited"
    assert fake.posts == []


def test_an_expired_token_is_refreshed_and_the_post_goes_out(fake: FakeReddit) -> None:
    queued = delivery(fake)
    old = dict(queued.account.credentials)
    fake.expire_token(old["access_token"])
    assert engine.publish(queued.pk) == "refreshed"
    account = SocialAccount.objects.get(pk=queued.account_id)
    assert account.credentials["access_token"] != old["access_token"]
    assert account.credentials["refresh_token"] == old["refresh_token"]
    engine.transition(queued.pk, S.RETRY_WAIT, S.QUEUED)
    assert engine.publish(queued.pk) == "published"
    assert len(fake.posts) == 1


def test_an_image_post_is_uploaded_and_found_by_the_worker(fake: FakeReddit) -> None:
    queued = delivery(fake)
    data = jpeg(1000, 750)
    (Path(django_settings.MEDIA_ROOT) / "buns.jpg").write_bytes(data)
    asset = MediaAsset.objects.create(
        workspace=queued.post.workspace,
        file="buns.jpg",
        original_name="buns.jpg",
        kind="image",
        mime_type="image/jpeg",
        size=len(data),
        width=1000,
        height=750,
    )
    PostMedia.objects.create(post=queued.post, asset=asset)

    assert engine.publish(queued.pk) == "published"

    queued.refresh_from_db()
    [post] = fake.posts
    assert (queued.state, queued.external_id, post["is_self"]) == (S.PUBLISHED, post["id"], False)
    [upload] = fake.uploads
    assert upload.body["file"] == data

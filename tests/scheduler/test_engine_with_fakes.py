"""The engine and the real adapters together, against the local fakes: what a lost
answer, an expired token, a rate limit and Instagram's daily cap do to a delivery."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from channels.adapters.base import MediaItem
from channels.models import SocialAccount
from scheduler import content, engine
from scheduler.models import Delivery, DeliveryAttempt
from tests.factories import PostFactory, WorkspaceFactory
from tests.fakes.graph import FakeGraph, jpeg
from tests.fakes.x import FakeX

S = Delivery.State
pytestmark = pytest.mark.django_db
USER = "2244994945"


@pytest.fixture
def x(settings: Any) -> Iterator[FakeX]:
    with FakeX() as fake:
        fake.add_user(USER, "acmebakery", "Acme Bakery")
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "x": fake.adapter_config()}
        settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs half a second here
        yield fake
        assert fake.contract_violations == []


@pytest.fixture
def graph(settings: Any) -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        fake.add_page("1001", "Acme Bakery", "page-token-acme", instagram=("1789", "acmebakery"))
        config = fake.config(sleep=lambda seconds: None)
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "facebook": config, "instagram": config}
        yield fake
        assert fake.crashes == []


def x_delivery(fake: FakeX, **post: Any) -> Delivery:
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network="x",
        external_id=USER,
        name="Acme Bakery",
        handle="acmebakery",
        credentials={
            "access_token": fake.issue_token(USER),
            "refresh_token": fake.issue_refresh_token(USER),
        },
        credentials_expire_at=timezone.now() + timedelta(hours=2),
    )
    return Delivery.objects.create(
        post=PostFactory(workspace=workspace, **post), account=account, state=S.QUEUED
    )


def graph_delivery(network: str, external_id: str, **options: str) -> Delivery:
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network=network,
        external_id=external_id,
        name="Acme Bakery",
        credentials={"access_token": "page-token-acme"},
        options=options,
    )
    return Delivery.objects.create(
        post=PostFactory(workspace=workspace, text="Cardamom buns are back"),
        account=account,
        state=S.QUEUED,
    )


def test_a_lost_answer_on_x_is_reconciled_to_the_post_that_was_made_not_posted_twice(
    x: FakeX, sent: Any
) -> None:
    delivery = x_delivery(x, text="Cardamom buns are back")
    x.timeout_after_receive("/2/tweets")
    assert engine.publish(delivery.pk) == "unknown"
    assert engine.resolve_unknown(delivery.pk) == "published"
    delivery.refresh_from_db()
    [tweet] = x.tweets
    assert (delivery.state, delivery.external_id) == (S.PUBLISHED, tweet["id"])
    assert delivery.external_url == f"https://x.com/acmebakery/status/{tweet['id']}"


def test_a_thread_cut_off_after_its_first_post_resumes_with_the_second(x: FakeX, sent: Any) -> None:
    delivery = x_delivery(x, text="Spring menu, a thread:", thread=["Buns.", "Cold brew."])
    x.timeout_after_receive("/2/tweets")  # the first post is made, its answer lost
    assert engine.publish(delivery.pk) == "unknown"
    # The reconciler finds the first post but not the rest, so it queues the
    # delivery again; the publish that follows posts only the missing two.
    assert engine.resolve_unknown(delivery.pk) == "requeued"
    assert engine.publish(delivery.pk) == "published"
    assert [t["text"] for t in x.tweets] == ["Spring menu, a thread:", "Buns.", "Cold brew."]
    first, second, third = (t["id"] for t in x.tweets)
    delivery.refresh_from_db()
    assert delivery.progress["post_ids"] == [first, second, third]
    assert delivery.external_id == first
    replies = [r.body.get("reply") for r in x.calls("POST", "/2/tweets")]
    assert replies == [None, {"in_reply_to_tweet_id": first}, {"in_reply_to_tweet_id": second}]


def test_an_expired_x_token_is_refreshed_once_and_the_post_goes_out(x: FakeX, sent: Any) -> None:
    delivery = x_delivery(x, text="Fresh bread at 7")
    old = dict(delivery.account.credentials)
    x.fail_next(401, path="/2/tweets")
    assert engine.publish(delivery.pk) == "refreshed"
    account = SocialAccount.objects.get(pk=delivery.account_id)
    assert account.credentials["access_token"] != old["access_token"]
    assert account.credentials["refresh_token"] != old["refresh_token"]  # rotated
    engine.transition(delivery.pk, S.RETRY_WAIT, S.QUEUED)
    assert engine.publish(delivery.pk) == "published"
    assert len(x.tweets) == 1


def test_a_revoked_x_refresh_token_holds_the_delivery_until_someone_reconnects(
    x: FakeX, sent: Any
) -> None:
    delivery = x_delivery(x, text="Fresh bread at 7")
    SocialAccount.objects.filter(pk=delivery.account_id).update(
        credentials={"access_token": "revoked", "refresh_token": "revoked"}
    )
    assert engine.publish(delivery.pk) == "needs-reconnect"
    account = SocialAccount.objects.get(pk=delivery.account_id)
    delivery.refresh_from_db()
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT
    assert delivery.state == S.RETRY_WAIT
    assert x.tweets == []


def test_an_x_rate_limit_waits_until_the_reset_x_names(x: FakeX, sent: Any) -> None:
    delivery = x_delivery(x, text="Fresh bread at 7")
    reset = int((timezone.now() + timedelta(minutes=9)).timestamp())
    x.fail_next(429, headers={"x-rate-limit-reset": str(reset)}, path="/2/tweets")
    assert engine.publish(delivery.pk) == "rate-limited"
    delivery.refresh_from_db()
    assert (delivery.state, int(delivery.due_at.timestamp())) == (S.RETRY_WAIT, reset)
    assert DeliveryAttempt.objects.get(delivery=delivery).outcome == "rate_limited"


def test_instagram_at_its_daily_cap_waits_without_publishing(
    graph: FakeGraph, sent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = graph_delivery("instagram", "1789", page_id="1001")
    url = graph.add_file("buns.jpg", jpeg(1080, 1080), "image/jpeg")
    image = MediaItem("/unused/buns.jpg", "image/jpeg", "image", 1000, 1080, 1080, url=url)
    real = content.content_for
    monkeypatch.setattr(content, "content_for", lambda d: replace(real(d), media=(image,)))
    graph.use_quota("1789", graph.quota_total)
    assert engine.publish(delivery.pk) == "rate-limited"
    delivery.refresh_from_db()
    assert delivery.state == S.RETRY_WAIT
    assert timedelta(minutes=59) < delivery.due_at - timezone.now() <= timedelta(hours=1)
    assert "24-hour cap of 50 posts" in delivery.last_error
    assert graph.calls("POST", "/media_publish") == []


def test_an_expired_page_token_holds_facebook_deliveries_for_a_reconnect(
    graph: FakeGraph, sent: Any
) -> None:
    delivery = graph_delivery("facebook", "1001")
    graph.expire_token("page-token-acme")
    assert engine.publish(delivery.pk) == "needs-reconnect"
    account = SocialAccount.objects.get(pk=delivery.account_id)
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT
    assert graph.posts == []


def test_a_lost_answer_on_facebook_is_reconciled_to_the_post_that_was_made(
    graph: FakeGraph, sent: Any, settings: Any
) -> None:
    settings.SMO_HTTP_TIMEOUT = 0.5
    delivery = graph_delivery("facebook", "1001")
    graph.timeout_after_receive(path="/feed")
    assert engine.publish(delivery.pk) == "unknown"
    assert engine.resolve_unknown(delivery.pk) == "published"
    delivery.refresh_from_db()
    [post] = graph.posts
    assert delivery.external_id == post["id"]


def drive(delivery_id: int, rounds: int = 20) -> str:
    """Play worker, dispatcher and reconciler for one delivery until it settles."""
    for _ in range(rounds):
        state = Delivery.objects.values_list("state", flat=True).get(pk=delivery_id)
        if state in (S.PUBLISHED, S.FAILED, S.NEEDS_ATTENTION):
            return state
        if state == S.RETRY_WAIT:
            engine.transition(delivery_id, S.RETRY_WAIT, S.QUEUED)
        elif state == S.UNKNOWN:
            engine.resolve_unknown(delivery_id)
        elif state == S.QUEUED:
            engine.publish(delivery_id)
    return Delivery.objects.values_list("state", flat=True).get(pk=delivery_id)


def test_with_a_third_of_calls_failing_every_post_goes_out_exactly_once(
    x: FakeX, sent: Any, settings: Any
) -> None:
    settings.SMO_MAX_ATTEMPTS = 10
    x.error_rate = 0.3  # 503 before doing anything, on any call, lookups included
    deliveries = [x_delivery(x, text=f"Daily special number {n}") for n in range(15)]
    assert [drive(d.pk) for d in deliveries] == [S.PUBLISHED] * 15
    texts = [t["text"] for t in x.tweets]
    assert sorted(texts) == sorted(f"Daily special number {n}" for n in range(15))
    failed_calls = [r for r in x.requests if r.path == "/2/tweets" and r.method == "POST"]
    assert len(failed_calls) > 15  # the knob did bite: some creates were answered 503


def test_a_facebook_variant_for_an_audience_is_shown_only_in_its_countries(
    graph: FakeGraph, sent: Any
) -> None:
    from scheduler.models import Audience

    delivery = graph_delivery("facebook", "1001")
    audience = Audience.objects.create(
        workspace=delivery.post.workspace,
        name="Nordics",
        timezone="Europe/Stockholm",
        targeting={"facebook": {"countries": ["SE", "NO"]}},
    )
    delivery.post.audience = audience
    delivery.post.save()
    assert engine.publish(delivery.pk) == "published"
    [call] = graph.calls("POST", "/1001/feed")
    assert json.loads(call.params["targeting"]) == {"geo_locations": {"countries": ["SE", "NO"]}}

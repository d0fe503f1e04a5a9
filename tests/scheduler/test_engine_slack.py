"""The engine and SlackAdapter together, against FakeSlack: a scheduled message
through the worker path, a lost answer reconciled by its metadata, a rate limit,
and a rotating token renewed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from channels.models import SocialAccount
from scheduler import engine, tasks
from scheduler.models import Delivery, DeliveryAttempt
from tests.factories import PostFactory, WorkspaceFactory
from tests.fakes.slack import FakeSlack

S = Delivery.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeSlack]:
    settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs a second here
    with FakeSlack() as fake:
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "slack": fake.adapter_config()}
        yield fake


def delivery(fake: FakeSlack, *, state: str = S.QUEUED, **credentials: Any) -> Delivery:
    channel = fake.add_channel("general", member=True)
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network="slack",
        external_id=f"{fake.team['id']}:{channel}",
        name="Acme #general",
        handle="#general",
        credentials=credentials or {"access_token": fake.issue_token()},
        options={"team_id": fake.team["id"], "channel_id": channel, "is_private": False},
    )
    post = PostFactory(workspace=workspace, text="Cardamom buns, warm from 7")
    return Delivery.objects.create(
        post=post, account=account, state=state, scheduled_at=timezone.now(), due_at=timezone.now()
    )


def test_a_scheduled_message_goes_out_through_the_worker(fake: FakeSlack, sent: Any) -> None:
    scheduled = delivery(fake, state=S.SCHEDULED)

    assert tasks.dispatch_due() == 1
    assert [s.delivery_id for s in sent["publish"]] == [scheduled.pk]
    assert tasks.publish_delivery.run(scheduled.pk) == "published"

    scheduled.refresh_from_db()
    channel = scheduled.account.options["channel_id"]
    [message] = fake.messages[channel]
    assert (scheduled.state, scheduled.external_id) == (S.PUBLISHED, message["ts"])
    assert scheduled.external_url.startswith(f"https://acme.slack.com/archives/{channel}/p")
    assert message["text"] == "Cardamom buns, warm from 7"
    assert message["metadata"]["event_payload"] == {"key": str(scheduled.idempotency_key)}


def test_a_lost_answer_is_reconciled_to_the_message_not_posted_twice(fake: FakeSlack) -> None:
    queued = delivery(fake)
    fake.timeout_after_receive("/api/chat.postMessage")

    assert engine.publish(queued.pk) == "unknown"
    assert engine.resolve_unknown(queued.pk) == "published"

    queued.refresh_from_db()
    [message] = fake.messages[queued.account.options["channel_id"]]
    assert (queued.state, queued.external_id) == (S.PUBLISHED, message["ts"])


def test_a_rate_limit_waits_for_retry_after(fake: FakeSlack) -> None:
    queued = delivery(fake)
    fake.fail_next(429, headers={"Retry-After": "30"}, path="/api/chat.postMessage")
    before = timezone.now()

    assert engine.publish(queued.pk) == "rate-limited"

    queued.refresh_from_db()
    assert queued.state == S.RETRY_WAIT
    assert timedelta(seconds=29) <= queued.due_at - before <= timedelta(seconds=31)
    assert DeliveryAttempt.objects.get(delivery=queued).outcome == "rate_limited"
    assert fake.messages[queued.account.options["channel_id"]] == []


def test_an_expired_rotating_token_is_refreshed_and_the_message_goes_out(
    fake: FakeSlack,
) -> None:
    expired = fake.issue_token(expires_in=-1)
    refresh = "xoxe-1-rotating-refresh-token"
    fake.refresh_tokens.add(refresh)
    queued = delivery(fake, access_token=expired, refresh_token=refresh)

    assert engine.publish(queued.pk) == "refreshed"

    account = SocialAccount.objects.get(pk=queued.account_id)
    assert account.credentials["access_token"] != expired
    engine.transition(queued.pk, S.RETRY_WAIT, S.QUEUED)
    assert engine.publish(queued.pk) == "published"
    assert len(fake.messages[account.options["channel_id"]]) == 1

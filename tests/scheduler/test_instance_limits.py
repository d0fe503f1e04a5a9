"""The daily task that reads connected Mastodon instances' limits again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from channels.models import SocialAccount
from scheduler import instance_limits, tasks
from tests.factories import WorkspaceFactory
from tests.fakes.mastodon import FakeMastodon

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        yield fake


def connected(fake: FakeMastodon, username: str, **fields: Any) -> SocialAccount:
    user = fake.add_account(username)
    creds = fake.credentials(user, fake.issue_token(user))
    return SocialAccount.objects.create(
        workspace=WorkspaceFactory(),
        network="mastodon",
        external_id=creds.external_id,
        name=username,
        credentials=dict(creds.secrets),
        options={**creds.options, "note": "kept"},
        **fields,
    )


def test_each_instance_is_read_once_and_its_accounts_get_the_new_limits(
    fake: FakeMastodon,
) -> None:
    first, second = connected(fake, "acme"), connected(fake, "cafe")
    fake.limits["max_characters"] = 3000

    assert tasks.refresh_instance_limits() == {"updated": 2, "failed": 0}

    assert len(fake.calls("GET", "/api/v2/instance")) == 1
    for account in (first, second):
        account.refresh_from_db()
        assert account.options["limits"]["max_characters"] == 3000
        assert account.options["note"] == "kept"
        assert account.options["limits_read_at"]


def test_an_instance_that_does_not_answer_keeps_its_limits(fake: FakeMastodon) -> None:
    account = connected(fake, "acme")
    before = dict(account.options)
    fake.fail_next(503)
    assert instance_limits.refresh() == {"updated": 0, "failed": 1}
    account.refresh_from_db()
    assert account.options == before


def test_accounts_that_need_reconnecting_are_skipped(fake: FakeMastodon) -> None:
    connected(fake, "acme", status=SocialAccount.Status.NEEDS_RECONNECT)
    assert instance_limits.refresh() == {"updated": 0, "failed": 0}
    assert fake.requests == []


def test_beat_reads_the_limits_daily() -> None:
    from smo.celery import app

    entry = app.conf.beat_schedule["refresh-instance-limits"]
    assert (entry["task"], entry["schedule"]) == ("scheduler.refresh_instance_limits", 86400.0)
    assert tasks.refresh_instance_limits.name == entry["task"]

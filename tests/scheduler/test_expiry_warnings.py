"""Owners and admins hear days ahead when a person must reconnect an account."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from channels.models import SocialAccount
from scheduler import expiry, tasks
from scheduler.models import Notification
from tests.conftest import NOW, Cast
from tests.factories import SandboxAccountFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def linkedin(cast: Cast, ends_in: timedelta, **secrets: str) -> SocialAccount:
    for m in (cast.owner, cast.admin, cast.editor, cast.viewer):
        m.user.email = f"{m.user.username}@example.com"
        m.user.save()
    return SandboxAccountFactory(
        workspace=cast.workspace,
        network="linkedin",
        name="Acme on LinkedIn",
        credentials={"access_token": "li-secret-token", **secrets},
        credentials_expire_at=NOW + ends_in,
    )


def told() -> list[tuple[str, str]]:
    return sorted(Notification.objects.values_list("user__username", "message"))


def test_admins_and_owners_hear_seven_days_ahead_once(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    account = linkedin(cast, timedelta(days=6, hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.warn_expiring_accounts.run() == 1
        assert tasks.warn_expiring_accounts.run() == 0  # same end, same threshold
    message = (
        "Acme on LinkedIn loses access in 6 days and SMO cannot renew it: "
        "reconnect it before then, or its posts will be held."
    )
    assert told() == [("admin", message), ("owner", message)]
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@example.com", "owner@example.com"]
    assert "li-secret-token" not in mail.outbox[0].body
    assert Notification.objects.first().url == f"/accounts/#account-{account.pk}"
    account.refresh_from_db()
    assert (account.expiry_warned_for, account.expiry_warned_days) == (
        account.credentials_expire_at,
        7,
    )


def test_the_last_day_brings_a_second_warning_then_none(cast: Cast) -> None:
    linkedin(cast, timedelta(days=6))
    assert expiry.warn_expiring() == 1
    with time_machine.travel(NOW + timedelta(days=5, hours=1), tick=False):
        assert expiry.warn_expiring() == 1
        assert expiry.warn_expiring() == 0
    with time_machine.travel(NOW + timedelta(days=5, hours=20), tick=False):
        assert expiry.warn_expiring() == 0
    assert Notification.objects.filter(user__username="admin").count() == 2
    assert Notification.objects.filter(message__contains="within a day").count() == 2


def test_a_first_run_inside_the_last_day_sends_only_the_last_call(cast: Cast) -> None:
    linkedin(cast, timedelta(hours=10))
    assert expiry.warn_expiring() == 1
    assert expiry.warn_expiring() == 0
    assert {m for _u, m in told()} == {
        "Acme on LinkedIn loses access within a day and SMO cannot renew it: "
        "reconnect it now, or its posts will be held."
    }


def test_a_reconnect_with_a_new_end_warns_again(cast: Cast) -> None:
    account = linkedin(cast, timedelta(days=2))
    assert expiry.warn_expiring() == 1
    account.credentials_expire_at = NOW + timedelta(days=5)  # reconnected: a new 60 days, say
    account.save()
    assert expiry.warn_expiring() == 1
    assert Notification.objects.filter(user__username="owner").count() == 2


def test_accounts_that_renew_far_off_or_inactive_are_not_warned(cast: Cast) -> None:
    linkedin(cast, timedelta(days=2), refresh_token="li-refresh")  # refreshed by tokens.py
    linkedin_far = linkedin(cast, timedelta(days=30))
    linkedin_far.external_id = "far"
    linkedin_far.save()
    gone = SandboxAccountFactory(
        workspace=cast.workspace,
        network="linkedin",
        credentials={"access_token": "x"},
        credentials_expire_at=NOW + timedelta(days=2),
        status=SocialAccount.Status.DISCONNECTED,
    )
    ended = SandboxAccountFactory(
        workspace=cast.workspace,
        network="linkedin",
        credentials={"access_token": "x"},
        credentials_expire_at=NOW - timedelta(hours=1),
    )
    assert (gone.pk, ended.pk) and expiry.warn_expiring() == 0
    assert not Notification.objects.exists()


def test_editors_viewers_and_other_workspaces_are_not_told(cast: Cast) -> None:
    linkedin(cast, timedelta(days=3))
    expiry.warn_expiring()
    people = {u for u, _m in told()}
    assert people == {"owner", "admin"}


def test_the_warning_runs_daily_on_beat() -> None:
    from smo.celery import app

    entry = app.conf.beat_schedule["warn-expiring-accounts"]
    assert (entry["task"], entry["schedule"]) == ("scheduler.warn_expiring_accounts", 86400.0)
    assert timezone.now() == NOW

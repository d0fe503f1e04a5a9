"""Expiring credentials are refreshed before they expire, once, under a lock."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

import pytest
from django.utils import timezone

from channels.adapters import base, registry
from channels.adapters.sandbox import SandboxAdapter
from channels.models import SandboxPost, SocialAccount
from scheduler import engine, tasks, tokens
from scheduler.models import Delivery
from tests.factories import DeliveryFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = pytest.mark.django_db


class RefreshingAdapter(SandboxAdapter):
    """A sandbox whose tokens expire; refresh hands out the next one."""

    refreshed: ClassVar[list[str]] = []
    refuse: ClassVar[str] = ""  # "auth" or "transient" makes refresh fail

    def refresh(self, creds: base.Credentials) -> base.Credentials:
        type(self).refreshed.append(creds.secrets["token"])
        if type(self).refuse == "auth":
            raise base.AuthExpired("The refresh token was revoked; reconnect.", status=400)
        if type(self).refuse == "transient":
            raise base.Transient("Token endpoint unavailable.", status=503)
        return base.Credentials(
            external_id=creds.external_id,
            handle=creds.handle,
            secrets={"token": creds.secrets["token"] + "+1"},
            expires_at=timezone.now() + timedelta(hours=2),
        )


@pytest.fixture(autouse=True)
def refreshing(monkeypatch: pytest.MonkeyPatch) -> type[RefreshingAdapter]:
    RefreshingAdapter.refreshed = []
    RefreshingAdapter.refuse = ""
    monkeypatch.setitem(registry.ADAPTERS, "sandbox", f"{__name__}.RefreshingAdapter")
    return RefreshingAdapter


def expiring_delivery(minutes: int = 5) -> Delivery:
    delivery = DeliveryFactory(
        state=S.QUEUED,
        account__credentials={"token": "t0"},
        account__credentials_expire_at=timezone.now() + timedelta(minutes=minutes),
    )
    return delivery


def test_credentials_about_to_expire_are_refreshed_before_publishing(refreshing) -> None:  # type: ignore[no-untyped-def]
    delivery = expiring_delivery(minutes=5)
    assert engine.publish(delivery.pk) == "published"
    account = SocialAccount.objects.get(pk=delivery.account_id)
    assert refreshing.refreshed == ["t0"]
    assert account.credentials == {"token": "t0+1"}
    assert account.credentials_expire_at > timezone.now() + timedelta(minutes=110)
    assert SandboxPost.objects.count() == 1


def test_credentials_far_from_expiry_are_used_as_they_are(refreshing) -> None:  # type: ignore[no-untyped-def]
    delivery = expiring_delivery(minutes=90)
    assert engine.publish(delivery.pk) == "published"
    assert refreshing.refreshed == []


def test_a_refused_refresh_holds_the_delivery_and_marks_the_account_once(refreshing) -> None:  # type: ignore[no-untyped-def]
    refreshing.refuse = "auth"
    delivery = expiring_delivery()
    assert engine.publish(delivery.pk) == "needs-reconnect"
    delivery.refresh_from_db()
    account = SocialAccount.objects.get(pk=delivery.account_id)
    assert delivery.state == S.RETRY_WAIT
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT
    assert account.status_detail == "The refresh token was revoked; reconnect."
    assert refreshing.refreshed == ["t0"]  # not a second call for the same dead token
    assert SandboxPost.objects.count() == 0


def test_a_refresh_that_fails_for_now_is_retried_with_backoff(refreshing) -> None:  # type: ignore[no-untyped-def]
    refreshing.refuse = "transient"
    delivery = expiring_delivery()
    assert engine.publish(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.failures) == (S.RETRY_WAIT, 1)
    assert SocialAccount.objects.get(pk=delivery.account_id).is_active


def test_a_worker_that_waited_for_the_lock_uses_the_new_credentials(refreshing) -> None:  # type: ignore[no-untyped-def]
    account = SandboxAccountFactory(credentials={"token": "t0"})
    stale = base.Credentials(external_id=account.external_id, secrets={"token": "t0"})
    first = tokens.refresh_account(account.pk, stale)
    second = tokens.refresh_account(account.pk, stale)  # read t0 before the first refresh
    assert first.secrets == second.secrets == {"token": "t0+1"}
    assert refreshing.refreshed == ["t0"]


def test_the_periodic_task_refreshes_only_what_expires_soon(refreshing) -> None:  # type: ignore[no-untyped-def]
    soon = SandboxAccountFactory(
        credentials={"token": "soon"}, credentials_expire_at=timezone.now() + timedelta(minutes=10)
    )
    SandboxAccountFactory(
        credentials={"token": "later"}, credentials_expire_at=timezone.now() + timedelta(hours=1)
    )
    SandboxAccountFactory(credentials={"token": "never"}, credentials_expire_at=None)
    SandboxAccountFactory(
        credentials={"token": "held"},
        credentials_expire_at=timezone.now(),
        status=SocialAccount.Status.NEEDS_RECONNECT,
    )
    assert tasks.refresh_tokens.run() == {"refreshed": 1, "needs_reconnect": 0, "failed": 0}
    assert refreshing.refreshed == ["soon"]
    soon.refresh_from_db()
    assert soon.credentials == {"token": "soon+1"}


def test_the_periodic_task_marks_accounts_whose_refresh_is_refused(refreshing) -> None:  # type: ignore[no-untyped-def]
    refreshing.refuse = "auth"
    account = SandboxAccountFactory(
        credentials={"token": "t"}, credentials_expire_at=timezone.now() + timedelta(minutes=1)
    )
    assert tasks.refresh_tokens.run()["needs_reconnect"] == 1
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT


def test_a_network_with_its_own_margin_is_refreshed_that_long_ahead(
    refreshing, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Long-lived tokens that may only be refreshed while valid (Threads' 60 days)
    are renewed days ahead; the others keep SMO_TOKEN_REFRESH_MARGIN."""
    monkeypatch.setattr(RefreshingAdapter, "refresh_margin", timedelta(days=7), raising=False)
    in_six_days = SandboxAccountFactory(
        credentials={"token": "six"}, credentials_expire_at=timezone.now() + timedelta(days=6)
    )
    SandboxAccountFactory(
        credentials={"token": "eight"}, credentials_expire_at=timezone.now() + timedelta(days=8)
    )
    assert tasks.refresh_tokens.run()["refreshed"] == 1
    assert refreshing.refreshed == ["six"]
    in_six_days.refresh_from_db()
    assert in_six_days.credentials == {"token": "six+1"}
    assert tokens.margin("sandbox") == timedelta(days=7)
    assert tokens.margin("x") == timedelta(minutes=15)


def test_the_engine_refreshes_inside_the_network_margin_before_publishing(
    refreshing, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(RefreshingAdapter, "refresh_margin", timedelta(days=7), raising=False)
    delivery = expiring_delivery(minutes=3 * 24 * 60)
    assert engine.publish(delivery.pk) == "published"
    assert refreshing.refreshed == ["t0"]

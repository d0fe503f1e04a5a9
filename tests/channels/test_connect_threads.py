"""Connecting a Threads account in the browser, against FakeThreads' authorize page
and token endpoints, through SMO's own connect views; and the token refresh a week
before the 60 days run out (scheduler/tokens.refresh_expiring)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client
from django.utils import timezone

from channels.models import SocialAccount
from scheduler import tokens
from tests.conftest import Cast
from tests.factories import WorkspaceFactory
from tests.fakes.threads import FakeThreads

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeThreads]:
    with FakeThreads() as fake:
        fake.add_user("acmebakery", "Acme Bakery")
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "threads": fake.adapter_config()}
        yield fake
        assert fake.crashes == []


def test_an_admin_connects_a_threads_account(cast: Cast, fake: FakeThreads, settings: Any) -> None:
    client = Client()
    client.force_login(cast.role("admin").user)
    start = client.post("/accounts/connect/threads/")
    assert start.status_code == 302
    asked = parse_qs(urlparse(start["Location"]).query)
    assert asked["redirect_uri"] == [f"{settings.SMO_PUBLIC_URL}/accounts/callback/threads/"]
    assert asked["scope"] == [
        "threads_basic,threads_content_publish,threads_manage_replies,threads_read_replies,"
        "threads_manage_mentions,threads_delete,threads_manage_insights"
    ]
    approved = requests.get(start["Location"], allow_redirects=False, timeout=2)
    callback = urlparse(approved.headers["Location"])
    assert callback.path == "/accounts/callback/threads/"

    response = client.get(f"{callback.path}?{callback.query}")

    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    account = SocialAccount.objects.get(network="threads")
    assert (account.workspace, account.external_id, account.handle, account.name) == (
        cast.workspace,
        fake.login_user,
        "acmebakery",
        "Acme Bakery",
    )
    assert set(account.credentials) == {"access_token"}
    assert fake.tokens[account.credentials["access_token"]].kind == "long"
    left = account.credentials_expire_at - timezone.now()
    assert timedelta(days=59) < left <= timedelta(days=60)


def test_a_refused_sign_in_says_so_and_connects_nothing(cast: Cast, fake: FakeThreads) -> None:
    client = Client()
    client.force_login(cast.role("admin").user)
    start = client.post("/accounts/connect/threads/")
    approved = requests.get(start["Location"], allow_redirects=False, timeout=2)
    callback = urlparse(approved.headers["Location"])
    fake.fail_next(400, path="/oauth/access_token")

    page = client.get(f"{callback.path}?{callback.query}", follow=True).content.decode()

    assert "Threads did not connect: Threads did not accept the sign-in" in page
    assert not SocialAccount.objects.filter(network="threads").exists()


def test_without_app_credentials_threads_says_what_it_needs(cast: Cast, settings: Any) -> None:
    settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "threads": {"app_id": "", "app_secret": ""}}
    client = Client()
    client.force_login(cast.role("admin").user)
    page = client.get("/accounts/").content.decode()
    assert 'data-network="threads"' in page
    assert "THREADS_APP_ID" in page and "THREADS_APP_SECRET" in page
    start = client.post("/accounts/connect/threads/", follow=True)
    assert "Threads is not configured: set THREADS_APP_ID, THREADS_APP_SECRET." in (
        start.content.decode()
    )


def account_expiring_in(fake: FakeThreads, days: int) -> SocialAccount:
    """An account whose long-lived token (60 days) has `days` left."""
    token = fake.issue_token(fake.login_user, age=timedelta(days=60 - days))
    return SocialAccount.objects.create(
        workspace=WorkspaceFactory(),
        network="threads",
        external_id=fake.login_user,
        name="Acme Bakery",
        handle="acmebakery",
        credentials={"access_token": token},
        credentials_expire_at=fake.tokens[token].expires_at,
    )


def test_tokens_are_refreshed_a_week_before_their_60_days_run_out(fake: FakeThreads) -> None:
    soon = account_expiring_in(fake, 6)
    later = account_expiring_in(fake, 8)
    old_token = soon.credentials["access_token"]

    assert tokens.refresh_expiring() == {"refreshed": 1, "needs_reconnect": 0, "failed": 0}

    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.credentials["access_token"] != old_token
    assert soon.credentials_expire_at - timezone.now() > timedelta(days=59)
    assert later.credentials_expire_at - timezone.now() < timedelta(days=9)
    assert [c.token for c in fake.calls("GET", "/refresh_access_token")] == [old_token]


def test_a_revoked_token_marks_the_account_for_reconnecting(fake: FakeThreads) -> None:
    account = account_expiring_in(fake, 3)
    del fake.tokens[account.credentials["access_token"]]

    assert tokens.refresh_expiring() == {"refreshed": 0, "needs_reconnect": 1, "failed": 0}

    account.refresh_from_db()
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT
    assert account.status_detail.startswith("Threads would not refresh the access token")

"""No secret in pages, API answers, logs, e-mails or error reports.

Known fake secrets go in everywhere SMO keeps one (OAuth access and refresh
tokens, a Bluesky app password, a Mastodon client secret, the person's API
token, the networks' app secrets); then the publishing engine runs against the
X fake (a refresh, a revoked token, a failure) with every logger at DEBUG, the
pages and API answers are fetched, and a crash report is rendered. None of the
secret strings may appear anywhere.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.signals import got_request_exception
from django.test import Client
from django.utils import timezone
from django.views.debug import ExceptionReporter

from channels.models import InstanceApp, SocialAccount
from scheduler import apikeys, engine
from scheduler.models import Delivery, WebhookEndpoint
from tests.conftest import Cast
from tests.factories import DeliveryFactory, PostFactory, SandboxAccountFactory
from tests.fakes.graph import FakeGraph
from tests.fakes.x import FakeX

pytestmark = pytest.mark.django_db
S = Delivery.State
USER = "2244994945"
APP_PASSWORD = "bsky-app-pass-4f7k-q2m9-z8x1"
CLIENT_SECRET = "mastodon-client-secret-9d8c7b6a"
SANDBOX_TOKEN = "sandbox-access-token-5e4d3c2b"
X_APP_SECRET = "x-app-client-secret-1a2b3c4d"
PAGE_TOKEN = "graph-page-token-secret-8h7j6k"  # Graph takes it as ?access_token=


@pytest.fixture
def x(settings: Any) -> Iterator[FakeX]:
    with FakeX() as fake:
        fake.client_secret = X_APP_SECRET
        fake.add_user(USER, "acmebakery", "Acme Bakery")
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "x": fake.adapter_config()}
        settings.SMO_HTTP_TIMEOUT = 0.5
        yield fake


@pytest.fixture
def graph(settings: Any) -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        fake.add_page("1001", "Acme Bakery", PAGE_TOKEN)
        config = fake.config(sleep=lambda seconds: None)
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "facebook": config}
        yield fake


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # the root logger, so every library's too
    return caplog


def x_account(cast: Cast, fake: FakeX, external_id: str = USER) -> SocialAccount:
    return SocialAccount.objects.create(
        workspace=cast.workspace,
        network="x",
        external_id=external_id,
        name="Acme Bakery",
        handle="acmebakery",
        credentials={
            "access_token": fake.issue_token(USER),
            "refresh_token": fake.issue_refresh_token(USER),
        },
        credentials_expire_at=timezone.now() + timedelta(hours=2),
    )


def run_the_engine(cast: Cast, fake: FakeX, graph: FakeGraph) -> list[str]:
    """Publish through a refresh, a revoked token and a failure; return every token seen."""
    account = x_account(cast, fake)
    seen = list(account.credentials.values())
    post = PostFactory(workspace=cast.workspace, author=cast.owner.user, text="Fresh bread")
    refreshed = Delivery.objects.create(post=post, account=account, state=S.QUEUED)
    fake.fail_next(401, path="/2/tweets")
    assert engine.publish(refreshed.pk) == "refreshed"
    seen += SocialAccount.objects.get(pk=account.pk).credentials.values()
    engine.transition(refreshed.pk, S.RETRY_WAIT, S.QUEUED)
    assert engine.publish(refreshed.pk) == "published"

    revoked = x_account(cast, fake, external_id="other")
    revoked.credentials = {
        "access_token": "xat-revoked-7h6g5f",
        "refresh_token": "xrt-revoked-4e3d",
    }
    revoked.save()
    seen += revoked.credentials.values()
    held = Delivery.objects.create(post=post, account=revoked, state=S.QUEUED)
    assert engine.publish(held.pk) == "needs-reconnect"

    page = SocialAccount.objects.create(
        workspace=cast.workspace,
        network="facebook",
        external_id="1001",
        name="Acme Bakery page",
        credentials={"access_token": PAGE_TOKEN},
    )
    on_page = Delivery.objects.create(post=post, account=page, state=S.QUEUED)
    assert engine.publish(on_page.pk) == "published"
    seen.append(PAGE_TOKEN)

    failing = SandboxAccountFactory(
        workspace=cast.workspace,
        credentials={"token": SANDBOX_TOKEN},
        options={"failure_rate": 1, "failure_kind": "permanent"},
    )
    failed = DeliveryFactory(post=post, account=failing, state=S.QUEUED)
    engine.publish(failed.pk)
    return seen


WEBHOOK_SECRET = "whsec_planted-webhook-signing-secret-0003"


def seed_other_secrets(cast: Cast) -> list[str]:
    SocialAccount.objects.create(
        workspace=cast.workspace,
        network="bluesky",
        external_id="did:plc:abc",
        name="Bakery on Bluesky",
        handle="bakery.bsky.social",
        credentials={
            "app_password": APP_PASSWORD,
            "access_jwt": "eyJ-access-jwt-secret-0001",
            "refresh_jwt": "eyJ-refresh-jwt-secret-0002",
        },
    )
    InstanceApp.objects.create(
        network="mastodon",
        server="https://mastodon.example",
        redirect_uri="http://testserver/accounts/callback/mastodon/",
        client_id="client-id-public",
        client_secret={"secret": CLIENT_SECRET},
    )
    key = apikeys.create(cast.owner, "scan")
    WebhookEndpoint.objects.create(
        workspace=cast.workspace,
        url="https://hooks.example.com/smo",
        events=["delivery.published", "delivery.failed"],
        secret={"key": WEBHOOK_SECRET},
    )
    return [
        WEBHOOK_SECRET,
        APP_PASSWORD,
        "eyJ-access-jwt-secret-0001",
        "eyJ-refresh-jwt-secret-0002",
        CLIENT_SECRET,
        key.secret,
        key.key.hashed,
    ]


def pages(cast: Cast, post_id: int, account_ids: list[int]) -> dict[str, str]:
    user = cast.owner.user
    user.is_staff = user.is_superuser = True
    user.save()
    web = Client()
    web.force_login(user)
    urls = [
        "/",
        "/accounts/",
        "/compose/",
        f"/posts/{post_id}/",
        "/needs-a-look/",
        "/queue/",
        "/calendar/",
        "/reminders/",
        "/notifications/",
        "/profile/",
        "/sandbox/",
        "/api/v1/accounts/",
        "/api/v1/deliveries/",
        "/api/v1/posts/",
        f"/api/v1/posts/{post_id}/",
        "/admin/channels/socialaccount/",
        "/activity/",
        "/webhooks/",
    ]
    hooks = WebhookEndpoint.objects.filter(workspace=cast.workspace)
    urls += [f"/webhooks/{pk}/" for pk in hooks.values_list("pk", flat=True)]
    urls += [f"/api/v1/accounts/{pk}/" for pk in account_ids]
    urls += [f"/admin/channels/socialaccount/{pk}/change/" for pk in account_ids]
    found = {}
    for url in urls:
        response = web.get(url, HTTP_ACCEPT="application/json" if "/api/" in url else "text/html")
        assert response.status_code == 200, url
        found[url] = response.content.decode()
    return found


def crash_report(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> str:
    """The report Django mails or shows for a crash while connecting with a password."""

    def crash(self: Any, handle: str, password: str, server: str = "") -> Any:
        raise RuntimeError("the PDS answered nonsense")

    monkeypatch.setattr("channels.adapters.bluesky.BlueskyAdapter.connect_password", crash)
    reports: list[str] = []

    def report(sender: Any, request: Any, **kwargs: Any) -> None:
        # Sent inside Django's handler while it handles the crash, as mail_admins
        # and the DEBUG page build their report: the traceback starts there.
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.append(reporter.get_traceback_text() + reporter.get_traceback_html())

    got_request_exception.connect(report)
    web = Client(raise_request_exception=False)
    web.force_login(cast.owner.user)
    try:
        response = web.post(
            "/accounts/sign-in/bluesky/", {"handle": "a.test", "password": APP_PASSWORD}
        )
    finally:
        got_request_exception.disconnect(report)
    assert response.status_code == 500
    [text] = reports
    assert "the PDS answered nonsense" in text  # the report is a real one
    return text


def test_no_secret_is_shown_logged_mailed_or_reported(
    cast: Cast,
    x: FakeX,
    graph: FakeGraph,
    sent: Any,
    debug_logs: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secrets = (
        run_the_engine(cast, x, graph)
        + seed_other_secrets(cast)
        + [SANDBOX_TOKEN, X_APP_SECRET, settings.SECRET_KEY, *settings.SMO_ENCRYPTION_KEYS]
    )
    secrets = [s for s in secrets if s]
    assert len(secrets) >= 12

    post_id = Delivery.objects.filter(account__network="x").first().post_id
    account_ids = list(SocialAccount.objects.values_list("pk", flat=True))
    places = pages(cast, post_id, account_ids)
    places["logs"] = (
        "\n".join(r.getMessage() + (str(r.args) if r.args else "") for r in debug_logs.records)
        + debug_logs.text
    )
    places["mail"] = "\n".join(f"{m.subject}\n{m.body}\n{m.alternatives}" for m in mail.outbox)
    places["crash report"] = crash_report(cast, monkeypatch)
    places["failure reasons"] = "\n".join(
        str(d) for d in Delivery.objects.values_list("last_error", flat=True)
    )

    leaks = [(where, s) for where, text in places.items() for s in secrets if s in text]
    assert leaks == []
    # Proof the scan saw real content: the engine logged, the pages name the accounts.
    assert "Acme Bakery" in places["/accounts/"]
    assert len(debug_logs.records) > 10

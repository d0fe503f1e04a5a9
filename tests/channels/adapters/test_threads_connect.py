"""Connecting a Threads account and keeping its 60-day token alive (platforms.md §4):
authorize, code for a short-lived token, swap for a long-lived one, /me; refresh
only a long-lived token at least 24 hours old and unexpired."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels.adapters import base
from channels.adapters.threads import ThreadsAdapter
from tests.channels.adapters import threads_support
from tests.fakes.threads import LONG_LIVED_SECONDS, FakeThreads

fake, sleeps, adapter = threads_support.fake, threads_support.sleeps, threads_support.adapter
CALLBACK = "http://127.0.0.1:8000/accounts/callback/threads/"


def sign_in(adapter: ThreadsAdapter, state: str = "state-123") -> str:
    """Go through the fake's authorize page as a browser would; return the code."""
    answer = requests.get(
        adapter.authorization(CALLBACK, state).url, allow_redirects=False, timeout=2
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    params = parse_qs(location.query)
    assert params["state"] == [state]
    return params["code"][0]


def test_the_authorization_url_asks_for_basic_and_publishing(
    fake: FakeThreads, adapter: ThreadsAdapter
) -> None:
    authorization = adapter.authorization(CALLBACK, "state-123")
    url = urlsplit(authorization.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == fake.authorize_url
    assert parse_qs(url.query) == {
        "client_id": [fake.app_id],
        "redirect_uri": [CALLBACK],
        "scope": [
            "threads_basic,threads_content_publish,threads_manage_replies,threads_read_replies,"
            "threads_manage_mentions,threads_delete,threads_manage_insights"
        ],
        "response_type": ["code"],
        "state": ["state-123"],
    }
    assert authorization.verifier == ""


def test_connecting_gives_the_profile_and_a_long_lived_token(
    fake: FakeThreads, adapter: ThreadsAdapter
) -> None:
    code = sign_in(adapter)

    [connection] = adapter.connect(code, CALLBACK, "")

    user = fake.users[fake.login_user]
    creds = connection.credentials
    assert (connection.network, connection.name, connection.picture_url) == (
        "threads",
        "Acme Bakery",
        user["threads_profile_picture_url"],
    )
    assert (creds.external_id, creds.handle) == (user["id"], "acmebakery")
    token = fake.tokens[creds.secrets["access_token"]]
    assert token.kind == "long" and set(creds.secrets) == {"access_token"}
    assert creds.expires_at is not None
    lifetime = creds.expires_at - fake.now()
    assert (
        timedelta(seconds=LONG_LIVED_SECONDS - 5)
        < lifetime
        <= timedelta(seconds=LONG_LIVED_SECONDS)
    )
    exchange, swap, me = fake.requests[-3:]
    assert (exchange.method, exchange.path, exchange.version) == ("POST", "/oauth/access_token", "")
    assert exchange.form == {
        "client_id": fake.app_id,
        "client_secret": fake.app_secret,
        "grant_type": "authorization_code",
        "redirect_uri": CALLBACK,
        "code": code,
    }
    assert (swap.path, swap.params) == (
        "/access_token",
        {"grant_type": "th_exchange_token", "client_secret": fake.app_secret},
    )
    assert fake.tokens[swap.token].kind == "short"
    assert (me.path, me.version, me.params) == (
        "/me",
        "v1.0",
        {"fields": "id,username,name,threads_profile_picture_url"},
    )


def test_a_code_used_twice_is_refused_without_showing_secrets(
    fake: FakeThreads, adapter: ThreadsAdapter
) -> None:
    code = sign_in(adapter)
    adapter.connect(code, CALLBACK, "")
    with pytest.raises(base.Permanent) as raised:
        adapter.connect(code, CALLBACK, "")
    assert raised.value.detail.startswith("Threads did not accept the sign-in (")
    assert fake.app_secret not in raised.value.detail and code not in raised.value.detail


def test_a_wrong_app_secret_is_refused(fake: FakeThreads) -> None:
    from channels.adapters.session import build_session

    wrong = ThreadsAdapter(fake.adapter_config(app_secret="not-the-secret"), build_session(1.0))
    with pytest.raises(base.Permanent):
        wrong.connect(sign_in(wrong), CALLBACK, "")


def creds_aged(fake: FakeThreads, age: timedelta) -> base.Credentials:
    token = fake.issue_token(fake.login_user, age=age)
    held = fake.tokens[token]
    return base.Credentials(
        fake.login_user, "acmebakery", {"access_token": token}, expires_at=held.expires_at
    )


def test_a_token_older_than_a_day_is_refreshed_for_another_60_days(
    fake: FakeThreads, adapter: ThreadsAdapter
) -> None:
    old = creds_aged(fake, timedelta(days=55))

    new = adapter.refresh(old)

    [call] = fake.calls("GET", "/refresh_access_token")
    assert (call.version, call.params) == ("", {"grant_type": "th_refresh_token"})
    assert call.token == old.secrets["access_token"]
    assert new.secrets["access_token"] != old.secrets["access_token"]
    assert fake.tokens[new.secrets["access_token"]].kind == "long"
    assert (new.external_id, new.handle) == (old.external_id, old.handle)
    assert new.expires_at is not None
    assert new.expires_at - fake.now() > timedelta(days=59)


def test_a_token_younger_than_a_day_is_not_sent_for_refresh(
    fake: FakeThreads, adapter: ThreadsAdapter
) -> None:
    with pytest.raises(base.AuthExpired) as raised:
        adapter.refresh(creds_aged(fake, timedelta(hours=2)))
    assert raised.value.code == "too-new"
    assert fake.calls("GET", "/refresh_access_token") == []


def test_an_expired_token_cannot_be_refreshed(fake: FakeThreads, adapter: ThreadsAdapter) -> None:
    with pytest.raises(base.AuthExpired) as raised:
        adapter.refresh(creds_aged(fake, timedelta(days=61)))
    assert raised.value.detail == "The Threads access token expired; reconnect the account."
    assert fake.requests == []


def test_a_revoked_token_refused_by_threads_needs_a_reconnect(
    fake: FakeThreads, adapter: ThreadsAdapter
) -> None:
    creds = creds_aged(fake, timedelta(days=55))
    del fake.tokens[creds.secrets["access_token"]]
    with pytest.raises(base.AuthExpired) as raised:
        adapter.refresh(creds)
    assert raised.value.detail.startswith("Threads would not refresh the access token (")
    assert creds.secrets["access_token"] not in raised.value.detail


def test_the_fake_refuses_a_refresh_within_24_hours_too(fake: FakeThreads) -> None:
    token = fake.issue_token(fake.login_user)
    answer = requests.get(
        f"{fake.url}/refresh_access_token",
        params={"grant_type": "th_refresh_token", "access_token": token},
        timeout=2,
    )
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 100
    fake.advance(timedelta(hours=25))
    answer = requests.get(
        f"{fake.url}/refresh_access_token",
        params={"grant_type": "th_refresh_token", "access_token": token},
        timeout=2,
    )
    assert answer.status_code == 200 and answer.json()["expires_in"] == LONG_LIVED_SECONDS


def test_a_refresh_that_fails_for_now_is_transient(
    fake: FakeThreads, adapter: ThreadsAdapter
) -> None:
    fake.fail_next(503, path="/refresh_access_token")
    with pytest.raises(base.Transient):
        adapter.refresh(creds_aged(fake, timedelta(days=55)))

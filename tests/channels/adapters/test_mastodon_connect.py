"""Connecting a Mastodon account at the adapter: SMO registers itself on the instance
once, sends the admin to its authorize page, exchanges the code, and keeps the
instance's limits with the account."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels.adapters.base import Connection, Permanent, Transient
from channels.adapters.mastodon import MastodonAdapter
from channels.adapters.mastodon_auth import SCOPES, MemoryApps
from channels.adapters.session import build_session
from tests.fakes.mastodon import FakeMastodon

CALLBACK = "https://smo.example/accounts/callback/mastodon/"


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        fake.add_account("acmebakery", "Acme Bakery")
        yield fake


def connect(adapter: MastodonAdapter, fake: FakeMastodon) -> list[Connection]:
    start = adapter.authorization(CALLBACK, "state-1", server=fake.url)
    approved = requests.get(start.url, allow_redirects=False, timeout=2)
    back = parse_qs(urlsplit(approved.headers["Location"]).query)
    assert back["state"] == ["state-1"]
    return adapter.connect(back["code"][0], CALLBACK, start.verifier, server=fake.url)


def test_smo_registers_on_the_instance_and_connects_the_account(fake: FakeMastodon) -> None:
    fake.limits["max_characters"] = 5000
    adapter = MastodonAdapter(
        {"app_name": "SMO", "website": "https://smo.example"}, build_session(2.0)
    )
    [found] = connect(adapter, fake)

    [registration] = fake.calls("POST", "/api/v1/apps")
    assert registration.body == {
        "client_name": "SMO",
        "redirect_uris": CALLBACK,
        "scopes": SCOPES,
        "website": "https://smo.example",
    }
    [account_id] = fake.accounts
    creds = found.credentials
    assert (found.network, found.name, creds.external_id, creds.handle) == (
        "mastodon",
        "Acme Bakery",
        f"{account_id}@127.0.0.1",
        "@acmebakery@127.0.0.1",
    )
    assert fake.tokens[creds.secrets["access_token"]] == account_id
    assert creds.expires_at is None  # Mastodon tokens never expire
    assert creds.options["server"] == fake.url
    assert creds.options["account_id"] == account_id
    assert creds.options["version"] == "4.3.2"
    assert creds.options["limits"]["max_characters"] == 5000
    assert creds.options["limits"]["poll_max_options"] == 4
    assert adapter.account_limits(creds.options).max_text == 5000


def test_the_authorize_page_is_asked_for_smos_scopes_and_callback(fake: FakeMastodon) -> None:
    adapter = MastodonAdapter({}, build_session(2.0))
    start = adapter.authorization(CALLBACK, "s", server=fake.url)
    asked = parse_qs(urlsplit(start.url).query)
    assert start.url.startswith(f"{fake.url}/oauth/authorize?")
    assert asked["redirect_uri"] == [CALLBACK]
    assert asked["scope"] == [SCOPES]
    assert asked["response_type"] == ["code"]


def test_the_registration_is_kept_and_used_again(fake: FakeMastodon) -> None:
    apps = MemoryApps()
    connect(MastodonAdapter({"apps": apps}, build_session(2.0)), fake)
    connect(MastodonAdapter({"apps": apps}, build_session(2.0)), fake)
    assert len(fake.calls("POST", "/api/v1/apps")) == 1
    assert len(fake.calls("POST", "/oauth/token")) == 2
    assert "client_secret=<hidden>" in repr(next(iter(apps.apps.values())))


def test_an_instance_without_v2_is_read_from_v1(fake: FakeMastodon) -> None:
    fake.no_instance_v2 = True
    fake.limits["max_characters"] = 11000
    [found] = connect(MastodonAdapter({}, build_session(2.0)), fake)
    assert found.credentials.options["limits"]["max_characters"] == 11000
    assert fake.calls("GET", "/api/v1/instance")


def test_a_refused_code_is_permanent_and_shows_no_secret(fake: FakeMastodon) -> None:
    adapter = MastodonAdapter({}, build_session(2.0))
    adapter.authorization(CALLBACK, "s", server=fake.url)
    with pytest.raises(Permanent) as raised:
        adapter.connect("not-a-code", CALLBACK, "", server=fake.url)
    assert "invalid" in raised.value.detail
    [app] = fake.apps.values()
    assert app["client_secret"] not in raised.value.detail


def test_an_instance_refusing_the_registration_says_why(fake: FakeMastodon) -> None:
    fake.fail_next(422, {"error": "Validation failed: Redirect URI must be an absolute URI."})
    with pytest.raises(Permanent) as raised:
        MastodonAdapter({}, build_session(2.0)).authorization(CALLBACK, "s", server=fake.url)
    assert raised.value.detail == (
        "The Mastodon instance refused SMO's registration: "
        "Validation failed: Redirect URI must be an absolute URI."
    )


def test_an_instance_that_is_down_is_transient(fake: FakeMastodon) -> None:
    fake.fail_next(503, {"error": "Service Unavailable"})
    with pytest.raises(Transient):
        MastodonAdapter({}, build_session(2.0)).authorization(CALLBACK, "s", server=fake.url)


def test_read_limits_reads_the_instance_again(fake: FakeMastodon) -> None:
    account = next(iter(fake.accounts))
    creds = fake.credentials(account, fake.issue_token(account))
    fake.limits["max_characters"] = 640
    found = MastodonAdapter({}, build_session(2.0)).read_limits(creds)
    assert found["limits"]["max_characters"] == 640
    assert found["version"] == "4.3.2"

"""Connecting a Mastodon account through SMO's own views: the admin types the instance
on the Accounts page, SMO registers there once (InstanceApp) and runs OAuth against
FakeMastodon; a server that cannot be used is refused with what was typed kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.db import connection
from django.test import Client

from channels.adapters.mastodon_auth import SCOPES
from channels.models import InstanceApp, SocialAccount
from tests.conftest import Cast
from tests.fakes.mastodon import FakeMastodon

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        fake.add_account("acmebakery", "Acme Bakery")
        yield fake


@pytest.fixture
def admin(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.role("admin").user)
    return client


def sign_in(client: Client, server: str) -> Any:
    """Type `server` into the form, approve on the instance, come back."""
    start = client.post("/accounts/connect/mastodon/", {"server": server})
    assert start.status_code == 302, start.content.decode()
    approved = requests.get(start["Location"], allow_redirects=False, timeout=2)
    callback = urlparse(approved.headers["Location"])
    assert callback.path == "/accounts/callback/mastodon/"
    return client.get(f"{callback.path}?{callback.query}")


def test_mastodon_needs_no_settings_and_asks_for_the_server(admin: Client) -> None:
    page = admin.get("/accounts/").content.decode()
    row = page.split('data-network="mastodon"')[1].split("</li>")[0]
    assert "Ready" in row
    assert 'name="server"' in row
    assert "Connect Mastodon" in row


def test_an_admin_connects_an_account_on_the_instance_they_name(
    cast: Cast, admin: Client, fake: FakeMastodon, settings: Any
) -> None:
    fake.limits["max_characters"] = 1000

    response = sign_in(admin, f"  {fake.url}/  ")

    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    account = SocialAccount.objects.get(network="mastodon")
    [account_id] = fake.accounts
    assert (account.workspace, account.external_id, account.name, account.handle) == (
        cast.workspace,
        f"{account_id}@127.0.0.1",
        "Acme Bakery",
        "@acmebakery@127.0.0.1",
    )
    assert set(account.credentials) == {"access_token"}
    assert account.credentials_expire_at is None
    assert account.options["server"] == fake.url
    assert account.options["limits"]["max_characters"] == 1000
    [registration] = fake.calls("POST", "/api/v1/apps")
    assert registration.body["redirect_uris"] == (
        f"{settings.SMO_PUBLIC_URL}/accounts/callback/mastodon/"
    )
    assert registration.body["client_name"] == settings.SMO_NETWORKS["mastodon"]["app_name"]
    [app] = InstanceApp.objects.all()
    assert (app.network, app.server) == ("mastodon", fake.url)
    [kept] = fake.apps.values()
    assert app.client_secret == {"secret": kept["client_secret"], "scopes": SCOPES}
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM channels_instanceapp")
        [(stored,)] = cursor.fetchall()
    assert kept["client_secret"] not in stored  # encrypted at rest


def test_the_second_connection_to_an_instance_reuses_the_registration(
    admin: Client, fake: FakeMastodon
) -> None:
    sign_in(admin, fake.url)
    fake.add_account("acmecafe", "Acme Café")
    fake.approving = list(fake.accounts)[1]
    sign_in(admin, fake.url)

    assert len(fake.calls("POST", "/api/v1/apps")) == 1
    assert InstanceApp.objects.count() == 1
    assert sorted(SocialAccount.objects.values_list("name", flat=True)) == [
        "Acme Bakery",
        "Acme Café",
    ]


def test_a_server_with_a_path_is_refused_and_what_was_typed_is_kept(admin: Client) -> None:
    response = admin.post("/accounts/connect/mastodon/", {"server": "mastodon.social/@acme"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter only the server&#x27;s address, without a path." in page
    assert 'value="mastodon.social/@acme"' in page
    assert 'aria-invalid="true"' in page


def test_a_private_server_is_refused_when_private_fetches_are_off(
    admin: Client, fake: FakeMastodon, settings: Any
) -> None:
    settings.SMO_FETCH_PRIVATE_URLS = False
    response = admin.post("/accounts/connect/mastodon/", {"server": fake.url})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the server&#x27;s https address, such as https://mastodon.social." in page
    response = admin.post("/accounts/connect/mastodon/", {"server": "https://127.0.0.1:9"})
    assert "127.0.0.1 is not a public server; SMO does not connect there." in (
        response.content.decode()
    )
    assert fake.requests == []


def test_an_instance_that_refuses_the_registration_shows_its_reason(
    admin: Client, fake: FakeMastodon
) -> None:
    fake.fail_next(422, {"error": "Validation failed: Application name can't be blank"})
    response = admin.post("/accounts/connect/mastodon/", {"server": fake.url})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Validation failed: Application name can&#x27;t be blank" in page
    assert f'value="{fake.url}"' in page
    assert InstanceApp.objects.count() == 0


def test_a_disconnected_account_reconnects_to_its_own_instance(
    admin: Client, fake: FakeMastodon
) -> None:
    sign_in(admin, fake.url)
    SocialAccount.objects.update(status=SocialAccount.Status.NEEDS_RECONNECT)
    page = admin.get("/accounts/").content.decode()
    assert f'<input type="hidden" name="server" value="{fake.url}">' in page
    sign_in(admin, fake.url)
    assert SocialAccount.objects.get().status == SocialAccount.Status.ACTIVE


def test_only_admins_connect(cast: Cast, fake: FakeMastodon) -> None:
    client = Client()
    client.force_login(cast.role("editor").user)
    response = client.post("/accounts/connect/mastodon/", {"server": fake.url})
    assert response.status_code == 403
    assert fake.requests == []


def test_the_callback_uses_the_server_kept_in_the_session(
    admin: Client, fake: FakeMastodon
) -> None:
    start = admin.post("/accounts/connect/mastodon/", {"server": fake.url})
    assert parse_qs(urlparse(start["Location"]).query)["state"]
    assert admin.session["smo_oauth"]["server"] == fake.url


def test_registrations_rotate_with_the_credentials(settings: Any) -> None:
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old_key = settings.SMO_ENCRYPTION_KEYS[0] if settings.SMO_ENCRYPTION_KEYS else None
    InstanceApp.objects.create(
        network="mastodon",
        server="https://mastodon.example",
        redirect_uri="https://smo.example/accounts/callback/mastodon/",
        client_id="id",
        client_secret={"secret": "s3cret-client"},
    )
    new_key = Fernet.generate_key().decode()
    settings.SMO_ENCRYPTION_KEYS = [new_key, *([old_key] if old_key else [])]
    call_command("rotate_credentials")
    settings.SMO_ENCRYPTION_KEYS = [new_key]  # the old key is gone now
    assert InstanceApp.objects.get().client_secret == {"secret": "s3cret-client"}


def test_a_registration_made_for_fewer_scopes_is_made_again() -> None:
    """A server refuses scopes its app was not registered for (the inbox added
    read:notifications), so an older registration is not used."""
    from channels.instance_apps import DatabaseApps

    apps = DatabaseApps()
    InstanceApp.objects.create(
        network="mastodon",
        server="https://mastodon.example",
        redirect_uri="https://smo.example/cb/",
        client_id="old",
        client_secret={"secret": "s3cret-client"},
    )
    assert apps.get("https://mastodon.example", "https://smo.example/cb/") is None
    InstanceApp.objects.filter(client_id="old").update(
        client_secret={"secret": "s3cret-client", "scopes": SCOPES}
    )
    found = apps.get("https://mastodon.example", "https://smo.example/cb/")
    assert found is not None and found.client_id == "old"

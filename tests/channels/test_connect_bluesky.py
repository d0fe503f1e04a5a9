"""Connecting a Bluesky account on the accounts page: a handle, an app password and
optionally a PDS, checked against a real PDS (tests/peers/bluesky_pds)."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from channels.models import SocialAccount
from tests.conftest import Cast
from tests.fakes.x import closed_port_url
from tests.peers.bluesky_pds.launch import LocalPds

pytestmark = pytest.mark.django_db
NAMES = itertools.count()
URL = "/accounts/sign-in/bluesky/"


@pytest.fixture
def pds(bluesky_pds: LocalPds, settings: pytest.FixtureRequest) -> LocalPds:
    settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "bluesky": {"pds_url": bluesky_pds.url}}  # type: ignore[attr-defined]
    return bluesky_pds


def signed_in(cast: Cast, role: str = "admin") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def bluesky_row(html: str) -> str:
    row = html[html.index('<li class="row network-row" data-network="bluesky"') :]
    return row[: row.index("</li>")]


def test_admins_see_the_bluesky_form_and_editors_do_not(cast: Cast, pds: LocalPds) -> None:
    row = bluesky_row(signed_in(cast).get("/accounts/").content.decode())
    assert f'action="{URL}"' in row
    assert 'name="password" type="password"' in row
    assert f'placeholder="{pds.url}"' in row
    assert "/accounts/connect/bluesky/" not in row  # not an OAuth network
    assert f'action="{URL}"' not in signed_in(cast, "editor").get("/accounts/").content.decode()
    assert signed_in(cast, "editor").post(URL, {"handle": "a.test"}).status_code == 403


def test_connecting_saves_the_account_with_its_session(cast: Cast, pds: LocalPds) -> None:
    account = pds.create_account(f"view{next(NAMES)}", display_name="Acme Bakery")
    client = signed_in(cast)
    response = client.post(URL, {"handle": "@" + account.handle, "password": account.app_password})
    saved = SocialAccount.objects.get(network="bluesky")
    assert (response.status_code, response["Location"]) == (302, f"/accounts/#account-{saved.pk}")
    assert (saved.external_id, saved.handle, saved.name) == (
        account.did,
        account.handle,
        "Acme Bakery",
    )
    assert saved.credentials["app_password"] == account.app_password
    assert set(saved.credentials) == {"app_password", "access_jwt", "refresh_jwt", "pds_url"}
    assert saved.credentials_expire_at is not None
    html = client.get("/accounts/").content.decode()
    assert "Connected Acme Bakery." in html
    for secret in saved.credentials.values():
        if secret != pds.url:
            assert secret not in html


def test_a_wrong_app_password_is_said_beside_the_field_and_never_shown(
    cast: Cast, pds: LocalPds
) -> None:
    account = pds.create_account(f"wrongview{next(NAMES)}")
    typed = {"handle": account.handle, "password": "zzzz-yyyy-xxxx-wwww", "server": ""}
    response = signed_in(cast).post(URL, typed)
    assert response.status_code == 400
    row = bluesky_row(response.content.decode())
    assert (
        'id="connect-bluesky-password-error" role="alert">Bluesky did not accept that handle and app password.'
        in row
    )
    assert f'value="{account.handle}"' in row
    assert "zzzz-yyyy-xxxx-wwww" not in response.content.decode()
    assert not SocialAccount.objects.filter(network="bluesky").exists()


def test_the_main_password_is_refused_with_a_hint(cast: Cast, pds: LocalPds) -> None:
    account = pds.create_account(f"mainview{next(NAMES)}")
    response = signed_in(cast).post(URL, {"handle": account.handle, "password": account.password})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Use an app password (four groups of four letters or digits" in bluesky_row(page)
    assert account.password not in page


@pytest.mark.parametrize(
    ("server", "message"),
    [
        (
            "ftp://pds.example",
            "Enter the server&#x27;s https address, such as https://bsky.social.",
        ),
        ("https://pds.example/xrpc", "Enter only the server&#x27;s address, without a path."),
    ],
)
def test_a_bad_pds_address_is_said_beside_the_server_field(
    cast: Cast, pds: LocalPds, server: str, message: str
) -> None:
    typed = {"handle": "acme.test", "password": "abcd-efgh-ijkl-mnop", "server": server}
    response = signed_in(cast).post(URL, typed)
    row = bluesky_row(response.content.decode())
    assert response.status_code == 400
    assert f'id="connect-bluesky-server-error" role="alert">{message}' in row
    assert f'value="{server}"' in row
    assert "abcd-efgh-ijkl-mnop" not in response.content.decode()


def test_a_pds_that_does_not_answer_is_said_beside_the_server_field(
    cast: Cast, pds: LocalPds
) -> None:
    server = closed_port_url()
    typed = {"handle": "acme.test", "password": "abcd-efgh-ijkl-mnop", "server": server}
    response = signed_in(cast).post(URL, typed)
    row = bluesky_row(response.content.decode())
    assert response.status_code == 400
    assert (
        'id="connect-bluesky-server-error" role="alert">Could not sign in at that server: '
        "Could not reach the Bluesky server (ConnectionError); nothing was sent." in row
    )


def test_an_account_on_its_own_pds_keeps_that_server(cast: Cast, pds: LocalPds, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "bluesky": {"pds_url": "https://bsky.social"}}
    account = pds.create_account(f"ownpds{next(NAMES)}")
    typed = {"handle": account.handle, "password": account.app_password, "server": pds.url + "/"}
    assert signed_in(cast).post(URL, typed).status_code == 302
    saved = SocialAccount.objects.get(network="bluesky")
    assert saved.credentials["pds_url"] == pds.url
    assert saved.name == account.handle


def test_an_account_that_needs_reconnecting_points_to_the_form(cast: Cast, pds: LocalPds) -> None:
    account = SocialAccount.objects.create(
        workspace=cast.workspace,
        network="bluesky",
        external_id="did:plc:acme",
        name="Acme Bakery",
        handle="acme.test",
        status=SocialAccount.Status.NEEDS_RECONNECT,
    )
    html = signed_in(cast).get("/accounts/").content.decode()
    row = html[html.index(f'id="account-{account.pk}"') :]
    row = row[: row.index("</li>")]
    assert '<a class="button primary" href="#connect-bluesky-handle">Reconnect</a>' in row

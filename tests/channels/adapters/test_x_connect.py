"""Connecting an X account (OAuth 2.0 with PKCE) and refreshing its token, against FakeX."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels.adapters import base
from channels.adapters.session import build_session
from channels.adapters.x import XAdapter
from tests.fakes.x import (
    CLIENT_ID,
    CLIENT_SECRET,
    USER_ID,
    ContractCase,
    closed_port_url,
    contract_case,
)

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
CALLBACK = "http://127.0.0.1:8000/accounts/x/callback/"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(now=lambda: NOW) as case:
        yield case
    assert case.fake.contract_violations == []


def sign_in(case: ContractCase, state: str = "state-123") -> tuple[str, str]:
    """Go through the fake's authorize page as a browser would; return (code, verifier)."""
    authorization = case.adapter.authorization(CALLBACK, state)
    answer = requests.get(authorization.url, allow_redirects=False, timeout=2)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    params = parse_qs(location.query)
    assert params["state"] == [state]
    return params["code"][0], authorization.verifier


def test_the_authorization_url_asks_for_the_scopes_with_an_s256_challenge(
    case: ContractCase,
) -> None:
    authorization = case.adapter.authorization(CALLBACK, "state-123")
    url = urlsplit(authorization.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{case.fake.url}/i/oauth2/authorize"
    assert (
        "scope=tweet.read%20tweet.write%20users.read%20media.write%20offline.access%20dm.read%20dm.write%20tweet.moderate.write"
        in url.query
    )
    digest = hashlib.sha256(authorization.verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert parse_qs(url.query) == {
        "response_type": ["code"],
        "client_id": [CLIENT_ID],
        "redirect_uri": [CALLBACK],
        "scope": [
            "tweet.read tweet.write users.read media.write offline.access dm.read dm.write tweet.moderate.write"
        ],
        "state": ["state-123"],
        "code_challenge": [challenge],
        "code_challenge_method": ["S256"],
    }
    # RFC 7636: 43 to 128 unreserved characters, and a new one every time.
    assert 43 <= len(authorization.verifier) <= 128
    assert set(authorization.verifier) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )
    assert case.adapter.authorization(CALLBACK, "s").verifier != authorization.verifier


def test_the_production_authorize_url_is_the_default() -> None:
    adapter = XAdapter({"client_id": "id", "client_secret": "s"}, build_session(1))
    assert adapter.authorization(CALLBACK, "s").url.startswith("https://x.com/i/oauth2/authorize?")


def test_connect_exchanges_the_code_and_names_the_account(case: ContractCase) -> None:
    code, verifier = sign_in(case)
    [connection] = case.adapter.connect(code, CALLBACK, verifier)

    creds = connection.credentials
    assert (connection.network, connection.name) == ("x", "Acme")
    assert connection.picture_url == (
        f"https://pbs.twimg.com/profile_images/{USER_ID}/avatar_normal.jpg"
    )
    assert (creds.external_id, creds.handle) == (USER_ID, "acme")
    assert creds.expires_at == NOW + timedelta(hours=2)
    assert set(creds.secrets) == {"access_token", "refresh_token"}
    assert creds.secrets["access_token"] not in repr(connection)
    [exchange] = case.fake.calls("POST", "/2/oauth2/token")
    assert exchange.body == {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert exchange.headers["authorization"] == f"Basic {basic}"
    [me] = case.fake.calls("GET", "/2/users/me")
    assert me.query == {"user.fields": "profile_image_url,username,name"}
    assert me.headers["authorization"] == f"Bearer {creds.secrets['access_token']}"
    # The new token works.
    case.adapter.publish(creds, base.Content("Connected"), "k", base.Progress())


def test_connect_names_an_account_without_a_display_name_by_its_handle(
    case: ContractCase,
) -> None:
    case.fake.users[USER_ID]["name"] = ""
    code, verifier = sign_in(case)
    assert case.adapter.connect(code, CALLBACK, verifier)[0].name == "@acme"


def test_a_wrong_verifier_is_refused_with_x_s_reason(case: ContractCase) -> None:
    code, verifier = sign_in(case)
    with pytest.raises(base.Permanent) as raised:
        case.adapter.connect(code, CALLBACK, verifier[:-1] + "x")
    assert raised.value.detail == (
        "X did not accept the sign-in (Value passed for the code verifier did not match the "
        "code challenge.); try connecting again."
    )
    assert raised.value.status == 400
    assert verifier not in repr(raised.value.__dict__)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("reuse", "Value passed for the authorization code was invalid."),
        ("expire", "Value passed for the authorization code was invalid."),
        ("redirect", "Value passed for the redirect uri did not match."),
    ],
)
def test_a_used_or_stale_code_or_another_redirect_is_refused(
    case: ContractCase, change: str, reason: str
) -> None:
    code, verifier = sign_in(case)
    redirect = CALLBACK
    if change == "reuse":
        case.adapter.connect(code, CALLBACK, verifier)
    elif change == "expire":
        case.fake.advance(31)  # codes live 30 s (platforms.md §1)
    else:
        redirect = "http://127.0.0.1:8000/elsewhere/"
    with pytest.raises(base.Permanent, match=reason):
        case.adapter.connect(code, redirect, verifier)


def test_wrong_app_credentials_are_refused(case: ContractCase) -> None:
    code, verifier = sign_in(case)
    config = case.fake.adapter_config(client_secret="wrong")
    adapter = XAdapter(config, build_session(1))
    with pytest.raises(base.Permanent, match="Missing valid authorization header") as raised:
        adapter.connect(code, CALLBACK, verifier)
    assert raised.value.status == 401
    assert "wrong" not in raised.value.detail


def test_connect_reports_x_being_down_as_transient(case: ContractCase) -> None:
    code, verifier = sign_in(case)
    case.fake.fail_next(503, path="/2/oauth2/token")
    with pytest.raises(base.Transient):
        case.adapter.connect(code, CALLBACK, verifier)


def test_refresh_stores_the_rotated_tokens(case: ContractCase) -> None:
    fresh = case.adapter.refresh(case.creds)

    assert (fresh.external_id, fresh.handle) == (USER_ID, "acme")
    assert fresh.expires_at == NOW + timedelta(hours=2)
    assert fresh.secrets["access_token"] != case.creds.secrets["access_token"]
    assert fresh.secrets["refresh_token"] != case.creds.secrets["refresh_token"]
    [call] = case.fake.calls("POST", "/2/oauth2/token")
    assert call.body == {
        "grant_type": "refresh_token",
        "refresh_token": case.creds.secrets["refresh_token"],
    }
    assert call.headers["authorization"].startswith("Basic ")
    # The new tokens work, and the new refresh token refreshes again.
    case.adapter.publish(fresh, base.Content("Refreshed"), "k", base.Progress())
    assert case.adapter.refresh(fresh).secrets["access_token"] != fresh.secrets["access_token"]


def test_the_old_refresh_token_is_dead_after_rotation(case: ContractCase) -> None:
    case.adapter.refresh(case.creds)
    with pytest.raises(base.AuthExpired) as raised:
        case.adapter.refresh(case.creds)
    assert raised.value.detail == (
        "X would not refresh the token (Value passed for the token was invalid.); "
        "reconnect the account."
    )
    assert raised.value.status == 400


def test_refresh_without_a_refresh_token_needs_a_person(case: ContractCase) -> None:
    creds = base.Credentials(USER_ID, "acme", {"access_token": "a"})
    with pytest.raises(base.AuthExpired, match="no refresh token"):
        case.adapter.refresh(creds)
    assert case.fake.requests == []


@pytest.mark.parametrize(("status", "error"), [(500, base.Transient), (503, base.Transient)])
def test_refresh_during_an_outage_is_transient(
    case: ContractCase, status: int, error: type[base.AdapterError]
) -> None:
    case.fake.fail_next(status, path="/2/oauth2/token")
    with pytest.raises(error):
        case.adapter.refresh(case.creds)
    # Nothing was used up: the same refresh token still works.
    case.adapter.refresh(case.creds)


def test_refresh_with_x_unreachable_is_transient() -> None:
    adapter = XAdapter(
        {"client_id": "i", "client_secret": "s", "api_url": closed_port_url()},
        build_session(1),
    )
    creds = base.Credentials(USER_ID, secrets={"refresh_token": "r"})
    with pytest.raises(base.Transient) as raised:
        adapter.refresh(creds)
    assert raised.value.detail == "Could not reach X's token endpoint (ConnectionError)."


def test_an_expired_access_token_is_refused_until_refreshed(case: ContractCase) -> None:
    case.fake.advance(7201)
    with pytest.raises(base.AuthExpired):
        case.adapter.publish(case.creds, base.Content("Late"), "k", base.Progress())
    fresh = case.adapter.refresh(case.creds)
    case.adapter.publish(fresh, base.Content("Late"), "k", base.Progress())
    assert [t["text"] for t in case.fake.tweets] == ["Late"]


def test_a_lost_refresh_answer_is_transient_but_has_spent_the_old_token() -> None:
    # Why scheduler/tokens.py refreshes under a row lock: rotation leaves no second try.
    with contract_case(timeout=0.5) as case:
        case.fake.timeout_after_receive("/2/oauth2/token")
        with pytest.raises(base.Transient) as raised:
            case.adapter.refresh(case.creds)
        assert raised.value.detail == "No answer from X's token endpoint (ReadTimeout)."
        with pytest.raises(base.AuthExpired):
            case.adapter.refresh(case.creds)
        assert case.fake.contract_violations == []

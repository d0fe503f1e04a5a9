"""Connecting a Pinterest account (OAuth 2 with HTTP Basic app credentials) and
refreshing its token with continuous refresh, against FakePinterest."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels.adapters import base
from tests.fakes.pinterest import APP_ID, APP_SECRET
from tests.fakes.pinterest_contract import ContractCase, contract_case

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
CALLBACK = "http://127.0.0.1:8000/accounts/callback/pinterest/"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(now=lambda: NOW) as case:
        yield case
    assert case.fake.contract_violations == []


def sign_in(case: ContractCase, state: str = "state-123") -> str:
    """Go through the fake's authorize page as a browser would; return the code."""
    authorization = case.adapter.authorization(CALLBACK, state)
    answer = requests.get(authorization.url, allow_redirects=False, timeout=2)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    params = parse_qs(location.query)
    assert params["state"] == [state]
    return params["code"][0]


def test_the_authorization_url_asks_for_the_five_scopes_comma_separated(
    case: ContractCase,
) -> None:
    authorization = case.adapter.authorization(CALLBACK, "state-123")
    url = urlsplit(authorization.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{case.fake.url}/oauth/"
    assert parse_qs(url.query) == {
        "client_id": [APP_ID],
        "redirect_uri": [CALLBACK],
        "response_type": ["code"],
        "scope": ["boards:read,boards:write,pins:read,pins:write,user_accounts:read"],
        "state": ["state-123"],
    }
    assert authorization.verifier == ""  # Pinterest documents no PKCE


def test_connecting_gives_one_account_with_its_name_picture_and_tokens(case: ContractCase) -> None:
    code = sign_in(case)

    [connection] = case.adapter.connect(code, CALLBACK, "")

    user = case.fake.users[case.user]
    assert (connection.network, connection.name, connection.picture_url) == (
        "pinterest",
        "Acme Bakery",
        user["profile_image"],
    )
    creds = connection.credentials
    assert (creds.external_id, creds.handle) == (case.user, "acmebakery")
    assert creds.expires_at == NOW + timedelta(days=30)
    assert case.fake.tokens[creds.secrets["access_token"]]["user"] == case.user
    assert creds.secrets["refresh_token"] in case.fake.refresh_tokens
    token_call, account_call = case.fake.requests[1:]
    basic = base64.b64encode(f"{APP_ID}:{APP_SECRET}".encode()).decode()
    assert token_call.headers["authorization"] == f"Basic {basic}"
    assert token_call.body == {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "continuous_refresh": "true",
    }
    assert (account_call.method, account_call.path) == ("GET", "/v5/user_account")
    assert account_call.headers["authorization"] == f"Bearer {creds.secrets['access_token']}"


def test_a_personal_account_is_named_by_its_username(case: ContractCase) -> None:
    case.fake.users[case.user]["business_name"] = None
    [connection] = case.adapter.connect(sign_in(case), CALLBACK, "")
    assert connection.name == "acmebakery"


def test_a_code_used_twice_is_refused_with_pinterests_reason(case: ContractCase) -> None:
    code = sign_in(case)
    case.adapter.connect(code, CALLBACK, "")
    with pytest.raises(base.Permanent) as raised:
        case.adapter.connect(code, CALLBACK, "")
    assert raised.value.detail == (
        "Pinterest did not accept the sign-in (Invalid authorization code.); try connecting again."
    )
    assert code not in raised.value.detail


def test_a_different_redirect_uri_is_refused(case: ContractCase) -> None:
    with pytest.raises(base.Permanent):
        case.adapter.connect(sign_in(case), "http://127.0.0.1:8000/elsewhere/", "")


def test_the_token_endpoint_down_is_transient(case: ContractCase) -> None:
    case.fake.fail_next(503, path="/v5/oauth/token")
    with pytest.raises(base.Transient):
        case.adapter.connect(sign_in(case), CALLBACK, "")


def test_a_refresh_keeps_the_new_refresh_token_and_spends_the_old(case: ContractCase) -> None:
    old = case.creds.secrets["refresh_token"]

    fresh = case.adapter.refresh(case.creds)

    assert fresh.external_id == case.creds.external_id and fresh.handle == "acmebakery"
    assert fresh.expires_at == NOW + timedelta(days=30)
    assert fresh.secrets["access_token"] in case.fake.tokens
    assert fresh.secrets["refresh_token"] in case.fake.refresh_tokens
    assert fresh.secrets["refresh_token"] != old
    [call] = case.fake.requests
    assert call.body == {"grant_type": "refresh_token", "refresh_token": old}
    with pytest.raises(base.AuthExpired) as raised:
        case.adapter.refresh(case.creds)  # the old one is spent
    assert raised.value.detail == (
        "Pinterest would not refresh the token (Invalid refresh token.); reconnect the account."
    )
    for secret in (old, case.fake.app_secret):
        assert secret not in str(raised.value)


def test_refreshed_credentials_publish(case: ContractCase) -> None:
    fresh = case.adapter.refresh(case.creds)
    case.fake.expire_token(case.creds.secrets["access_token"])
    case.adapter.publish(fresh, case.content_ok, "key", base.Progress())
    assert len(case.fake.pins) == 1


def test_an_account_without_a_refresh_token_must_reconnect(case: ContractCase) -> None:
    creds = base.Credentials(case.user, "acmebakery", {"access_token": "pina_x"})
    with pytest.raises(base.AuthExpired):
        case.adapter.refresh(creds)
    assert case.fake.requests == []


def test_wrong_app_credentials_at_refresh_mean_reconnecting(case: ContractCase) -> None:
    case.fake.app_secret = "rotated-secret"
    with pytest.raises(base.AuthExpired) as raised:
        case.adapter.refresh(case.creds)
    assert raised.value.network_code == "401:2"


def test_a_rate_limited_refresh_says_when_to_come_back(case: ContractCase) -> None:
    case.fake.fail_next(429, path="/v5/oauth/token")
    with pytest.raises(base.RateLimited) as raised:
        case.adapter.refresh(case.creds)
    assert raised.value.retry_at == NOW + timedelta(minutes=1)

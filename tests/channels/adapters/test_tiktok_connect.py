"""Connecting a TikTok account (Login Kit, OAuth 2.0 with PKCE) and refreshing its
access, against the fake."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels.adapters import base
from channels.adapters.session import build_session
from channels.adapters.tiktok import TikTokAdapter
from tests.channels.adapters.tiktok_support import NOW, OPEN_ID, adapter, creds, start
from tests.fakes.tiktok import FakeTikTok
from tests.fakes.tiktok_wire import CLIENT_KEY
from tests.fakes.x import closed_port_url

CALLBACK = "https://smo.example/accounts/callback/tiktok/"
SCOPE = "user.info.basic,user.info.stats,video.publish,video.upload,video.list"


@pytest.fixture
def fake() -> Iterator[FakeTikTok]:
    with FakeTikTok() as fake:
        yield start(fake)


def sign_in(fake: FakeTikTok, tiktok: TikTokAdapter, state: str = "state-123") -> tuple[str, str]:
    """Go through the fake's authorize page as a browser would; return (code, verifier)."""
    authorization = tiktok.authorization(CALLBACK, state)
    answer = requests.get(authorization.url, allow_redirects=False, timeout=2)
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    params = parse_qs(location.query)
    assert params["state"] == [state]
    return params["code"][0], authorization.verifier


def test_the_authorization_url_asks_for_the_scopes_with_tiktoks_hex_challenge(
    fake: FakeTikTok,
) -> None:
    authorization = adapter(fake).authorization(CALLBACK, "state-123")
    url = urlsplit(authorization.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{fake.url}/v2/auth/authorize/"
    assert f"scope={SCOPE}&" in url.query  # commas, as TikTok writes scopes
    assert parse_qs(url.query) == {
        "client_key": [CLIENT_KEY],
        "response_type": ["code"],
        "scope": [SCOPE],
        "redirect_uri": [CALLBACK],
        "state": ["state-123"],
        "code_challenge": [hashlib.sha256(authorization.verifier.encode()).hexdigest()],
        "code_challenge_method": ["S256"],
    }
    assert 43 <= len(authorization.verifier) <= 128
    assert set(authorization.verifier) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )
    assert adapter(fake).authorization(CALLBACK, "s").verifier != authorization.verifier


def test_the_production_authorize_url_is_the_default() -> None:
    tiktok = TikTokAdapter({"client_key": "key", "client_secret": "s"}, build_session(1))
    assert tiktok.authorization(CALLBACK, "s").url.startswith(
        "https://www.tiktok.com/v2/auth/authorize/?client_key=key&"
    )


def test_connect_exchanges_the_code_and_names_the_account(fake: FakeTikTok) -> None:
    tiktok = adapter(fake)
    code, verifier = sign_in(fake, tiktok)

    [connection] = tiktok.connect(code, CALLBACK, verifier)

    assert (connection.network, connection.name) == ("tiktok", "Acme Bakery")
    assert connection.picture_url == fake.creators[OPEN_ID].avatar_url
    account = connection.credentials
    assert (account.external_id, account.handle) == (OPEN_ID, "acmebakery")
    assert account.expires_at == NOW + timedelta(hours=24)
    assert set(account.secrets) == {"access_token", "refresh_token"}
    assert account.secrets["access_token"] in fake.tokens
    assert account.secrets["refresh_token"] in fake.refresh_tokens
    [exchange] = fake.calls("POST", "/v2/oauth/token/")
    assert exchange.body == {
        "client_key": CLIENT_KEY,
        "client_secret": fake.client_secret,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    assert fake.calls("GET", "/v2/user/info/")[0].query == {
        "fields": "open_id,union_id,avatar_url,display_name"
    }


def test_a_person_who_withholds_posting_is_told_to_connect_again(fake: FakeTikTok) -> None:
    fake.granted_scopes = {"user.info.basic", "video.upload"}
    tiktok = adapter(fake)
    code, verifier = sign_in(fake, tiktok)
    with pytest.raises(base.Permanent) as raised:
        tiktok.connect(code, CALLBACK, verifier)
    assert raised.value.detail == (
        "TikTok did not grant SMO video.list, video.publish; connect again and allow "
        "everything SMO asks for."
    )


def test_withholding_only_the_follower_count_still_connects(fake: FakeTikTok) -> None:
    # user.info.stats only lets SMO read the follower count (tiktok_metrics.py).
    fake.granted_scopes = {"user.info.basic", "video.publish", "video.upload", "video.list"}
    tiktok = adapter(fake)
    code, verifier = sign_in(fake, tiktok)
    [connection] = tiktok.connect(code, CALLBACK, verifier)
    assert connection.credentials.external_id


def test_a_wrong_verifier_or_a_spent_code_is_refused(fake: FakeTikTok) -> None:
    tiktok = adapter(fake)
    code, verifier = sign_in(fake, tiktok)
    with pytest.raises(base.Permanent) as raised:
        tiktok.connect(code, CALLBACK, verifier + "x")
    assert raised.value.detail == (
        "TikTok did not accept the sign-in (Code verifier or code challenge is invalid.); "
        "try connecting again."
    )
    with pytest.raises(base.Permanent) as raised:
        tiktok.connect(code, CALLBACK, verifier)  # codes are single use
    assert raised.value.code == "invalid_grant"
    for secret in (code, verifier, fake.client_secret):
        assert secret not in str(raised.value)


def test_refresh_gets_a_new_access_token_and_keeps_the_rotated_refresh_token(
    fake: FakeTikTok,
) -> None:
    old = creds(fake)
    new = adapter(fake).refresh(old)
    assert new.secrets["access_token"] in fake.tokens
    assert new.secrets["refresh_token"] != old.secrets["refresh_token"]
    assert new.secrets["refresh_token"] in fake.refresh_tokens
    assert old.secrets["refresh_token"] not in fake.refresh_tokens
    assert (new.external_id, new.handle, new.expires_at) == (
        OPEN_ID,
        "acmebakery",
        NOW + timedelta(seconds=86400),
    )
    assert fake.calls("POST", "/v2/oauth/token/")[0].body == {
        "client_key": CLIENT_KEY,
        "client_secret": fake.client_secret,
        "grant_type": "refresh_token",
        "refresh_token": old.secrets["refresh_token"],
    }


def test_a_refresh_token_tiktok_does_not_rotate_is_kept(fake: FakeTikTok) -> None:
    fake.rotate_refresh_tokens = False
    old = creds(fake)
    assert adapter(fake).refresh(old).secrets["refresh_token"] == old.secrets["refresh_token"]


def test_a_refused_refresh_means_reconnecting(fake: FakeTikTok) -> None:
    old = creds(fake)
    fake.advance(366 * 86400)  # refresh tokens live 365 days
    with pytest.raises(base.AuthExpired) as raised:
        adapter(fake).refresh(old)
    assert raised.value.detail == (
        "TikTok would not refresh the access (Refresh token is invalid or expired.); "
        "reconnect the account."
    )
    assert old.secrets["refresh_token"] not in raised.value.detail
    with pytest.raises(base.AuthExpired):
        adapter(fake).refresh(base.Credentials(OPEN_ID, "acmebakery", {"access_token": "a"}))


def test_an_oauth_error_sent_with_http_200_is_still_refused(fake: FakeTikTok) -> None:
    fake.fail_next(200, {"error": "invalid_grant", "error_description": "Nope."})
    with pytest.raises(base.AuthExpired) as raised:
        adapter(fake).refresh(creds(fake))
    assert raised.value.code == "invalid_grant"


def test_a_token_endpoint_that_fails_is_transient(fake: FakeTikTok) -> None:
    fake.fail_next(503, "<html>down</html>", path="/v2/oauth/token/")
    with pytest.raises(base.Transient):
        adapter(fake).refresh(creds(fake))
    with pytest.raises(base.Transient):
        adapter(fake, api_url=closed_port_url()).refresh(creds(fake))

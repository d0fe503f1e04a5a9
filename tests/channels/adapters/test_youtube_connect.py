"""Connecting YouTube channels (Google OAuth 2 with PKCE) and refreshing their tokens,
against FakeYouTube's authorize page and token endpoint."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels.adapters import base
from channels.adapters.session import build_session
from channels.adapters.youtube import YouTubeAdapter
from tests.fakes.x import closed_port_url
from tests.fakes.youtube import CLIENT_ID, FORCE_SSL, READONLY, UPLOAD
from tests.fakes.youtube_contract import CHANNEL, USER, ContractCase, contract_case

CALLBACK = "http://127.0.0.1:8000/accounts/callback/youtube/"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case
    assert case.fake.contract_violations == []


def sign_in(case: ContractCase, state: str = "state-123") -> tuple[str, str]:
    """Go through the fake's consent page as a browser would; return (code, verifier)."""
    authorization = case.adapter.authorization(CALLBACK, state)
    answer = requests.get(authorization.url, allow_redirects=False, timeout=2)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    params = parse_qs(location.query)
    assert params["state"] == [state]
    return params["code"][0], authorization.verifier


def test_the_authorization_url_asks_for_upload_and_readonly_offline_with_s256(
    case: ContractCase,
) -> None:
    authorization = case.adapter.authorization(CALLBACK, "state-123")
    url = urlsplit(authorization.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{case.fake.url}/o/oauth2/v2/auth"
    digest = hashlib.sha256(authorization.verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert parse_qs(url.query) == {
        "client_id": [CLIENT_ID],
        "redirect_uri": [CALLBACK],
        "response_type": ["code"],
        "scope": [f"{UPLOAD} {READONLY} {FORCE_SSL}"],
        "access_type": ["offline"],
        "prompt": ["consent"],
        "state": ["state-123"],
        "code_challenge": [challenge],
        "code_challenge_method": ["S256"],
    }
    assert 43 <= len(authorization.verifier) <= 128
    assert authorization.verifier not in repr(authorization)


def test_connecting_offers_each_of_the_persons_channels(case: ContractCase) -> None:
    case.fake.add_channel("UCsecond0000000000000000", "Acme Cafe", "@acmecafe", user=USER)
    code, verifier = sign_in(case)
    found = case.adapter.connect(code, CALLBACK, verifier)

    assert [
        (c.network, c.name, c.credentials.external_id, c.credentials.handle) for c in found
    ] == [
        ("youtube", "Acme Bakery", CHANNEL, "@acmebakery"),
        ("youtube", "Acme Cafe", "UCsecond0000000000000000", "@acmecafe"),
    ]
    first = found[0]
    assert first.picture_url == f"https://yt3.ggpht.example/{CHANNEL}=default"
    assert first.credentials.options == {"uploads_playlist": "UUacmeBakery0000000000aa"}
    secrets_ = first.credentials.secrets
    assert set(secrets_) == {"access_token", "refresh_token"}
    assert case.fake.tokens[secrets_["access_token"]]["user"] == USER
    assert secrets_["refresh_token"] in case.fake.refresh_tokens
    expected = case.fake.clock() + timedelta(seconds=3599)
    assert abs(first.credentials.expires_at - expected) < timedelta(seconds=5)
    [exchange] = case.fake.calls("POST", "/token")
    assert exchange.body == {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
        "client_secret": case.fake.client_secret,
    }
    [listing] = case.fake.calls("GET", "/youtube/v3/channels")
    assert listing.query == {"part": "id,snippet,contentDetails", "mine": "true", "alt": "json"}


def test_a_connected_channel_can_publish_at_once(case: ContractCase) -> None:
    code, verifier = sign_in(case)
    [found] = case.adapter.connect(code, CALLBACK, verifier)
    post = base.Content("Hi", media=case.content_ok.media, options={"title": "First"})
    result = case.adapter.publish(found.credentials, post, "k", base.Progress())
    assert result.external_id in case.fake.videos


def test_a_person_who_unticks_the_upload_permission_is_told_to_allow_it(
    case: ContractCase,
) -> None:
    case.fake.granted_scopes = (READONLY,)  # Google's consent screen lets people untick
    code, verifier = sign_in(case)
    with pytest.raises(base.Permanent) as raised:
        case.adapter.connect(code, CALLBACK, verifier)
    assert raised.value.code == "scope"
    assert "allow uploading videos" in raised.value.detail


def test_a_google_account_without_a_channel_is_told_to_make_one(case: ContractCase) -> None:
    case.fake.approving_user = "nobody"
    code, verifier = sign_in(case)
    with pytest.raises(base.Permanent) as raised:
        case.adapter.connect(code, CALLBACK, verifier)
    assert raised.value.code == "no-channel"


def test_a_wrong_verifier_is_refused_without_showing_the_code(case: ContractCase) -> None:
    code, _ = sign_in(case)
    with pytest.raises(base.Permanent) as raised:
        case.adapter.connect(code, CALLBACK, "x" * 64)
    assert raised.value.detail == (
        "Google did not accept the sign-in (Invalid code verifier.); try connecting again."
    )
    assert code not in str(raised.value)


def test_refresh_gets_a_new_access_token_and_keeps_the_refresh_token(case: ContractCase) -> None:
    fresh = case.adapter.refresh(case.creds)
    assert fresh.secrets["access_token"] != case.creds.secrets["access_token"]
    assert fresh.secrets["access_token"] in case.fake.tokens
    assert fresh.secrets["refresh_token"] == case.creds.secrets["refresh_token"]
    assert (fresh.external_id, fresh.handle, fresh.options) == (
        case.creds.external_id,
        case.creds.handle,
        case.creds.options,
    )
    expected = case.fake.clock() + timedelta(seconds=3599)
    assert fresh.expires_at is not None and abs(fresh.expires_at - expected) < timedelta(seconds=5)
    [call] = case.fake.calls("POST", "/token")
    assert call.body == {
        "grant_type": "refresh_token",
        "refresh_token": case.creds.secrets["refresh_token"],
        "client_id": CLIENT_ID,
        "client_secret": case.fake.client_secret,
    }


def test_a_rotated_refresh_token_replaces_the_old_one(case: ContractCase) -> None:
    case.fake.refresh_rotates = True
    fresh = case.adapter.refresh(case.creds)
    assert fresh.secrets["refresh_token"] != case.creds.secrets["refresh_token"]
    assert fresh.secrets["refresh_token"] in case.fake.refresh_tokens


def test_a_revoked_refresh_token_needs_a_reconnect_and_hides_the_token(
    case: ContractCase,
) -> None:
    case.fake.revoke(case.creds.secrets["refresh_token"])
    with pytest.raises(base.AuthExpired) as raised:
        case.adapter.refresh(case.creds)
    assert raised.value.detail == (
        "Google would not refresh the YouTube token (Token has been expired or revoked.); "
        "reconnect the account."
    )
    assert (raised.value.status, raised.value.code) == (400, "invalid_grant")


def test_an_account_without_a_refresh_token_needs_a_reconnect(case: ContractCase) -> None:
    creds = base.Credentials(CHANNEL, "@acmebakery", {"access_token": "ya29.x"})
    with pytest.raises(base.AuthExpired):
        case.adapter.refresh(creds)
    assert case.fake.requests == []


def test_a_token_endpoint_in_trouble_is_transient(case: ContractCase) -> None:
    case.fake.fail_next(503, {"error": "internal_failure"}, path="/token")
    with pytest.raises(base.Transient):
        case.adapter.refresh(case.creds)
    config = case.fake.adapter_config(token_url=f"{closed_port_url()}/token")
    offline = YouTubeAdapter(config, build_session(0.5))
    with pytest.raises(base.Transient) as raised:
        offline.refresh(case.creds)
    assert raised.value.detail == "Could not reach Google's token endpoint (ConnectionError)."


def test_a_wrong_client_secret_is_refused_without_showing_it(case: ContractCase) -> None:
    config = case.fake.adapter_config(client_secret="GOCSPX-wrong-secret-value")
    adapter = YouTubeAdapter(config, build_session(1.0))
    with pytest.raises(base.AuthExpired) as raised:
        adapter.refresh(case.creds)
    assert "GOCSPX-wrong-secret-value" not in str(raised.value)
    assert raised.value.code == "invalid_client"

"""Connecting LinkedIn (the member and their Pages) and refreshing its tokens, against
FakeLinkedIn's authorize page, accessToken endpoint, userinfo and organisation ACLs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from channels.adapters.base import AuthExpired, Credentials, Permanent
from channels.adapters.linkedin import LinkedInAdapter
from channels.adapters.session import build_session
from tests.fakes import linkedin_wire as wire
from tests.fakes.linkedin import FakeLinkedIn

REDIRECT = "https://smo.example/accounts/callback/linkedin/"
NOW = datetime(2026, 11, 26, 2, 40, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    with FakeLinkedIn() as fake:
        yield fake


def adapter_for(fake: FakeLinkedIn, **config: object) -> LinkedInAdapter:
    return LinkedInAdapter(fake.adapter_config(now=lambda: NOW, **config), build_session(2.0))


def sign_in(fake: FakeLinkedIn, adapter: LinkedInAdapter) -> str:
    """Follow the authorize URL as the approving member; return the code."""
    start = adapter.authorization(REDIRECT, "st4te")
    answer = requests.get(start.url, allow_redirects=False, timeout=2)
    back = parse_qs(urlparse(answer.headers["Location"]).query)
    assert back["state"] == ["st4te"]
    return back["code"][0]


def test_the_authorize_url_asks_for_posting_and_page_scopes(fake: FakeLinkedIn) -> None:
    start = adapter_for(fake).authorization(REDIRECT, "st4te")
    url = urlparse(start.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{fake.url}/oauth/v2/authorization"
    assert parse_qs(url.query) == {
        "response_type": ["code"],
        "client_id": [fake.client_id],
        "redirect_uri": [REDIRECT],
        "state": ["st4te"],
        "scope": [
            "openid profile w_member_social w_organization_social r_organization_social "
            "rw_organization_admin"
        ],
    }
    assert start.verifier == ""
    own = adapter_for(fake, scopes="openid profile w_member_social").authorization(REDIRECT, "s")
    assert parse_qs(urlparse(own.url).query)["scope"] == ["openid profile w_member_social"]


def test_connect_offers_the_member_and_each_page_they_administer(fake: FakeLinkedIn) -> None:
    ada = fake.add_member("Ada Baker")
    acme = fake.add_organization("Acme Bakery", "acme-bakery", admins=(ada,))
    fake.add_organization("Someone Else's Page", "other")
    adapter = adapter_for(fake)

    person, page = adapter.connect(sign_in(fake, adapter), REDIRECT, "")

    assert (person.name, person.credentials.external_id) == ("Ada Baker", f"urn:li:person:{ada}")
    assert person.picture_url.endswith("/profile.jpg")
    assert person.credentials.handle == ""  # userinfo has no vanity name
    assert (page.name, page.credentials.external_id, page.credentials.handle) == (
        "Acme Bakery",
        acme,
        "acme-bakery",
    )
    assert page.credentials.options == {"member": f"urn:li:person:{ada}"}
    for found in (person, page):
        assert found.network == "linkedin"
        assert set(found.credentials.secrets) == {"access_token"}  # no refresh token granted
        assert found.credentials.expires_at == NOW + timedelta(days=60)
    [acls] = fake.calls("GET", "/rest/organizationAcls")
    assert acls.query == {
        "q": "roleAssignee",
        "role": "ADMINISTRATOR",
        "state": "APPROVED",
        "count": "100",
    }
    assert acls.headers["linkedin-version"] == "202610"


def test_without_the_page_scopes_only_the_member_is_offered(fake: FakeLinkedIn) -> None:
    ada = fake.add_member("Ada Baker")
    fake.add_organization("Acme Bakery", "acme-bakery", admins=(ada,))
    adapter = adapter_for(fake, scopes="openid profile w_member_social")
    [person] = adapter.connect(sign_in(fake, adapter), REDIRECT, "")
    assert person.credentials.external_id == f"urn:li:person:{ada}"
    assert fake.calls("GET", "/rest/organizationAcls") == []


def test_when_linkedin_will_not_list_pages_the_member_still_connects(fake: FakeLinkedIn) -> None:
    fake.add_member("Ada Baker")
    adapter = adapter_for(fake)
    code = sign_in(fake, adapter)
    fake.fail_next(403, wire.forbidden("/organizationAcls"), path="/rest/organizationAcls")
    [person] = adapter.connect(code, REDIRECT, "")
    assert person.name == "Ada Baker"


def test_a_code_linkedin_refuses_is_permanent_and_names_no_secret(fake: FakeLinkedIn) -> None:
    fake.add_member("Ada Baker")
    with pytest.raises(Permanent) as raised:
        adapter_for(fake).connect("not-a-code-at-all", REDIRECT, "")
    assert raised.value.detail.startswith("LinkedIn did not accept the sign-in")
    assert fake.client_secret not in raised.value.detail
    assert "not-a-code-at-all" not in raised.value.detail


def test_granted_refresh_tokens_are_kept_and_used(fake: FakeLinkedIn) -> None:
    fake.grants_refresh_tokens = True
    fake.add_member("Ada Baker")
    adapter = adapter_for(fake)
    [person] = adapter.connect(sign_in(fake, adapter), REDIRECT, "")
    creds = person.credentials
    assert set(creds.secrets) == {"access_token", "refresh_token"}
    ends = datetime.fromisoformat(creds.options["refresh_expires_at"])
    assert timedelta(days=364) < ends - NOW <= timedelta(days=365)

    fresh = adapter.refresh(creds)

    assert fresh.secrets["access_token"] != creds.secrets["access_token"]
    assert fresh.secrets["refresh_token"] == creds.secrets["refresh_token"]
    assert fresh.external_id == creds.external_id
    assert fresh.expires_at == NOW + timedelta(days=60)
    [_, refresh] = fake.calls("POST", "/oauth/v2/accessToken")
    assert refresh.body == {
        "grant_type": "refresh_token",
        "refresh_token": creds.secrets["refresh_token"],
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
    }


def test_without_a_refresh_token_refresh_asks_for_a_reconnect(fake: FakeLinkedIn) -> None:
    creds = Credentials("urn:li:person:abc", secrets={"access_token": "AQVtoken-abcdefgh"})
    with pytest.raises(AuthExpired) as raised:
        adapter_for(fake).refresh(creds)
    assert "reconnect" in raised.value.detail
    assert fake.requests == []


def test_an_expired_or_refused_refresh_token_asks_for_a_reconnect(fake: FakeLinkedIn) -> None:
    ada = fake.add_member("Ada Baker")
    old = fake.issue_refresh_token(ada)
    ended = Credentials(
        "urn:li:person:x",
        secrets={"access_token": "a" * 20, "refresh_token": old},
        options={"refresh_expires_at": (NOW - timedelta(days=1)).isoformat()},
    )
    with pytest.raises(AuthExpired):
        adapter_for(fake).refresh(ended)
    refused = Credentials(
        "urn:li:person:x", secrets={"access_token": "a" * 20, "refresh_token": "AQXnot-known-1234"}
    )
    with pytest.raises(AuthExpired) as raised:
        adapter_for(fake).refresh(refused)
    assert "AQXnot-known-1234" not in raised.value.detail

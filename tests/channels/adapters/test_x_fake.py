"""FakeX itself: held to X's OpenAPI description, and answering as X does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import tweepy

from channels.adapters.session import build_session
from tests.fakes import specs
from tests.fakes.x import API_HOST, SPEC_FILE, USER_ID, FakeX

INVALID = "https://api.x.com/2/problems/invalid-request"


@pytest.fixture
def fake() -> Iterator[FakeX]:
    with FakeX() as fake:
        fake.add_user(USER_ID, "acme", "Acme")
        yield fake


@pytest.fixture
def token(fake: FakeX) -> str:
    return fake.issue_token(USER_ID)


def require_contract(fake: FakeX) -> None:
    if not fake.validating:
        pytest.skip(f"X's OpenAPI description is not in {specs.specs_dir()}; nothing to check")


def call(
    fake: FakeX, method: str, path: str, token: str | None, **kwargs: object
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, fake.url + path, headers=headers, timeout=2, **kwargs)


def test_a_field_x_does_not_know_is_refused_and_recorded(fake: FakeX, token: str) -> None:
    require_contract(fake)
    answer = call(fake, "POST", "/2/tweets", token, json={"text": "Hi", "link": "x"})

    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["type"] == INVALID
    assert "'link' was unexpected" in answer.json()["errors"][0]["message"]
    [violation] = fake.contract_violations
    assert violation.startswith("POST /2/tweets: ")
    assert "Additional properties are not allowed ('link' was unexpected)" in violation
    assert fake.tweets == []


def test_a_malformed_id_sent_through_tweepy_is_caught(fake: FakeX, token: str) -> None:
    require_contract(fake)
    client = tweepy.Client(bearer_token=token)
    client.session = build_session(2)
    client.session.route("https://api.twitter.com", fake.url)
    with pytest.raises(tweepy.BadRequest):
        client.create_tweet(text="Hi", quote_tweet_id="not-a-number", user_auth=False)
    [violation] = fake.contract_violations
    assert "'not-a-number' does not match '^[0-9]{1,19}$'" in violation


def test_a_request_without_a_token_breaks_the_contract_and_gets_401(fake: FakeX) -> None:
    require_contract(fake)
    answer = call(fake, "GET", "/2/users/me", None)
    assert answer.status_code == 401
    assert answer.json() == {
        "title": "Unauthorized",
        "type": "about:blank",
        "status": 401,
        "detail": "Unauthorized",
    }
    assert len(fake.contract_violations) == 1


def test_an_endpoint_x_does_not_have_is_a_violation(fake: FakeX, token: str) -> None:
    require_contract(fake)
    assert call(fake, "POST", "/2/tweets/create", token, json={}).status_code == 404
    assert fake.contract_violations[0].startswith("POST /2/tweets/create: ")


def test_a_segment_index_out_of_range_is_caught(fake: FakeX, token: str) -> None:
    require_contract(fake)
    media_id = call(
        fake,
        "POST",
        "/2/media/upload/initialize",
        token,
        json={"media_type": "image/png", "total_bytes": 3, "media_category": "tweet_image"},
    ).json()["data"]["id"]
    files = {"media": ("media", b"png", "application/octet-stream")}
    path = f"/2/media/upload/{media_id}/append"
    assert call(fake, "POST", path, token, files=files, data={"segment_index": "0"}).ok
    assert fake.contract_violations == []
    answer = call(fake, "POST", path, token, files=files, data={"segment_index": "1000"})
    assert answer.status_code == 400
    assert "1000 is greater than the maximum of 999" in fake.contract_violations[0]


def test_the_response_check_catches_an_answer_x_would_not_give() -> None:
    contract = specs.contract(SPEC_FILE, API_HOST)
    if contract is None:
        pytest.skip(f"X's OpenAPI description is not in {specs.specs_dir()}; nothing to check")
    good = b'{"data": {"id": "1861000000000000001", "text": "Hi"}}'
    bad = b'{"data": {"id": "abc", "text": "Hi"}}'
    assert contract.check_response("POST", "/2/tweets", 201, good, "application/json") == []
    [violation] = contract.check_response("POST", "/2/tweets", 201, bad, "application/json")
    assert "'abc' does not match '^[0-9]{1,19}$'" in violation.message


def test_oauth_endpoints_are_outside_the_description(fake: FakeX) -> None:
    answer = requests.post(f"{fake.url}/2/oauth2/token", data={"grant_type": "x"}, timeout=2)
    assert answer.status_code == 401
    assert answer.json() == {
        "error": "unauthorized_client",
        "error_description": "Missing valid authorization header",
    }
    assert fake.contract_violations == []


def test_every_answer_carries_rate_limit_headers(fake: FakeX, token: str) -> None:
    for answer in (
        call(fake, "GET", "/2/users/me", token),
        call(fake, "GET", "/2/users/me", "unknown-token"),
        requests.post(f"{fake.url}/2/oauth2/token", timeout=2),
    ):
        assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= {
            name.lower() for name in answer.headers
        }
    assert call(fake, "GET", "/2/users/me", token).headers["x-rate-limit-remaining"] == "73"


def test_posting_media_that_is_not_ready_is_refused(fake: FakeX, token: str) -> None:
    media_id = call(
        fake,
        "POST",
        "/2/media/upload/initialize",
        token,
        json={"media_type": "video/mp4", "total_bytes": 3, "media_category": "tweet_video"},
    ).json()["data"]["id"]
    answer = call(fake, "POST", "/2/tweets", token, json={"media": {"media_ids": [media_id]}})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"] == "Your media IDs are invalid."
    assert fake.contract_violations == []


def test_a_token_without_the_scope_is_forbidden(fake: FakeX) -> None:
    reader = fake.issue_token(USER_ID, scopes=("tweet.read", "users.read"))
    answer = call(fake, "POST", "/2/tweets", reader, json={"text": "Hi"})
    assert answer.status_code == 403
    assert answer.json()["detail"] == "You are not permitted to perform this action."


def test_the_authorize_page_refuses_an_unknown_client(fake: FakeX) -> None:
    answer = requests.get(
        f"{fake.url}/i/oauth2/authorize",
        params={"client_id": "someone-else", "response_type": "code"},
        allow_redirects=False,
        timeout=2,
    )
    assert answer.status_code == 400


def test_the_error_rate_is_seeded() -> None:
    def outcomes(seed: int) -> list[int]:
        with FakeX(seed=seed, validate=False) as fake:
            fake.add_user(USER_ID, "acme", "Acme")
            fake.error_rate = 0.3
            headers = {"Authorization": f"Bearer {fake.issue_token(USER_ID)}"}
            with requests.Session() as session:
                return [
                    session.get(f"{fake.url}/2/users/me", headers=headers, timeout=2).status_code
                    for _ in range(40)
                ]

    first = outcomes(7)
    assert first == outcomes(7)
    assert set(first) == {200, 503}
    assert 4 <= first.count(503) <= 20


def test_without_the_specs_folder_the_fake_runs_unchecked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SMO_API_SPECS", str(tmp_path))
    monkeypatch.delenv("SMO_REQUIRE_SPECS", raising=False)  # CI sets it
    specs.load_spec.cache_clear()
    specs.contract.cache_clear()
    try:
        with FakeX() as fake:
            fake.add_user(USER_ID, "acme", "Acme")
            token = fake.issue_token(USER_ID)
            assert fake.validating is False
            assert call(fake, "POST", "/2/tweets", token, json={"text": "Hi", "x": 1}).ok
            assert fake.contract_violations == []
    finally:
        specs.load_spec.cache_clear()
        specs.contract.cache_clear()


def test_where_specs_are_required_a_missing_folder_fails_instead_of_skipping(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SMO_API_SPECS", str(tmp_path))
    monkeypatch.setenv("SMO_REQUIRE_SPECS", "1")
    specs.load_spec.cache_clear()
    specs.contract.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="SMO_REQUIRE_SPECS=1"):
            FakeX()
    finally:
        specs.load_spec.cache_clear()
        specs.contract.cache_clear()

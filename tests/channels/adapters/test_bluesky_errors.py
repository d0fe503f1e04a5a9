"""What the Bluesky adapter makes of the faults a real PDS won't produce on demand,
against the fake PDS (tests/fakes/bluesky.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from channels.adapters.base import (
    AuthExpired,
    Content,
    Progress,
    RateLimited,
    Transient,
    Unknown,
)
from channels.adapters.bluesky_xrpc import jwt_expiry
from tests.fakes.bluesky import FakeBluesky, rate_limited
from tests.fakes.bluesky_contract import ContractCase, contract_case

CREATE = "/xrpc/com.atproto.repo.createRecord"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case


def publish(case: ContractCase, content: Content | None = None, progress: Progress | None = None):  # type: ignore[no-untyped-def]
    return case.adapter.publish(
        case.creds, content or Content("Fresh buns"), "key", progress or Progress()
    )


def test_a_rate_limit_comes_back_at_ratelimit_reset(case: ContractCase) -> None:
    reset = int(case.fake.now()) + 600
    case.fake.fail_next(**_reply(rate_limited(reset)), path=CREATE)
    with pytest.raises(RateLimited) as limited:
        publish(case)
    assert limited.value.retry_at == datetime.fromtimestamp(reset, UTC)
    assert limited.value.network_code == "429:RateLimitExceeded"
    assert limited.value.detail.startswith("Bluesky's rate limit was reached (Rate Limit Exceeded)")


def test_an_expired_access_token_is_refreshed_and_the_post_sent_once(case: ContractCase) -> None:
    case.fake.expire_access_tokens()
    published = publish(case)
    assert [r.path for r in case.fake.requests].count(
        "/xrpc/com.atproto.server.refreshSession"
    ) == 1
    assert len(case.fake.posts(case.did)) == 1
    assert published.external_id == case.fake.posts(case.did)[0]["uri"]


def test_a_refused_refresh_signs_in_again_with_the_app_password(case: ContractCase) -> None:
    case.fake.fail_next(
        400,
        {"error": "ExpiredToken", "message": "Token has expired"},
        path="/xrpc/com.atproto.server.refreshSession",
    )
    fresh = case.adapter.refresh(case.creds)
    assert len(case.fake.calls("POST", "com.atproto.server.createSession")) == 1
    assert case.fake.calls("POST", "com.atproto.server.createSession")[0].body == {
        "identifier": case.did,
        "password": case.creds.secrets["app_password"],
    }
    assert fresh.expires_at == jwt_expiry(fresh.secrets["access_jwt"])
    assert fresh.secrets["app_password"] == case.creds.secrets["app_password"]


def test_a_revoked_app_password_needs_a_reconnect(case: ContractCase) -> None:
    case.fake.revoke_app_password(case.did)
    case.fake.expire_access_tokens()
    with pytest.raises(AuthExpired) as expired:
        publish(case)
    assert expired.value.detail == (
        "Bluesky no longer accepts the app password (it was revoked or changed); "
        "reconnect the account with a new one."
    )
    assert case.fake.posts(case.did) == []


def test_a_token_expired_again_after_the_refresh_is_auth_expired(case: ContractCase) -> None:
    expired = {"error": "ExpiredToken", "message": "Token has expired"}
    case.fake.fail_next(400, expired, path=CREATE)
    case.fake.fail_next(400, expired, path=CREATE)
    with pytest.raises(AuthExpired) as raised:
        publish(case)
    assert type(raised.value) is AuthExpired
    assert case.fake.posts(case.did) == []


def test_a_server_error_on_the_create_looks_the_key_up_and_is_transient(case: ContractCase) -> None:
    case.fake.fail_next(503, path=CREATE)
    progress = Progress()
    with pytest.raises(Transient):
        publish(case, progress=progress)
    rkey = progress.get("rkey.0")
    assert [r.query.get("rkey") for r in case.fake.calls("GET", "com.atproto.repo.getRecord")] == [
        rkey
    ]
    # The retry sends the same key, so nothing can be posted twice.
    published = publish(case, progress=progress)
    assert case.fake.calls("POST", "com.atproto.repo.createRecord")[-1].body["rkey"] == rkey
    assert published.external_id.endswith("/" + rkey)


def test_a_lost_answer_is_unknown_and_the_retry_finds_the_post(case: ContractCase) -> None:
    case.fake.timeout_after_receive(CREATE)
    progress = Progress()
    with pytest.raises(Unknown):
        publish(case, progress=progress)
    assert len(case.fake.posts(case.did)) == 1
    found = case.adapter.find_published(case.creds, Content("Fresh buns"), "key", progress)
    assert found is not None and found.external_id == case.fake.posts(case.did)[0]["uri"]
    assert publish(case, progress=progress) == found
    assert len(case.fake.calls("POST", "com.atproto.repo.createRecord")) == 1


def test_a_thread_resumes_after_its_last_confirmed_part(case: ContractCase) -> None:
    content = Content("one", thread=("two", "three"))
    progress = Progress()
    case.fake.fail_next(503, path=CREATE, skip=1)  # the first part goes, the second fails
    with pytest.raises(Transient):
        publish(case, content, progress)
    assert progress.get("post.0") and not progress.get("post.1")
    published = publish(case, content, progress)
    creates = [
        r.body["record"]["text"] for r in case.fake.calls("POST", "com.atproto.repo.createRecord")
    ]
    assert creates == ["one", "two", "two", "three"]
    assert [p["value"]["text"] for p in case.fake.posts(case.did)] == ["one", "two", "three"]
    assert published.external_id == progress.get("post.0")["uri"]
    assert progress.get("post.2")["uri"] != published.external_id


def test_no_secret_reaches_an_error(case: ContractCase) -> None:
    case.fake.fail_next(
        400,
        {"error": "InvalidRequest", "message": f"bad {case.creds.secrets['access_jwt']}"},
        path=CREATE,
    )
    with pytest.raises(Exception) as raised:
        publish(case)
    assert case.creds.secrets["access_jwt"] not in str(raised.value)


def _reply(reply):  # type: ignore[no-untyped-def]
    return {"status": reply.status, "body": reply.body, "headers": reply.headers}


def test_the_fakes_tokens_are_jwts_with_an_expiry() -> None:
    with FakeBluesky() as fake:
        did = fake.add_account("acme.test")
        session = fake.session(did)
    assert jwt_expiry(session["accessJwt"]) is not None
    assert jwt_expiry("not-a-jwt") is None


def test_a_retry_looks_its_post_up_before_uploading_the_images_again(case: ContractCase) -> None:
    case.fake.timeout_after_receive(CREATE)
    progress = Progress()
    with pytest.raises(Unknown):
        case.adapter.publish(case.creds, case.content_ok, "key", progress)
    published = case.adapter.publish(case.creds, case.content_ok, "key", progress)
    assert len(case.fake.calls("POST", "com.atproto.repo.uploadBlob")) == 1
    assert len(case.fake.calls("POST", "com.atproto.repo.createRecord")) == 1
    [post] = case.fake.posts(case.did)
    assert published.external_id == post["uri"]
    assert (
        post["value"]["text"] == "Cardamom buns are back, warm from 7.\n\nhttps://acme.example/buns"
    )


def test_a_collision_named_by_a_newer_pds_is_also_already_there(case: ContractCase) -> None:
    progress = Progress()
    published = publish(case, progress=progress)
    kept = Progress({"rkey.0": progress.get("rkey.0")})  # the answer was lost
    # The first look-up misses (a lagging replica, say); the create then collides.
    missing = {"error": "RecordNotFound", "message": "Could not locate record"}
    case.fake.fail_next(400, missing, path="/xrpc/com.atproto.repo.getRecord")
    exists = {"error": "RecordAlreadyExists", "message": "Record already exists"}
    case.fake.fail_next(400, exists, path=CREATE)
    assert publish(case, progress=kept) == published
    assert len(case.fake.calls("POST", "com.atproto.repo.createRecord")) == 2
    assert len(case.fake.posts(case.did)) == 1

"""What LinkedIn's error answers become (platforms.md §5), against FakeLinkedIn."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters.base import (
    AuthExpired,
    Content,
    Permanent,
    Progress,
    RateLimited,
    Transient,
    Unknown,
)
from channels.adapters.linkedin import LinkedInAdapter
from channels.adapters.linkedin_http import DuplicatePost
from channels.adapters.session import build_session
from tests.fakes import linkedin_wire as wire
from tests.fakes.linkedin_contract import ContractCase, contract_case

KEY = "delivery-key"
NOW = datetime(2026, 11, 26, 2, 40, tzinfo=UTC)


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(now=lambda: NOW) as case:
        yield case


def publish(
    case: ContractCase, text: str = "Buns at 7", progress: Progress | None = None
) -> object:
    return case.adapter.publish(case.creds, Content(text), KEY, progress or Progress())


def test_the_daily_throttle_waits_until_the_next_utc_midnight(case: ContractCase) -> None:
    case.fake.fail_next(429, wire.THROTTLED)
    with pytest.raises(RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
    assert raised.value.network_code == "429:TOO_MANY_REQUESTS:101"
    assert "2026-11-27 00:00 UTC" in raised.value.detail


def test_any_other_429_is_infra_protection_and_waits_minutes(case: ContractCase) -> None:
    case.fake.fail_next(429, {"status": 429, "message": "Too many requests"})
    with pytest.raises(RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == NOW + timedelta(minutes=5)


def test_an_expired_or_revoked_token_is_auth_expired(case: ContractCase) -> None:
    case.fake.expire_token(case.creds.secrets["access_token"])
    with pytest.raises(AuthExpired) as raised:
        publish(case)
    assert raised.value.detail == (
        "LinkedIn did not accept the account's token: The token used in the request has expired"
    )
    creds = case.person()
    case.fake.revoke_token(creds.secrets["access_token"])
    with pytest.raises(AuthExpired) as raised:
        case.adapter.publish(creds, Content("x"), KEY, Progress())
    assert raised.value.code == "REVOKED_ACCESS_TOKEN:65601"


def test_a_version_linkedin_no_longer_serves_names_linkedin_version(case: ContractCase) -> None:
    stale = LinkedInAdapter(case.fake.adapter_config(version="202301"), build_session(1.0))
    with pytest.raises(Permanent) as raised:
        stale.publish(case.creds, Content("x"), KEY, Progress())
    assert raised.value.status == 426
    assert "LINKEDIN_VERSION" in raised.value.detail
    assert "Requested version 202301 is not active" in raised.value.detail
    unset = LinkedInAdapter(case.fake.adapter_config(version=""), build_session(1.0))
    with pytest.raises(Permanent) as raised:
        unset.publish(case.creds, Content("x"), KEY, Progress())
    assert "LINKEDIN_VERSION" in raised.value.detail


def test_a_duplicate_is_permanent_and_says_so(case: ContractCase) -> None:
    publish(case)
    with pytest.raises(DuplicatePost) as raised:
        publish(case)
    assert raised.value.duplicate is True
    assert raised.value.duplicate_of == case.fake.posts[0]["id"]
    assert len(case.fake.posts) == 1


def test_a_duplicate_after_a_clear_refusal_is_not_taken_for_this_deliverys_post(
    case: ContractCase,
) -> None:
    progress = Progress()
    case.fake.fail_next(403, wire.forbidden(), path="/rest/posts")
    with pytest.raises(Permanent):
        publish(case, progress=progress)
    case.fake.add_post(case.page, "Buns at 7")  # posted by hand meanwhile
    with pytest.raises(DuplicatePost):
        publish(case, progress=progress)
    assert progress.get("post_urn") is None


def test_after_a_lost_answer_the_duplicate_names_the_post_that_was_made(
    case: ContractCase,
) -> None:
    progress = Progress()
    case.fake.timeout_after_receive("/rest/posts")
    with pytest.raises(Unknown):
        publish(case, progress=progress)
    result = publish(case, progress=progress)
    [post] = case.fake.posts
    assert result.external_id == post["id"]  # type: ignore[attr-defined]
    assert progress.get("post_urn") == post["id"]


def test_validation_errors_are_permanent_with_linkedins_message(case: ContractCase) -> None:
    case.fake.fail_next(422, wire.missing_fields(["author"]))
    with pytest.raises(Permanent) as raised:
        publish(case)
    assert raised.value.detail.startswith(
        "LinkedIn refused the post: ERROR :: /author :: field is required"
    )
    assert raised.value.duplicate is False
    case.fake.fail_next(403, wire.forbidden())
    with pytest.raises(Permanent) as raised:
        publish(case)
    assert "Not enough permissions to access" in raised.value.detail


def test_a_server_error_on_the_create_is_unknown_but_elsewhere_transient(
    case: ContractCase,
) -> None:
    case.fake.fail_next(500, path="/rest/posts")
    with pytest.raises(Unknown):
        publish(case)
    case.fake.fail_next(502, {"status": 502, "message": "Bad Gateway"}, path="/rest/images")
    with pytest.raises(Transient):
        case.adapter.publish(case.creds, Content("x", media=(case.image(),)), KEY, Progress())


def test_a_dropped_connection_after_sending_the_create_is_unknown(case: ContractCase) -> None:
    case.fake.drop_after_receive("/rest/posts")
    with pytest.raises(Unknown):
        publish(case)
    assert len(case.fake.posts) == 1


def test_an_unreachable_linkedin_is_transient(case: ContractCase) -> None:
    gone = LinkedInAdapter(
        {"api_url": "http://127.0.0.1:9", "version": "202610"}, build_session(1.0)
    )
    with pytest.raises(Transient):
        gone.publish(case.creds, Content("x"), KEY, Progress())


def test_no_secret_reaches_an_error(case: ContractCase) -> None:
    token = case.creds.secrets["access_token"]
    case.fake.fail_next(
        400, {"status": 400, "message": f"bad token {token} and {case.fake.client_secret}"}
    )
    with pytest.raises(Permanent) as raised:
        publish(case)
    assert token not in raised.value.detail and case.fake.client_secret not in raised.value.detail

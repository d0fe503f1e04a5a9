"""Slack's errors through slack_sdk: rate limits with Retry-After, ok:false codes,
server errors on reads and creates, lost answers, and the lookup by metadata."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters import base
from tests.fakes.slack_contract import READ_ERRORS, ContractCase, contract_case

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(now=lambda: NOW) as case:
        yield case


def publish(case: ContractCase, text: str = "Hello", key: str = "key-1") -> base.Published:
    return case.adapter.publish(case.creds, base.Content(text), key, base.Progress())


def test_a_429_waits_for_retry_after(case: ContractCase) -> None:
    case.fake.fail_next(429, headers={"Retry-After": "42"})

    with pytest.raises(base.RateLimited) as raised:
        publish(case)

    assert raised.value.retry_at == NOW + timedelta(seconds=42)
    assert (raised.value.status, raised.value.code) == (429, "ratelimited")


def test_posting_faster_than_a_message_a_second_is_rate_limited(case: ContractCase) -> None:
    case.fake.per_second = 1
    publish(case, "one")

    with pytest.raises(base.RateLimited) as raised:
        publish(case, "two")

    assert raised.value.retry_at == NOW + timedelta(seconds=1)


def test_a_revoked_token_is_auth_expired(case: ContractCase) -> None:
    case.fake.revoke(case.creds.secrets["access_token"])

    with pytest.raises(base.AuthExpired) as raised:
        publish(case)

    assert raised.value.code == "invalid_auth"
    assert case.creds.secrets["access_token"] not in raised.value.detail


def test_an_archived_channel_is_permanent_with_clear_words(case: ContractCase) -> None:
    case.fake.channels[case.channel]["is_archived"] = True

    with pytest.raises(base.Permanent) as raised:
        publish(case)

    assert raised.value.detail == (
        "The Slack channel is archived; unarchive it or connect another."
    )


def test_a_missing_scope_says_to_reconnect(case: ContractCase) -> None:
    token = case.fake.issue_token(scopes=("channels:read",))
    creds = base.Credentials(
        case.creds.external_id, "#general", {"access_token": token}, options=case.creds.options
    )

    with pytest.raises(base.Permanent) as raised:
        case.adapter.publish(creds, base.Content("Hi"), "k", base.Progress())

    assert raised.value.code == "missing_scope"
    assert "reconnect" in raised.value.detail


@pytest.mark.parametrize(("status", "body", "headers", "expected"), READ_ERRORS)
def test_server_errors_on_the_lookup_are_transient(
    case: ContractCase, status: int, body: object, headers: object, expected: type
) -> None:
    case.fake.fail_next(status, body=body, path="/api/conversations.history")

    with pytest.raises(expected):
        case.adapter.find_published(case.creds, base.Content("Hi"), "k", base.Progress())


def test_a_lost_answer_is_unknown_and_found_by_its_key_not_its_text(case: ContractCase) -> None:
    publish(case, "Same words", key="another-delivery")
    case.fake.timeout_after_receive(path="/api/chat.postMessage")
    with pytest.raises(base.Unknown):
        publish(case, "Same words", key="key-1")
    progress = base.Progress({"started_at": NOW.isoformat()})

    found = case.adapter.find_published(case.creds, base.Content("Same words"), "key-1", progress)

    assert found is not None
    assert found.external_id == case.fake.messages[case.channel][1]["ts"]
    assert progress.get("ts") == found.external_id
    [history] = case.fake.calls("POST", "/api/conversations.history")
    assert history.body["include_all_metadata"] == "1"


def test_a_refused_connection_is_transient(case: ContractCase) -> None:
    case.fake.__exit__()  # the fake's server is gone: nothing can be sent

    with pytest.raises(base.Transient) as raised:
        publish(case)

    assert raised.value.detail.startswith("Could not reach Slack")


def test_a_page_that_is_not_json_leaves_a_post_unknown_and_a_read_transient(
    case: ContractCase,
) -> None:
    page = "<html><body>Bad gateway</body></html>"
    case.fake.fail_next(200, body=page, path="/api/chat.postMessage")
    with pytest.raises(base.Unknown) as raised:
        publish(case)
    assert raised.value.code == "unexpected_body"

    case.fake.fail_next(200, body=page, path="/api/conversations.history")
    with pytest.raises(base.Transient):
        case.adapter.find_published(case.creds, base.Content("Hi"), "k", base.Progress())

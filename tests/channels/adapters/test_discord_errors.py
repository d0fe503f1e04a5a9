"""Discord's error answers mapped to the error taxonomy, with exact words and wait times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters import base
from tests.fakes.discord import RATE_LIMITED, invalid_form
from tests.fakes.discord_contract import ContractCase, contract_case

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(now=lambda: NOW) as case:
        yield case


def publish(case: ContractCase, text: str = "Buns") -> base.Published:
    return case.adapter.publish(case.creds, base.Content(text), "key", base.Progress())


def test_a_429_waits_for_retry_after_in_seconds(case: ContractCase) -> None:
    case.fake.fail_next(429, RATE_LIMITED, {"Retry-After": "3", "X-RateLimit-Reset-After": "2.5"})
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == NOW + timedelta(seconds=3)
    assert raised.value.detail == (
        "Discord's rate limit was reached (You are being rate limited.); "
        "SMO tries again after 14:00:03 UTC."
    )
    assert raised.value.network_code == "429"


def test_a_429_with_only_reset_after_waits_that_long(case: ContractCase) -> None:
    case.fake.fail_next(429, RATE_LIMITED, {"X-RateLimit-Reset-After": "4.25"})
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == NOW + timedelta(seconds=4.25)


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [(1.5, timedelta(seconds=1.5)), (7200000, timedelta(seconds=7200))],
)
def test_a_429_body_alone_is_read_in_seconds_or_as_milliseconds_when_too_long(
    case: ContractCase, retry_after: float, wait: timedelta
) -> None:
    case.fake.fail_next(429, {**RATE_LIMITED, "retry_after": retry_after}, {})
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == NOW + wait


def test_a_429_with_nothing_but_the_reset_time_waits_until_then(case: ContractCase) -> None:
    reset = (NOW + timedelta(seconds=9)).timestamp()
    case.fake.fail_next(
        429, {"message": "You are being rate limited."}, {"X-RateLimit-Reset": str(reset)}
    )
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == NOW + timedelta(seconds=9)


def test_the_fakes_own_bucket_answers_429_after_five_posts(case: ContractCase) -> None:
    case.fake.bucket = (5, 60.0)  # a window no slow machine outlasts
    for n in range(4):  # the connect GET counted as the first
        publish(case, f"post {n}")
    with pytest.raises(base.RateLimited) as raised:
        publish(case, "one too many")
    assert NOW < raised.value.retry_at <= NOW + timedelta(seconds=60)


def test_a_deleted_webhook_needs_the_channel_connected_again(case: ContractCase) -> None:
    case.fake.delete_webhook(case.hook)
    with pytest.raises(base.AuthExpired) as raised:
        publish(case)
    assert raised.value.detail == (
        "Discord no longer knows this webhook (Unknown Webhook): it was deleted or its URL "
        "was reset. Connect the channel again with a new webhook URL."
    )
    assert raised.value.network_code == "404:10015"


def test_a_reset_token_needs_the_channel_connected_again(case: ContractCase) -> None:
    case.hook.token = "reset" * 14
    with pytest.raises(base.AuthExpired) as raised:
        publish(case)
    assert raised.value.network_code == "401:50027"


def test_an_invalid_form_names_the_field(case: ContractCase) -> None:
    case.fake.fail_next(
        400,
        invalid_form(["embeds", "0", "title"], "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer."),
    )
    with pytest.raises(base.Permanent) as raised:
        publish(case)
    assert (
        raised.value.detail == "Discord refused the message: embeds.0.title: Must be 256 or fewer."
    )
    assert raised.value.network_code == "400:50035"


def test_text_over_2000_is_refused_by_discord_with_the_field(case: ContractCase) -> None:
    with pytest.raises(base.Permanent) as raised:
        publish(case, "a" * 2001)
    assert (
        raised.value.detail
        == "Discord refused the message: content: Must be 2000 or fewer in length."
    )


def test_an_empty_message_is_permanent(case: ContractCase) -> None:
    with pytest.raises(base.Permanent) as raised:
        publish(case, "")
    assert raised.value.detail == "Discord refused the message: Cannot send an empty message"
    assert raised.value.network_code == "400:50006"


def test_files_over_the_cap_are_refused_as_too_large(case: ContractCase) -> None:
    case.fake.file_cap = 1000
    with pytest.raises(base.Permanent) as raised:
        case.adapter.publish(
            case.creds, base.Content("Big", media=(case.image(),)), "key", base.Progress()
        )
    assert raised.value.detail == "Discord refused the message: the files are too large together."
    assert case.fake.messages == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_on_the_post_is_unknown_since_discord_has_no_idempotency_key(
    case: ContractCase, status: int
) -> None:
    case.fake.fail_next(status)
    with pytest.raises(base.Unknown) as raised:
        publish(case)
    assert raised.value.detail == (
        f"Discord answered {status} while posting the message; it may be in the channel, "
        "so check it before posting again."
    )


def test_a_server_error_while_checking_a_webhook_is_transient(case: ContractCase) -> None:
    case.fake.fail_next(503)
    with pytest.raises(base.Transient) as raised:
        case.adapter.connect_webhook(case.hook.url)
    assert raised.value.detail == (
        "Discord had a temporary problem with the webhook (503): 500: Internal Server Error"
    )


def test_no_error_shows_the_webhook_token(case: ContractCase) -> None:
    token = case.hook.token
    case.fake.fail_next(400, {"message": f"bad url {case.hook.url}", "code": 0})
    with pytest.raises(base.Permanent) as raised:
        publish(case)
    assert token not in raised.value.detail
    assert "[hidden]" in raised.value.detail

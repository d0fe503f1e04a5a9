"""What each Mastodon failure becomes (platforms.md §10): the class the engine acts on,
the instance's own message, and when to come back after a rate limit."""

from __future__ import annotations

import socket
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
from channels.adapters.mastodon import MastodonAdapter
from channels.adapters.session import build_session
from tests.fakes.mastodon_contract import ContractCase, contract_case


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case


def test_a_validation_error_is_permanent_with_the_instances_message(case: ContractCase) -> None:
    case.fake.fail_next(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
    with pytest.raises(Permanent) as raised:
        case.publish(Content("Too long, says the instance"))
    assert raised.value.detail == (
        "The Mastodon instance refused the post: "
        "Validation failed: Text character limit of 500 exceeded"
    )
    assert raised.value.network_code == "422"


def test_an_invalid_token_needs_a_reconnect(case: ContractCase) -> None:
    case.fake.tokens.clear()
    with pytest.raises(AuthExpired) as raised:
        case.publish(Content("Hello"))
    assert "The access token is invalid" in raised.value.detail


def test_a_rate_limit_comes_back_at_the_instances_reset(case: ContractCase) -> None:
    reset = datetime.now(UTC) + timedelta(minutes=3)
    header = reset.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    case.fake.fail_next(429, headers={"X-RateLimit-Reset": header})
    with pytest.raises(RateLimited) as raised:
        case.publish(Content("Hello"))
    assert abs(raised.value.retry_at - reset) < timedelta(seconds=2)


def test_the_fakes_own_limit_answers_429_with_its_reset(case: ContractCase) -> None:
    case.fake.rate_limit = 1
    case.publish(Content("One"), key="a")
    with pytest.raises(RateLimited) as raised:
        case.publish(Content("Two"), key="b")
    wait = raised.value.retry_at - datetime.now(UTC)
    assert timedelta(minutes=4) < wait <= timedelta(minutes=5)


def test_a_rate_limit_without_a_reset_waits_five_minutes(case: ContractCase) -> None:
    case.fake.fail_next(429)
    with pytest.raises(RateLimited) as raised:
        case.publish(Content("Hello"))
    wait = raised.value.retry_at - datetime.now(UTC)
    assert timedelta(minutes=4, seconds=58) < wait <= timedelta(minutes=5)


def test_a_reply_to_a_deleted_status_is_permanent(case: ContractCase) -> None:
    progress = Progress(
        {"status_ids": ["1"], "url": "https://x", "published_at": "2026-11-26T02:00:00+00:00"}
    )
    with pytest.raises(Permanent) as raised:
        case.publish(Content("1/2", thread=("2/2",)), progress=progress)
    assert raised.value.status == 404


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient_since_the_key_makes_a_retry_safe(
    case: ContractCase, status: int
) -> None:
    case.fake.fail_next(status)
    with pytest.raises(Transient):
        case.publish(Content("Hello"))


def test_a_gateway_timeout_on_the_post_is_unknown(case: ContractCase) -> None:
    case.fake.fail_next(504, path="/api/v1/statuses")
    with pytest.raises(Unknown):
        case.publish(Content("Hello"))


def test_a_gateway_timeout_on_an_upload_is_transient(case: ContractCase) -> None:
    case.fake.fail_next(504, path="/api/v2/media")
    with pytest.raises(Transient):
        case.publish(Content("Photo", media=(case.image(),)))


def test_a_lost_answer_to_the_post_is_unknown(case: ContractCase) -> None:
    case.fake.timeout_after_receive("/api/v1/statuses")
    with pytest.raises(Unknown) as raised:
        case.publish(Content("Hello"))
    assert raised.value.code == "ReadTimeout"
    assert len(case.fake.posted()) == 1  # it was made: the reconciler will find it


def test_an_instance_that_is_down_is_transient_nothing_was_sent() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with contract_case() as case:
        options = {**case.creds.options, "server": f"http://127.0.0.1:{port}"}
        creds = type(case.creds)(
            case.creds.external_id, secrets=case.creds.secrets, options=options
        )
        with pytest.raises(Transient) as raised:
            case.adapter.publish(creds, Content("Hello"), "k", Progress())
    assert raised.value.code == "ConnectionError"


def test_media_that_fails_processing_is_permanent(case: ContractCase) -> None:
    case.fake.processing_fails = True
    with pytest.raises(Permanent) as raised:
        case.publish(Content("A clip", media=(case.video(),)))
    assert raised.value.detail == (
        "The Mastodon instance could not process a media file: The Mastodon instance "
        "refused the media's processing: Error processing thumbnail for uploaded media"
    )
    assert case.fake.posted() == []


def test_a_media_file_gone_from_disk_is_permanent(case: ContractCase) -> None:
    photo = case.image()
    (case.folder / "buns.jpg").unlink()
    with pytest.raises(Permanent) as raised:
        case.publish(Content("Photo", media=(photo,)))
    assert raised.value.detail == "Could not read the media file (FileNotFoundError)."


def test_a_poll_with_media_is_refused_before_anything_is_sent(case: ContractCase) -> None:
    content = Content("Which?", media=(case.image(),), options={"poll": "A\nB"})
    with pytest.raises(Permanent):
        case.publish(content)
    assert case.fake.requests == []


def test_an_account_without_a_token_needs_a_reconnect() -> None:
    adapter = MastodonAdapter({}, build_session(1.0))
    from channels.adapters.base import Credentials

    with pytest.raises(AuthExpired):
        adapter.publish(Credentials("1@x"), Content("Hello"), "k", Progress())

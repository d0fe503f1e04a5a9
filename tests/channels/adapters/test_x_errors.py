"""How X's failures map to the error taxonomy (platforms.md §1, STYLE.md §3)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from channels.adapters import base
from channels.adapters.session import build_session
from channels.adapters.x import XAdapter
from tests.fakes.x import (
    DUPLICATE,
    USAGE_CAPPED,
    USER_ID,
    ContractCase,
    closed_port_url,
    contract_case,
    invalid,
    problem,
)

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
CONTENT = base.Content("Error handling check")


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(timeout=0.5, now=lambda: NOW) as case:
        yield case
    assert case.fake.contract_violations == []


def publish(case: ContractCase, content: base.Content = CONTENT) -> base.Published:
    return case.adapter.publish(case.creds, content, "key-1", base.Progress())


def secrets_of(case: ContractCase) -> list[str]:
    return list(case.creds.secrets.values())


def test_each_documented_error_maps_to_its_class_and_posts_nothing() -> None:
    with contract_case(now=lambda: NOW) as case:
        for status, body, headers, error in case.errors:
            case.fake.fail_next(status, body, headers)
            with pytest.raises(error) as raised:
                case.adapter.publish(case.creds, case.content_ok, "k", base.Progress())
            assert raised.value.status == status
            for secret in secrets_of(case):
                assert secret not in str(raised.value)
                assert secret not in repr(raised.value.__dict__)
        assert case.fake.tweets == []
        assert case.sleeps == []
        case.adapter.publish(case.creds, case.content_ok, "k", base.Progress())
        assert case.fake.contract_violations == []


def test_a_rate_limit_waits_for_x_s_reset(case: ContractCase) -> None:
    reset = NOW + timedelta(minutes=7)
    case.fake.fail_next(429, headers={"x-rate-limit-reset": str(int(reset.timestamp()))})
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == reset
    assert raised.value.detail == "X's rate limit was reached: Too Many Requests"


def test_a_rate_limit_without_a_reset_waits_a_whole_window(case: ContractCase) -> None:
    case.fake.fail_next(429, headers={"x-rate-limit-reset": None})
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == NOW + timedelta(minutes=15)


def test_a_spent_24_hour_limit_waits_for_its_own_later_reset(case: ContractCase) -> None:
    window = int((NOW + timedelta(minutes=5)).timestamp())
    day = int((NOW + timedelta(hours=9)).timestamp())
    headers = {
        "x-rate-limit-reset": str(window),
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": str(day),
    }
    case.fake.fail_next(429, headers=headers)
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == datetime.fromtimestamp(day, UTC)


def test_the_fake_enforces_100_posts_per_window_with_its_reset(case: ContractCase) -> None:
    case.fake.posts_per_window = 2
    publish(case, base.Content("one"))
    publish(case, base.Content("two"))
    with pytest.raises(base.RateLimited) as raised:
        publish(case, base.Content("three"))
    [*_, refused] = case.fake.calls("POST", "/2/tweets")
    assert len(case.fake.tweets) == 2
    window_start = raised.value.retry_at - timedelta(minutes=15)
    assert abs(window_start - datetime.now(UTC)) < timedelta(seconds=5)
    assert refused.body == {"text": "three"}


def test_the_usage_cap_is_permanent_with_a_clear_reason(case: ContractCase) -> None:
    case.fake.fail_next(429, USAGE_CAPPED)
    with pytest.raises(base.Permanent) as raised:
        publish(case)
    assert raised.value.detail == (
        "This X app has used up its usage cap (monthly); raise the plan or wait for the cap "
        "to reset, then schedule the post again."
    )
    assert raised.value.network_code == "429:usage-capped"
    assert not raised.value.duplicate


def test_a_real_duplicate_is_marked_so_the_engine_can_reconcile(case: ContractCase) -> None:
    publish(case, base.Content("Same words"))
    with pytest.raises(base.Permanent) as raised:
        publish(case, base.Content("Same words"))
    assert raised.value.duplicate
    assert raised.value.detail == f"X refused a duplicate post: {DUPLICATE}"
    assert raised.value.network_code == "403:duplicate"


def test_other_refusals_carry_x_s_own_words(case: ContractCase) -> None:
    case.fake.fail_next(400, invalid("The `text` field is invalid.", "text").body)
    with pytest.raises(base.Permanent) as raised:
        publish(case)
    assert raised.value.detail == "X refused the post: The `text` field is invalid."
    assert not raised.value.duplicate
    case.fake.fail_next(403, problem(403, "You are not permitted to perform this action.").body)
    with pytest.raises(base.Permanent, match="X refused the post: You are not permitted"):
        publish(case)


def test_text_x_finds_too_long_is_refused_permanently(case: ContractCase) -> None:
    with pytest.raises(base.Permanent, match="Your Tweet text is too long") as raised:
        publish(case, base.Content("漢" * 141))
    assert raised.value.status == 403


def test_a_dead_token_means_auth_expired(case: ContractCase) -> None:
    secrets = {"access_token": "revoked-token", "refresh_token": "refresh-token"}
    creds = base.Credentials(USER_ID, "acme", secrets)
    with pytest.raises(base.AuthExpired) as raised:
        case.adapter.publish(creds, CONTENT, "k", base.Progress())
    assert raised.value.detail == "X did not accept the account's token: Unauthorized"
    with pytest.raises(base.AuthExpired, match="no access token"):
        case.adapter.publish(base.Credentials(USER_ID), CONTENT, "k", base.Progress())


def test_a_token_in_x_s_answer_is_hidden(case: ContractCase) -> None:
    token = case.creds.secrets["access_token"]
    case.fake.fail_next(400, invalid(f"Token {token} is not allowed here.").body)
    with pytest.raises(base.Permanent) as raised:
        publish(case)
    assert raised.value.detail == "X refused the post: Token [hidden] is not allowed here."


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_on_create_may_have_posted(case: ContractCase, status: int) -> None:
    case.fake.fail_next(status, path="/2/tweets")
    with pytest.raises(base.Unknown, match=f"X answered {status} while creating the post"):
        publish(case)


def test_a_server_error_on_upload_is_transient(case: ContractCase, tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(b"png")
    content = base.Content("Pic", media=(base.MediaItem(str(image), "image/png", "image", 3),))
    case.fake.fail_next(503, path="/2/media/upload/initialize")
    with pytest.raises(base.Transient, match="temporary problem with the media upload"):
        publish(case, content)
    assert case.fake.calls("POST", "/2/tweets") == []


def test_a_lost_answer_after_sending_is_unknown_and_the_lookup_finds_the_post(
    case: ContractCase,
) -> None:
    case.fake.timeout_after_receive("/2/tweets")
    progress = base.Progress()
    with pytest.raises(base.Unknown, match="X did not answer after the post was sent"):
        case.adapter.publish(case.creds, CONTENT, "key-1", progress)
    [tweet] = case.fake.tweets  # it was posted
    assert progress.as_dict() == {}

    found = case.adapter.find_published(case.creds, CONTENT, "key-1", progress)

    assert found is not None
    assert found.external_id == tweet["id"]
    assert found.url == f"https://x.com/acme/status/{tweet['id']}"
    assert found.published_at == datetime.fromisoformat(tweet["created_at"])
    assert progress.get("post_ids") == [tweet["id"]]
    # Publishing again with that progress only returns what is there.
    again = case.adapter.publish(case.creds, CONTENT, "key-1", progress)
    assert again.external_id == tweet["id"]
    assert len(case.fake.tweets) == 1


def test_a_connection_reset_after_sending_is_unknown(case: ContractCase) -> None:
    case.fake.drop_after_receive("/2/tweets")
    with pytest.raises(base.Unknown):
        publish(case)
    assert len(case.fake.tweets) == 1


def test_a_reset_or_timeout_on_an_upload_is_transient(case: ContractCase, tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(b"png")
    content = base.Content("Pic", media=(base.MediaItem(str(image), "image/png", "image", 3),))
    case.fake.drop_after_receive("/2/media/upload/initialize")
    with pytest.raises(base.Transient, match="X did not answer"):
        publish(case, content)
    case.fake.timeout_after_receive("/2/media/upload/initialize")
    with pytest.raises(base.Transient, match="ReadTimeout"):
        publish(case, content)


def test_a_refused_connection_is_transient_because_nothing_was_sent() -> None:
    config = {"client_id": "i", "client_secret": "s", "api_url": closed_port_url()}
    adapter = XAdapter(config, build_session(0.5))
    creds = base.Credentials(USER_ID, "acme", {"access_token": "t"})
    with pytest.raises(base.Transient, match="Could not reach X"):
        adapter.publish(creds, CONTENT, "k", base.Progress())
    with pytest.raises(base.Transient, match="Could not reach X"):
        adapter.find_published(creds, CONTENT, "k", base.Progress())


def test_a_server_error_on_lookup_is_transient(case: ContractCase) -> None:
    case.fake.fail_next(503, path=f"/2/users/{USER_ID}/tweets")
    with pytest.raises(base.Transient):
        case.adapter.find_published(case.creds, CONTENT, "k", base.Progress())


def test_nothing_waits_on_its_own(case: ContractCase) -> None:
    case.fake.fail_next(429, headers={"x-rate-limit-reset": str(int(NOW.timestamp()) + 60)})
    with pytest.raises(base.RateLimited):
        publish(case)
    assert case.sleeps == []
    assert len(case.fake.calls("POST", "/2/tweets")) == 1  # tweepy did not retry

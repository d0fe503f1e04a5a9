"""How Pinterest's answers map to the error classes: each status, rate-limit waits,
lost answers, and no secret in any error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters import base
from channels.adapters.pinterest import PinterestAdapter
from channels.adapters.session import build_session
from tests.fakes.pinterest_contract import ContractCase, contract_case
from tests.fakes.pinterest_errors import NOT_ENOUGH_SCOPE, RATE_LIMITED
from tests.fakes.x import closed_port_url

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(now=lambda: NOW) as case:
        yield case
    assert case.fake.contract_violations == []


def publish(case: ContractCase, content: base.Content | None = None) -> base.Published:
    return case.adapter.publish(case.creds, content or case.content_ok, "key", base.Progress())


@pytest.mark.parametrize(
    ("status", "body", "error", "detail", "network_code"),
    [
        (
            401,
            None,
            base.AuthExpired,
            "Pinterest did not accept the account's token: Authentication failed.",
            "401:2",
        ),
        (
            400,
            {"code": 1, "message": "Invalid parameters."},
            base.Permanent,
            "Pinterest refused the Pin: Invalid parameters.",
            "400:1",
        ),
        (
            403,
            {"code": 3, "message": NOT_ENOUGH_SCOPE},
            base.Permanent,
            f"Pinterest refused the Pin: {NOT_ENOUGH_SCOPE}",
            "403:3",
        ),
        (
            404,
            {"code": 40, "message": "Board not found."},
            base.Permanent,
            "Pinterest refused the Pin: Board not found.",
            "404:40",
        ),
        (
            500,
            None,
            base.Unknown,
            "Pinterest answered 500 while creating the Pin; it may exist, "
            "so SMO checks before trying again.",
            "500:500",
        ),
        (
            502,
            "<html>Bad gateway</html>",
            base.Unknown,
            "Pinterest answered 502 while creating the Pin; it may exist, "
            "so SMO checks before trying again.",
            "502",
        ),
    ],
)
def test_each_answer_to_the_pin_maps_to_its_class_with_pinterests_reason(
    case: ContractCase,
    status: int,
    body: object,
    error: type[base.AdapterError],
    detail: str,
    network_code: str,
) -> None:
    kind = "text/html" if isinstance(body, str) else "application/json"
    case.fake.fail_next(status, body, path="/v5/pins", content_type=kind)
    with pytest.raises(base.AdapterError) as raised:
        publish(case)
    assert type(raised.value) is error
    assert (raised.value.detail, raised.value.network_code) == (detail, network_code)


def test_a_rate_limit_without_retry_after_waits_for_the_next_minute(case: ContractCase) -> None:
    case.fake.fail_next(429, path="/v5/pins")
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == NOW + timedelta(minutes=1)
    assert raised.value.detail == (
        f"Pinterest's rate limit was reached ({RATE_LIMITED}); SMO tries again after 14:01:00 UTC."
    )
    assert raised.value.network_code == "429:8"


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [("120", timedelta(minutes=2)), ("Wed, 25 Nov 2026 14:30:00 GMT", timedelta(minutes=30))],
)
def test_a_rate_limit_waits_as_long_as_retry_after_says(
    case: ContractCase, retry_after: str, wait: timedelta
) -> None:
    case.fake.fail_next(429, headers={"Retry-After": retry_after}, path="/v5/pins")
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == NOW + wait


def test_the_per_minute_limit_on_writes_gives_a_wait_and_nothing_is_pinned_twice(
    case: ContractCase,
) -> None:
    case.fake.limits["org_write"] = 1
    publish(case)
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at == NOW + timedelta(minutes=1)
    assert len(case.fake.pins) == 1
    case.fake.advance(60)  # the fake's window resets with its minute
    publish(case)
    assert len(case.fake.pins) == 2


def test_an_expired_token_is_auth_expired(case: ContractCase) -> None:
    case.fake.expire_token(case.creds.secrets["access_token"])
    with pytest.raises(base.AuthExpired):
        publish(case)
    assert case.fake.pins == []


def test_a_token_without_pins_write_is_refused_with_pinterests_words(case: ContractCase) -> None:
    reader = case.fake.issue_token(case.user, scopes=("boards:read", "pins:read"))
    creds = base.Credentials(case.user, "acmebakery", {"access_token": reader})
    with pytest.raises(base.Permanent) as raised:
        case.adapter.publish(creds, case.content_ok, "key", base.Progress())
    assert raised.value.detail == f"Pinterest refused the Pin: {NOT_ENOUGH_SCOPE}"


def test_a_board_of_another_account_is_refused(case: ContractCase) -> None:
    other = case.fake.add_board(case.fake.add_user("someone"), "Theirs")
    content = base.Content("Buns", media=case.content_ok.media, options={"board": other})
    with pytest.raises(base.Permanent) as raised:
        publish(case, content)
    assert (
        raised.value.detail == "Pinterest refused the Pin: Not authorized to access board or Pin."
    )


def test_a_lost_answer_to_the_pin_is_unknown(case: ContractCase) -> None:
    case.fake.timeout_after_receive("/v5/pins")
    with pytest.raises(base.Unknown) as raised:
        publish(case)
    assert raised.value.detail == (
        "Pinterest did not answer after the Pin was sent (ReadTimeout); it may exist."
    )
    assert len(case.fake.pins) == 1  # it was made


def test_a_connection_dropped_after_the_pin_was_sent_is_unknown(case: ContractCase) -> None:
    case.fake.drop_after_receive("/v5/pins")
    with pytest.raises(base.Unknown):
        publish(case)


def test_pinterest_out_of_reach_is_transient_and_nothing_was_sent() -> None:
    adapter = PinterestAdapter(
        {"app_id": "1", "app_secret": "s", "api_url": closed_port_url()}, build_session(1.0)
    )
    with contract_case() as case:
        with pytest.raises(base.Transient) as raised:
            adapter.publish(case.creds, case.content_ok, "key", base.Progress())
    assert raised.value.detail == "Could not reach Pinterest (ConnectionError); nothing was sent."


def test_a_server_error_before_the_pin_is_transient(case: ContractCase) -> None:
    content = base.Content("Buns", media=(case.video(),), options={"board": case.board})
    case.fake.fail_next(503, path="/v5/media")  # registering the video makes nothing public
    with pytest.raises(base.Transient) as raised:
        publish(case, content)
    assert raised.value.detail == (
        "Pinterest had a temporary problem with the video upload (503): Service unavailable."
    )
    assert (case.fake.media, case.fake.pins) == ({}, [])


def test_no_secret_reaches_an_error_even_when_pinterest_echoes_one(case: ContractCase) -> None:
    token = case.creds.secrets["access_token"]
    body = {"code": 1, "message": f"Invalid token {token} for app {case.fake.app_secret}"}
    case.fake.fail_next(400, body, path="/v5/pins")
    with pytest.raises(base.Permanent) as raised:
        publish(case)
    assert (
        raised.value.detail == "Pinterest refused the Pin: Invalid token [hidden] for app [hidden]"
    )
    for secret in [*case.creds.secrets.values(), case.fake.app_secret]:
        assert secret not in str(raised.value)
        assert secret not in repr(case.adapter)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"board_id": "1"}, "Pinterest answered without the Pin's id; it may exist."),
        (
            "<html>OK</html>",
            "Pinterest answered the Pin with something that is not JSON. The Pin may exist.",
        ),
    ],
)
def test_an_accepted_pin_without_an_id_is_unknown(
    case: ContractCase, body: object, detail: str
) -> None:
    kind = "text/html" if isinstance(body, str) else "application/json"
    case.fake.fail_next(201, body, path="/v5/pins", content_type=kind)
    with pytest.raises(base.Unknown) as raised:
        publish(case)
    assert raised.value.detail == detail

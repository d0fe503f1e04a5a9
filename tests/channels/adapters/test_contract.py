"""The same checks against every registered network adapter and its fake (STYLE.md §6):
publish returns an id and a URL, validate catches over-limit text, each documented
error maps to its class, a lost answer is Unknown, nothing sleeps for real, and no
secret appears in an error."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import requests

from channels.adapters import base, registry
from tests.fakes import (
    bluesky_contract,
    discord_contract,
    gbp_contract,
    graph_contract,
    linkedin_contract,
    mastodon_contract,
    pinterest_contract,
    reddit_contract,
    slack_contract,
    telegram_contract,
    threads_contract,
    tiktok_contract,
    x,
    youtube_contract,
)

CASES: dict[str, Callable[..., AbstractContextManager[Any]]] = {
    "x": x.contract_case,
    "facebook": graph_contract.facebook_contract_case,
    "instagram": graph_contract.instagram_contract_case,
    "youtube": youtube_contract.contract_case,
    "tiktok": tiktok_contract.contract_case,
    "pinterest": pinterest_contract.contract_case,
    "threads": threads_contract.contract_case,
    "linkedin": linkedin_contract.contract_case,
    "mastodon": mastodon_contract.contract_case,
    "bluesky": bluesky_contract.contract_case,
    "gbp": gbp_contract.contract_case,
    "telegram": telegram_contract.contract_case,
    "discord": discord_contract.contract_case,
    "reddit": reddit_contract.contract_case,
    "slack": slack_contract.contract_case,
}
# The call that makes each post public, where a lost answer leaves us not knowing.
CREATE_PATHS = {"x": "/2/tweets"}
# Networks with no idempotency key and no way to read the account's posts back:
# the reconciler hands their lost answers to a person (engine.resolve_unknown).
CANNOT_TELL = {"telegram", "discord"}


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def no_sleeping(seconds: float) -> None:
        raise AssertionError(f"an adapter slept {seconds} s for real")

    monkeypatch.setattr(time, "sleep", no_sleeping)
    with CASES[request.param]() as case:
        case.network = request.param
        yield case


def publish(case: Any, content: base.Content | None = None) -> base.Published:
    return case.adapter.publish(
        case.creds, content or case.content_ok, "contract-key", base.Progress()
    )


def secrets_of(case: Any) -> list[str]:
    return [v for v in case.creds.secrets.values() if v] + list(getattr(case, "secrets", []))


# Networks SMO never publishes to (Adapter.can_publish False): their deliveries
# become reminders to a person (scheduler/reminders.py), so there is no publish
# contract to keep, only what they refuse.
REMINDER_ONLY = sorted(n for n in registry.networks() if not registry.adapter_class(n).can_publish)


def test_every_network_but_the_sandbox_has_a_contract_case() -> None:
    assert REMINDER_ONLY == ["snapchat"]
    assert set(registry.networks()) - {"sandbox"} - set(REMINDER_ONLY) == set(CASES)


@pytest.mark.parametrize("network", REMINDER_ONLY)
def test_a_network_posted_by_hand_still_validates_what_it_would_refuse(network: str) -> None:
    cls = registry.adapter_class(network)
    adapter = cls({}, requests.Session())
    photo = base.MediaItem("/nowhere.jpg", "image/jpeg", "image", 200_000, 1080, 1920)
    good = base.Content("Fresh buns at 7", media=(photo,))
    assert cls.connects_by == "manual"
    assert adapter.validate(good) == []
    long = dataclasses.replace(good, text="a" * (cls.limits.max_text + 1))
    assert [(p.field, p.code) for p in adapter.validate(long)] == [("text", "too_long")]
    with pytest.raises(base.Permanent):
        adapter.publish(base.Credentials("profile"), good, "contract-key", base.Progress())


def test_publish_returns_an_id_a_url_and_a_time(case: Any) -> None:
    result = publish(case)
    assert result.external_id
    assert result.url.startswith("https://")
    assert result.published_at.tzinfo is not None


def test_validate_refuses_text_over_the_limit_and_takes_the_good_content(case: Any) -> None:
    limits = case.adapter.limits
    assert case.adapter.validate(case.content_ok) == []
    long = dataclasses.replace(case.content_ok, text="a" * (limits.max_text + 1))
    problems = case.adapter.validate(long)
    assert [(p.field, p.code) for p in problems if p.field == "text"] == [("text", "too_long")]


def test_each_documented_error_maps_to_its_class(case: Any) -> None:
    for status, body, headers, expected in case.errors:
        case.fake.fail_next(status, body=body, headers=headers)
        with pytest.raises(base.AdapterError) as raised:
            publish(case)
        assert type(raised.value) is expected, (status, body, raised.value.detail)
        assert raised.value.detail
        for secret in secrets_of(case):
            assert secret not in raised.value.detail
            assert secret not in str(raised.value)
            assert secret not in raised.value.network_code


def test_a_rate_limit_says_when_to_come_back(case: Any) -> None:
    [(status, body, headers, _)] = [e for e in case.errors if e[3] is base.RateLimited][:1]
    case.fake.fail_next(status, body=body, headers=headers)
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.retry_at.tzinfo is not None


def test_a_lost_answer_to_the_create_is_unknown_and_the_reconciler_finds_the_post(
    case: Any,
) -> None:
    path = getattr(case, "publish_path", "") or CREATE_PATHS[case.network]
    case.fake.timeout_after_receive(path=path)
    with pytest.raises(base.Unknown):
        publish(case)
    if case.network in CANNOT_TELL:
        # A network that cannot list its posts (Telegram's bots, Discord's webhooks)
        # says so, and the engine hands the delivery to a person without asking it.
        assert not case.adapter.supports_lookup
        with pytest.raises(base.CannotTell):
            case.adapter.find_published(
                case.creds, case.content_ok, "contract-key", base.Progress()
            )
        return
    assert case.adapter.supports_lookup
    found = case.adapter.find_published(
        case.creds, case.content_ok, "contract-key", base.Progress()
    )
    assert found is not None and found.external_id


def test_the_reconciler_says_not_there_when_nothing_was_posted(case: Any) -> None:
    if case.network in CANNOT_TELL:
        # It cannot say "not there" either, so it never lets a post go out twice.
        with pytest.raises(base.CannotTell):
            case.adapter.find_published(
                case.creds, case.content_ok, "contract-key", base.Progress()
            )
        return
    assert (
        case.adapter.find_published(case.creds, case.content_ok, "contract-key", base.Progress())
        is None
    )


def test_credentials_and_adapters_never_show_their_secrets(case: Any) -> None:
    for secret in secrets_of(case):
        assert secret not in repr(case.creds)
        assert secret not in repr(case.adapter)

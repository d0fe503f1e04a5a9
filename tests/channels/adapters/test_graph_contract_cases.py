"""The contract cases tests/fakes/graph_contract.py hands to the shared contract suite work as
that suite will use them (STYLE.md §6): publish, errors, lost answers, no sleeping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest

from channels.adapters import base
from tests.fakes.graph_contract import ContractCase, facebook_contract_case, instagram_contract_case

CASES: dict[str, Callable[[], AbstractContextManager[ContractCase]]] = {
    "facebook": facebook_contract_case,
    "instagram": instagram_contract_case,
}


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Iterator[ContractCase]:
    with CASES[request.param]() as case:
        yield case
        assert case.fake.crashes == []


def test_content_ok_is_valid_and_publishes(case: ContractCase) -> None:
    assert case.adapter.validate(case.content_ok) == []
    result = case.adapter.publish(case.creds, case.content_ok, "key-1", base.Progress())
    assert result.external_id and result.url.startswith("https://www.")
    assert case.sleeps == []


def test_every_error_maps_to_its_class_without_secrets(case: ContractCase) -> None:
    classes = set()
    for status, body, headers, expected in case.errors:
        case.fake.fail_next(status, body, headers)
        with pytest.raises(base.AdapterError) as raised:
            case.adapter.publish(case.creds, case.content_ok, "key-1", base.Progress())
        assert type(raised.value) is expected, (status, body)
        for secret in case.secrets:
            assert secret not in str(raised.value) and secret not in repr(raised.value.__dict__)
        classes.add(expected)
    assert {base.AuthExpired, base.RateLimited, base.Permanent} <= classes
    assert classes & {base.Unknown, base.Transient}


def test_a_lost_answer_to_the_publishing_call_is_unknown_then_found(case: ContractCase) -> None:
    case.adapter.session.timeout = 0.2  # type: ignore[attr-defined]
    case.fake.timeout_after_receive(path=case.publish_path)
    progress = base.Progress()
    with pytest.raises(base.Unknown):
        case.adapter.publish(case.creds, case.content_ok, "key-1", progress)

    found = case.adapter.find_published(case.creds, case.content_ok, "key-1", progress)

    assert found is not None and found.external_id
    assert case.adapter.supports_lookup is True

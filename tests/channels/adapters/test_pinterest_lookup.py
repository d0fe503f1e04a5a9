"""Finding a Pin whose answer was lost, on its board, so the reconciler never pins twice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from channels.adapters import base
from channels.adapters.pinterest_http import parse_time
from tests.fakes.pinterest_contract import ContractCase, contract_case

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(now=lambda: NOW) as case:
        yield case
    assert case.fake.contract_violations == []


def find(
    case: ContractCase, content: base.Content, progress: base.Progress
) -> base.Published | None:
    return case.adapter.find_published(case.creds, content, "key", progress)


def lose_the_answer(case: ContractCase, content: base.Content, progress: base.Progress) -> None:
    case.fake.timeout_after_receive("/v5/pins")
    with pytest.raises(base.Unknown):
        case.adapter.publish(case.creds, content, "key", progress)


def test_a_pin_whose_answer_was_lost_is_found_on_its_board_and_not_made_again(
    case: ContractCase,
) -> None:
    content = replace(case.content_ok, options={"board": case.board, "title": "Buns"})
    progress = base.Progress()
    lose_the_answer(case, content, progress)
    [pin] = case.fake.pins

    found = find(case, content, progress)

    made = parse_time(pin["created_at"])
    assert found == base.Published(pin["id"], f"https://www.pinterest.com/pin/{pin['id']}/", made)
    assert progress.get("pin_id") == pin["id"]
    [listing] = case.fake.calls("GET", f"/v5/boards/{case.board}/pins")
    assert listing.query == {"page_size": "100"}
    # A publish after the lookup returns the same Pin without calling Pinterest.
    before = len(case.fake.requests)
    assert case.adapter.publish(case.creds, content, "key", progress) == found
    assert len(case.fake.requests) == before and len(case.fake.pins) == 1


def test_nothing_on_the_board_means_not_there_and_the_publish_makes_one_pin(
    case: ContractCase,
) -> None:
    case.fake.add_pin(case.board, description="Rye loaves on Fridays")
    progress = base.Progress({"started_at": NOW.isoformat()})
    assert find(case, case.content_ok, progress) is None
    assert progress.get("pin_id") is None
    case.adapter.publish(case.creds, case.content_ok, "key", progress)
    assert len(case.fake.pins) == 2


def test_an_older_look_alike_from_an_earlier_post_is_not_taken_for_this_one(
    case: ContractCase,
) -> None:
    text, link = case.content_ok.text, case.content_ok.link
    case.fake.add_pin(case.board, description=text, link=link, created_at="2026-11-18T09:00:00Z")
    progress = base.Progress({"started_at": NOW.isoformat()})
    assert find(case, case.content_ok, progress) is None


def test_a_pin_with_the_same_text_but_another_title_or_link_is_not_this_one(
    case: ContractCase,
) -> None:
    text = case.content_ok.text
    case.fake.add_pin(case.board, description=text, link="https://acme.example/rye")
    case.fake.add_pin(case.board, description=text, link=case.content_ok.link, title="Rye")
    assert find(case, case.content_ok, base.Progress()) is None


def test_a_lost_pin_behind_a_page_of_newer_pins_is_found_through_the_bookmark(
    case: ContractCase,
) -> None:
    progress = base.Progress()
    lose_the_answer(case, case.content_ok, progress)
    for n in range(120):
        case.fake.add_pin(case.board, description=f"Another bake, number {n}")

    found = find(case, case.content_ok, progress)

    assert found is not None and found.external_id == case.fake.pins[0]["id"]
    first, second = case.fake.calls("GET", f"/v5/boards/{case.board}/pins")
    assert "bookmark" not in first.query and second.query["bookmark"]


def test_a_lost_video_pin_is_found_without_uploading_again(case: ContractCase) -> None:
    content = base.Content(
        "A minute of kneading", media=(case.video(),), options={"board": case.board}
    )
    progress = base.Progress()
    lose_the_answer(case, content, progress)

    found = find(case, content, progress)

    [pin] = case.fake.pins
    assert found is not None and found.external_id == pin["id"]
    assert len(case.fake.uploads) == 1


def test_an_image_pin_is_not_taken_for_the_video_pin_with_the_same_words(
    case: ContractCase,
) -> None:
    content = base.Content(
        "A minute of kneading", media=(case.video(),), options={"board": case.board}
    )
    case.fake.add_pin(case.board, description="A minute of kneading")
    assert find(case, content, base.Progress()) is None


def test_a_known_pin_id_answers_at_once(case: ContractCase) -> None:
    progress = base.Progress({"pin_id": "4242", "published_at": NOW.isoformat()})
    found = find(case, case.content_ok, progress)
    assert found == base.Published("4242", "https://www.pinterest.com/pin/4242/", NOW)
    assert case.fake.requests == []


def test_without_a_board_nothing_was_sent_and_nothing_is_asked(case: ContractCase) -> None:
    assert find(case, replace(case.content_ok, options={}), base.Progress()) is None
    assert case.fake.requests == []

"""The reconciler's lookup: a status whose answer was lost is found among the account's
recent statuses by its text as Mastodon shows it back, part by part for a thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from channels.adapters.base import Content, Progress, Unknown
from channels.adapters.mastodon_lookup import plain
from tests.fakes.mastodon_contract import ContractCase, contract_case


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case


def find(case: ContractCase, content: Content, progress: Progress | None = None):  # type: ignore[no-untyped-def]
    return case.adapter.find_published(case.creds, content, "k", progress or Progress())


def test_a_lost_status_is_found_by_its_text(case: ContractCase) -> None:
    content = Content(
        "Hi @bob@other.example, buns at https://acme.example/a/very/long/path/to/buns\n\nSee you!"
    )
    case.fake.timeout_after_receive()
    progress = Progress()
    with pytest.raises(Unknown):
        case.publish(content, key="k", progress=progress)

    found = find(case, content, progress)

    [status] = case.fake.posted()
    assert found is not None and found.external_id == status["id"]
    assert found.url == f"https://mastodon.example/@acmebakery/{status['id']}"
    assert progress.get("status_ids") == [status["id"]]


def test_nothing_there_says_none(case: ContractCase) -> None:
    case.fake.add_status(case.account, "Something else")
    assert find(case, Content("Cardamom buns")) is None


def test_a_look_alike_from_before_the_attempt_is_not_taken(case: ContractCase) -> None:
    case.fake.advance(-3600)  # an hour before the attempt
    case.fake.add_status(case.account, "Cardamom buns")
    case.fake.advance(3600)
    progress = Progress({"started_at": case.adapter.now().isoformat()})
    assert find(case, Content("Cardamom buns"), progress) is None


def test_the_content_warning_must_match_too(case: ContractCase) -> None:
    case.fake.add_status(case.account, "Buns", spoiler_text="Food")
    assert find(case, Content("Buns")) is None
    assert find(case, Content("Buns", options={"spoiler_text": "Food"})) is not None


def test_a_thread_found_in_part_resumes_after_the_found_parts(case: ContractCase) -> None:
    first = case.fake.add_status(case.account, "1/3 Buns")
    case.fake.add_status(case.account, "2/3 Oven", in_reply_to_id=first["id"])
    content = Content("1/3 Buns", thread=("2/3 Oven", "3/3 Tray"))
    progress = Progress()

    assert find(case, content, progress) is None
    assert len(progress.get("status_ids")) == 2

    case.publish(content, key="k", progress=progress)
    third = case.fake.posted()[-1]
    assert (third["text"], third["in_reply_to_id"]) == ("3/3 Tray", progress.get("status_ids")[1])
    assert len(case.fake.posted()) == 3


def test_statuses_are_searched_across_pages(case: ContractCase) -> None:
    case.fake.add_status(case.account, "The old one")
    for n in range(45):
        case.fake.add_status(case.account, f"Filler {n}")
    assert find(case, Content("The old one")) is not None
    pages = case.fake.calls("GET", f"/api/v1/accounts/{case.account}/statuses")
    assert [p.query.get("max_id") is not None for p in pages] == [False, True]


def test_status_html_reads_back_as_plain_text() -> None:
    shown = (
        '<p>Hi <span class="h-card"><a href="https://o.example/@bob" class="u-url mention">'
        "@<span>bob</span></a></span> &amp; all<br />line</p><p>Next</p>"
    )
    assert " ".join(plain(shown).split()) == "Hi @bob & all line Next"

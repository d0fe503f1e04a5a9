"""Finding a LinkedIn post whose create answer was lost, among the author's recent posts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from channels.adapters.base import CannotTell, Content, Progress, Unknown
from tests.fakes.linkedin_contract import ContractCase, contract_case

KEY = "delivery-key"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case


def test_a_lost_page_post_is_found_by_its_text_hashtags_and_escapes_included(
    case: ContractCase,
) -> None:
    content = Content("Buns (warm) #bakery_news at 7")
    progress = Progress()
    case.fake.timeout_after_receive("/rest/posts")
    with pytest.raises(Unknown):
        case.adapter.publish(case.creds, content, KEY, progress)

    found = case.adapter.find_published(case.creds, content, KEY, progress)

    [post] = case.fake.posts
    assert "{hashtag|\\#|bakery}" in post["commentary"]
    assert found is not None and found.external_id == post["id"]
    assert found.url == f"https://www.linkedin.com/feed/update/{post['id']}/"
    assert progress.get("post_urn") == post["id"]
    [lookup] = case.fake.calls("GET", "/rest/posts")
    assert lookup.query == {
        "author": case.page,
        "q": "author",
        "count": "20",
        "start": "0",
        "sortBy": "CREATED",
    }
    # Found once, the publish that follows returns it instead of posting again.
    assert case.adapter.publish(case.creds, content, KEY, progress) == found
    assert len(case.fake.posts) == 1


def test_nothing_posted_is_not_there(case: ContractCase) -> None:
    case.fake.add_post(case.page, "Something else")
    assert case.adapter.find_published(case.creds, Content("Buns"), KEY, Progress()) is None


def test_an_older_post_with_the_same_text_is_not_this_deliverys(case: ContractCase) -> None:
    case.fake.add_post(case.page, "Buns at 7")
    case.fake.advance(3600)
    started = datetime.fromtimestamp(case.fake.now(), UTC)
    progress = Progress({"started_at": started.isoformat()})
    assert case.adapter.find_published(case.creds, Content("Buns at 7"), KEY, progress) is None


def test_the_lookup_pages_back_through_the_authors_recent_posts(case: ContractCase) -> None:
    case.fake.add_post(case.page, "Ours")
    for index in range(25):
        case.fake.add_post(case.page, f"Later post {index}")
    found = case.adapter.find_published(case.creds, Content("Ours"), KEY, Progress())
    assert found is not None
    assert [c.query["start"] for c in case.fake.calls("GET", "/rest/posts")] == ["0", "20"]


def test_a_members_posts_linkedin_will_not_list_cannot_be_told(case: ContractCase) -> None:
    creds = case.person()  # no r_member_social: LinkedIn answers 403
    with pytest.raises(CannotTell):
        case.adapter.find_published(creds, Content("Hello"), KEY, Progress())


def test_a_member_whose_app_may_read_their_posts_is_looked_up(case: ContractCase) -> None:
    creds = case.person(scopes=("openid", "profile", "w_member_social", "r_member_social"))
    case.fake.add_post(creds.external_id, "Hello network")
    found = case.adapter.find_published(creds, Content("Hello network"), KEY, Progress())
    assert found is not None and found.external_id == case.fake.posts[0]["id"]

"""FakeLinkedIn answers as platforms.md §5 says LinkedIn does, so the adapter tests
that pass against it mean something."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.fakes.linkedin import VERSION, FakeLinkedIn


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    with FakeLinkedIn() as fake:
        yield fake


def post(fake: FakeLinkedIn, token: str, body: dict[str, Any], version: str = VERSION) -> Any:
    headers = {"Authorization": f"Bearer {token}", "X-Restli-Protocol-Version": "2.0.0"}
    if version:
        headers["LinkedIn-Version"] = version
    return requests.post(f"{fake.url}/rest/posts", json=body, headers=headers, timeout=2)


def member_post(sub: str, commentary: str) -> dict[str, Any]:
    return {
        "author": f"urn:li:person:{sub}",
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
    }


def test_a_created_post_is_201_with_its_urn_in_x_restli_id_and_no_body(fake: FakeLinkedIn) -> None:
    sub = fake.add_member("Ada Baker")
    answer = post(fake, fake.issue_token(sub), member_post(sub, "Hello"))
    assert answer.status_code == 201 and answer.content == b""
    assert answer.headers["x-restli-id"] == fake.posts[0]["id"]
    assert answer.headers["x-restli-id"].startswith("urn:li:share:")


def test_an_unescaped_reserved_character_silently_cuts_the_post(fake: FakeLinkedIn) -> None:
    sub = fake.add_member("Ada Baker")
    answer = post(fake, fake.issue_token(sub), member_post(sub, "Buns (warm) #bakery"))
    assert answer.status_code == 201
    assert fake.posts[0]["commentary"] == "Buns "


def test_required_fields_missing_are_a_422_naming_them(fake: FakeLinkedIn) -> None:
    sub = fake.add_member("Ada Baker")
    answer = post(fake, fake.issue_token(sub), {"commentary": "x"})
    assert answer.status_code == 422
    assert "ERROR :: /author :: field is required but not found" in answer.json()["message"]


def test_the_version_header_is_checked(fake: FakeLinkedIn) -> None:
    sub = fake.add_member("Ada Baker")
    token = fake.issue_token(sub)
    stale = post(fake, token, member_post(sub, "x"), version="202001")
    assert (stale.status_code, stale.json()["code"]) == (426, "NONEXISTENT_VERSION")
    missing = post(fake, token, member_post(sub, "x"), version="")
    assert "A version must be present" in missing.json()["message"]


def test_the_same_text_twice_is_a_duplicate_naming_the_first(fake: FakeLinkedIn) -> None:
    sub = fake.add_member("Ada Baker")
    token = fake.issue_token(sub)
    post(fake, token, member_post(sub, "Same"))
    again = post(fake, token, member_post(sub, "Same"))
    assert again.status_code == 422
    body = again.json()
    assert body["errorDetails"]["inputErrors"][0]["code"] == "DUPLICATE_POST"
    assert body["message"].endswith(f"Content is a duplicate of {fake.posts[0]['id']}")


def test_posting_as_a_page_needs_its_admin(fake: FakeLinkedIn) -> None:
    ada, bob = fake.add_member("Ada Baker"), fake.add_member("Bob Other")
    page = fake.add_organization("Acme Bakery", "acme-bakery", admins=(ada,))
    body = {**member_post(ada, "Hi"), "author": page}
    assert post(fake, fake.issue_token(bob), body).status_code == 403
    assert post(fake, fake.issue_token(ada), body).status_code == 201

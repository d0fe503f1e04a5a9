"""/api/v1/inbox/ and /api/v1/saved-replies/: the inbox page's actions, as JSON."""

from __future__ import annotations

import pytest

from channels.models import SocialAccount
from scheduler import inbox_sync
from scheduler.models import InboxItem, Reply
from tests.conftest import Cast, Sent
from tests.scheduler.inbox_setup import published, visitor_says

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(cast: Cast, account: SocialAccount) -> InboxItem:
    delivery = published(post__workspace=cast.workspace, post__text="Launch", account=account)
    visitor_says(account, "Nice launch", post_id=delivery.external_id, author="ann")
    visitor_says(account, "Private question", author="bo")
    inbox_sync.fetch(account.pk)
    return InboxItem.objects.get(kind="comment")


def test_the_list_is_newest_first_with_the_post_it_belongs_to(api, item: InboxItem) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/api/v1/inbox/").json()
    assert body["count"] == 2
    first, second = body["results"]
    assert (first["kind"], first["text"]) == ("message", "Private question")
    assert (second["kind"], second["author_name"], second["post"]) == (
        "comment",
        "ann",
        item.delivery.post_id,
    )


@pytest.mark.parametrize(
    ("query", "texts"),
    [
        ("kind=comment", ["Nice launch"]),
        ("kind=message", ["Private question"]),
        ("q=private", ["Private question"]),
        ("state=done", []),
        ("assigned_to=nobody", ["Private question", "Nice launch"]),
        ("network=sandbox", ["Private question", "Nice launch"]),
    ],
)
def test_filters(api, item: InboxItem, query: str, texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    body = api.get(f"/api/v1/inbox/?{query}").json()
    assert [r["text"] for r in body["results"]] == texts


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=tweet", "kind"),
        ("state=later", "state"),
        ("account=abc", "account"),
        ("assigned_to=zed", "assigned_to"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(api, item: InboxItem, query: str, field: str) -> None:  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/inbox/?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_answering_returns_the_queued_answer(
    api, item: InboxItem, sent: dict[str, list[Sent]]
) -> None:  # type: ignore[no-untyped-def]
    response = api.post(f"/api/v1/inbox/{item.pk}/reply/", {"text": "Thanks!", "close": True})
    assert response.status_code == 202
    assert response.json()["state"] == "queued"
    assert [s.delivery_id for s in sent["reply"]] == [Reply.objects.get().pk]
    assert api.get(f"/api/v1/inbox/{item.pk}/").json()["state"] == "done"


def test_an_empty_or_too_long_answer_is_a_400_naming_the_text(api, item: InboxItem) -> None:  # type: ignore[no-untyped-def]
    assert api.post(f"/api/v1/inbox/{item.pk}/reply/", {"text": " "}).json()["errors"] == {
        "text": ["Write an answer first."]
    }
    response = api.post(f"/api/v1/inbox/{item.pk}/reply/", {"text": "x" * 501})
    assert response.status_code == 400
    assert "500 characters" in response.json()["errors"]["text"][0]
    assert not Reply.objects.exists()


def test_assigning_and_closing(api, cast: Cast, item: InboxItem) -> None:  # type: ignore[no-untyped-def]
    body = api.patch(f"/api/v1/inbox/{item.pk}/", {"assigned_to": "admin"}).json()
    assert (body["assigned_to"], body["state"]) == ("admin", "assigned")
    assert api.get("/api/v1/inbox/?assigned_to=admin").json()["count"] == 1
    body = api.patch(f"/api/v1/inbox/{item.pk}/", {"state": "done"}).json()
    assert body["state"] == "done"
    refused = api.patch(f"/api/v1/inbox/{item.pk}/", {"assigned_to": "viewer"})
    assert refused.status_code == 400 and "assigned_to" in refused.json()["errors"]


def test_moderating(api, item: InboxItem, sent: dict[str, list[Sent]]) -> None:  # type: ignore[no-untyped-def]
    response = api.post(f"/api/v1/inbox/{item.pk}/moderate/", {"action": "hide"})
    assert response.status_code == 202
    assert response.json()["moderation_pending"] == "hide"
    message = InboxItem.objects.get(kind="message")
    refused = api.post(f"/api/v1/inbox/{message.pk}/moderate/", {"action": "hide"})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"action": ["Sandbox does not let SMO do this."]}


def test_roles(api, item: InboxItem) -> None:  # type: ignore[no-untyped-def]
    contributor = api.as_role("contributor")
    assert contributor.get("/api/v1/inbox/").status_code == 200
    assert contributor.post(f"/api/v1/inbox/{item.pk}/reply/", {"text": "hi"}).status_code == 403
    assert api.as_role("viewer").get("/api/v1/inbox/").status_code == 403
    outsider = api.as_role("outsider")
    assert outsider.get(f"/api/v1/inbox/{item.pk}/").status_code == 404
    assert outsider.get("/api/v1/inbox/").json()["count"] == 0


def test_saved_replies(api) -> None:  # type: ignore[no-untyped-def]
    made = api.post("/api/v1/saved-replies/", {"title": "Thanks", "text": "Thanks for writing!"})
    assert made.status_code == 201
    again = api.post("/api/v1/saved-replies/", {"title": "Thanks", "text": "x"})
    assert again.status_code == 400 and "title" in again.json()["errors"]
    assert [s["title"] for s in api.get("/api/v1/saved-replies/").json()["results"]] == ["Thanks"]
    assert (
        api.as_role("contributor")
        .post("/api/v1/saved-replies/", {"title": "B", "text": "b"})
        .status_code
        == 403
    )

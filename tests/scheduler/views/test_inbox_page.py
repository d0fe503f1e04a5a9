"""The inbox page: the list and its filters, a conversation, answering, assigning,
closing, moderating, and a constant number of queries whatever the list's length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from channels.models import SandboxComment, SocialAccount
from scheduler import inbox_sync
from scheduler.models import AuditEvent, InboxItem, Notification, Reply, SavedReply
from tests.conftest import Cast, Sent
from tests.factories import CampaignFactory
from tests.scheduler.inbox_setup import published, visitor_says

pytestmark = pytest.mark.django_db


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def conversation(cast: Cast, account: SocialAccount, text: str = "Our launch") -> InboxItem:
    """A post SMO published to `account`, a visitor's comment on it, fetched."""
    delivery = published(post__workspace=cast.workspace, post__text=text, account=account)
    visitor_says(account, f"Comment on {text}", post_id=delivery.external_id, author="ann")
    inbox_sync.fetch(account.pk)
    return InboxItem.objects.filter(account=account).latest("posted_at")


def test_the_list_shows_each_item_with_its_post_newest_first(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    first = conversation(cast, account, "Spring sale")
    second = conversation(cast, account, "Summer sale")
    page = signed_in(cast).get("/inbox/").content.decode()
    assert page.index("Comment on Summer sale") < page.index("Comment on Spring sale")
    assert "“Spring sale”" in page and "ann" in page
    assert f'data-item="{first.pk}"' in page and f'data-item="{second.pk}"' in page
    assert 'data-testid="inbox-open-count">2<' in page  # the nav's count


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", ["Comment on A", "Message"]),
        ("?kind=message", ["Message"]),
        ("?kind=comment", ["Comment on A"]),
        ("?state=done", []),
        ("?q=message", ["Message"]),
        ("?assigned=nobody", ["Comment on A", "Message"]),
        ("?assigned=me", []),
        ("?campaign={campaign}", ["Comment on A"]),
        ("?network=sandbox", ["Comment on A", "Message"]),
        ("?network=x", []),
    ],
)
def test_filters(cast: Cast, account, query: str, shown: list[str]) -> None:  # type: ignore[no-untyped-def]
    campaign = CampaignFactory(workspace=cast.workspace)
    delivery = published(
        post__workspace=cast.workspace, post__text="A", post__campaign=campaign, account=account
    )
    visitor_says(account, "Comment on A", post_id=delivery.external_id)
    visitor_says(account, "Message in private", author="bo")
    inbox_sync.fetch(account.pk)
    page = signed_in(cast).get("/inbox/" + query.format(campaign=campaign.pk)).content.decode()
    rows = page[page.index('data-testid="inbox-rows"') :]
    for text in ["Comment on A", "Message in private"]:
        assert (text in rows) == any(text.startswith(s) for s in shown), text


def test_the_list_takes_the_same_number_of_queries_for_3_items_and_for_30(
    cast: Cast,
    account,  # type: ignore[no-untyped-def]
) -> None:
    client = signed_in(cast)
    delivery = published(post__workspace=cast.workspace, account=account)

    def count(n: int) -> int:
        for i in range(n):
            visitor_says(account, f"comment {i}", post_id=delivery.external_id)
        InboxSync = type(account).inbox.related.related_model
        InboxSync.objects.filter(pk=account.pk).update(since=None)
        inbox_sync.fetch(account.pk)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/inbox/").status_code == 200
        return len(queries)

    assert count(3) == count(27)


def test_a_conversation_opens_beside_the_list(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    item = conversation(cast, account)
    client = signed_in(cast)
    pane = client.get(f"/inbox/{item.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Comment on Our launch" in pane and "Answer ann" in pane
    # Without htmx the address opens the whole page with the item open.
    assert client.get(f"/inbox/{item.pk}/").url == f"/inbox/?item={item.pk}"
    page = client.get(f"/inbox/?item={item.pk}").content.decode()
    assert 'data-testid="inbox-item"' in page


def test_answering_queues_the_answer_and_closes_the_item(
    cast: Cast,
    account,
    sent: dict[str, list[Sent]],  # type: ignore[no-untyped-def]
) -> None:
    item = conversation(cast, account)
    response = signed_in(cast).post(
        f"/inbox/{item.pk}/reply/", {"text": "Thanks, Ann!", "close": "on"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    reply = Reply.objects.get()
    assert (reply.text, reply.state, reply.written_by) == (
        "Thanks, Ann!",
        "queued",
        cast.editor.user,
    )
    assert [s.delivery_id for s in sent["reply"]] == [reply.pk]
    item.refresh_from_db()
    assert item.state == "done"
    assert 'data-state="queued"' in response.content.decode()  # shown as on its way
    assert AuditEvent.objects.filter(action="inbox.replied", actor=cast.editor.user).exists()


def test_a_refused_answer_keeps_what_was_typed_and_says_why(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    item = conversation(cast, account)
    long = "Thanks! " * 80
    response = signed_in(cast).post(
        f"/inbox/{item.pk}/reply/", {"text": long}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Sandbox allows 500 characters; this text has 639." in body
    assert long.strip() in body
    assert not Reply.objects.exists()


def test_assigning_tells_the_teammate(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    item = conversation(cast, account)
    signed_in(cast).post(
        f"/inbox/{item.pk}/assign/", {"assignee": cast.admin.user.pk}, HTTP_HX_REQUEST="true"
    )
    item.refresh_from_db()
    assert (item.assigned_to, item.state) == (cast.admin.user, "assigned")
    note = Notification.objects.get(user=cast.admin.user, kind="inbox_assigned")
    assert "editor gave you a message from ann" in note.message
    assert note.url == f"/inbox/?item={item.pk}"
    page = signed_in(cast, "admin").get("/inbox/?assigned=me").content.decode()
    assert "Comment on Our launch" in page
    # Someone who cannot answer cannot be given it.
    signed_in(cast).post(f"/inbox/{item.pk}/assign/", {"assignee": cast.viewer.user.pk})
    item.refresh_from_db()
    assert item.assigned_to == cast.admin.user


def test_done_and_open_again(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    item = conversation(cast, account)
    client = signed_in(cast)
    client.post(f"/inbox/{item.pk}/state/", {"state": "done"})
    item.refresh_from_db()
    assert item.state == "done"
    assert (
        "Comment on Our launch"
        not in client.get("/inbox/").content.decode().split('data-testid="inbox-rows"')[1]
    )
    client.post(f"/inbox/{item.pk}/state/", {"state": "open"})
    item.refresh_from_db()
    assert item.state == "open"


def test_hiding_goes_out_through_a_task_and_is_recorded(
    cast: Cast,
    account,
    sent: dict[str, list[Sent]],  # type: ignore[no-untyped-def]
) -> None:
    from scheduler import moderation

    item = conversation(cast, account)
    client = signed_in(cast)
    client.post(f"/inbox/{item.pk}/moderate/", {"action": "hide"}, HTTP_HX_REQUEST="true")
    item.refresh_from_db()
    assert item.moderation_pending == "hide"
    assert len(sent["moderate"]) == 1
    # A second click while the first is on its way sends nothing more.
    response = client.post(
        f"/inbox/{item.pk}/moderate/", {"action": "hide"}, HTTP_HX_REQUEST="true"
    )
    assert "Another change to this item is on its way." in response.content.decode()
    assert len(sent["moderate"]) == 1
    assert moderation.run(item.pk, "hide") == "done"
    item.refresh_from_db()
    assert item.hidden_at is not None and item.moderation_pending == ""
    assert SandboxComment.objects.get(public_id=item.external_id).hidden is True
    assert AuditEvent.objects.filter(action="inbox.hidden").count() == 1


def test_deleting_removes_it_from_the_list(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    from scheduler import moderation

    item = conversation(cast, account)
    signed_in(cast).post(f"/inbox/{item.pk}/moderate/", {"action": "delete"})
    moderation.run(item.pk, "delete")
    item.refresh_from_db()
    assert item.deleted_at is not None
    assert SandboxComment.objects.get(public_id=item.external_id).deleted is True
    assert "Comment on Our launch" not in signed_in(cast).get("/inbox/?state=all").content.decode()


def test_contributors_read_but_do_not_answer_and_viewers_do_not_read(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    item = conversation(cast, account)
    contributor = signed_in(cast, "contributor")
    assert contributor.get("/inbox/").status_code == 200
    assert contributor.post(f"/inbox/{item.pk}/reply/", {"text": "hi"}).status_code == 403
    assert signed_in(cast, "viewer").get("/inbox/").status_code == 403
    # Another workspace's item does not exist for an outsider.
    assert signed_in(cast, "outsider").get(f"/inbox/{item.pk}/").status_code == 404


def test_saved_replies_are_added_listed_and_offered_in_the_reply_box(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    item = conversation(cast, account)
    client = signed_in(cast)
    client.post("/inbox/saved-replies/", {"title": "Thanks", "text": "Thanks for writing!"})
    again = client.post("/inbox/saved-replies/", {"title": "Thanks", "text": "Other"})
    assert again.status_code == 400
    assert "exists already" in again.content.decode()
    assert SavedReply.objects.get().text == "Thanks for writing!"
    pane = client.get(f"/inbox/{item.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert '<option value="Thanks for writing!">Thanks</option>' in pane
    client.post(f"/inbox/saved-replies/{SavedReply.objects.get().pk}/delete/")
    assert not SavedReply.objects.exists()


def test_check_now_asks_for_every_connected_account(
    cast: Cast,
    account,
    sent: dict[str, list[Sent]],  # type: ignore[no-untyped-def]
) -> None:
    response = signed_in(cast).post("/inbox/check/")
    assert response.status_code == 302
    assert [s.delivery_id for s in sent["fetch_inbox"]] == [account.pk]


def test_the_post_page_shows_its_conversation_per_network(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    item = conversation(cast, account, "Big news")
    page = signed_in(cast).get(f"/posts/{item.delivery.post_id}/").content.decode()
    section = page[page.index("Conversation on the networks") :]
    assert "Comment on Big news" in section and "ann" in section
    assert f"item={item.pk}" in section
    assert 'data-network="sandbox"' in section

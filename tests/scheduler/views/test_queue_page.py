"""The queue page: slots, queued posts between empty slots, reordering, add to queue."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scheduler import posts, queue
from scheduler.models import Delivery, Post, QueueSlot
from tests.conftest import Cast
from tests.factories import SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


@pytest.fixture
def weekly(account):  # type: ignore[no-untyped-def]
    QueueSlot.objects.create(account=account, weekday=2, time=time(16, 0))
    QueueSlot.objects.create(account=account, weekday=3, time=time(9, 0))
    return account


def queue_up(cast: Cast, account, text: str) -> Post:  # type: ignore[no-untyped-def]
    return queue.add_to_queue(cast.editor, posts.PostInput(text=text, accounts=[account]))


def test_the_page_shows_queued_posts_between_empty_slots(cast: Cast, weekly) -> None:
    queue_up(cast, weekly, "First in line")
    page = signed_in(cast, "viewer").get("/queue/").content.decode()
    assert page.index("First in line") < page.index("Empty slot — Thu 9:00\u00a0AM")
    assert page.count('data-testid="empty-slot"') == 5  # five beyond the last post
    assert "Wed 4:00\u00a0PM" in page and "Thu 9:00\u00a0AM" in page
    assert 'name="direction"' not in page  # viewers only look
    assert "Add time" not in page


def test_editors_get_the_move_buttons_and_the_slot_form(cast: Cast, weekly) -> None:
    queue_up(cast, weekly, "One")
    queue_up(cast, weekly, "Two")
    page = signed_in(cast, "editor").get("/queue/").content.decode()
    assert page.count('name="direction" value="up"') == 2
    assert "Add time" in page
    assert "Pause this account" not in page  # owners and admins only


def test_the_page_costs_the_same_queries_for_3_or_30_queued_posts(
    cast: Cast, weekly, django_assert_num_queries
) -> None:
    SandboxAccountFactory(workspace=cast.workspace)
    client = signed_in(cast)
    for i in range(3):
        queue_up(cast, weekly, f"Post {i}")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/queue/").status_code == 200
    for i in range(3, 30):
        queue_up(cast, weekly, f"Post {i}")
    with django_assert_num_queries(len(few)):
        page = client.get("/queue/").content.decode()
    assert page.count('data-testid="queued-post"') == 30


def test_adding_and_removing_a_slot(cast: Cast, account) -> None:
    client = signed_in(cast, "editor")
    response = client.post(f"/queue/{account.pk}/slots/", {"weekday": "1", "time": "09:30"})
    assert response.status_code == 302
    assert response["Location"] == f"/queue/#queue-{account.pk}"
    slot = QueueSlot.objects.get()
    assert (slot.account_id, slot.weekday, slot.time) == (account.pk, 1, time(9, 30))
    client.post(f"/queue/{account.pk}/slots/", {"weekday": "1", "time": "09:30"})
    assert QueueSlot.objects.count() == 1
    assert client.post(f"/queue/slots/{slot.pk}/remove/").status_code == 302
    assert not QueueSlot.objects.exists()


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_only_owners_admins_and_editors_change_slots_and_order(cast: Cast, weekly, role) -> None:
    client = signed_in(cast, role)
    slot = QueueSlot.objects.first()
    assert (
        client.post(f"/queue/{weekly.pk}/slots/", {"weekday": "1", "time": "10:00"}).status_code
        == 403
    )
    assert client.post(f"/queue/slots/{slot.pk}/remove/").status_code == 403
    assert (
        client.post(f"/queue/{weekly.pk}/move/", {"delivery": "1", "direction": "up"}).status_code
        == 403
    )
    assert client.post(f"/queue/{weekly.pk}/reorder/", {"order": ["1"]}).status_code == 403
    assert QueueSlot.objects.count() == 2


def test_another_workspaces_queue_is_not_found(cast: Cast, weekly) -> None:
    client = signed_in(cast, "outsider")
    slot = QueueSlot.objects.first()
    assert (
        client.post(f"/queue/{weekly.pk}/slots/", {"weekday": "1", "time": "10:00"}).status_code
        == 404
    )
    assert client.post(f"/queue/slots/{slot.pk}/remove/").status_code == 404
    assert (
        client.post(f"/queue/{weekly.pk}/move/", {"delivery": "1", "direction": "up"}).status_code
        == 404
    )
    assert "Acme Sandbox" not in client.get("/queue/").content.decode()


def test_move_down_and_reorder_through_the_page(cast: Cast, weekly) -> None:
    one, two, three = (queue_up(cast, weekly, t).deliveries.get() for t in ("One", "Two", "Three"))
    client = signed_in(cast)
    client.post(f"/queue/{weekly.pk}/move/", {"delivery": one.pk, "direction": "down"})
    assert list(Delivery.objects.order_by("scheduled_at").values_list("pk", flat=True)) == [
        two.pk,
        one.pk,
        three.pk,
    ]
    client.post(f"/queue/{weekly.pk}/reorder/", {"order": [three.pk, two.pk, one.pk]})
    assert list(Delivery.objects.order_by("scheduled_at").values_list("pk", "scheduled_at")) == [
        (three.pk, utc(2026, 11, 25, 15)),
        (two.pk, utc(2026, 11, 26, 8)),
        (one.pk, utc(2026, 12, 2, 15)),
    ]
    response = client.post(f"/queue/{weekly.pk}/reorder/", {"order": [three.pk]}, follow=True)
    assert "The queue changed meanwhile" in response.content.decode()


def test_add_to_queue_takes_the_composers_fields(cast: Cast, weekly) -> None:
    response = signed_in(cast).post(
        "/queue/add/",
        {
            "text": "Queued from the composer",
            "accounts": [weekly.pk],
            "link": "https://example.com/buns",
            "first_comment": "",  # the sandbox takes none
            "thread": "",
            "when": "schedule",
            "date": "2020-01-01",  # ignored: the queue picks the time
        },
    )
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/posts/{post.pk}/"
    assert (post.text, post.link, post.first_comment, post.from_queue, post.scheduled_at) == (
        "Queued from the composer",
        "https://example.com/buns",
        "",
        True,
        utc(2026, 11, 25, 15),
    )
    assert list(post.deliveries.values_list("state", flat=True)) == [S.SCHEDULED]


def test_add_to_queue_goes_back_where_it_was_asked_from(cast: Cast, weekly) -> None:
    response = signed_in(cast).post(
        "/queue/add/", {"text": "Hi", "accounts": [weekly.pk], "next": "/queue/#queue-1"}
    )
    assert response["Location"] == "/queue/#queue-1"
    response = signed_in(cast).post(
        "/queue/add/", {"text": "Hi", "accounts": [weekly.pk], "next": "https://evil.example/"}
    )
    assert response["Location"].startswith("/posts/")


def test_add_to_queue_without_slots_answers_the_composer_with_the_problem(
    cast: Cast, account
) -> None:
    response = signed_in(cast).post("/queue/add/", {"text": "Hi", "accounts": [account.pk]})
    assert response.status_code == 400
    assert "Acme Sandbox: no posting schedule yet." in response.content.decode()
    assert not Post.objects.exists()


def test_viewers_cannot_add_to_queue(cast: Cast, weekly) -> None:
    response = signed_in(cast, "viewer").post(
        "/queue/add/", {"text": "Hi", "accounts": [weekly.pk]}
    )
    assert response.status_code == 403
    assert not Post.objects.exists()

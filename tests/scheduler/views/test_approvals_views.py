"""The approvals page and the approve / reject / ask-for-changes buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scheduler import posts
from scheduler.models import Comment, Delivery, Post
from tests.conftest import NOW, Cast
from tests.factories import PostFactory, SandboxAccountFactory, UserFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
AT = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # 17:00 in Stockholm


def signed_in(cast: Cast, role: str) -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def waiting(cast: Cast, account, text: str = "Buns at 7") -> Post:  # type: ignore[no-untyped-def]
    return posts.create_post(
        cast.contributor, posts.PostInput(text, accounts=[account], scheduled_at=AT)
    )


def test_the_page_lists_posts_awaiting_approval_oldest_first(cast: Cast, account) -> None:
    first = waiting(cast, account, "First in")
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        second = waiting(cast, account, "Second in")
    scheduled = posts.create_post(
        cast.editor, posts.PostInput("Not waiting", accounts=[account], scheduled_at=AT)
    )
    response = signed_in(cast, "editor").get("/approvals/")
    html = response.content.decode()
    assert response.status_code == 200
    assert [p.pk for p in response.context["posts"]] == [first.pk, second.pk]
    assert html.index("First in") < html.index("Second in")
    assert "Not waiting" not in html and scheduled.pk
    assert "Wed, Nov 25, 2026, 5:00\u00a0PM" in html  # the person's zone, Stockholm
    assert "Acme Sandbox" in html and ">contributor<" in html
    assert html.count('action="/posts/') == 3 * 2  # approve, changes, reject


def test_the_page_says_when_nothing_waits(cast: Cast) -> None:
    response = signed_in(cast, "owner").get("/approvals/")
    assert "Nothing is waiting for approval." in response.content.decode()


def test_contributors_see_the_page_without_buttons(cast: Cast, account) -> None:
    waiting(cast, account)
    html = signed_in(cast, "contributor").get("/approvals/").content.decode()
    assert "Buns at 7" in html
    assert "/approve/" not in html
    assert "approves it before it can go out" in html


def test_the_page_takes_the_same_queries_for_3_or_30_posts(cast: Cast) -> None:
    accounts = [SandboxAccountFactory(workspace=cast.workspace) for _ in range(2)]
    client = signed_in(cast, "editor")

    def queries_with(count: int) -> list[str]:
        while Post.objects.count() < count:
            posts.create_post(
                cast.contributor, posts.PostInput("Post", accounts=accounts, scheduled_at=AT)
            )
        with CaptureQueriesContext(connection) as context:
            response = client.get("/approvals/")
        assert len(response.context["posts"]) == count
        return [q["sql"] for q in context.captured_queries]

    few, many = queries_with(3), queries_with(30)
    assert len(few) == len(many)
    # The page's own: the posts, then their deliveries with accounts.
    assert sum('FROM "scheduler_post"' in q for q in many) == 1
    page_deliveries = 'SELECT "scheduler_delivery"."id"'  # not the nav's COUNT(*)
    assert (
        sum(
            q.startswith(page_deliveries)
            and 'FROM "scheduler_delivery" INNER JOIN "channels_socialaccount"' in q
            for q in many
        )
        == 1
    )


def test_approving_redirects_back_and_schedules(cast: Cast, account) -> None:
    post = waiting(cast, account)
    response = signed_in(cast, "editor").post(
        f"/posts/{post.pk}/approve/", {"next": "/approvals/"}, follow=True
    )
    assert response.redirect_chain == [("/approvals/", 302)]
    assert list(post.deliveries.values_list("state", "due_at")) == [(S.SCHEDULED, AT)]
    assert "Approved: it goes out Wed, Nov 25, 5:00\u00a0PM." in response.content.decode()
    assert "Nothing is waiting for approval." in response.content.decode()


def test_next_may_not_point_elsewhere(cast: Cast, account) -> None:
    post = waiting(cast, account)
    response = signed_in(cast, "editor").post(
        f"/posts/{post.pk}/approve/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/posts/{post.pk}/"


def test_approving_a_late_post_asks_what_to_do(cast: Cast, account) -> None:
    post = waiting(cast, account)
    client = signed_in(cast, "editor")
    with time_machine.travel(AT + timedelta(minutes=3), tick=False):
        response = client.post(f"/posts/{post.pk}/approve/", follow=True)
        html = response.content.decode()
        assert post.deliveries.get().state == S.AWAITING_APPROVAL
        assert "The time of this post has passed." in html
        assert "Approve and publish now" in html
        assert 'name="date" value="2026-11-25"' in html  # next whole hour, local
        assert 'name="time" value="18:00"' in html
        client.post(f"/posts/{post.pk}/approve/", {"date": "2026-11-26", "time": "09:30"})
    assert list(post.deliveries.values_list("state", "due_at")) == [
        (S.SCHEDULED, datetime(2026, 11, 26, 8, 30, tzinfo=UTC))
    ]


def test_approving_a_late_post_to_publish_now(cast: Cast, account) -> None:
    post = waiting(cast, account)
    later = AT + timedelta(minutes=3)
    with time_machine.travel(later, tick=False):
        signed_in(cast, "editor").post(f"/posts/{post.pk}/approve/", {"publish_now": "1"})
    assert list(post.deliveries.values_list("state", "due_at")) == [(S.SCHEDULED, later)]


def test_a_new_time_that_does_not_exist_is_refused(cast: Cast, account) -> None:
    post = waiting(cast, account)
    response = signed_in(cast, "editor").post(
        f"/posts/{post.pk}/approve/", {"date": "2027-03-28", "time": "02:30"}, follow=True
    )
    assert "does not exist in Europe/Stockholm" in response.content.decode()
    assert post.deliveries.get().state == S.AWAITING_APPROVAL


def test_rejecting_needs_a_reason_and_then_cancels(cast: Cast, account) -> None:
    post = waiting(cast, account)
    client = signed_in(cast, "admin")
    response = client.post(f"/posts/{post.pk}/reject/", {"reason": " "}, follow=True)
    assert "Say why the post is rejected." in response.content.decode()
    assert post.deliveries.get().state == S.AWAITING_APPROVAL
    client.post(f"/posts/{post.pk}/reject/", {"reason": "Off brand"})
    assert post.deliveries.get().state == S.CANCELLED
    assert list(Comment.objects.values_list("kind", "body")) == [("rejected", "Off brand")]


def test_asking_for_changes_needs_a_comment_and_then_returns_a_draft(cast: Cast, account) -> None:
    post = waiting(cast, account)
    client = signed_in(cast, "owner")
    client.post(f"/posts/{post.pk}/request-changes/", {"body": ""})
    assert post.deliveries.get().state == S.AWAITING_APPROVAL
    client.post(f"/posts/{post.pk}/request-changes/", {"body": "Add the price"})
    assert post.deliveries.get().state == S.DRAFT
    assert list(Comment.objects.values_list("kind", "body")) == [
        ("changes_requested", "Add the price")
    ]


@pytest.mark.parametrize("role", ["contributor", "viewer"])
@pytest.mark.parametrize("action", ["approve", "reject", "request-changes"])
def test_contributors_and_viewers_get_403(cast: Cast, account, role: str, action: str) -> None:
    post = waiting(cast, account)
    response = signed_in(cast, role).post(
        f"/posts/{post.pk}/{action}/", {"reason": "x", "body": "x"}
    )
    assert response.status_code == 403
    assert post.deliveries.get().state == S.AWAITING_APPROVAL


@pytest.mark.parametrize("action", ["approve", "reject", "request-changes"])
def test_another_workspace_gets_404(cast: Cast, account, action: str) -> None:
    post = waiting(cast, account)
    response = signed_in(cast, "outsider").post(
        f"/posts/{post.pk}/{action}/", {"reason": "x", "body": "x"}
    )
    assert response.status_code == 404
    assert post.deliveries.get().state == S.AWAITING_APPROVAL


def test_buttons_need_a_post_request(cast: Cast, account) -> None:
    post = waiting(cast, account)
    assert signed_in(cast, "editor").get(f"/posts/{post.pk}/approve/").status_code == 405


def test_the_post_page_shows_the_buttons_to_approvers_only(cast: Cast, account) -> None:
    post = waiting(cast, account)
    html = signed_in(cast, "editor").get(f"/posts/{post.pk}/").content.decode()
    assert 'id="review"' in html and f'action="/posts/{post.pk}/approve/"' in html
    html = signed_in(cast, "viewer").get(f"/posts/{post.pk}/").content.decode()
    assert 'id="review"' in html and "/approve/" not in html
    mine = PostFactory(workspace=cast.workspace, author=UserFactory())
    assert 'id="review"' not in signed_in(cast, "editor").get(f"/posts/{mine.pk}/").content.decode()

"""The first web pages: login, dashboard, composer, post page, sandbox feed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from channels.models import SandboxPost
from scheduler.models import Delivery, DeliveryAttempt, Post
from tests.conftest import NOW, Cast
from tests.factories import DeliveryFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def compose(client: Client, account, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "text": "Hello sandbox",
        "accounts": [account.pk],
        "when": "schedule",
        "date": "2026-11-25",
        "time": "16:30",
        **fields,
    }
    return client.post("/compose/", data)


def test_pages_need_a_login(cast: Cast) -> None:
    for url in ["/", "/compose/", "/sandbox/"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_the_login_page_signs_a_person_in(cast: Cast) -> None:
    client = Client()
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "editor", "password": "correct horse battery"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_composer_schedules_in_the_persons_local_time(cast: Cast, account) -> None:
    response = compose(signed_in(cast), account)
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/posts/{post.pk}/"
    assert post.scheduled_at == datetime(2026, 11, 25, 15, 30, tzinfo=UTC)  # 16:30 Stockholm
    assert list(post.deliveries.values_list("state", "due_at")) == [
        (S.SCHEDULED, post.scheduled_at)
    ]


def test_the_composer_publishes_now_or_saves_a_draft(cast: Cast, account) -> None:
    client = signed_in(cast)
    compose(client, account, when="now", date="", time="")
    compose(client, account, when="draft", date="", time="")
    assert list(Delivery.objects.order_by("id").values_list("state", "due_at")) == [
        (S.SCHEDULED, NOW),
        (S.DRAFT, None),
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"time": "10:00"}, "This time is in the past. Pick a time from now on, or publish now."),
        (
            {"date": "2027-03-28", "time": "02:30"},
            "2027-03-28 02:30 does not exist in Europe/Stockholm: the clocks move forward at that time "
            "(daylight saving). Pick another time.",
        ),
        ({"text": "x" * 501}, "Acme Sandbox: Sandbox allows 500 characters; this text has 501."),
        ({"text": "  "}, "Write something to post."),
        ({"time": ""}, "Pick a time."),
    ],
)
def test_the_composer_shows_what_is_wrong_and_keeps_what_was_typed(
    cast: Cast, account, fields, message
) -> None:  # type: ignore[no-untyped-def]
    response = compose(signed_in(cast), account, **fields)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    typed = fields.get("text", "Hello sandbox")
    assert f">\n{typed}</textarea>" in page or f">{typed}</textarea>" in page
    assert Post.objects.count() == 0


def test_the_composer_offers_only_this_workspaces_accounts(cast: Cast, account) -> None:
    from tests.factories import SandboxAccountFactory

    theirs = SandboxAccountFactory(workspace=cast.outsider.workspace, name="Not yours")
    client = signed_in(cast)
    assert "Not yours" not in client.get("/compose/").content.decode()
    response = compose(client, theirs)
    assert response.status_code == 400
    assert Post.objects.count() == 0


def test_a_viewer_cannot_open_the_composer(cast: Cast, account) -> None:
    assert signed_in(cast, "viewer").get("/compose/").status_code == 403


def test_the_post_page_shows_each_delivery_and_its_attempts(cast: Cast, account) -> None:
    delivery = DeliveryFactory(
        post__workspace=cast.workspace,
        account=account,
        state=S.FAILED,
        attempts=1,
        last_error="Refused: too spicy",
    )
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=1,
        started_at=NOW,
        finished_at=NOW,
        outcome="permanent",
        detail="Refused: too spicy",
        network_code="422",
    )
    page = signed_in(cast).get(f"/posts/{delivery.post_id}/").content.decode()
    assert "Refused: too spicy" in page
    assert 'data-testid="delivery-state" data-state="failed">Failed<' in page
    assert "<td>1</td><td>3:00:00\u00a0PM</td><td>0 ms</td><td>Refused</td>" in page
    assert "<code>422</code>" in page


def test_another_workspaces_post_is_not_found(cast: Cast, account) -> None:
    theirs = DeliveryFactory(post__workspace=cast.outsider.workspace)
    assert signed_in(cast).get(f"/posts/{theirs.post_id}/").status_code == 404


def test_cancelling_from_the_post_page(cast: Cast, account) -> None:
    delivery = DeliveryFactory(post__workspace=cast.workspace, account=account)
    response = signed_in(cast).post(f"/posts/{delivery.post_id}/cancel/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == S.CANCELLED


def test_the_dashboard_lists_upcoming_published_and_failed_posts(cast: Cast, account) -> None:
    DeliveryFactory(post__workspace=cast.workspace, account=account, post__text="Coming soon")
    DeliveryFactory(
        post__workspace=cast.workspace,
        account=account,
        post__text="Went out",
        state=S.PUBLISHED,
        published_at=NOW,
    )
    DeliveryFactory(
        post__workspace=cast.workspace,
        account=account,
        post__text="Broke",
        state=S.FAILED,
        last_error="Nope",
    )
    DeliveryFactory(post__workspace=cast.outsider.workspace, post__text="Someone else's")
    page = signed_in(cast).get("/").content.decode()
    for text in ["Coming soon", "Went out", "Broke", "Nope"]:
        assert text in page
    assert "Someone else" not in page


def test_the_dashboard_makes_the_same_number_of_queries_for_1_or_30_posts(
    cast: Cast, account, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(cast)
    DeliveryFactory(post__workspace=cast.workspace, account=account)
    client.get("/")  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for state in [S.SCHEDULED, S.PUBLISHED, S.FAILED] * 10:
        DeliveryFactory(
            post__workspace=cast.workspace, account=account, state=state, published_at=NOW
        )
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/")


def test_the_sandbox_feed_shows_this_workspaces_sandbox_posts(cast: Cast, account) -> None:
    SandboxPost.objects.create(account_ref=account.external_id, text="On the feed", created_at=NOW)
    SandboxPost.objects.create(account_ref="sandbox-elsewhere", text="Not ours", created_at=NOW)
    page = signed_in(cast).get("/sandbox/").content.decode()
    assert "On the feed" in page
    assert "Not ours" not in page


def test_a_person_switches_workspace(cast: Cast, account) -> None:
    from tests.factories import MembershipFactory

    MembershipFactory(user=cast.editor.user, workspace=cast.outsider.workspace)
    client = signed_in(cast)
    client.post("/workspace/", {"workspace": cast.outsider.workspace_id})
    assert "<h1>Other Co</h1>" in client.get("/").content.decode()


def test_the_composer_names_every_problem_at_once(cast: Cast, account) -> None:
    response = compose(signed_in(cast), account, text="y" * 501, date="2027-03-28", time="02:30")
    page = response.content.decode()
    assert "Acme Sandbox: Sandbox allows 500 characters; this text has 501." in page
    assert "2027-03-28 02:30 does not exist in Europe/Stockholm" in page
    assert Post.objects.count() == 0


def test_a_sandbox_post_page_shows_this_workspaces_post_and_hides_others(
    cast: Cast, account
) -> None:
    ours = SandboxPost.objects.create(
        account_ref=account.external_id, text="Our post", created_at=NOW
    )
    theirs = SandboxPost.objects.create(
        account_ref="sandbox-elsewhere", text="Theirs", created_at=NOW
    )
    client = signed_in(cast)
    page = client.get(f"/sandbox/posts/{ours.public_id}/").content.decode()
    assert "Our post" in page
    assert f"@{account.handle}" in page
    assert client.get(f"/sandbox/posts/{theirs.public_id}/").status_code == 404


def test_the_post_page_shows_the_link_the_thread_and_the_first_comment(cast: Cast) -> None:
    delivery = DeliveryFactory(
        post__workspace=cast.workspace,
        account__workspace=cast.workspace,
        post__text="Spring menu, a thread:",
        post__link="https://cafe.example/spring",
        post__thread=["Cardamom buns.", "Rhubarb cold brew."],
        post__first_comment="Menu in the link above.",
    )
    html = signed_in(cast).get(f"/posts/{delivery.post_id}/").content.decode()
    assert '<a href="https://cafe.example/spring" rel="noopener noreferrer">' in html
    assert '<div class="post-text thread-part" data-part="2">Cardamom buns.</div>' in html
    assert '<div class="post-text thread-part" data-part="3">Rhubarb cold brew.</div>' in html
    assert "<dd>Menu in the link above.</dd>" in html

"""The client review page (scheduler/views/review.py) and the team's side of it:
making and revoking links, and the approval steps page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scheduler import posts, review_links, unapproved, workflow
from scheduler.models import Delivery, Post, ReviewLink
from tests.conftest import NOW, Cast
from tests.factories import SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
CLIENT_ONLY = [{"name": "Client", "by": "client"}]


def write(cast: Cast, account, text: str = "Buns at 7") -> Post:  # type: ignore[no-untyped-def]
    when = NOW + timedelta(hours=2)
    return posts.create_post(
        cast.contributor, posts.PostInput(text, accounts=[account], scheduled_at=when)
    )


@pytest.fixture
def shared(cast: Cast, account):  # type: ignore[no-untyped-def]
    """Two posts waiting at a client step, shared through one link."""
    workflow.save(cast.owner, CLIENT_ONLY, every_post=False)
    first, second = write(cast, account), write(cast, account, "Cake at 8")
    link, token = review_links.create(
        cast.admin, reviewer_name="Cleo Client", post_ids=[first.pk, second.pk]
    )
    return link, token, first, second


def test_the_page_needs_no_login_and_shows_each_post_with_its_preview(
    client: Client, shared
) -> None:  # type: ignore[no-untyped-def]
    _link, token, _first, _second = shared
    page = client.get(f"/review/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Buns at 7" in html and "Cake at 8" in html
    assert 'class="preview preview-sandbox"' in html and "Acme Sandbox" in html
    assert "Step 1 of 1: Client" in html
    assert "Reviewing as Cleo Client" in html
    # Times in the workspace's zone (the factory's: Europe/Stockholm): 16:00 UTC is 17:00.
    assert re.search(r"<time datetime=\"2026-11-25T17:00:00\+01:00\">[^<]*5:00", html)
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert 'href="/approvals/"' not in html  # no app navigation


def test_approving_and_requesting_changes_through_the_link(client: Client, shared) -> None:  # type: ignore[no-untyped-def]
    _link, token, first, second = shared
    done = client.post(f"/review/{token}/posts/{first.pk}/approve/", {"step": "0"})
    assert done.status_code == 302 and done["Location"] == f"/review/{token}/"
    sent_back = client.post(
        f"/review/{token}/posts/{second.pk}/request-changes/", {"body": "Say 9", "step": "0"}
    )
    assert sent_back.status_code == 302
    assert first.deliveries.get().state == S.SCHEDULED
    assert second.deliveries.get().state == S.DRAFT
    assert second.comments.get().reviewer_name == "Cleo Client"
    page = client.get(f"/review/{token}/").content.decode()
    assert page.count('data-state="decided"') == 2


def test_asking_for_changes_without_saying_what_keeps_the_page_and_says_why(
    client: Client, shared
) -> None:  # type: ignore[no-untyped-def]
    _link, token, _first, second = shared
    page = client.post(f"/review/{token}/posts/{second.pk}/request-changes/", {"body": "  "})
    assert page.status_code == 400
    assert "Say what should change." in page.content.decode()
    assert second.deliveries.get().state == S.AWAITING_APPROVAL


def test_a_post_at_a_team_step_is_read_only_on_the_link(
    cast: Cast, account, client: Client
) -> None:  # type: ignore[no-untyped-def]
    workflow.save(cast.owner, [{"name": "Editor", "by": "team"}, *CLIENT_ONLY], False)
    post = write(cast, account)
    _link, token = review_links.create(cast.admin, reviewer_name="C", post_ids=[post.pk])
    html = client.get(f"/review/{token}/").content.decode()
    assert "Waiting for the team first." in html and "review-approve" not in html
    assert f"/posts/{post.pk}/approve/" not in html
    refused = client.post(f"/review/{token}/posts/{post.pk}/approve/")
    assert refused.status_code == 400
    assert post.deliveries.get().state == S.AWAITING_APPROVAL


def test_expired_and_revoked_links_answer_410_and_unknown_tokens_404(
    cast: Cast,
    client: Client,
    shared,  # type: ignore[no-untyped-def]
) -> None:
    link, token, first, _second = shared
    assert client.get("/review/not-a-token/").status_code == 404
    with time_machine.travel(NOW + timedelta(days=15), tick=False):
        gone = client.get(f"/review/{token}/")
        assert gone.status_code == 410
        assert "This review link no longer works" in gone.content.decode()
        late = client.post(f"/review/{token}/posts/{first.pk}/approve/")
        assert late.status_code == 410
    review_links.revoke(cast.admin, link)
    revoked = client.get(f"/review/{token}/")
    assert revoked.status_code == 410 and "withdrawn" in revoked.content.decode()
    assert first.deliveries.get().state == S.AWAITING_APPROVAL


def test_posts_not_on_the_link_never_answer(cast: Cast, account, client: Client, shared) -> None:  # type: ignore[no-untyped-def]
    _link, token, _first, _second = shared
    elsewhere = SandboxAccountFactory(workspace=cast.outsider.workspace)
    workflow.save(cast.outsider, CLIENT_ONLY, every_post=True)
    other = posts.create_post(
        cast.outsider,
        posts.PostInput("Theirs", accounts=[elsewhere], scheduled_at=NOW + timedelta(hours=2)),
    )
    not_shared = write(cast, account, "Not shared")
    for post in (other, not_shared):
        assert client.post(f"/review/{token}/posts/{post.pk}/approve/").status_code == 404
        assert post.deliveries.get().state == S.AWAITING_APPROVAL
    assert "Theirs" not in client.get(f"/review/{token}/").content.decode()


def test_decisions_need_the_csrf_token(shared) -> None:  # type: ignore[no-untyped-def]
    _link, token, first, _second = shared
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(f"/review/{token}/posts/{first.pk}/approve/").status_code == 403
    page = browser.get(f"/review/{token}/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert csrf is not None
    done = browser.post(
        f"/review/{token}/posts/{first.pk}/approve/", {"csrfmiddlewaretoken": csrf.group(1)}
    )
    assert done.status_code == 302
    assert first.deliveries.get().state == S.SCHEDULED


def test_an_admin_makes_a_link_on_the_approvals_page_and_sees_it_once(
    cast: Cast, account, client: Client
) -> None:
    post = write(cast, account)
    client.force_login(cast.admin.user)
    made = client.post(
        "/approvals/review-links/",
        {
            "reviewer_name": "Cleo",
            "reviewer_email": "cleo@example.com",
            "days": "7",
            "post": [post.pk],
        },
    )
    assert made.status_code == 200
    url = re.search(r'data-testid="review-url"', made.content.decode())
    assert url is not None
    token = re.search(r"/review/([\w-]+)/", made.content.decode()).group(1)  # type: ignore[union-attr]
    link = ReviewLink.objects.get()
    assert review_links.open_link(token) == link
    assert list(link.posts.all()) == [post]
    # Listed afterwards without its address.
    listing = client.get("/approvals/").content.decode()
    assert "Cleo" in listing and token not in listing


def test_a_bad_share_form_says_what_is_wrong_and_keeps_what_was_typed(
    cast: Cast, account, client: Client
) -> None:
    write(cast, account)
    client.force_login(cast.editor.user)
    page = client.post(
        "/approvals/review-links/",
        {"reviewer_name": "", "reviewer_email": "cleo@example.com", "days": "7"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert 'data-field="reviewer_name"' in html
    assert 'value="cleo@example.com"' in html
    assert not ReviewLink.objects.exists()


def test_contributors_cannot_share_and_other_workspaces_links_are_not_found(
    cast: Cast,
    account,
    client: Client,
    shared,  # type: ignore[no-untyped-def]
) -> None:
    link, _token, first, _second = shared
    client.force_login(cast.contributor.user)
    assert (
        client.post(
            "/approvals/review-links/", {"reviewer_name": "X", "post": [first.pk]}
        ).status_code
        == 403
    )
    client.force_login(cast.outsider.user)
    assert client.post(f"/approvals/review-links/{link.pk}/revoke/").status_code == 404
    client.force_login(cast.editor.user)
    assert client.post(f"/approvals/review-links/{link.pk}/revoke/").status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_the_steps_page_is_for_owners_and_admins(cast: Cast, client: Client) -> None:
    client.force_login(cast.editor.user)
    assert client.get("/approvals/steps/").status_code == 403
    client.force_login(cast.admin.user)
    assert client.get("/approvals/steps/").status_code == 200
    saved = client.post(
        "/approvals/steps/",
        {
            "name-0": "Editor",
            "by-0": "team",
            "name-1": "Client",
            "by-1": "client",
            "every_post": "on",
        },
    )
    assert saved.status_code == 302
    flow = workflow.of(cast.workspace.pk)
    assert [(s.name, s.by) for s in flow.steps] == [("Editor", "team"), ("Client", "client")]
    assert flow.every_post
    bad = client.post("/approvals/steps/", {"name-0": "Editor", "by-0": "robot"})
    assert bad.status_code == 400
    assert "Choose “team” or “client”." in bad.content.decode()
    assert 'value="Editor"' in bad.content.decode()


def test_the_approvals_page_shows_the_step_and_who_decided(
    cast: Cast, account, client: Client
) -> None:
    workflow.save(cast.owner, [{"name": "Editor", "by": "team"}, *CLIENT_ONLY], False)
    post = write(cast, account)
    client.force_login(cast.editor.user)
    client.post(f"/posts/{post.pk}/approve/", {"step": "0"})
    html = client.get("/approvals/").content.decode()
    assert "Step 2 of 2: Client" in html
    assert "Editor: Approved by editor" in html
    client.force_login(cast.viewer.user)
    detail = client.get(f"/posts/{post.pk}/").content.decode()
    assert f'action="/posts/{post.pk}/approve/"' in detail


def test_the_approvals_page_costs_the_same_queries_for_more_posts(
    cast: Cast, account, client: Client
) -> None:
    workflow.save(cast.owner, [{"name": "Editor", "by": "team"}, *CLIENT_ONLY], False)
    client.force_login(cast.admin.user)

    def load() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/approvals/").status_code == 200
        return len(queries)

    for _ in range(2):
        posts.create_post(
            cast.contributor,
            posts.PostInput("One", accounts=[account], scheduled_at=NOW + timedelta(hours=2)),
        )
    few = load()
    for _ in range(6):
        post = posts.create_post(
            cast.contributor,
            posts.PostInput("More", accounts=[account], scheduled_at=NOW + timedelta(hours=2)),
        )
        client.post(f"/posts/{post.pk}/approve/", {"step": "0"})
    assert load() == few


def test_an_expired_post_shows_as_expired_on_the_link_without_buttons(
    cast: Cast,
    client: Client,
    shared,  # type: ignore[no-untyped-def]
) -> None:
    _link, token, first, _second = shared
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        unapproved.expire_unapproved()
        html = client.get(f"/review/{token}/").content.decode()
        refused = client.post(f"/review/{token}/posts/{first.pk}/approve/", {"step": "0"})
    assert html.count('data-state="expired"') == 2
    assert "Expired before approval" in html
    assert f"/posts/{first.pk}/approve/" not in html
    assert refused.status_code == 400
    assert first.deliveries.get().state == S.EXPIRED


def test_an_approver_gives_an_expired_post_a_new_time_on_its_page(
    cast: Cast, account, client: Client
) -> None:
    post = write(cast, account)
    client.force_login(cast.editor.user)
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        unapproved.expire_unapproved()
        page = client.get(f"/posts/{post.pk}/").content.decode()
        assert 'data-state="expired"' in page and 'data-testid="expired-note"' in page
        client.post(
            f"/posts/{post.pk}/approve/", {"date": "2026-11-26", "time": "09:00", "step": "0"}
        )
    delivery = post.deliveries.get()
    # 09:00 in the editor's zone (Europe/Stockholm) is 08:00 UTC.
    assert (delivery.state, delivery.due_at.isoformat()) == (
        S.SCHEDULED,
        "2026-11-26T08:00:00+00:00",
    )

"""Approval steps, review links and step decisions over the API (scheduler/api/review.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler import posts, review_links, workflow
from scheduler.models import Delivery, Post, ReviewLink
from tests.conftest import NOW, Cast
from tests.factories import SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
TWO_STEPS = [{"name": "Editor", "by": "team"}, {"name": "Client", "by": "client"}]


def write(cast: Cast, account, who: str = "contributor") -> Post:  # type: ignore[no-untyped-def]
    return posts.create_post(
        cast.role(who),
        posts.PostInput("Buns at 7", accounts=[account], scheduled_at=NOW + timedelta(hours=2)),
    )


def test_every_member_reads_the_steps_and_only_owners_and_admins_change_them(api) -> None:  # type: ignore[no-untyped-def]
    read = api.as_role("viewer").get("/api/v1/approval-steps/")
    assert read.json() == {"steps": [{"name": "Team", "by": "team"}], "every_post": False}
    refused = api.as_role("editor").put(
        "/api/v1/approval-steps/", {"steps": TWO_STEPS}, format="json"
    )
    assert refused.status_code == 403
    saved = api.as_role("admin").put(
        "/api/v1/approval-steps/", {"steps": TWO_STEPS, "every_post": True}, format="json"
    )
    assert saved.status_code == 200
    assert saved.json() == {"steps": TWO_STEPS, "every_post": True}


def test_bad_steps_answer_400_naming_the_field(api) -> None:  # type: ignore[no-untyped-def]
    api.as_role("owner")
    bad = api.put(
        "/api/v1/approval-steps/", {"steps": [{"name": "X", "by": "robot"}]}, format="json"
    )
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["steps.0.by"]
    empty = api.put("/api/v1/approval-steps/", {"steps": []}, format="json")
    assert (empty.status_code, list(empty.json()["errors"])) == (400, ["steps"])


def test_a_review_link_answers_its_url_once(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    post = write(cast, account)
    made = api.as_role("editor").post(
        "/api/v1/review-links/",
        {"reviewer_name": "Cleo", "post_ids": [post.pk], "days": 3},
        format="json",
    )
    assert made.status_code == 201
    body = made.json()
    assert body["posts"] == [post.pk] and body["expired"] is False
    token = body["url"].rstrip("/").rsplit("/", 1)[1]
    assert review_links.open_link(token).pk == body["id"]
    listed = api.get("/api/v1/review-links/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [body["id"]]
    assert "url" not in str(listed)
    assert api.delete(f"/api/v1/review-links/{body['id']}/").status_code == 204
    assert ReviewLink.objects.get().revoked_at is not None


def test_bad_review_links_answer_400_naming_the_field(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    post = write(cast, account)
    api.as_role("admin")
    no_name = api.post("/api/v1/review-links/", {"post_ids": [post.pk]}, format="json")
    assert (no_name.status_code, list(no_name.json()["errors"])) == (400, ["reviewer_name"])
    too_long = api.post(
        "/api/v1/review-links/",
        {"reviewer_name": "C", "post_ids": [post.pk], "days": 91},
        format="json",
    )
    assert list(too_long.json()["errors"]) == ["days"]
    theirs = posts.create_post(
        cast.outsider,
        posts.PostInput(
            "Theirs",
            accounts=[SandboxAccountFactory(workspace=cast.outsider.workspace)],
            scheduled_at=NOW + timedelta(hours=2),
        ),
    )
    other = api.post(
        "/api/v1/review-links/", {"reviewer_name": "C", "post_ids": [theirs.pk]}, format="json"
    )
    assert (other.status_code, list(other.json()["errors"])) == (400, ["post_ids"])
    assert (
        api.as_role("contributor")
        .post("/api/v1/review-links/", {"reviewer_name": "C", "post_ids": [post.pk]}, format="json")
        .status_code
        == 403
    )


def test_other_workspaces_links_and_posts_answer_404(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    post = write(cast, account)
    link, _token = review_links.create(cast.admin, reviewer_name="C", post_ids=[post.pk])
    api.as_role("outsider")
    assert api.delete(f"/api/v1/review-links/{link.pk}/").status_code == 404
    assert api.post(f"/api/v1/approvals/{post.pk}/approve/").status_code == 404
    assert post.deliveries.get().state == S.AWAITING_APPROVAL


def test_two_step_decisions_over_the_api(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    workflow.save(cast.owner, TWO_STEPS, every_post=False)
    post = write(cast, account)
    assert (
        api.as_role("contributor").post(f"/api/v1/approvals/{post.pk}/approve/").status_code == 403
    )
    first = api.as_role("editor").post(
        f"/api/v1/approvals/{post.pk}/approve/", {"step": 0}, format="json"
    )
    assert first.json() == {
        "id": post.pk,
        "status": "awaiting_approval",
        "approval_step": 1,
        "step": "Client",
    }
    stale = api.as_role("admin").post(
        f"/api/v1/approvals/{post.pk}/approve/", {"step": 0}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["detail"] == "This post is no longer waiting at this step."
    no_comment = api.as_role("viewer").post(
        f"/api/v1/approvals/{post.pk}/request-changes/", {"step": 1}, format="json"
    )
    assert (no_comment.status_code, list(no_comment.json()["errors"])) == (400, ["comment"])
    done = api.post(f"/api/v1/approvals/{post.pk}/approve/", {"step": 1}, format="json")
    assert done.json()["status"] == "scheduled"
    assert post.deliveries.get().state == S.SCHEDULED

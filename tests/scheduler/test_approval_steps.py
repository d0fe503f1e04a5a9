"""Multi-step approval (scheduler/workflow.py, approvals.py), review links as
deciders (review_links.py) and expiry of unapproved posts (unapproved.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from scheduler import approvals, engine, posts, review_links, unapproved, workflow
from scheduler.models import (
    ApprovalDecision,
    Comment,
    Delivery,
    Notification,
    Post,
)
from tests.conftest import Cast

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
AT = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
TWO_STEPS = [{"name": "Editor", "by": "team"}, {"name": "Client", "by": "client"}]


def write(cast: Cast, account, role: str = "contributor", when: datetime = AT) -> Post:  # type: ignore[no-untyped-def]
    return posts.create_post(
        cast.role(role), posts.PostInput("Buns at 7", accounts=[account], scheduled_at=when)
    )


def states(post: Post) -> list[str]:
    return list(post.deliveries.order_by("id").values_list("state", flat=True))


def client_link(cast: Cast, post: Post) -> approvals.Reviewer:
    link, _token = review_links.create(cast.admin, reviewer_name="Cleo Client", post_ids=[post.pk])
    return approvals.Reviewer(link)


def test_without_saved_steps_a_contributors_post_has_one_team_step(cast: Cast, account) -> None:
    flow = workflow.of(cast.workspace.pk)
    assert [(s.name, s.by) for s in flow.steps] == [("Team", "team")]
    assert not flow.every_post
    assert workflow.first_step(cast.contributor) == 0
    assert workflow.first_step(cast.editor) is None


def test_two_steps_editor_then_client_via_review_link(cast: Cast, account) -> None:
    workflow.save(cast.owner, TWO_STEPS, every_post=False)
    post = write(cast, account)
    assert (states(post), post.approval_step) == ([S.AWAITING_APPROVAL], 0)

    approvals.approve(cast.editor, post, at_step=0)
    post.refresh_from_db()
    assert (states(post), post.approval_step) == ([S.AWAITING_APPROVAL], 1)
    # The client step's people (viewers) are told it now waits for them.
    assert Notification.objects.filter(kind="approval_needed", user__username="viewer").exists()

    reviewer = client_link(cast, post)
    comment = approvals.approve(reviewer, post, note="Lovely", at_step=1)
    assert states(post) == [S.SCHEDULED]
    assert post.deliveries.get().due_at == AT
    assert (comment.author, comment.reviewer_name, comment.kind) == (
        None,
        "Cleo Client",
        "approved",
    )
    assert list(
        ApprovalDecision.objects.values_list("step", "step_name", "user__username", "reviewer_name")
    ) == [(0, "Editor", "editor", ""), (1, "Client", None, "Cleo Client")]
    told = Notification.objects.filter(kind="approved").values_list("user__username", "message")
    assert ("contributor", "Cleo Client approved your post “Buns at 7”.") in list(told)


def test_the_team_cannot_decide_at_the_client_step_nor_the_client_at_a_team_step(
    cast: Cast, account
) -> None:
    workflow.save(cast.owner, TWO_STEPS, every_post=False)
    post = write(cast, account)
    with pytest.raises(approvals.ReviewError, match="Waiting for the team first"):
        approvals.approve(client_link(cast, post), post)
    approvals.approve(cast.editor, post)
    with pytest.raises(approvals.ReviewError, match="decided by: Client"):
        approvals.approve(cast.admin, post)
    with pytest.raises(PermissionDenied):
        approvals.approve(cast.contributor, post)
    # A viewer member is the client too.
    approvals.approve(cast.viewer, post)
    assert states(post) == [S.SCHEDULED]


def test_a_second_decision_at_the_same_step_finds_the_post_moved_on(cast: Cast, account) -> None:
    workflow.save(cast.owner, [{"name": "A", "by": "team"}, {"name": "B", "by": "team"}], False)
    post = write(cast, account)
    approvals.approve(cast.editor, post, at_step=0)
    with pytest.raises(approvals.ReviewError, match="no longer waiting at this step"):
        approvals.approve(cast.admin, post, at_step=0)
    assert ApprovalDecision.objects.count() == 1


def test_an_editors_own_post_with_every_post_needing_approval_starts_at_the_client_step(
    cast: Cast, account
) -> None:
    workflow.save(cast.owner, TWO_STEPS, every_post=True)
    post = write(cast, account, role="editor")
    assert (states(post), post.approval_step) == ([S.AWAITING_APPROVAL], 1)


def test_with_only_team_steps_an_editors_own_post_is_scheduled_directly(
    cast: Cast, account
) -> None:
    workflow.save(cast.owner, [{"name": "Team", "by": "team"}], every_post=True)
    post = write(cast, account, role="editor")
    assert states(post) == [S.SCHEDULED]


def test_request_changes_at_the_client_step_makes_a_draft_that_starts_over(
    cast: Cast, account
) -> None:
    workflow.save(cast.owner, TWO_STEPS, every_post=False)
    post = write(cast, account)
    approvals.approve(cast.editor, post)
    comment = approvals.request_changes(client_link(cast, post), post, "Say 8, not 7")
    post.refresh_from_db()
    assert (states(post), post.approval_step, post.scheduled_at) == ([S.DRAFT], 0, None)
    assert (comment.kind, comment.body, comment.reviewer_name) == (
        Comment.Kind.CHANGES_REQUESTED,
        "Say 8, not 7",
        "Cleo Client",
    )
    # The team hears of a client's decision as well as the author.
    told = Notification.objects.filter(kind="changes_requested").order_by("user__username")
    assert list(told.values_list("user__username", "message")) == [
        ("admin", "Cleo Client (review link) asked for changes to “Buns at 7”: Say 8, not 7"),
        ("contributor", "Cleo Client asked for changes to your post “Buns at 7”: Say 8, not 7"),
        ("editor", "Cleo Client (review link) asked for changes to “Buns at 7”: Say 8, not 7"),
        ("owner", "Cleo Client (review link) asked for changes to “Buns at 7”: Say 8, not 7"),
    ]


def test_only_owners_and_admins_change_steps_and_bad_steps_name_the_field(cast: Cast) -> None:
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.save(cast.editor, TWO_STEPS, every_post=False)
    assert refused.value.field == "steps"
    with pytest.raises(workflow.WorkflowError) as bad:
        workflow.save(cast.admin, [{"name": "X", "by": "robot"}], every_post=False)
    assert (bad.value.field, bad.value.message) == ("steps.0.by", "Choose “team” or “client”.")
    with pytest.raises(workflow.WorkflowError) as empty:
        workflow.save(cast.admin, [], every_post=False)
    assert empty.value.field == "steps"


def test_the_sweep_expires_late_unapproved_posts_once_and_the_dispatcher_skips_them(
    cast: Cast, account, sent, django_capture_on_commit_callbacks
) -> None:
    post = write(cast, account)
    Notification.objects.all().delete()
    with time_machine.travel(AT + timedelta(seconds=30), tick=False):
        assert unapproved.expire_unapproved() == 0  # inside the grace minute
    with time_machine.travel(AT + timedelta(minutes=2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert unapproved.expire_unapproved() == 1
            assert unapproved.expire_unapproved() == 0
        assert engine.dispatch_due() == 0
    assert states(post) == [S.EXPIRED]
    assert sent["publish"] == []
    post = Post.objects.prefetch_related("deliveries").get(pk=post.pk)
    assert (post.status, post.status_label) == ("expired", "Expired before approval")
    told = Notification.objects.filter(kind="approval_expired")
    assert sorted(told.values_list("user__username", flat=True)) == [
        "admin",
        "contributor",
        "editor",
        "owner",
    ]
    assert told.first().message == "“Buns at 7” expired: its time passed before it was approved."


def test_an_expired_post_is_approved_only_with_a_new_time(cast: Cast, account) -> None:
    post = write(cast, account)
    with time_machine.travel(AT + timedelta(minutes=2), tick=False):
        unapproved.expire_unapproved()
        with pytest.raises(approvals.TimePassed):
            approvals.approve(cast.editor, post)
        later = AT + timedelta(hours=3)
        approvals.approve(cast.editor, post, new_time=later)
    assert list(post.deliveries.values_list("state", "scheduled_at", "due_at")) == [
        (S.SCHEDULED, later, later)
    ]


def test_an_expired_post_can_be_sent_back_or_cancelled(cast: Cast, account) -> None:
    first, second = write(cast, account), write(cast, account)
    with time_machine.travel(AT + timedelta(minutes=2), tick=False):
        unapproved.expire_unapproved()
        approvals.request_changes(cast.editor, first, "New time please")
        posts.cancel_post(second, cast.editor)
    assert states(first) == [S.DRAFT]
    assert states(second) == [S.CANCELLED]


def test_the_engine_allows_exactly_the_expiry_transitions() -> None:
    assert engine.TRANSITIONS[S.AWAITING_APPROVAL] >= {S.EXPIRED}
    assert engine.TRANSITIONS[S.EXPIRED] == {
        S.SCHEDULED,
        S.DRAFT,
        S.CANCELLED,
        S.AWAITING_APPROVAL,
    }
    assert S.EXPIRED not in Delivery.DUE_STATES


def test_a_review_link_refuses_posts_of_another_workspace_and_posts_not_waiting(
    cast: Cast, account
) -> None:
    mine = write(cast, account)
    scheduled = write(cast, account, role="editor")
    with pytest.raises(review_links.LinkError) as refused:
        review_links.create(cast.admin, reviewer_name="C", post_ids=[mine.pk, scheduled.pk])
    assert refused.value.field == "posts"
    with pytest.raises(review_links.LinkError) as days:
        review_links.create(cast.admin, reviewer_name="C", post_ids=[mine.pk], days=91)
    assert days.value.field == "days"
    with pytest.raises(PermissionDenied):
        review_links.create(cast.contributor, reviewer_name="C", post_ids=[mine.pk])
    with pytest.raises(review_links.LinkError) as name:
        review_links.create(cast.admin, reviewer_name=" ", post_ids=[mine.pk])
    assert name.value.field == "reviewer_name"


def test_a_review_link_stores_only_a_hash_of_its_token(cast: Cast, account) -> None:
    post = write(cast, account)
    link, token = review_links.create(cast.admin, reviewer_name="Cleo", post_ids=[post.pk])
    assert token not in link.token_hash and len(link.token_hash) == 64
    assert review_links.open_link(token) == link


def test_the_beat_runs_the_expiry_sweep_every_minute(cast: Cast, account) -> None:
    from scheduler import tasks
    from smo.celery import app

    entry = app.conf.beat_schedule["expire-unapproved"]
    assert (entry["task"], entry["schedule"]) == ("scheduler.expire_unapproved", 60.0)
    assert tasks.expire_unapproved.name == "scheduler.expire_unapproved"
    post = write(cast, account)
    with time_machine.travel(AT + timedelta(minutes=2), tick=False):
        assert tasks.expire_unapproved() == 1
    assert states(post) == [S.EXPIRED]

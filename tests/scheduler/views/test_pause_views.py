"""Pausing from the web: the pause page, the banner on every page, resume and account pauses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from channels.models import SocialAccount
from scheduler import pause
from scheduler.models import Delivery, Workspace
from tests.conftest import Cast
from tests.factories import DeliveryFactory, PostFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def signed_in(cast: Cast, role: str = "owner") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def test_an_owner_pauses_and_everyone_sees_the_banner(cast: Cast, account) -> None:
    DeliveryFactory(
        post=PostFactory(workspace=cast.workspace, scheduled_at=utc(2026, 11, 25, 14, 30)),
        account=account,
    )
    response = signed_in(cast).post("/pause/", {"reason": "Breaking news", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    with time_machine.travel(utc(2026, 11, 25, 15, 0), tick=False):
        page = signed_in(cast, "viewer").get("/").content.decode()
    assert "Publishing is paused" in page
    assert "since Wed, Nov 25, 3:00\u00a0PM by owner: Breaking news" in page  # Stockholm time
    assert "1 post came due meanwhile and waits." in page
    assert "Resume publishing" not in page  # viewers cannot resume
    owner_page = signed_in(cast).get("/compose/").content.decode()
    assert "Resume publishing" in owner_page
    assert 'value="review"' in owner_page


def test_the_banner_costs_one_query_and_nothing_when_not_paused(cast: Cast, account) -> None:
    client = signed_in(cast)
    with CaptureQueriesContext(connection) as running:
        client.get("/queue/")
    pause.pause_workspace(cast.owner, "stop")
    with CaptureQueriesContext(connection) as paused:
        page = client.get("/queue/").content.decode()
    assert "Publishing is paused" in page
    assert len(paused) == len(running) + 1


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
def test_only_owners_and_admins_reach_pause_and_resume(cast: Cast, account, role: str) -> None:
    client = signed_in(cast, role)
    assert client.get("/pause/").status_code == 403
    assert client.post("/pause/", {"reason": "x"}).status_code == 403
    assert client.post(f"/queue/{account.pk}/pause/").status_code == 403
    pause.pause_workspace(cast.owner, "stop")
    assert client.post("/pause/resume/", {"what_was_missed": "review"}).status_code == 403
    assert Workspace.objects.get(pk=cast.workspace.pk).paused_at is not None


def test_resume_with_review_puts_the_missed_post_back_in_drafts(cast: Cast, account) -> None:
    delivery = DeliveryFactory(
        post=PostFactory(workspace=cast.workspace, scheduled_at=utc(2026, 11, 25, 14, 30)),
        account=account,
    )
    pause.pause_workspace(cast.admin, "stop")
    with time_machine.travel(utc(2026, 11, 25, 15, 0), tick=False):
        response = signed_in(cast, "admin").post(
            "/pause/resume/", {"what_was_missed": "review", "next": "/queue/"}, follow=True
        )
    assert response.redirect_chain == [("/queue/", 302)]
    page = response.content.decode()
    assert "Publishing resumed. 1 missed post moved to drafts." in page
    assert "Publishing is paused" not in page
    assert Delivery.objects.get(pk=delivery.pk).state == S.DRAFT


def test_account_pause_shows_on_the_queue_page_and_resumes(cast: Cast, account) -> None:
    client = signed_in(cast, "admin")
    assert client.post(f"/queue/{account.pk}/pause/")["Location"] == f"/queue/#queue-{account.pk}"
    assert SocialAccount.objects.get(pk=account.pk).paused_at == utc(2026, 11, 25, 14)
    page = client.get("/queue/").content.decode()
    assert "Paused since Wed, Nov 25, 3:00\u00a0PM" in page
    assert "Publishing is paused" not in page  # the workspace still publishes
    client.post(f"/queue/{account.pk}/resume/", {"what_was_missed": "reschedule"})
    assert SocialAccount.objects.get(pk=account.pk).paused_at is None


def test_another_workspaces_account_is_not_found(cast: Cast) -> None:
    theirs = SandboxAccountFactory(workspace=cast.outsider.workspace)
    client = signed_in(cast)
    assert client.post(f"/queue/{theirs.pk}/pause/").status_code == 404
    assert client.post(f"/queue/{theirs.pk}/resume/").status_code == 404
    assert SocialAccount.objects.get(pk=theirs.pk).paused_at is None

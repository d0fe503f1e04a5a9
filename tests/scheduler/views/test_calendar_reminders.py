"""On the calendar a reminder looks like one (dashed, a bell, "Reminder"), before and after its time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from channels.models import SocialAccount
from scheduler import engine
from scheduler.models import Delivery, Post
from tests.conftest import NOW, Cast
from tests.factories import PostFactory, SandboxAccountFactory
from tests.scheduler.reminding import due_to, snapchat

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
TOMORROW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def signed_in(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.editor.user)
    return client


def chip(html: str, post: Post) -> str:
    """The month view's chip of `post`, from its opening tag to its end."""
    at = html.index(f'data-post="{post.pk}"')
    start = html.rindex('<a class="cal-chip', 0, at)
    return html[start : html.index("</a>", at)]


def month(cast: Cast) -> str:
    return signed_in(cast).get("/calendar/?view=month&date=2026-11-25").content.decode()


def test_a_scheduled_reminder_is_dashed_and_says_reminder(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    reminder = due_to(snapchat(cast.admin), cast.editor, TOMORROW, state=S.SCHEDULED).post
    automatic = due_to(account, cast.editor, TOMORROW, state=S.SCHEDULED, text="Auto").post
    html = month(cast)
    theirs = chip(html, reminder)
    assert theirs.startswith('<a class="cal-chip campaign cal-reminder"')
    assert '<span class="cal-reminder-label" data-testid="reminder-label"' in theirs
    assert "Sends you a reminder to post it by hand: Acme on Snapchat" in theirs
    assert 'class="reminder-icon"' in theirs
    ours = chip(html, automatic)
    assert ours.startswith('<a class="cal-chip campaign"')
    assert "cal-reminder" not in ours


def test_after_its_time_it_still_reads_as_a_reminder_waiting_and_then_posted(cast: Cast) -> None:
    waiting = due_to(snapchat(cast.admin), cast.editor, NOW)
    assert engine.publish(waiting.pk) == "reminder"
    html = month(cast)
    theirs = chip(html, waiting.post)
    assert "cal-reminder" in theirs
    assert '<span class="badge state-reminder_sent">Waiting to be posted by hand</span>' in theirs

    assert engine.transition(waiting.pk, S.REMINDER_SENT, S.PUBLISHED, published_at=NOW)
    theirs = chip(month(cast), waiting.post)
    assert "cal-reminder" in theirs
    assert '<span class="badge state-published">Published</span>' in theirs


def test_a_post_published_before_its_account_switched_to_reminders_stays_plain(
    cast: Cast,
) -> None:
    account = SandboxAccountFactory(workspace=cast.workspace)
    done = due_to(account, cast.editor, NOW - timedelta(hours=2), state=S.PUBLISHED)
    SocialAccount.objects.filter(pk=account.pk).update(publishing="reminder")
    assert "cal-reminder" not in chip(month(cast), done.post)


def test_the_list_view_marks_reminders_too(cast: Cast) -> None:
    reminder = due_to(snapchat(cast.admin), cast.editor, TOMORROW, state=S.SCHEDULED).post
    html = signed_in(cast).get("/calendar/?view=list&date=2026-11-25").content.decode()
    row = html[html.rindex('<li class="row cal-row', 0, html.index(f'data-post="{reminder.pk}"')) :]
    row = row[: row.index("</li>")]
    assert row.startswith('<li class="row cal-row cal-reminder">')
    assert 'data-testid="reminder-label"' in row


@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_reminders_cost_the_calendar_no_extra_query(cast: Cast, account, view: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(cast)
    url = f"/calendar/?view={view}&date=2026-11-26"
    # Two an hour, four a day: what the month and week views show before "+N more".
    for hour in range(2):
        due_to(account, cast.editor, TOMORROW + timedelta(hours=hour), state=S.SCHEDULED)
    client.get(url)  # the session and the workspace are warm from here on
    with CaptureQueriesContext(connection) as plain:
        assert client.get(url).status_code == 200
    SocialAccount.objects.filter(pk=account.pk).update(publishing="reminder")
    snap = snapchat(cast.admin)
    for hour in range(2):
        post = PostFactory(workspace=cast.workspace, scheduled_at=TOMORROW + timedelta(hours=hour))
        Delivery.objects.create(
            post=post, account=snap, state=S.SCHEDULED, scheduled_at=post.scheduled_at
        )
    with CaptureQueriesContext(connection) as reminding:
        response = client.get(url)
    assert response.content.decode().count('data-testid="reminder-label"') == 4
    assert len(reminding.captured_queries) == len(plain.captured_queries)

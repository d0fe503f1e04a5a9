"""The evergreen queue on the web: the post page button, the queue page section, fill now."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from channels.models import SocialAccount
from scheduler import evergreen
from scheduler.models import Delivery, EvergreenSettings, Post, QueueSlot
from tests.conftest import NOW, Cast
from tests.factories import DeliveryFactory, PostFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def published(cast: Cast, account: SocialAccount, text: str, days_ago: int = 60) -> Post:
    at = NOW - timedelta(days=days_ago)
    post = PostFactory(workspace=cast.workspace, text=text, scheduled_at=at)
    DeliveryFactory(post=post, account=account, state=S.PUBLISHED, published_at=at)
    return post


@pytest.fixture
def daily(account: SocialAccount) -> SocialAccount:
    for weekday in range(7):
        QueueSlot.objects.create(account=account, weekday=weekday, time=time(9, 0))
    return account


def test_the_post_page_marks_and_unmarks_evergreen(cast: Cast, daily: SocialAccount) -> None:
    post = published(cast, daily, "Our best tip")
    client = signed_in(cast)
    assert "Mark evergreen" in client.get(f"/posts/{post.pk}/").content.decode()
    response = client.post(f"/posts/{post.pk}/evergreen/", {"evergreen": "on"})
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).evergreen is True
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert "Stop recycling (evergreen)" in page
    client.post(f"/posts/{post.pk}/evergreen/", {"evergreen": "off"})
    assert Post.objects.get(pk=post.pk).evergreen is False


def test_an_unpublished_post_has_no_button_and_is_refused(cast: Cast, daily: SocialAccount) -> None:
    waiting = DeliveryFactory(post__workspace=cast.workspace, account=daily).post
    client = signed_in(cast)
    assert "Mark evergreen" not in client.get(f"/posts/{waiting.pk}/").content.decode()
    response = client.post(f"/posts/{waiting.pk}/evergreen/", {"evergreen": "on"}, follow=True)
    assert "Only a post published on at least one account can be evergreen." in (
        response.content.decode()
    )
    assert Post.objects.get(pk=waiting.pk).evergreen is False


@pytest.mark.parametrize("role", ["viewer", "contributor"])
def test_only_people_who_schedule_mark_change_or_fill(
    cast: Cast, daily: SocialAccount, role: str
) -> None:
    post = published(cast, daily, "Our best tip")
    client = signed_in(cast, role)
    assert "Mark evergreen" not in client.get(f"/posts/{post.pk}/").content.decode()
    assert client.post(f"/posts/{post.pk}/evergreen/", {"evergreen": "on"}).status_code == 403
    data = {"enabled": "on", "min_gap_days": "10", "slots_ahead": "2"}
    assert client.post(f"/queue/{daily.pk}/evergreen/", data).status_code == 403
    assert client.post(f"/queue/{daily.pk}/evergreen/fill/").status_code == 403
    page = client.get("/queue/").content.decode()
    assert "Fill now" not in page and "Minimum gap" not in page
    assert Post.objects.get(pk=post.pk).evergreen is False
    assert not EvergreenSettings.objects.exists()


def test_another_workspace_answers_404(cast: Cast, daily: SocialAccount) -> None:
    post = published(cast, daily, "Our best tip")
    client = signed_in(cast, "outsider")
    assert client.post(f"/posts/{post.pk}/evergreen/", {"evergreen": "on"}).status_code == 404
    assert client.post(f"/queue/{daily.pk}/evergreen/", {"enabled": "on"}).status_code == 404
    assert client.post(f"/queue/{daily.pk}/evergreen/fill/").status_code == 404


def test_saving_settings_then_fill_now_puts_a_recycled_post_in_the_queue(
    cast: Cast, daily: SocialAccount
) -> None:
    post = published(cast, daily, "Our best tip")
    evergreen.mark(cast.editor, post, True)
    client = signed_in(cast)
    data = {"enabled": "on", "min_gap_days": "20", "slots_ahead": "1"}
    response = client.post(f"/queue/{daily.pk}/evergreen/", data)
    assert response["Location"] == f"/queue/#queue-{daily.pk}"
    saved = EvergreenSettings.objects.get(account=daily)
    assert (saved.enabled, saved.min_gap_days, saved.slots_ahead) == (True, 20, 1)
    client.post(f"/queue/{daily.pk}/evergreen/fill/")
    page = client.get("/queue/").content.decode()
    assert page.count("♻ Recycled") == 1
    assert 'data-testid="evergreen-post"' in page


def test_a_bad_gap_shows_the_form_again_with_what_was_typed(
    cast: Cast, daily: SocialAccount
) -> None:
    data = {"enabled": "on", "min_gap_days": "0", "slots_ahead": "7"}
    response = signed_in(cast).post(f"/queue/{daily.pk}/evergreen/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="evergreen-{daily.pk}-min_gap_days_errors"' in page
    assert "Ensure this value is greater than or equal to 1." in page
    assert 'name="slots_ahead" value="7"' in page
    assert not EvergreenSettings.objects.exists()


def test_fill_now_with_evergreen_off_says_so(cast: Cast, daily: SocialAccount) -> None:
    response = signed_in(cast).post(f"/queue/{daily.pk}/evergreen/fill/", follow=True)
    assert "Turn evergreen on for" in response.content.decode()
    assert Post.objects.filter(evergreen_of__isnull=False).count() == 0


def test_the_evergreen_list_costs_the_same_queries_for_3_or_30_posts(
    cast: Cast, daily: SocialAccount, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    other = SandboxAccountFactory(workspace=cast.workspace)
    client = signed_in(cast)
    for i in range(3):
        evergreen.mark(cast.editor, published(cast, daily, f"Tip {i}", 40 + i), True)
    evergreen.save_settings(daily, enabled=True, min_gap_days=30, slots_ahead=3)
    evergreen.fill(daily.pk)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/queue/").status_code == 200
    for i in range(3, 30):
        post = published(cast, daily, f"Tip {i}", 40 + i)
        DeliveryFactory(post=post, account=other, state=S.PUBLISHED, published_at=datetime.now(UTC))
        evergreen.mark(cast.editor, post, True)
    evergreen.save_settings(other, enabled=True, min_gap_days=30, slots_ahead=3)
    with django_assert_num_queries(len(few)):
        page = client.get("/queue/").content.decode()
    assert page.count('data-testid="evergreen-post"') == 30 + 27

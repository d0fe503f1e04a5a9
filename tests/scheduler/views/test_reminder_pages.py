"""The reminder pages: what to post by hand, then "Mark as posted" or "Skip"; who may see them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from scheduler import engine
from scheduler.models import Delivery, MediaAsset
from tests.conftest import NOW, Cast
from tests.factories import DeliveryFactory, SandboxAccountFactory
from tests.scheduler.reminding import due_to, jpeg_bytes, photo, snapchat

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def buns(cast: Cast) -> MediaAsset:
    return photo(cast.editor)


@pytest.fixture
def reminded(cast: Cast, buns: MediaAsset) -> Delivery:
    delivery = due_to(
        snapchat(cast.admin),
        cast.editor,
        NOW,
        text="Fresh buns at 7 & coffee",
        link="https://acme.example/buns",
        media=(buns,),
        overrides={"snapchat": {"options": {"title": "Buns!"}}},
    )
    assert engine.publish(delivery.pk) == "reminder"
    delivery.refresh_from_db()
    return delivery


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def test_the_reminder_shows_the_caption_to_copy_the_media_the_options_and_the_time(
    cast: Cast, reminded: Delivery, buns: MediaAsset
) -> None:
    html = signed_in(cast).get(f"/reminders/{reminded.pk}/").content.decode()
    caption = re.search(r'<textarea id="caption"[^>]*>(.*?)</textarea>', html, re.S)
    assert caption is not None
    assert caption.group(1) == "Fresh buns at 7 &amp; coffee https://acme.example/buns"
    assert 'data-copy="caption"' in html
    media = f"/reminders/{reminded.pk}/media/{buns.pk}/"
    assert f'<img src="{media}" alt="A tray of buns"' in html
    assert f'href="{media}?download=1" download="buns.jpg"' in html
    assert '<dt>Saved Story title</dt><dd data-testid="reminder-option">Buns!</dd>' in html
    # 14:00 UTC is 15:00 in the editor's Stockholm.
    assert '<dt>Planned for</dt><dd><time datetime="2026-11-25T15:00:00+01:00">' in html
    assert "Post this on Snapchat by hand" in html
    assert f'action="/reminders/{reminded.pk}/posted/"' in html
    assert f'action="/reminders/{reminded.pk}/skip/"' in html


def test_mark_as_posted_records_the_time_and_the_address(cast: Cast, reminded: Delivery) -> None:
    client = signed_in(cast, "contributor")
    url = "https://www.snapchat.com/@acmebakery/spotlight/abc"
    response = client.post(f"/reminders/{reminded.pk}/posted/", {"url": f"  {url} "})
    assert response.status_code == 302
    assert response["Location"] == f"/reminders/{reminded.pk}/"
    reminded.refresh_from_db()
    assert (reminded.state, reminded.published_at, reminded.external_url) == (
        S.PUBLISHED,
        NOW,
        url,
    )
    assert reminded.post.status == "published"
    page = client.get(response["Location"]).content.decode()
    assert "Marked as posted on Acme on Snapchat." in page
    assert f'<a href="{url}" rel="noopener">view post</a>' in page
    assert "Mark as posted</button>" not in page


def test_mark_as_posted_without_an_address_is_fine(cast: Cast, reminded: Delivery) -> None:
    signed_in(cast).post(f"/reminders/{reminded.pk}/posted/", {"url": ""})
    reminded.refresh_from_db()
    assert (reminded.state, reminded.external_url) == (S.PUBLISHED, "")


def test_a_bad_address_is_refused_and_the_reminder_stays_open(
    cast: Cast, reminded: Delivery
) -> None:
    client = signed_in(cast)
    response = client.post(f"/reminders/{reminded.pk}/posted/", {"url": "snap me"}, follow=True)
    assert (
        "That is not a web address; paste the post&#x27;s http(s) link, or leave it empty."
        in response.content.decode()
    )
    assert Delivery.objects.get(pk=reminded.pk).state == S.REMINDER_SENT


def test_skip_cancels_it(cast: Cast, reminded: Delivery) -> None:
    response = signed_in(cast).post(f"/reminders/{reminded.pk}/skip/")
    assert (response.status_code, response["Location"]) == (302, "/reminders/")
    reminded.refresh_from_db()
    assert (reminded.state, reminded.published_at) == (S.CANCELLED, None)


def test_a_closed_reminder_cannot_be_marked_again(cast: Cast, reminded: Delivery) -> None:
    client = signed_in(cast)
    client.post(f"/reminders/{reminded.pk}/skip/")
    response = client.post(f"/reminders/{reminded.pk}/posted/", {"url": ""}, follow=True)
    assert "This reminder is closed: the delivery is cancelled." in response.content.decode()
    assert Delivery.objects.get(pk=reminded.pk).state == S.CANCELLED


@pytest.mark.parametrize("role", ["owner", "admin", "editor", "contributor"])
def test_people_who_write_posts_open_and_act_on_reminders(
    cast: Cast, reminded: Delivery, role: str
) -> None:
    client = signed_in(cast, role)
    assert client.get(f"/reminders/{reminded.pk}/").status_code == 200
    assert client.get("/reminders/").status_code == 200


def test_a_viewer_may_not(cast: Cast, reminded: Delivery, buns: MediaAsset) -> None:
    client = signed_in(cast, "viewer")
    assert client.get(f"/reminders/{reminded.pk}/").status_code == 403
    assert client.get(f"/reminders/{reminded.pk}/media/{buns.pk}/").status_code == 403
    assert client.post(f"/reminders/{reminded.pk}/posted/").status_code == 403
    assert client.post(f"/reminders/{reminded.pk}/skip/").status_code == 403
    assert Delivery.objects.get(pk=reminded.pk).state == S.REMINDER_SENT


def test_another_workspaces_reminder_is_not_found(
    cast: Cast, reminded: Delivery, buns: MediaAsset
) -> None:
    client = signed_in(cast, "outsider")
    for path in ("", f"media/{buns.pk}/"):
        assert client.get(f"/reminders/{reminded.pk}/{path}").status_code == 404
    for action in ("posted", "skip"):
        assert client.post(f"/reminders/{reminded.pk}/{action}/").status_code == 404
    assert Delivery.objects.get(pk=reminded.pk).state == S.REMINDER_SENT


def test_a_delivery_that_was_never_a_reminder_has_no_reminder_page(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(post__workspace=cast.workspace, account=account)
    assert signed_in(cast).get(f"/reminders/{delivery.pk}/").status_code == 404


def test_a_file_downloads_only_through_a_reminder_of_its_own_post(
    cast: Cast, reminded: Delivery, buns: MediaAsset
) -> None:
    client = signed_in(cast)
    response = client.get(f"/reminders/{reminded.pk}/media/{buns.pk}/?download=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="buns.jpg"'
    assert b"".join(response.streaming_content) == jpeg_bytes()
    inline = client.get(f"/reminders/{reminded.pk}/media/{buns.pk}/")
    assert inline["Content-Disposition"] == 'inline; filename="buns.jpg"'
    other = photo(cast.editor, "other.jpg")  # the workspace's, but not this post's
    assert client.get(f"/reminders/{reminded.pk}/media/{other.pk}/").status_code == 404


def test_the_list_shows_open_reminders_and_the_navigation_counts_them(
    cast: Cast, reminded: Delivery
) -> None:
    client = signed_in(cast)
    html = client.get("/reminders/").content.decode()
    assert f'href="/reminders/{reminded.pk}/"' in html
    assert "Fresh buns at 7 &amp; coffee" in html
    dashboard = client.get("/").content.decode()
    assert re.search(
        r'href="/reminders/" class="nav-reminders".*?'
        r'<span class="nav-count reminder-count" data-testid="open-reminders-count">1</span>',
        dashboard,
        re.S,
    )
    client.post(f"/reminders/{reminded.pk}/skip/")
    assert 'class="nav-reminders"' not in client.get("/").content.decode()
    assert "No reminders waiting." in client.get("/reminders/").content.decode()


def test_viewers_get_no_reminders_link(cast: Cast, reminded: Delivery) -> None:
    assert 'class="nav-reminders"' not in signed_in(cast, "viewer").get("/").content.decode()


def test_the_post_page_links_to_its_reminder(cast: Cast, reminded: Delivery) -> None:
    html = signed_in(cast).get(f"/posts/{reminded.post_id}/").content.decode()
    assert f'<a href="/reminders/{reminded.pk}/">post it by hand</a>' in html
    assert 'data-testid="post-status" data-state="reminder_sent"' in html


def test_a_post_waiting_for_its_time_says_it_will_remind(cast: Cast) -> None:
    account = SandboxAccountFactory(workspace=cast.workspace, publishing="reminder")
    delivery = due_to(account, cast.editor, NOW, state=S.SCHEDULED)
    html = signed_in(cast).get(f"/posts/{delivery.post_id}/").content.decode()
    assert '<span class="cal-reminder-label">' in html


def test_the_composer_says_which_accounts_remind(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    snap = snapchat(cast.admin)
    html = signed_in(cast).get("/compose/").content.decode()
    label = html[html.index(f'value="{snap.pk}"') :]
    assert '<span class="cal-reminder-label"' in label[: label.index("</label>")]
    plain = html[html.index(f'value="{account.pk}"') :]
    assert "cal-reminder-label" not in plain[: plain.index("</label>")]

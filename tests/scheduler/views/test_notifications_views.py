"""The bell, the notifications page, opening and marking read."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from scheduler.models import Notification
from scheduler.workspaces import SESSION_KEY
from tests.conftest import NOW, Cast
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def signed_in(cast: Cast, role: str) -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def note(cast: Cast, role: str, message: str = "Post failed", **fields) -> Notification:  # type: ignore[no-untyped-def]
    membership = cast.role(role)
    return Notification.objects.create(
        user=membership.user,
        workspace=fields.pop("workspace", membership.workspace),
        kind=fields.pop("kind", "delivery_failed"),
        message=message,
        url=fields.pop("url", "/approvals/"),
        **fields,
    )


def test_the_bell_shows_the_unread_count(cast: Cast) -> None:
    note(cast, "editor")
    note(cast, "editor")
    note(cast, "editor", read_at=NOW)
    note(cast, "owner")
    html = signed_in(cast, "editor").get("/").content.decode()
    assert 'data-testid="bell" data-unread="2"' in html
    assert '<span class="bell-count">2</span>' in html
    assert 'aria-label="Notifications: 2 unread"' in html


def test_the_bell_counts_in_one_query(cast: Cast, django_assert_num_queries) -> None:
    note(cast, "editor")
    request = RequestFactory().get("/")
    request.user = cast.editor.user
    template = Template("{% load notifications %}{% unread_notifications as n %}{{ n }}{{ n }}")
    with django_assert_num_queries(1):
        assert template.render(Context({"request": request})) == "11"
        assert template.render(Context({"request": request})) == "11"


def test_the_page_lists_mine_newest_first(cast: Cast) -> None:
    older = note(cast, "editor", "Older")
    newer = note(cast, "editor", "Newer", kind="approved")
    note(cast, "owner", "Not mine")
    response = signed_in(cast, "editor").get("/notifications/")
    html = response.content.decode()
    assert list(response.context["page"]) == [newer, older]
    assert "Not mine" not in html
    assert f'href="/notifications/{newer.pk}/"' in html
    assert "Mark all read" in html


def test_opening_one_marks_it_read_and_goes_to_its_page_in_its_workspace(cast: Cast) -> None:
    other = MembershipFactory(user=cast.editor.user, workspace=cast.outsider.workspace)
    n = note(cast, "editor", workspace=other.workspace, url="/posts/9/#review")
    client = signed_in(cast, "editor")
    response = client.get(f"/notifications/{n.pk}/")
    assert (response.status_code, response["Location"]) == (302, "/posts/9/#review")
    n.refresh_from_db()
    assert n.read_at == NOW
    assert client.session[SESSION_KEY] == other.workspace_id


def test_marking_one_and_all_read(cast: Cast) -> None:
    a, b, c = (note(cast, "editor") for _ in range(3))
    theirs = note(cast, "owner")
    client = signed_in(cast, "editor")
    assert client.post(f"/notifications/{a.pk}/read/")["Location"] == "/notifications/"
    assert list(Notification.objects.filter(read_at=None).order_by("id")) == [b, c, theirs]
    client.post("/notifications/read-all/")
    assert list(Notification.objects.filter(read_at=None)) == [theirs]


def test_someone_elses_notification_is_404(cast: Cast) -> None:
    theirs = note(cast, "owner")
    client = signed_in(cast, "editor")
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_page_needs_a_login(cast: Cast) -> None:
    assert Client().get("/notifications/")["Location"].startswith("/login/")

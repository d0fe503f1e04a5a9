"""Comments on the post page, added with htmx; @mentions notify."""

from __future__ import annotations

import pytest
from django.test import Client

from scheduler import comments
from scheduler.models import Comment, Notification
from tests.conftest import Cast
from tests.factories import PostFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def signed_in(cast: Cast, role: str) -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


@pytest.fixture
def post(cast: Cast):  # type: ignore[no-untyped-def]
    return PostFactory(workspace=cast.workspace, author=cast.contributor.user, text="Buns at 7")


def test_a_viewer_comments_with_htmx_and_gets_the_list_back(cast: Cast, post) -> None:
    response = signed_in(cast, "viewer").post(
        f"/posts/{post.pk}/comments/",
        {"body": "Love it, @Editor! <b>x</b>"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    comment = Comment.objects.get()
    assert response.status_code == 200
    assert html.startswith('<section class="card comments" id="comments">')
    assert f'id="comment-{comment.pk}"' in html
    assert '<span class="mention">@Editor</span>' in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert (comment.author, comment.kind, comment.body) == (
        cast.viewer.user,
        "comment",
        "Love it, @Editor! <b>x</b>",
    )
    assert list(comment.mentions.all()) == [cast.editor.user]
    assert list(Notification.objects.values_list("user__username", "kind")) == [
        ("editor", "mentioned")
    ]


def test_an_empty_comment_is_refused_where_it_was_typed(cast: Cast, post) -> None:
    response = signed_in(cast, "editor").post(
        f"/posts/{post.pk}/comments/", {"body": "   "}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'role="alert">Write a comment first.</p>' in html
    assert 'aria-invalid="true"' in html
    assert not Comment.objects.exists()


def test_without_htmx_the_comment_form_redirects_to_the_comments(cast: Cast, post) -> None:
    response = signed_in(cast, "contributor").post(f"/posts/{post.pk}/comments/", {"body": "Hi"})
    assert response.status_code == 302
    assert response["Location"] == f"/posts/{post.pk}/#comments"
    assert Comment.objects.get().body == "Hi"


def test_another_workspace_gets_404(cast: Cast, post) -> None:
    response = signed_in(cast, "outsider").post(f"/posts/{post.pk}/comments/", {"body": "Hi"})
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_the_post_page_lists_comments_and_decisions(cast: Cast, post) -> None:
    comments.add(post, cast.editor.user, "First thought")
    comments.add(post, cast.admin.user, "Off brand", kind=Comment.Kind.REJECTED)
    html = signed_in(cast, "viewer").get(f"/posts/{post.pk}/").content.decode()
    assert html.index("First thought") < html.index("Off brand")
    assert 'data-kind="rejected"' in html and ">Rejected</span>" in html
    assert f'hx-post="/posts/{post.pk}/comments/"' in html


def test_the_comments_take_two_queries(cast: Cast, post, django_assert_num_queries) -> None:
    from scheduler.templatetags.notifications import comments_of

    for i in range(5):
        comments.add(post, cast.editor.user, f"Note {i} @owner")
    with django_assert_num_queries(2):
        found = comments_of(post)
        assert [list(c.mentions.all()) for c in found] == [[cast.owner.user]] * 5

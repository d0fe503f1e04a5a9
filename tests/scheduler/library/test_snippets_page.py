"""The snippets page: writers add, edit and delete; everyone reads; hashtag groups
hold hashtags only; signatures are set by editors and up."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scheduler import library
from scheduler.models import AccountSignature, Snippet
from tests.conftest import Cast
from tests.factories import SandboxAccountFactory

pytestmark = pytest.mark.django_db


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def test_a_writer_adds_a_hashtag_group(cast: Cast) -> None:
    response = signed_in(cast, "contributor").post(
        "/library/snippets/", {"name": "Food", "kind": "hashtags", "body": "#menu #spring"}
    )
    assert response.status_code == 302
    saved = Snippet.objects.get()
    assert (saved.workspace, saved.kind, saved.body, saved.created_by) == (
        cast.workspace,
        "hashtags",
        "#menu #spring",
        cast.contributor.user,
    )


def test_a_hashtag_group_with_a_plain_word_is_refused_keeping_the_input(cast: Cast) -> None:
    response = signed_in(cast).post(
        "/library/snippets/", {"name": "Food", "kind": "hashtags", "body": "#menu spring #a-b"}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {
        "body": ["Each word of a hashtag group starts with # and has no punctuation: spring, #a-b"]
    }
    page = response.content.decode()
    assert "#menu spring #a-b" in page and 'value="Food"' in page
    assert not Snippet.objects.exists()


def test_a_snippet_needs_a_name_and_a_unique_one(cast: Cast) -> None:
    client = signed_in(cast)
    assert client.post("/library/snippets/", {"name": "", "kind": "snippet", "body": "Hi"}).context[
        "form"
    ].errors == {"name": ["Give the snippet a name."]}
    client.post("/library/snippets/", {"name": "Hello", "kind": "snippet", "body": "Hi"})
    taken = client.post("/library/snippets/", {"name": "Hello", "kind": "snippet", "body": "Yo"})
    assert taken.status_code == 400
    assert taken.context["form"].errors == {"name": ["A snippet with this name exists already."]}


def test_a_viewer_reads_but_cannot_add(cast: Cast) -> None:
    library.save_snippet(cast.editor, {"name": "Hello", "kind": "snippet", "body": "Hi all"})
    client = signed_in(cast, "viewer")
    page = client.get("/library/snippets/")
    assert page.status_code == 200 and "Hi all" in page.content.decode()
    assert "Add a snippet" not in page.content.decode()
    assert (
        client.post("/library/snippets/", {"name": "X", "kind": "snippet", "body": "Y"}).status_code
        == 403
    )
    assert not Snippet.objects.filter(name="X").exists()


def test_editing_keeps_the_input_on_error_and_saves_when_right(cast: Cast) -> None:
    snippet = library.save_snippet(cast.editor, {"name": "Tags", "kind": "hashtags", "body": "#a"})
    client = signed_in(cast)
    wrong = client.post(
        f"/library/snippets/{snippet.pk}/edit/", {"name": "Tags", "kind": "hashtags", "body": "b"}
    )
    assert wrong.status_code == 400 and ">\nb</textarea>" in wrong.content.decode()
    right = client.post(
        f"/library/snippets/{snippet.pk}/edit/", {"name": "Tags", "kind": "hashtags", "body": "#b"}
    )
    assert right.status_code == 302
    snippet.refresh_from_db()
    assert snippet.body == "#b"


def test_another_workspaces_snippet_answers_404(cast: Cast) -> None:
    theirs = library.save_snippet(cast.outsider, {"name": "T", "kind": "snippet", "body": "secret"})
    client = signed_in(cast)
    assert client.get(f"/library/snippets/{theirs.pk}/edit/").status_code == 404
    assert client.post(f"/library/snippets/{theirs.pk}/delete/").status_code == 404
    assert "secret" not in client.get("/library/snippets/").content.decode()
    assert Snippet.objects.filter(pk=theirs.pk).exists()


def test_delete_is_for_writers(cast: Cast) -> None:
    snippet = library.save_snippet(cast.editor, {"name": "T", "kind": "snippet", "body": "x"})
    assert (
        signed_in(cast, "viewer").post(f"/library/snippets/{snippet.pk}/delete/").status_code == 403
    )
    assert signed_in(cast).post(f"/library/snippets/{snippet.pk}/delete/").status_code == 302
    assert not Snippet.objects.exists()


def test_editors_set_signatures_contributors_cannot(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    data = {f"sig{account.pk}-text": "— Acme", f"sig{account.pk}-auto_add": "on"}
    assert (
        signed_in(cast, "contributor").post(f"/library/signatures/{account.pk}/", data).status_code
        == 403
    )
    assert signed_in(cast).post(f"/library/signatures/{account.pk}/", data).status_code == 302
    saved = AccountSignature.objects.get(account=account)
    assert (saved.text, saved.auto_add) == ("— Acme", True)
    theirs = SandboxAccountFactory(workspace=cast.outsider.workspace)
    assert signed_in(cast).post(f"/library/signatures/{theirs.pk}/", {}).status_code == 404


def test_the_composer_offers_the_snippets_in_its_insert_menu(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    library.save_snippet(cast.editor, {"name": "Food", "kind": "hashtags", "body": "#menu #spring"})
    page = signed_in(cast).get("/compose/").content.decode()
    assert 'data-body="#menu #spring"' in page and 'aria-controls="insert-panel"' in page


def test_the_snippets_page_makes_the_same_queries_for_1_or_20(
    cast: Cast, account, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(cast)
    library.save_snippet(cast.editor, {"name": "S0", "kind": "snippet", "body": "x"})
    AccountSignature.objects.create(account=account, text="— a")
    client.get("/library/snippets/")
    with CaptureQueriesContext(connection) as one:
        client.get("/library/snippets/")
    for i in range(1, 20):
        library.save_snippet(cast.editor, {"name": f"S{i}", "kind": "hashtags", "body": "#x"})
        other = SandboxAccountFactory(workspace=cast.workspace)
        AccountSignature.objects.create(account=other, text=f"— {i}")
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/library/snippets/")

"""The import page: upload, a preview that survives a reload, import, permissions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from scheduler.models import Delivery, Post
from tests.conftest import Cast

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
GOOD = "text,time,accounts\nFirst,2026-12-01 09:30,Acme Sandbox\nSecond,2026-12-01 10:30,Acme Sandbox\n"
ONE_BAD = GOOD + "Third,2026-12-01 11:30,Nobody\n"


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def upload(client: Client, text: str, name: str = "posts.csv"):  # type: ignore[no-untyped-def]
    return client.post("/posts/import/", {"file": SimpleUploadedFile(name, text.encode())})


def test_the_preview_names_each_rows_problems_and_survives_a_reload(cast: Cast, account) -> None:
    client = signed_in(cast)
    response = upload(client, ONE_BAD)
    assert response["Location"] == "/posts/import/"
    page = client.get("/posts/import/").content.decode()
    assert page.count('<tr class="row-ok"') == 2 and page.count('<tr class="row-bad"') == 1
    assert "<li>No connected account is called “Nobody”.</li>" in page
    assert "Import 2 valid rows</button>" in page
    assert Post.objects.count() == 0
    assert client.get("/posts/import/").content.decode().count("row-bad") == 1


def test_importing_saves_the_valid_rows_and_clears_the_preview(cast: Cast, account) -> None:
    client = signed_in(cast)
    upload(client, ONE_BAD)
    response = client.post("/posts/import/confirm/", follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Imported 2 posts."]
    assert sorted(Post.objects.values_list("text", flat=True)) == ["First", "Second"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {S.SCHEDULED}
    assert "Preview" not in response.content.decode()


def test_a_file_problem_is_shown_on_the_form(cast: Cast, account) -> None:
    response = upload(signed_in(cast), "text,when\nHi,now\n")
    assert response.status_code == 400
    assert (
        "The first line must name the columns; missing: time, accounts."
        in response.content.decode()
    )


def test_a_corrected_file_replaces_the_preview(cast: Cast, account) -> None:
    client = signed_in(cast)
    upload(client, ONE_BAD)
    upload(client, GOOD + "Third,2026-12-01 11:30,Acme Sandbox\n", name="fixed.csv")
    page = client.get("/posts/import/").content.decode()
    assert "fixed.csv" in page and "row-bad" not in page
    assert "Import 3 valid rows</button>" in page


def test_start_over_forgets_the_preview(cast: Cast, account) -> None:
    client = signed_in(cast)
    upload(client, ONE_BAD)
    client.post("/posts/import/discard/")
    assert "Preview" not in client.get("/posts/import/").content.decode()


def test_the_preview_belongs_to_one_workspace(cast: Cast, account) -> None:
    client = signed_in(cast)
    upload(client, GOOD)
    session = client.session
    session["smo-import"]["workspace"] = cast.outsider.workspace_id
    session.save()
    response = client.post("/posts/import/confirm/", follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Upload a file first."]
    assert Post.objects.count() == 0


@pytest.mark.parametrize("url", ["/posts/import/", "/posts/import/confirm/"])
def test_a_viewer_cannot_import(cast: Cast, account, url: str) -> None:
    assert signed_in(cast, "viewer").post(url).status_code == 403
    assert signed_in(cast, "viewer").get("/posts/import/").status_code == 403


def test_a_contributors_import_goes_to_approval(cast: Cast, account) -> None:
    client = signed_in(cast, "contributor")
    upload(client, GOOD)
    assert "Your posts go to approval" in client.get("/posts/import/").content.decode()
    client.post("/posts/import/confirm/")
    assert set(Delivery.objects.values_list("state", flat=True)) == {S.AWAITING_APPROVAL}

"""Post templates: saved from the composer or a post, started from in the composer,
with accounts no longer connected and deleted media left out, saying so."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from channels.models import SocialAccount
from scheduler import library, media
from scheduler.models import MediaAsset, PostTemplate
from tests.conftest import Cast
from tests.factories import CampaignFactory, PostFactory, SandboxAccountFactory

pytestmark = pytest.mark.django_db


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def image(cast: Cast, name: str) -> MediaAsset:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "orange").save(out, "JPEG")
    return media.store_upload(cast.editor, SimpleUploadedFile(name, out.getvalue(), "image/jpeg"))


def test_save_as_template_keeps_what_is_typed_even_if_not_postable(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    campaign = CampaignFactory(workspace=cast.workspace, name="Spring")
    second, first = image(cast, "b.jpg"), image(cast, "a.jpg")
    response = signed_in(cast).post(
        "/library/templates/save/",
        {
            "template_name": "Weekly menu",
            "text": "",  # not postable yet: no text
            "first_comment": "Book at acme.test",
            "thread": "Two\n---\nThree",
            "accounts": [account.pk],
            "media": [first.pk, second.pk],
            "campaign": campaign.pk,
            "override_sandbox": "Sandbox words",
            "track_links": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/library/templates/"
    saved = PostTemplate.objects.get()
    assert (saved.name, saved.text, saved.first_comment, saved.thread) == (
        "Weekly menu",
        "",
        "Book at acme.test",
        ["Two", "Three"],
    )
    assert (saved.media_ids, saved.account_ids, saved.campaign, saved.track_links) == (
        [first.pk, second.pk],
        [account.pk],
        campaign,
        True,
    )
    assert saved.overrides == {"sandbox": {"text": "Sandbox words"}}
    assert saved.created_by == cast.editor.user


def test_a_template_without_a_name_goes_back_to_the_composer_keeping_the_text(
    cast: Cast, account
) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(cast).post(
        "/library/templates/save/",
        {"template_name": " ", "text": "Keep me", "accounts": [account.pk]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the template a name." in page and "Keep me" in page
    assert response.context["form"].initial["accounts"] == [account.pk]
    assert not PostTemplate.objects.exists()


def test_a_template_name_is_unique_in_the_workspace(cast: Cast) -> None:
    library.save_template(cast.editor, "Menu", {})
    library.save_template(cast.outsider, "Menu", {})  # another workspace may
    with pytest.raises(library.PostErrors) as refused:
        library.save_template(cast.editor, "Menu", {"text": "again"})
    assert refused.value.errors == {"name": ["A template with this name exists already."]}


def test_starting_from_a_template_prefills_the_composer_in_order(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    gone = SandboxAccountFactory(
        workspace=cast.workspace, status=SocialAccount.Status.NEEDS_RECONNECT
    )
    second, first, deleted = image(cast, "b.jpg"), image(cast, "a.jpg"), image(cast, "c.jpg")
    template = library.save_template(
        cast.editor,
        "Menu",
        {
            "text": "Spring menu",
            "media_ids": [first.pk, deleted.pk, second.pk],
            "account_ids": [gone.pk, account.pk],
            "first_comment": "Book now",
        },
    )
    deleted.delete()
    response = signed_in(cast).get(f"/compose/?template={template.pk}")
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert (initial["text"], initial["first_comment"], initial["accounts"]) == (
        "Spring menu",
        "Book now",
        [account.pk],
    )
    assert [m.pk for m in response.context["picked"]] == [first.pk, second.pk]
    page = response.content.decode()
    assert "1 account(s) of the template are no longer connected and were left out." in page
    assert "1 media file(s) of the template were deleted and were left out." in page


def test_another_workspaces_template_is_not_offered(cast: Cast) -> None:
    theirs = library.save_template(cast.outsider, "Theirs", {"text": "Secret"})
    response = signed_in(cast).get(f"/compose/?template={theirs.pk}")
    assert response.status_code == 200
    assert "Secret" not in response.content.decode()


def test_a_post_saves_as_a_template(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    from scheduler.models import Delivery

    post = PostFactory(workspace=cast.workspace, text="From a post", first_comment="c")
    Delivery.objects.create(post=post, account=account, state="draft")
    response = signed_in(cast).post(
        f"/library/templates/from-post/{post.pk}/", {"template_name": "P"}
    )
    assert response.status_code == 302
    saved = PostTemplate.objects.get()
    assert (saved.text, saved.first_comment, saved.account_ids) == (
        "From a post",
        "c",
        [account.pk],
    )
    other = PostFactory(workspace=cast.outsider.workspace)
    assert (
        signed_in(cast)
        .post(f"/library/templates/from-post/{other.pk}/", {"template_name": "Q"})
        .status_code
        == 404
    )


def test_templates_rename_and_delete_by_writers_only(cast: Cast) -> None:
    template = library.save_template(cast.editor, "Old", {})
    assert (
        signed_in(cast, "viewer")
        .post(f"/library/templates/{template.pk}/rename/", {"name": "New"})
        .status_code
        == 403
    )
    response = signed_in(cast, "contributor").post(
        f"/library/templates/{template.pk}/rename/", {"name": "New"}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "New"
    outsider = Client()
    outsider.force_login(cast.outsider.user)
    assert outsider.post(f"/library/templates/{template.pk}/delete/").status_code == 404
    assert signed_in(cast).post(f"/library/templates/{template.pk}/delete/").status_code == 302
    assert not PostTemplate.objects.exists()


def test_a_rename_to_a_taken_name_says_so(cast: Cast) -> None:
    library.save_template(cast.editor, "Taken", {})
    template = library.save_template(cast.editor, "Mine", {})
    response = signed_in(cast).post(
        f"/library/templates/{template.pk}/rename/", {"name": "Taken"}, follow=True
    )
    assert "Mine: A template with this name exists already." in response.content.decode()
    template.refresh_from_db()
    assert template.name == "Mine"


def test_the_templates_page_is_read_by_viewers_with_the_same_queries_for_1_or_20(
    cast: Cast, account, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(cast, "viewer")
    campaign = CampaignFactory(workspace=cast.workspace)
    library.save_template(cast.editor, "T0", {"campaign": campaign, "account_ids": [account.pk]})
    client.get("/library/templates/")
    with CaptureQueriesContext(connection) as one:
        page = client.get("/library/templates/")
    assert page.status_code == 200 and "T0" in page.content.decode()
    assert "Start a post" not in page.content.decode()  # a viewer reads only
    for i in range(1, 20):
        library.save_template(cast.editor, f"T{i}", {"campaign": campaign})
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/library/templates/")

"""/api/v1/snippets/, /templates/ (with /use/) and /signatures/: 400 names the
field, roles answer 403, other workspaces 404."""

from __future__ import annotations

import pytest

from channels.models import SocialAccount
from scheduler import library
from scheduler.models import AccountSignature, Delivery, Post, PostTemplate, Snippet
from tests.conftest import Cast
from tests.factories import CampaignFactory, SandboxAccountFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_a_hashtag_group_is_created_and_listed(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/api/v1/snippets/",
        {"name": "Food", "kind": "hashtags", "body": "#menu #spring"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    listed = api.get("/api/v1/snippets/").json()
    items = listed["results"] if isinstance(listed, dict) else listed
    assert [(s["name"], s["kind"], s["body"]) for s in items] == [
        ("Food", "hashtags", "#menu #spring")
    ]
    assert Snippet.objects.get().created_by == cast.editor.user


def test_a_bad_hashtag_group_answers_400_naming_body(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/api/v1/snippets/", {"name": "Food", "kind": "hashtags", "body": "menu"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "body": ["Each word of a hashtag group starts with # and has no punctuation: menu"]
    }


def test_a_taken_snippet_name_answers_400_naming_name(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    library.save_snippet(cast.editor, {"name": "Food", "kind": "snippet", "body": "x"})
    response = api.post(
        "/api/v1/snippets/", {"name": "Food", "kind": "snippet", "body": "y"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["A snippet with this name exists already."]}


def test_a_viewer_reads_snippets_but_cannot_write(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    library.save_snippet(cast.editor, {"name": "Food", "kind": "snippet", "body": "x"})
    api.as_role("viewer")
    assert api.get("/api/v1/snippets/").status_code == 200
    response = api.post(
        "/api/v1/snippets/", {"name": "N", "kind": "snippet", "body": "y"}, format="json"
    )
    assert response.status_code == 403


def test_another_workspaces_snippet_answers_404(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    theirs = library.save_snippet(cast.outsider, {"name": "T", "kind": "snippet", "body": "x"})
    assert api.get(f"/api/v1/snippets/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/snippets/{theirs.pk}/").status_code == 404


def test_a_template_round_trips_and_makes_a_post(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    gone = SandboxAccountFactory(
        workspace=cast.workspace, status=SocialAccount.Status.NEEDS_RECONNECT
    )
    campaign = CampaignFactory(workspace=cast.workspace)
    created = api.post(
        "/api/v1/templates/",
        {
            "name": "Menu",
            "text": "Spring menu",
            "link": "https://acme.test/menu",
            "account_ids": [account.pk, gone.pk],
            "campaign_id": campaign.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    template_id = created.json()["id"]
    assert api.get(f"/api/v1/templates/{template_id}/").json()["account_ids"] == [
        account.pk,
        gone.pk,
    ]
    used = api.post(
        f"/api/v1/templates/{template_id}/use/",
        {"scheduled_at": "2026-12-01T09:30:00+01:00"},
        format="json",
    )
    assert used.status_code == 201, used.json()
    body = used.json()
    assert (body["text"], body["link"], body["campaign_id"]) == (
        "Spring menu",
        "https://acme.test/menu",
        campaign.pk,
    )
    assert body["left_out"] == [
        "1 account(s) of the template are no longer connected and were left out."
    ]
    post = Post.objects.get(pk=body["id"])
    assert list(post.deliveries.values_list("account_id", flat=True)) == [account.pk]


def test_using_a_template_lets_the_body_override_its_fields(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    template = library.save_template(
        cast.editor, "Menu", {"text": "Old", "account_ids": [account.pk]}
    )
    used = api.post(f"/api/v1/templates/{template.pk}/use/", {"text": "New"}, format="json")
    assert used.status_code == 201 and used.json()["text"] == "New"
    assert Delivery.objects.get().state == "draft"


def test_using_an_unpostable_template_answers_400_naming_the_field(
    cast: Cast, api, account
) -> None:  # type: ignore[no-untyped-def]
    template = library.save_template(
        cast.editor, "Empty", {"text": "", "account_ids": [account.pk]}
    )
    response = api.post(f"/api/v1/templates/{template.pk}/use/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"text": ["Write something to post."]}


def test_template_errors_name_the_field(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    assert api.post("/api/v1/templates/", {"name": ""}, format="json").json()["errors"] == {
        "name": ["Give the template a name."]
    }
    other = SandboxAccountFactory(workspace=cast.outsider.workspace)
    response = api.post(
        "/api/v1/templates/", {"name": "X", "account_ids": [other.pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "account_ids": [f"No such account in this workspace: {other.pk}."]
    }
    assert not PostTemplate.objects.exists()


def test_templates_of_another_workspace_answer_404_and_viewers_cannot_use(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    theirs = library.save_template(cast.outsider, "Theirs", {"text": "x"})
    assert api.get(f"/api/v1/templates/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/templates/{theirs.pk}/use/", {}, format="json").status_code == 404
    ours = library.save_template(cast.editor, "Ours", {"text": "x"})
    api.as_role("viewer")
    assert api.post(f"/api/v1/templates/{ours.pk}/use/", {}, format="json").status_code == 403
    assert (
        api.patch(f"/api/v1/templates/{ours.pk}/", {"name": "Renamed"}, format="json").status_code
        == 403
    )


def test_a_template_is_renamed_with_patch(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    template = library.save_template(cast.editor, "Old", {"text": "kept"})
    response = api.patch(f"/api/v1/templates/{template.pk}/", {"name": "New"}, format="json")
    assert response.status_code == 200, response.json()
    template.refresh_from_db()
    assert (template.name, template.text) == ("New", "kept")


def test_signatures_are_set_by_editors_and_frozen_into_posts(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    response = api.put(
        f"/api/v1/signatures/{account.pk}/", {"text": "— Acme", "auto_add": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert api.get(f"/api/v1/signatures/{account.pk}/").json()["text"] == "— Acme"
    post = api.post(
        "/api/v1/posts/", {"text": "Hi", "account_ids": [account.pk]}, format="json"
    ).json()
    assert (post["add_signatures"], post["signatures"]) == (True, {str(account.pk): "— Acme"})
    off = api.post(
        "/api/v1/posts/",
        {"text": "Hi", "account_ids": [account.pk], "add_signatures": False},
        format="json",
    ).json()
    assert off["signatures"] == {}
    api.as_role("contributor")
    assert (
        api.put(f"/api/v1/signatures/{account.pk}/", {"text": "x"}, format="json").status_code
        == 403
    )
    theirs = SandboxAccountFactory(workspace=cast.outsider.workspace)
    api.as_role("editor")
    assert api.get(f"/api/v1/signatures/{theirs.pk}/").status_code == 404
    too_long = api.put(f"/api/v1/signatures/{account.pk}/", {"text": "x" * 501}, format="json")
    assert too_long.status_code == 400 and list(too_long.json()["errors"]) == ["text"]
    assert AccountSignature.objects.get(account=account).text == "— Acme"

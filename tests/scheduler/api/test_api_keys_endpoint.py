"""/api/v1/keys/: a person lists and revokes their own keys; creating one is the profile page's job."""

from __future__ import annotations

import pytest

from scheduler import apikeys
from scheduler.models import ApiKey
from tests.conftest import Cast
from tests.factories import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_the_person_s_keys_in_this_workspace_without_secrets(
    cast: Cast,
    api,  # type: ignore[no-untyped-def]
) -> None:
    mine = apikeys.create(cast.editor, "Zapier")
    apikeys.create(cast.admin, "Someone else's")
    elsewhere = MembershipFactory(user=cast.editor.user, workspace=WorkspaceFactory())
    apikeys.create(elsewhere, "Other workspace")
    response = api.get("/api/v1/keys/")
    assert response.status_code == 200
    names = [k["name"] for k in response.json()["results"]]
    assert names == ["Zapier", "editor's test key"]
    first = response.json()["results"][0]
    assert first == {
        "id": mine.key.pk,
        "name": "Zapier",
        "prefix": f"smo_{mine.key.lookup}",
        "workspace_id": cast.workspace.pk,
        "created_at": first["created_at"],
        "last_used_at": None,
        "expires_at": None,
        "revoked_at": None,
        "active": True,
    }
    assert mine.secret not in response.content.decode()
    assert api.key.secret not in response.content.decode()
    assert mine.key.hashed not in response.content.decode()


def test_delete_revokes_the_person_s_own_key(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    other = apikeys.create(cast.editor, "Zapier")
    response = api.delete(f"/api/v1/keys/{other.key.pk}/")
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert ApiKey.objects.get(pk=other.key.pk).revoked_at is not None
    assert api.get("/api/v1/keys/").status_code == 200  # the key in use still works


def test_a_key_may_revoke_itself_even_a_viewer_s(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    api.as_role("viewer")
    assert api.delete(f"/api/v1/keys/{api.key.key.pk}/").status_code == 200
    assert api.get("/api/v1/keys/").status_code == 401


def test_another_person_s_key_answers_404(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    theirs = apikeys.create(cast.owner, "Owner's")
    assert api.get(f"/api/v1/keys/{theirs.key.pk}/").status_code == 404
    assert api.delete(f"/api/v1/keys/{theirs.key.pk}/").status_code == 404
    assert ApiKey.objects.get(pk=theirs.key.pk).revoked_at is None


def test_keys_are_not_created_through_the_api(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/keys/", {"name": "More"}, format="json")
    assert response.status_code == 405
    assert ApiKey.objects.count() == 1


def test_the_schema_names_the_bearer_key_scheme(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "smo_<id>_<secret>",
        "description": "An API key made on your profile page; it acts in one workspace.",
    }
    assert {"apiKey": []} in schema["paths"]["/api/v1/posts/"]["post"]["security"]
    assert "tokenAuth" not in schema["components"]["securitySchemes"]

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.conftest import Cast
from tests.factories import MembershipFactory, SandboxAccountFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_the_api_needs_a_key(cast: Cast) -> None:
    response = APIClient().get("/api/v1/posts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "errors": {},
    }


def test_the_old_token_login_is_gone(cast: Cast) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "editor", "password": "correct horse battery"},
        format="json",
    )
    assert response.status_code == 404


def session(cast: Cast) -> APIClient:
    client = APIClient()
    client.force_login(cast.editor.user)
    return client


def test_a_signed_in_person_in_several_workspaces_names_one_with_x_workspace(
    cast: Cast,
) -> None:
    second = WorkspaceFactory(name="Second")
    MembershipFactory(user=cast.editor.user, workspace=second)
    SandboxAccountFactory(workspace=second, name="Second's account")
    client = session(cast)

    unnamed = client.get("/api/v1/accounts/")
    assert unnamed.status_code == 400
    assert list(unnamed.json()["errors"]) == ["X-Workspace"]

    named = client.get("/api/v1/accounts/", headers={"X-Workspace": str(second.pk)})
    assert [a["name"] for a in named.json()["results"]] == ["Second's account"]


def test_naming_a_workspace_the_person_is_not_in_is_refused(cast: Cast) -> None:
    response = session(cast).get(
        "/api/v1/accounts/", headers={"X-Workspace": str(cast.outsider.workspace_id)}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "X-Workspace": [f"You are not a member of workspace {cast.outsider.workspace_id}."]
    }


def test_the_openapi_schema_and_docs_are_served(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/v1/posts/",
        "/api/v1/posts/{id}/",
        "/api/v1/accounts/",
        "/api/v1/campaigns/",
        "/api/v1/media/",
        "/api/v1/keys/",
        "/api/v1/keys/{id}/",
    ]:
        assert path in paths, path
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content

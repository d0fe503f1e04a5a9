"""API keys at the API's door: accepted, refused, scoped to one workspace, acting with the role."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from scheduler import apikeys
from scheduler.models import ApiKey, Membership, Role
from tests.conftest import NOW, Cast
from tests.factories import (
    DeliveryFactory,
    MembershipFactory,
    SandboxAccountFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> APIClient:
    return APIClient(headers={"Authorization": f"Bearer {secret}"})


def test_a_key_reads_its_workspace(cast: Cast) -> None:
    SandboxAccountFactory(workspace=cast.workspace, name="Acme Sandbox")
    new = apikeys.create(cast.editor, "Zapier")
    response = bearer(new.secret).get("/api/v1/accounts/")
    assert response.status_code == 200
    assert [a["name"] for a in response.json()["results"]] == ["Acme Sandbox"]


def test_the_key_looks_like_smo_lookup_secret_and_only_its_hash_is_stored(cast: Cast) -> None:
    new = apikeys.create(cast.editor, "Zapier")
    prefix, lookup, secret = new.secret.split("_", 2)
    assert (prefix, lookup) == ("smo", new.key.lookup)
    assert len(lookup) == 8 and len(secret) >= 43
    stored = ApiKey.objects.values().get(pk=new.key.pk)
    assert stored["hashed"] == hashlib.sha256(new.secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in stored.values())


@pytest.mark.parametrize(
    "header",
    [
        "Bearer smo_00000000_nope",
        "Bearer smo_nounderscore",
        "Bearer not-a-key",
        "Bearer",
        "Bearer two words",
    ],
)
def test_an_unknown_or_malformed_key_is_a_401(cast: Cast, header: str) -> None:
    response = APIClient(headers={"Authorization": header}).get("/api/v1/posts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"detail": "Invalid API key.", "errors": {}}


def test_a_right_lookup_with_a_wrong_secret_is_a_401(cast: Cast) -> None:
    new = apikeys.create(cast.editor, "Zapier")
    response = bearer(new.secret[:-4] + "AAAA").get("/api/v1/posts/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid API key."


def test_a_revoked_key_is_a_401(cast: Cast) -> None:
    new = apikeys.create(cast.editor, "Zapier")
    client = bearer(new.secret)
    assert client.get("/api/v1/posts/").status_code == 200
    apikeys.revoke(new.key)
    response = client.get("/api/v1/posts/")
    assert response.status_code == 401
    assert response.json() == {"detail": "This API key was revoked.", "errors": {}}


def test_an_expired_key_is_a_401(cast: Cast) -> None:
    new = apikeys.create(cast.editor, "Zapier", expires_at=timezone.now() + timedelta(days=1))
    assert bearer(new.secret).get("/api/v1/posts/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        response = bearer(new.secret).get("/api/v1/posts/")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API key has expired."


def test_leaving_the_workspace_ends_the_key(cast: Cast) -> None:
    new = apikeys.create(cast.editor, "Zapier")
    cast.editor.delete()
    response = bearer(new.secret).get("/api/v1/posts/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid API key."


def test_a_deactivated_person_s_key_is_a_401(cast: Cast) -> None:
    new = apikeys.create(cast.editor, "Zapier")
    cast.editor.user.is_active = False
    cast.editor.user.save()
    response = bearer(new.secret).get("/api/v1/posts/")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API key's person can no longer sign in."


@pytest.fixture
def second(cast: Cast) -> Membership:
    """The editor is an editor of a second workspace too, with an account and a post there."""
    other = WorkspaceFactory(name="Second")
    account = SandboxAccountFactory(workspace=other, name="Second's account")
    DeliveryFactory(post__workspace=other, account=account)
    return MembershipFactory(user=cast.editor.user, workspace=other, role=Role.EDITOR)


def test_a_key_never_sees_another_workspace_of_its_person(cast: Cast, second: Membership) -> None:
    SandboxAccountFactory(workspace=cast.workspace, name="Acme Sandbox")
    client = bearer(apikeys.create(cast.editor, "Acme only").secret)
    # One workspace, so no X-Workspace is needed even though the person has two.
    accounts = client.get("/api/v1/accounts/").json()["results"]
    assert [a["name"] for a in accounts] == ["Acme Sandbox"]
    their_post = second.workspace.posts.get()
    assert client.get(f"/api/v1/posts/{their_post.pk}/").status_code == 404
    assert client.get("/api/v1/posts/").json()["count"] == 0


def test_a_key_naming_another_workspace_is_refused(cast: Cast, second: Membership) -> None:
    client = bearer(apikeys.create(cast.editor, "Acme only").secret)
    response = client.get("/api/v1/accounts/", headers={"X-Workspace": str(second.workspace_id)})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "X-Workspace": [f"This API key works only in workspace {cast.workspace.pk}."]
    }
    own = client.get("/api/v1/accounts/", headers={"X-Workspace": str(cast.workspace.pk)})
    assert own.status_code == 200


def post_body(account_id: int) -> dict[str, object]:
    return {"text": "Hello", "account_ids": [account_id], "publish_now": True}


def test_a_viewer_s_key_cannot_create_posts(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    response = bearer(apikeys.create(cast.viewer, "Reader").secret).post(
        "/api/v1/posts/", post_body(account.pk), format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role (Viewer) cannot do this.", "errors": {}}


def test_a_key_acts_with_the_role_its_person_has_now(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    client = bearer(apikeys.create(cast.editor, "Poster").secret)
    created = client.post("/api/v1/posts/", post_body(account.pk), format="json")
    assert created.status_code == 201, created.json()
    Membership.objects.filter(pk=cast.editor.pk).update(role=Role.VIEWER)
    refused = client.post("/api/v1/posts/", post_body(account.pk), format="json")
    assert refused.status_code == 403


def test_last_used_is_written_at_most_once_a_minute(cast: Cast) -> None:
    new = apikeys.create(cast.editor, "Zapier")
    assert new.key.last_used_at is None
    with time_machine.travel(NOW, tick=False):
        bearer(new.secret).get("/api/v1/posts/")
    new.key.refresh_from_db()
    assert new.key.last_used_at == NOW
    with time_machine.travel(NOW + timedelta(seconds=59), tick=False):
        bearer(new.secret).get("/api/v1/posts/")
    new.key.refresh_from_db()
    assert new.key.last_used_at == NOW
    with time_machine.travel(NOW + timedelta(seconds=60), tick=False):
        bearer(new.secret).get("/api/v1/posts/")
    new.key.refresh_from_db()
    assert new.key.last_used_at == NOW + timedelta(seconds=60)


def test_checking_a_key_costs_one_query_and_one_update_a_minute(
    cast: Cast,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    new = apikeys.create(cast.editor, "Zapier")
    with django_assert_num_queries(2):
        apikeys.check(new.secret)
    with django_assert_num_queries(1):
        key, membership = apikeys.check(new.secret)
    assert (key, membership) == (new.key, cast.editor)

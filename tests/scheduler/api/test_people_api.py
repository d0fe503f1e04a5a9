"""/api/v1/members/ and /api/v1/invites/: the People page's rules, as JSON."""

from __future__ import annotations

import pytest
from django.core import mail

from scheduler.models import Invite, Membership, Role
from tests.conftest import NOW, Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_members_are_listed_with_roles_and_addresses_for_managers(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    rows = api.as_role("admin").get("/api/v1/members/").json()["results"]
    assert [(r["username"], r["role"], r["email"]) for r in rows] == [
        ("admin", "admin", "admin@example.com"),
        ("contributor", "contributor", "contributor@example.com"),
        ("editor", "editor", "editor@example.com"),
        ("owner", "owner", "owner@example.com"),
        ("viewer", "viewer", "viewer@example.com"),
    ]
    rows = api.as_role("viewer").get("/api/v1/members/").json()["results"]
    assert {r["email"] for r in rows} == {None}


def test_an_admin_changes_a_role(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    response = api.as_role("admin").patch(
        f"/api/v1/members/{cast.editor.pk}/", {"role": "viewer"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["role"] == "viewer"
    assert Membership.objects.get(pk=cast.editor.pk).role == Role.VIEWER


@pytest.mark.parametrize(
    ("role", "target", "body", "code", "errors"),
    [
        (
            "admin",
            "editor",
            {"role": "owner"},
            403,
            {"role": ["Only an owner can make someone an owner."]},
        ),
        (
            "admin",
            "owner",
            {"role": "viewer"},
            403,
            {"role": ["Only an owner can change or remove an owner."]},
        ),
        (
            "owner",
            "owner",
            {"role": "admin"},
            400,
            {"role": ["owner is the last owner; make someone else an owner first."]},
        ),
        ("owner", "editor", {"role": "boss"}, 400, {"role": ['"boss" is not a valid choice.']}),
        ("editor", "viewer", {"role": "editor"}, 403, {}),
        ("owner", "editor", {}, 400, {"role": ["This field is required."]}),
        ("owner", "editor", {"username": "x"}, 400, {"role": ["This field is required."]}),
    ],
)
def test_role_changes_the_rules_refuse_name_the_field(  # type: ignore[no-untyped-def]
    cast: Cast, api, role: str, target: str, body: dict, code: int, errors: dict
) -> None:
    response = api.as_role(role).patch(
        f"/api/v1/members/{cast.role(target).pk}/", body, format="json"
    )
    assert response.status_code == code
    assert response.json()["errors"] == errors
    assert Membership.objects.get(pk=cast.role(target).pk).role == target


def test_removing_members(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    assert api.as_role("admin").delete(f"/api/v1/members/{cast.viewer.pk}/").status_code == 204
    last = api.as_role("owner").delete(f"/api/v1/members/{cast.owner.pk}/")
    assert last.status_code == 400
    assert list(last.json()["errors"]) == ["member"]
    assert api.as_role("owner").delete(f"/api/v1/members/{cast.outsider.pk}/").status_code == 404


def test_inviting_listing_resending_and_revoking(  # type: ignore[no-untyped-def]
    cast: Cast, api, django_capture_on_commit_callbacks
) -> None:
    client = api.as_role("admin")
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post("/api/v1/invites/", {"email": "n@example.com", "role": "viewer"})
    assert made.status_code == 201
    body = made.json()
    assert {k: body[k] for k in ("email", "role", "invited_by")} == {
        "email": "n@example.com",
        "role": "viewer",
        "invited_by": "admin",
    }
    assert "token" not in str(body) and len(mail.outbox) == 1
    assert [i["email"] for i in client.get("/api/v1/invites/").json()["results"]] == [
        "n@example.com"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/api/v1/invites/{body['id']}/resend/")
    assert again.status_code == 200 and len(mail.outbox) == 2
    assert client.delete(f"/api/v1/invites/{body['id']}/").status_code == 204
    assert Invite.objects.get().revoked_at == NOW
    assert client.get("/api/v1/invites/").json()["results"] == []


@pytest.mark.parametrize(
    ("body", "code", "errors"),
    [
        ({"email": "nope", "role": "viewer"}, 400, {"email": ["Enter a valid email address."]}),
        (
            {"email": "b@example.com", "role": "owner"},
            403,
            {"role": ["Only an owner can make someone an owner."]},
        ),
        (
            {"email": "viewer@example.com", "role": "viewer"},
            400,
            {"email": ["viewer@example.com is already a member."]},
        ),
        ({"role": "viewer"}, 400, {"email": ["This field is required."]}),
    ],
)
def test_a_refused_invitation_names_the_field(  # type: ignore[no-untyped-def]
    cast: Cast, api, body: dict, code: int, errors: dict
) -> None:
    response = api.as_role("admin").post("/api/v1/invites/", body, format="json")
    assert response.status_code == code
    assert response.json()["errors"] == errors
    assert Invite.objects.count() == 0


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
def test_only_managers_read_or_make_invitations(cast: Cast, api, role: str) -> None:  # type: ignore[no-untyped-def]
    client = api.as_role(role)
    assert client.get("/api/v1/invites/").status_code == 403
    assert client.post("/api/v1/invites/", {"email": "a@example.com"}).status_code == 403


def test_the_member_list_costs_the_same_queries_however_long(  # type: ignore[no-untyped-def]
    cast: Cast, api, django_assert_num_queries
) -> None:
    from tests.factories import MembershipFactory

    client = api.as_role("owner")
    client.get("/api/v1/members/")  # warm: the key's first use is written down
    with django_assert_num_queries(3):
        client.get("/api/v1/members/")
    for _ in range(6):
        MembershipFactory(workspace=cast.workspace)
    with django_assert_num_queries(3):
        client.get("/api/v1/members/")


def test_expired_invitations_are_listed_as_such_and_resent(  # type: ignore[no-untyped-def]
    cast: Cast, api, django_capture_on_commit_callbacks
) -> None:
    from datetime import timedelta

    import time_machine

    made = Invite.objects.create(
        workspace=cast.workspace, email="late@example.com", token_hash="h", expires_at=NOW
    )
    client = api.as_role("owner")
    [row] = client.get("/api/v1/invites/").json()["results"]
    assert (row["email"], row["expired"]) == ("late@example.com", True)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/api/v1/invites/{made.pk}/resend/")
    assert response.json()["expired"] is False
    assert response.json()["expires_at"] == "2026-12-02T15:00:00Z"


def test_members_and_invites_are_in_the_schema(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    paths = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in [
        "/api/v1/members/",
        "/api/v1/members/{id}/",
        "/api/v1/invites/",
        "/api/v1/invites/{id}/",
        "/api/v1/invites/{id}/resend/",
    ]:
        assert path in paths, path

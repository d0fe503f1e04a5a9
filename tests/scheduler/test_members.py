"""The people rules: who may change whom, and a workspace always keeps an owner."""

from __future__ import annotations

import pytest

from scheduler import members
from scheduler.models import Membership, Role, Workspace
from tests.conftest import Cast
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_creating_a_workspace_makes_its_creator_the_owner(cast: Cast) -> None:
    made = members.create_workspace(cast.viewer.user, "  Client B ", "Europe/Paris")
    assert (made.workspace.name, made.workspace.timezone, made.role) == (
        "Client B",
        "Europe/Paris",
        Role.OWNER,
    )
    assert made.user == cast.viewer.user


def test_a_workspace_needs_a_name(cast: Cast) -> None:
    with pytest.raises(members.Refused) as refused:
        members.create_workspace(cast.viewer.user, "   ", "UTC")
    assert (refused.value.field, refused.value.message) == ("name", "Give the workspace a name.")
    assert Workspace.objects.count() == 2


def test_an_admin_changes_an_editors_role(cast: Cast) -> None:
    assert members.change_role(cast.admin, cast.editor, Role.CONTRIBUTOR) is True
    cast.editor.refresh_from_db()
    assert cast.editor.role == Role.CONTRIBUTOR
    assert members.change_role(cast.admin, cast.editor, Role.CONTRIBUTOR) is False


def test_an_admin_cannot_make_an_owner(cast: Cast) -> None:
    with pytest.raises(members.Refused) as refused:
        members.change_role(cast.admin, cast.editor, Role.OWNER)
    assert (refused.value.field, refused.value.message, refused.value.forbidden) == (
        "role",
        "Only an owner can make someone an owner.",
        True,
    )


@pytest.mark.parametrize("action", ["demote", "remove"])
def test_an_admin_cannot_touch_an_owner(cast: Cast, action: str) -> None:
    second_owner = MembershipFactory(workspace=cast.workspace, role=Role.OWNER)
    with pytest.raises(members.Refused) as refused:
        if action == "demote":
            members.change_role(cast.admin, second_owner, Role.EDITOR)
        else:
            members.remove(cast.admin, second_owner)
    assert refused.value.message == "Only an owner can change or remove an owner."
    assert Membership.objects.get(pk=second_owner.pk).role == Role.OWNER


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
def test_other_roles_cannot_manage_people(cast: Cast, role: str) -> None:
    with pytest.raises(members.Refused) as refused:
        members.change_role(cast.role(role), cast.viewer, Role.EDITOR)
    assert refused.value.forbidden is True
    assert "cannot manage people" in refused.value.message


def test_the_last_owner_cannot_be_demoted_or_removed(cast: Cast) -> None:
    with pytest.raises(members.Refused) as demoted:
        members.change_role(cast.owner, cast.owner, Role.ADMIN)
    assert demoted.value.message == "owner is the last owner; make someone else an owner first."
    with pytest.raises(members.Refused) as removed:
        members.remove(cast.owner, cast.owner)
    assert removed.value.field == "member"
    assert Membership.objects.get(pk=cast.owner.pk).role == Role.OWNER


def test_an_owner_hands_over_and_steps_down(cast: Cast) -> None:
    members.change_role(cast.owner, cast.admin, Role.OWNER)
    members.change_role(cast.owner, cast.owner, Role.EDITOR)
    roles = dict(
        Membership.objects.filter(workspace=cast.workspace).values_list("user__username", "role")
    )
    assert (roles["owner"], roles["admin"]) == (Role.EDITOR, Role.OWNER)


def test_removing_a_member_keeps_their_user_and_other_workspaces(cast: Cast) -> None:
    elsewhere = MembershipFactory(user=cast.editor.user, role=Role.VIEWER)
    members.remove(cast.admin, cast.editor)
    assert not Membership.objects.filter(pk=cast.editor.pk).exists()
    assert Membership.objects.filter(pk=elsewhere.pk).exists()
    assert UserFactory._meta.model.objects.filter(username="editor").exists()


def test_an_unknown_role_is_refused_by_name(cast: Cast) -> None:
    with pytest.raises(members.Refused) as refused:
        members.change_role(cast.owner, cast.editor, "superuser")
    assert (refused.value.field, refused.value.message) == ("role", "Unknown role: superuser.")

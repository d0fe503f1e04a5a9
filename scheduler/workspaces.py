"""Which workspace a request acts in, and as what role."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from scheduler.models import Membership

SESSION_KEY = "workspace_id"


class WorkspaceChoiceError(Exception):
    """The request names no workspace (or one the person is not in)."""


def memberships(user: object) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
    )


def resolve(user: object, wanted: str | int | None) -> Membership:
    """Return the person's membership in workspace `wanted`, or their only one."""
    mine = memberships(user)
    if wanted not in (None, ""):
        for m in mine:
            if str(m.workspace_id) == str(wanted).strip():
                return m
        raise WorkspaceChoiceError(_("You are not a member of workspace %(id)s.") % {"id": wanted})
    if len(mine) == 1:
        return mine[0]
    if not mine:
        raise WorkspaceChoiceError(_("You are not a member of any workspace."))
    ids = ", ".join(str(m.workspace_id) for m in mine)
    raise WorkspaceChoiceError(
        _("You belong to several workspaces (%(ids)s); name one in the X-Workspace header.")
        % {"ids": ids}
    )


def request_memberships(request: HttpRequest) -> list[Membership]:
    """The signed-in person's memberships, read once per request."""
    if not hasattr(request, "_smo_memberships"):
        request._smo_memberships = memberships(request.user)  # type: ignore[attr-defined]
    return request._smo_memberships  # type: ignore[attr-defined, no-any-return]


def for_session(request: HttpRequest) -> Membership | None:
    """The web app's current workspace: the one chosen in the session, else the first."""
    mine = request_memberships(request)
    chosen = request.session.get(SESSION_KEY)
    for m in mine:
        if m.workspace_id == chosen:
            return m
    return mine[0] if mine else None

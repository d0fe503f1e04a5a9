"""The People page: who is in the workspace, their roles, and pending invitations.

Every member may see who is in the workspace and with which role (they mention
each other and ask each other for approval); e-mail addresses, invitations and
every change are for owners and admins (DESIGN.md: admins manage people).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from scheduler import invites, members
from scheduler.models import Invite, Membership, Role
from scheduler.views.access import workspace_page

ROLE_ORDER = {role: i for i, role in enumerate(Role.values)}


def assignable_roles(actor: Membership) -> list[tuple[str, str]]:
    """The roles `actor` may hand out: an admin cannot make owners."""
    return [
        (value, label)
        for value, label in Role.choices
        if value != Role.OWNER or actor.role == Role.OWNER
    ]


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=gettext_lazy("Role"), initial=Role.EDITOR)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = assignable_roles(actor)


def _page(request: HttpRequest, form: InviteForm | None = None, status: int = 200) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    people = sorted(
        Membership.objects.filter(workspace=actor.workspace).select_related("user"),
        key=lambda m: (ROLE_ORDER[m.role], m.user.username.lower()),
    )
    owners = sum(1 for m in people if m.role == Role.OWNER)
    for m in people:
        # What this actor may do to each row, so the template shows only real buttons.
        m.manageable = actor.can_manage_people and (  # type: ignore[attr-defined]
            m.role != Role.OWNER or actor.role == Role.OWNER
        )
        m.last_owner = m.role == Role.OWNER and owners == 1  # type: ignore[attr-defined]
    context = {
        "people": people,
        "can_manage": actor.can_manage_people,
        "roles": assignable_roles(actor),
        "invites": list(invites.open_queryset(actor.workspace_id))
        if actor.can_manage_people
        else [],
        "now": timezone.now(),
        "form": form or InviteForm(actor=actor),
    }
    return render(request, "scheduler/people.html", context, status=status)


@workspace_page()
def people_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@workspace_page("can_manage_people")
def invite_person(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    form = InviteForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            made = invites.invite(actor, form.cleaned_data["email"], form.cleaned_data["role"])
        except members.Refused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works for 7 days.")
                % {"email": made.email},
            )
            return redirect("people")
    return _page(request, form, status=400)


def _member(request: HttpRequest, pk: int) -> Membership:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    found = (
        Membership.objects.filter(pk=pk, workspace_id=actor.workspace_id)
        .select_related("user")
        .first()
    )
    if found is None:
        raise Http404(_("No such member in this workspace."))
    return found


@require_POST
@workspace_page("can_manage_people")
def change_role(request: HttpRequest, pk: int) -> HttpResponse:
    target = _member(request, pk)
    try:
        changed = members.change_role(
            request.membership,  # type: ignore[attr-defined]
            target,
            request.POST.get("role", ""),
        )
    except members.Refused as exc:
        messages.error(request, exc.message)
    else:
        if changed:
            target.refresh_from_db()
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": target.user.username, "role": target.get_role_display()},
            )
    return redirect("people")


@require_POST
@workspace_page("can_manage_people")
def remove_member(request: HttpRequest, pk: int) -> HttpResponse:
    target = _member(request, pk)
    try:
        members.remove(request.membership, target)  # type: ignore[attr-defined]
    except members.Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s is no longer a member. Their posts stay.") % {"name": target.user.username},
        )
    return redirect("people")


def _invite(request: HttpRequest, pk: int) -> Invite:
    actor: Membership = request.membership  # type: ignore[attr-defined]
    found = Invite.objects.filter(pk=pk, workspace_id=actor.workspace_id).first()
    if found is None:
        raise Http404(_("No such invitation in this workspace."))
    return found


@require_POST
@workspace_page("can_manage_people")
def revoke_invite(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invite(request, pk)
    try:
        invites.revoke(request.membership, invitation)  # type: ignore[attr-defined]
    except members.Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is revoked; its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("people")


@require_POST
@workspace_page("can_manage_people")
def resend_invite(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invite(request, pk)
    try:
        invites.resend(request.membership, invitation)  # type: ignore[attr-defined]
    except members.Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("A new link went to %(email)s; the old one no longer works.")
            % {"email": invitation.email},
        )
    return redirect("people")


urlpatterns: list[URLPattern] = [
    path("people/", people_page, name="people"),
    path("people/invite/", invite_person, name="people-invite"),
    path("people/<int:pk>/role/", change_role, name="people-role"),
    path("people/<int:pk>/remove/", remove_member, name="people-remove"),
    path("people/invites/<int:pk>/revoke/", revoke_invite, name="invite-revoke"),
    path("people/invites/<int:pk>/resend/", resend_invite, name="invite-resend"),
]

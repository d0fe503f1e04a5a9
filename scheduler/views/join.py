"""Joining: create a workspace of one's own, or accept an e-mailed invitation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scheduler import invites, members, workspaces
from scheduler.models import Membership, User
from scheduler.views.profile import _zone_choices


class WorkspaceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    timezone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        choices=_zone_choices,
        help_text=gettext_lazy("Queue slots and the calendar's days follow this zone."),
        error_messages={"invalid_choice": gettext_lazy("Unknown time zone: %(value)s.")},
    )


def _switch_to(request: HttpRequest, membership: Membership) -> None:
    request.session[workspaces.SESSION_KEY] = membership.workspace_id


@login_required
def new_workspace(request: HttpRequest) -> HttpResponse:
    """Any signed-in person may start a workspace; they become its owner."""
    user: User = request.user  # type: ignore[assignment]
    form = WorkspaceForm(request.POST or None, initial={"timezone": user.timezone})
    if request.method == "POST" and form.is_valid():
        made = members.create_workspace(
            user, form.cleaned_data["name"], form.cleaned_data["timezone"]
        )
        _switch_to(request, made)
        messages.success(
            request,
            _("Created %(name)s. You are its owner; invite people on the People page.")
            % {"name": made.workspace.name},
        )
        return redirect("people")
    status = 400 if form.errors else 200
    return render(request, "scheduler/workspace_new.html", {"form": form}, status=status)


class JoinForm(UserCreationForm):
    """A new person's username and password; the e-mail is the invitation's."""

    class Meta:
        model = User
        fields = ("username",)


def _unusable(request: HttpRequest, exc: invites.Unusable) -> HttpResponse:
    return render(request, "scheduler/invite_accept.html", {"problem": str(exc)}, status=410)


def _joined(request: HttpRequest, membership: Membership, new: bool) -> HttpResponse:
    _switch_to(request, membership)
    values = {"workspace": membership.workspace.name, "role": membership.get_role_display()}
    if new:
        messages.success(request, _("Welcome to %(workspace)s: you joined as %(role)s.") % values)
    else:
        messages.info(request, _("You are already in %(workspace)s, as %(role)s.") % values)
    return redirect("dashboard")


def accept_invite(request: HttpRequest, token: str) -> HttpResponse:
    """Follow an invitation link: join as the signed-in person, or as a new person."""
    try:
        invitation = invites.look_up(token)
    except invites.Unusable as exc:
        return _unusable(request, exc)
    form: JoinForm | None = None
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership, new = invites.accept(token, request.user)  # type: ignore[arg-type]
            except invites.Unusable as exc:
                return _unusable(request, exc)
            return _joined(request, membership, new)
    else:
        form = JoinForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    person = form.save(commit=False)
                    person.email = invitation.email
                    person.save()
                    membership, new = invites.accept(token, person)
            except invites.Unusable as exc:
                return _unusable(request, exc)
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            return _joined(request, membership, new)
    context: dict[str, Any] = {"invitation": invitation, "form": form, "token": token}
    status = 400 if form is not None and form.errors else 200
    return render(request, "scheduler/invite_accept.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("workspaces/new/", new_workspace, name="workspace-new"),
    path("invite/<str:token>/", accept_invite, name="invite-accept"),
]

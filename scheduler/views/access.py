"""Page access: signed in, and a member of the current workspace."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from scheduler import workspaces

View = Callable[..., HttpResponse]


def workspace_page(permission: str | None = None) -> Callable[[View], View]:
    """Set `request.membership`; answer 403 when the role lacks `permission`."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = workspaces.for_session(request)
            if membership is None:
                return render(request, "scheduler/no_workspace.html", status=403)
            if permission and not getattr(membership, permission):
                raise PermissionDenied(
                    _("Your role (%(role)s) cannot do this.")
                    % {"role": membership.get_role_display()}
                )
            request.membership = membership  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorate

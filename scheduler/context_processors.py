from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from scheduler import workspaces


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The current workspace and the others the person can switch to."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None) or workspaces.for_session(request)
    return {"membership": membership, "all_memberships": workspaces.request_memberships(request)}

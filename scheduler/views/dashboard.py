from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from scheduler import workspaces
from scheduler.models import Delivery, Workspace
from scheduler.views.access import workspace_page

S = Delivery.State
LIST_LENGTH = 20


def _deliveries(workspace: Workspace) -> QuerySet[Delivery]:
    return Delivery.objects.filter(post__workspace=workspace).select_related(
        "post", "post__campaign", "account"
    )


@workspace_page()
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    base = _deliveries(workspace)
    context = {
        "upcoming": base.filter(
            state__in=[
                S.SCHEDULED,
                S.QUEUED,
                S.PUBLISHING,
                S.RETRY_WAIT,
                S.UNKNOWN,
                S.AWAITING_APPROVAL,
                S.REMINDER_SENT,
            ]
        ).order_by("scheduled_at", "id")[:LIST_LENGTH],
        "published": base.filter(state=S.PUBLISHED).order_by("-published_at", "-id")[:LIST_LENGTH],
        "problems": base.filter(state__in=[S.FAILED, S.NEEDS_ATTENTION, S.EXPIRED]).order_by(
            "-updated_at", "-id"
        )[:LIST_LENGTH],
        "drafts": base.filter(state=S.DRAFT).order_by("-post__updated_at", "-id")[:LIST_LENGTH],
        "now": timezone.now(),
    }
    return render(request, "scheduler/dashboard.html", context)


@require_POST
@workspace_page()
def switch_workspace(request: HttpRequest) -> HttpResponse:
    try:
        chosen = workspaces.resolve(request.user, request.POST.get("workspace"))
    except workspaces.WorkspaceChoiceError:
        return redirect("dashboard")
    request.session[workspaces.SESSION_KEY] = chosen.workspace_id
    return redirect("dashboard")

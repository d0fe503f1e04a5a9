"""The notifications page: what happened, newest first; open one, mark one or all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from scheduler import workspaces
from scheduler.models import Notification

PER_PAGE = 50


def _mine(request: HttpRequest) -> QuerySet[Notification]:
    return Notification.objects.filter(user=request.user)


@login_required
def notifications_page(request: HttpRequest) -> HttpResponse:
    """Every notification of the signed-in person, in all their workspaces."""
    rows = _mine(request).select_related("workspace")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    unread = _mine(request).filter(read_at=None).exists()
    several = len(workspaces.request_memberships(request)) > 1
    context = {"page": page, "any_unread": unread, "several_workspaces": several}
    return render(request, "scheduler/notifications.html", context)


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read and go to what it is about, in its own workspace."""
    notification = get_object_or_404(_mine(request), pk=pk)
    Notification.objects.filter(pk=pk, read_at=None).update(read_at=timezone.now())
    if any(
        m.workspace_id == notification.workspace_id for m in workspaces.request_memberships(request)
    ):
        # The link is to a page of that workspace: make it the current one.
        request.session[workspaces.SESSION_KEY] = notification.workspace_id
        return redirect(notification.url or "notifications")
    return redirect("notifications")


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(_mine(request), pk=pk)
    Notification.objects.filter(pk=pk, read_at=None).update(read_at=timezone.now())
    return redirect("notifications")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    _mine(request).filter(read_at=None).update(read_at=timezone.now())
    return redirect("notifications")


urlpatterns: list[URLPattern] = [
    path("notifications/", notifications_page, name="notifications"),
    path("notifications/<int:pk>/", open_notification, name="notification-open"),
    path("notifications/<int:pk>/read/", mark_read, name="notification-read"),
    path("notifications/read-all/", mark_all_read, name="notifications-read-all"),
]

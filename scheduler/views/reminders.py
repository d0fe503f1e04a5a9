"""Reminders: posts waiting to be posted by hand, and marking them posted or skipped."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from scheduler import reminders
from scheduler.media_serving import serve_asset
from scheduler.models import Delivery, PostMedia
from scheduler.views.access import workspace_page


def _delivery(request: HttpRequest, pk: int) -> Delivery:
    """A delivery of this workspace that is or was a reminder; any other answers 404."""
    return get_object_or_404(
        Delivery.objects.select_related("post", "post__campaign", "post__author", "account"),
        pk=pk,
        account__workspace=request.membership.workspace,  # type: ignore[attr-defined]
        reminded_at__isnull=False,
    )


@workspace_page("can_write")
def reminder_list(request: HttpRequest) -> HttpResponse:
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    items = list(reminders.open_reminders(workspace))
    return render(request, "scheduler/reminders.html", {"items": items})


@workspace_page("can_write")
def reminder_page(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    return render(request, "scheduler/reminder.html", {"r": reminders.reminder(delivery)})


@require_POST
@workspace_page("can_write")
def reminder_posted(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    try:
        reminders.mark_posted(delivery, request.POST.get("url", ""))
    except reminders.ReminderRefused as exc:
        messages.error(request, exc.message)
        return redirect("reminder", pk=pk)
    messages.success(
        request, _("Marked as posted on %(account)s.") % {"account": delivery.account.name}
    )
    return redirect("reminder", pk=pk)


@require_POST
@workspace_page("can_write")
def reminder_skip(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    try:
        reminders.skip(delivery)
    except reminders.ReminderRefused as exc:
        messages.error(request, exc.message)
        return redirect("reminder", pk=pk)
    messages.success(
        request,
        _("Skipped: it will not be posted on %(account)s.") % {"account": delivery.account.name},
    )
    return redirect("reminders")


@require_safe
@workspace_page("can_write")
def reminder_media(request: HttpRequest, pk: int, asset_id: int) -> FileResponse:
    """One file of the reminder's post, to save and upload in the network's app."""
    delivery = _delivery(request, pk)
    attached = get_object_or_404(
        PostMedia.objects.select_related("asset"), post=delivery.post, asset_id=asset_id
    )
    asset = attached.asset
    try:
        handle = asset.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("This media is gone.")) from None
    # ?download=1 saves it under its own name; without, the page shows it inline.
    return serve_asset(asset, handle, as_attachment=request.GET.get("download") == "1")


urlpatterns = [
    path("reminders/", reminder_list, name="reminders"),
    path("reminders/<int:pk>/", reminder_page, name="reminder"),
    path("reminders/<int:pk>/posted/", reminder_posted, name="reminder-posted"),
    path("reminders/<int:pk>/skip/", reminder_skip, name="reminder-skip"),
    path("reminders/<int:pk>/media/<int:asset_id>/", reminder_media, name="reminder-media"),
]

"""The queue page: each account's posting schedule, its queued posts, and "add to queue"."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from channels.models import SocialAccount
from scheduler import meters, posts, queue
from scheduler.forms import ComposeForm
from scheduler.models import QueueSlot
from scheduler.pause import CHOICES
from scheduler.views.access import workspace_page
from scheduler.views.compose import composer_extras, picked_media
from smo import dates

WEEKDAYS = [
    (0, gettext_lazy("Monday")),
    (1, gettext_lazy("Tuesday")),
    (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")),
    (4, gettext_lazy("Friday")),
    (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
]


class SlotForm(forms.Form):
    weekday = forms.TypedChoiceField(label=gettext_lazy("Day"), choices=WEEKDAYS, coerce=int)
    time = forms.TimeField(
        label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


def _accounts(request: HttpRequest) -> list[SocialAccount]:
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    return list(
        SocialAccount.objects.filter(workspace=workspace, status=SocialAccount.Status.ACTIVE)
        .select_related("workspace")
        .order_by("name", "pk")
    )


def _account(request: HttpRequest, account_id: int) -> SocialAccount:
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    return get_object_or_404(
        SocialAccount.objects.select_related("workspace"), pk=account_id, workspace=workspace
    )


def _back(account_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('queue')}#queue-{account_id}")


@workspace_page()
def queue_page(request: HttpRequest) -> HttpResponse:
    return render_queue(request)


def render_queue(
    request: HttpRequest, evergreen_forms: dict[int, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    """The queue page; `evergreen_forms` keeps a rejected evergreen form as typed."""
    from scheduler.views.evergreen import attach_panels

    membership = request.membership  # type: ignore[attr-defined]
    timelines = queue.timelines(_accounts(request), timezone.now())
    attach_panels(timelines, evergreen_forms or {})
    context = {
        "timelines": timelines,
        "zone": ZoneInfo(membership.workspace.timezone),
        "slot_form": SlotForm(initial={"time": time(9, 0)}),
        "resume_choices": CHOICES.items(),
    }
    return render(request, "scheduler/queue.html", context, status=status)


@workspace_page("can_schedule")
@require_POST
def add_slot(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    form = SlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pick a day and a time for the new slot."))
        return _back(account.pk)
    try:
        with transaction.atomic():
            QueueSlot.objects.create(
                account=account,
                weekday=form.cleaned_data["weekday"],
                time=form.cleaned_data["time"].replace(second=0, microsecond=0),
            )
    except IntegrityError:
        messages.error(
            request, _("%(account)s already posts at that time.") % {"account": account.name}
        )
    return _back(account.pk)


@workspace_page("can_schedule")
@require_POST
def remove_slot(request: HttpRequest, slot_id: int) -> HttpResponse:
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    slot = get_object_or_404(QueueSlot, pk=slot_id, account__workspace=workspace)
    slot.delete()
    return _back(slot.account_id)


@workspace_page("can_schedule")
@require_POST
def move(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""), 0)
    try:
        queue.move(account, int(request.POST.get("delivery", "0")), offset)
    except (queue.QueueChanged, ValueError):
        messages.warning(request, _("The queue changed meanwhile; here it is again."))
    return _back(account.pk)


@workspace_page("can_schedule")
@require_POST
def reorder(request: HttpRequest, account_id: int) -> HttpResponse:
    """Take the whole new order at once (`order`, delivery ids), as a drag-and-drop sends it."""
    account = _account(request, account_id)
    try:
        queue.reorder(account, [int(pk) for pk in request.POST.getlist("order")])
    except (queue.QueueChanged, ValueError):
        messages.warning(request, _("The queue changed meanwhile; here it is again."))
    return _back(account.pk)


@workspace_page("can_write")
@require_POST
def add_to_queue(request: HttpRequest) -> HttpResponse:
    """Save the composer's content at its accounts' next free slots.

    Takes the composer's fields (text, accounts, link, first_comment, thread,
    campaign) and ignores its date and time. On a problem it answers the composer
    page with the problems in place, as the composer's own Save does.
    """
    membership = request.membership  # type: ignore[attr-defined]
    data = request.POST.copy()
    data["when"] = "draft"  # the queue picks the time
    form = ComposeForm(data, membership=membership)
    if form.is_valid():
        cleaned = form.cleaned_data
        try:
            post = queue.add_to_queue(
                membership,
                posts.PostInput(
                    text=cleaned["text"],
                    accounts=list(cleaned["accounts"]),
                    campaign=cleaned["campaign"],
                    link=cleaned["link"] or "",
                    first_comment=cleaned["first_comment"],
                    thread=cleaned["thread"],
                    media=cleaned["media"],
                    overrides=form.overrides(),
                    add_signatures=cleaned["add_signatures"],
                ),
            )
        except posts.PostErrors as exc:
            form.add_post_errors(exc.errors)
        else:
            zone = ZoneInfo(membership.workspace.timezone)
            when = dates.show(timezone.localtime(post.scheduled_at, zone), "day_time")
            messages.success(request, _("Added to the queue for %(when)s.") % {"when": when})
            nxt = request.POST.get("next", "")
            if url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
                return HttpResponseRedirect(nxt)
            return redirect("post-detail", pk=post.pk)
    context = {
        "form": form,
        "meters": meters.for_form(form),
        "picked": picked_media(form),
        **composer_extras(membership),
    }
    return render(request, "scheduler/compose.html", context, status=400)


urlpatterns: list[URLPattern] = [
    path("queue/", queue_page, name="queue"),
    path("queue/add/", add_to_queue, name="queue-add"),
    path("queue/<int:account_id>/slots/", add_slot, name="queue-add-slot"),
    path("queue/slots/<int:slot_id>/remove/", remove_slot, name="queue-remove-slot"),
    path("queue/<int:account_id>/move/", move, name="queue-move"),
    path("queue/<int:account_id>/reorder/", reorder, name="queue-reorder"),
]

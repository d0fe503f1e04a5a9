from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scheduler import meters, posts
from scheduler.forms import ComposeForm
from scheduler.models import Membership
from scheduler.views.access import workspace_page


@workspace_page("can_write")
def compose(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = ComposeForm(
        request.POST or None, membership=membership, initial=_suggested_time(membership)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post = posts.create_post(
                membership,
                posts.PostInput(
                    text=data["text"],
                    accounts=list(data["accounts"]),
                    scheduled_at=data["scheduled_at"],
                    publish_now=data["when"] == "now",
                    campaign=data["campaign"],
                    link=data["link"] or "",
                    first_comment=data["first_comment"],
                    thread=data["thread"],
                ),
            )
        except posts.PostErrors as exc:
            form.add_post_errors(exc.errors)
        else:
            messages.success(request, _("Post saved."))
            return redirect("post-detail", pk=post.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "meters": meters.for_form(form)}
    return render(request, "scheduler/compose.html", context, status=status)


@workspace_page("can_write")
@require_POST
def compose_check(request: HttpRequest) -> HttpResponse:
    """Answer the composer's live check: each chosen network's counter and problems."""
    form = ComposeForm(request.POST, membership=request.membership)  # type: ignore[attr-defined]
    return render(request, "scheduler/_meters.html", {"meters": meters.for_form(form)})


def _suggested_time(membership: Membership) -> dict[str, object]:
    """Suggest the next quarter hour at least ten minutes ahead, in local time."""
    local = timezone.localtime(
        timezone.now() + timedelta(minutes=10), ZoneInfo(membership.user.timezone)
    )
    local = (local + timedelta(minutes=-local.minute % 15)).replace(second=0, microsecond=0)
    return {"date": local.date(), "time": local.time()}

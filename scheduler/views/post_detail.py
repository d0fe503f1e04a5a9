from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scheduler import inbox, posts
from scheduler.models import Delivery, DeliveryAttempt, InboxItem, Post
from scheduler.views.access import workspace_page

# While any delivery is in one of these, the page polls for changes.
LIVE_STATES = {"scheduled", "queued", "publishing", "retry_wait", "unknown"}


def _post(request: HttpRequest, pk: int) -> Post:
    deliveries = (
        Delivery.objects.select_related("account", "metrics")
        # Clicks on SMO's short links for this delivery (scheduler/links.py).
        .annotate(link_clicks=Count("short_links__clicks"))
        .order_by("id")
        .prefetch_related(
            Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number"))
        )
    )
    return get_object_or_404(
        Post.objects.select_related("author", "campaign").prefetch_related(
            Prefetch("deliveries", queryset=deliveries)
        ),
        pk=pk,
        workspace=request.membership.workspace,  # type: ignore[attr-defined]
    )


@workspace_page()
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    live = any(d.state in LIVE_STATES for d in post.deliveries.all())
    template = "scheduler/_deliveries.html" if request.htmx else "scheduler/post_detail.html"  # type: ignore[attr-defined]
    can_cancel = request.membership.can_cancel(post)  # type: ignore[attr-defined]
    context = {"post": post, "live": live, "can_cancel": can_cancel}
    if not request.htmx:  # type: ignore[attr-defined]
        context["conversations"] = _conversations(post)
    return render(request, template, context)


def _conversations(post: Post) -> list[tuple[Delivery, list[InboxItem]]]:
    """What people said under each published delivery, per network, oldest first."""
    published = [d for d in post.deliveries.all() if d.state == Delivery.State.PUBLISHED]
    found = inbox.for_delivery_ids([d.pk for d in published])
    return [(d, found[d.pk]) for d in published]


@require_POST
@workspace_page("can_write")
def post_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    if not request.membership.can_cancel(post):  # type: ignore[attr-defined]
        raise PermissionDenied(_("Only the author or someone who schedules can cancel this post."))
    stuck = posts.cancel_post(post, request.membership)  # type: ignore[attr-defined]
    if stuck:
        messages.warning(
            request,
            _("Cancelled what had not gone out; %(n)s delivery is being published right now.")
            % {"n": len(stuck)},
        )
    else:
        messages.success(request, _("Cancelled."))
    return redirect("post-detail", pk=post.pk)

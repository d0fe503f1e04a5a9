"""The approvals page, the approve / reject / ask-for-changes buttons, and comments."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scheduler import approvals, comments, review_links, workflow
from scheduler.localtime import LocalTimeError, to_utc
from scheduler.models import ApprovalDecision, Delivery, Post
from scheduler.views.access import workspace_page
from smo import dates


@workspace_page()
def approvals_page(request: HttpRequest) -> HttpResponse:
    return render_approvals(request)


def render_approvals(
    request: HttpRequest, extra: dict[str, object] | None = None, status: int = 200
) -> HttpResponse:
    """Posts awaiting approval (or expired waiting) in the workspace, the longest
    waiting first, with the form that shares some of them through a review link."""
    membership = request.membership  # type: ignore[attr-defined]
    waiting = (
        Post.objects.filter(
            workspace=membership.workspace,
            deliveries__state__in=approvals.UNDECIDED,
        )
        .distinct()
        .select_related("author", "campaign")
        .prefetch_related(
            Prefetch(
                "deliveries",
                queryset=Delivery.objects.select_related("account").order_by("id"),
            ),
            Prefetch(
                "approval_decisions",
                queryset=ApprovalDecision.objects.select_related("user"),
            ),
        )
        .order_by("created_at", "id")
    )
    posts = list(waiting)
    context: dict[str, object] = {
        "posts": posts,
        "approval_flow": workflow.of(membership.workspace_id),
        "campaigns": sorted({p.campaign for p in posts if p.campaign}, key=lambda c: c.name),
        "review_links": list(review_links.listed(membership.workspace_id))
        if membership.can_approve
        else [],
        "share": {"days": review_links.DEFAULT_DAYS},
        **(extra or {}),
    }
    return render(request, "scheduler/approvals.html", context, status=status)


def _post(request: HttpRequest, pk: int) -> Post:
    return get_object_or_404(
        Post,
        pk=pk,
        workspace=request.membership.workspace,  # type: ignore[attr-defined]
    )


def _back(request: HttpRequest, post: Post) -> HttpResponse:
    """Go back to where the buttons were pressed: the approvals page or the post."""
    wanted = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return redirect(wanted)
    return redirect("post-detail", pk=post.pk)


def _step(request: HttpRequest) -> int | None:
    """The step the buttons were shown at: a decision made meanwhile turns it stale."""
    value = request.POST.get("step", "")
    return int(value) if value.isdigit() else None


def _new_time(request: HttpRequest) -> datetime | None:
    date, time = request.POST.get("date", ""), request.POST.get("time", "")
    if not (date or time):
        return None
    try:
        naive = datetime.strptime(f"{date} {time}", "%Y-%m-%d %H:%M")
    except ValueError as error:
        raise approvals.ReviewError(_("Give the new time as a date and a time.")) from error
    try:
        return to_utc(naive, request.user.zone)  # type: ignore[union-attr]
    except LocalTimeError as error:
        raise approvals.ReviewError(str(error)) from error


@require_POST
@workspace_page()
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    try:
        approvals.approve(
            request.membership,  # type: ignore[attr-defined]
            post,
            publish_now=request.POST.get("publish_now") == "1",
            new_time=_new_time(request),
            at_step=_step(request),
        )
    except approvals.ReviewError as error:
        messages.error(request, error.message)
        return _back(request, post)
    if post.deliveries.filter(state=Delivery.State.AWAITING_APPROVAL).exists():
        step = workflow.of(post.workspace_id).at(post.approval_step)
        messages.success(
            request, _("Approved at this step; it now waits for “%(step)s”.") % {"step": step.name}
        )
        return _back(request, post)
    when = timezone.localtime(post.scheduled_at)
    messages.success(
        request,
        _("Approved: it goes out %(when)s.") % {"when": dates.show(when, "day_time")}
        if post.scheduled_at and post.scheduled_at > timezone.now()
        else _("Approved: it goes out now."),
    )
    return _back(request, post)


@require_POST
@workspace_page()
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    try:
        approvals.reject(
            request.membership, post, request.POST.get("reason", ""), at_step=_step(request)
        )  # type: ignore[attr-defined]
    except approvals.ReviewError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Rejected; the author has been told why."))
    return _back(request, post)


@require_POST
@workspace_page()
def request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    try:
        approvals.request_changes(
            request.membership, post, request.POST.get("body", ""), at_step=_step(request)
        )  # type: ignore[attr-defined]
    except approvals.ReviewError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sent back to the author as a draft, with your comment."))
    return _back(request, post)


@require_POST
@workspace_page()
def add_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a comment (any member, viewers too); htmx gets the comments back."""
    post = _post(request, pk)
    body = request.POST.get("body", "")
    error = ""
    try:
        comments.add(post, request.user, body)  # type: ignore[arg-type]
        body = ""
    except comments.CommentError as problem:
        error = problem.message
    if request.htmx:  # type: ignore[attr-defined]
        context = {"post": post, "comment_error": error, "comment_body": body}
        return render(request, "scheduler/_comments.html", context)
    if error:
        messages.error(request, error)
    return redirect(reverse("post-detail", args=[post.pk]) + "#comments")


urlpatterns: list[URLPattern] = [
    path("approvals/", approvals_page, name="approvals"),
    path("posts/<int:pk>/approve/", approve, name="post-approve"),
    path("posts/<int:pk>/reject/", reject, name="post-reject"),
    path("posts/<int:pk>/request-changes/", request_changes, name="post-request-changes"),
    path("posts/<int:pk>/comments/", add_comment, name="post-comments"),
]

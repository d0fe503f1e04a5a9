"""Approval steps of the workspace (owners and admins), and review links:
made from the approvals page, shown once, revoked."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scheduler import review_links, workflow
from scheduler.models import ApprovalWorkflow, ReviewLink
from scheduler.views.access import workspace_page
from scheduler.views.approvals import render_approvals

ROWS = workflow.MAX_STEPS


def _typed_steps(request: HttpRequest) -> list[dict[str, str]]:
    """The rows as typed; a row with neither a name nor a choice is left out."""
    rows = []
    for i in range(ROWS):
        name = request.POST.get(f"name-{i}", "")
        by = request.POST.get(f"by-{i}", "")
        if name.strip() or (by and i == 0):
            rows.append({"name": name, "by": by})
    return rows


@workspace_page("can_manage_people")
def approval_steps(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    error = None
    if request.method == "POST":
        steps = _typed_steps(request)
        every_post = request.POST.get("every_post") == "on"
        try:
            workflow.save(membership, steps, every_post)
        except workflow.WorkflowError as problem:
            error = problem
        else:
            messages.success(request, _("Approval steps saved."))
            return redirect("approval-steps")
    else:
        flow = workflow.of(membership.workspace_id)
        steps = [{"name": s.name, "by": s.by} for s in flow.steps]
        every_post = flow.every_post
    rows = steps + [{"name": "", "by": ""}] * (ROWS - len(steps))
    context = {
        "rows": rows,
        "every_post": every_post,
        "error": error,
        "choices": ApprovalWorkflow.By.choices,
    }
    return render(request, "scheduler/approval_steps.html", context, status=400 if error else 200)


@require_POST
@workspace_page("can_approve")
def review_link_create(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    share = {
        "reviewer_name": request.POST.get("reviewer_name", ""),
        "reviewer_email": request.POST.get("reviewer_email", ""),
        "days": request.POST.get("days", ""),
        "campaign": request.POST.get("campaign", ""),
        "posts": [p for p in request.POST.getlist("post") if p.isdigit()],
    }
    try:
        days = int(share["days"])  # type: ignore[arg-type]
    except ValueError:
        days = -1
    campaign = share["campaign"]
    try:
        link, token = review_links.create(
            membership,
            reviewer_name=share["reviewer_name"],  # type: ignore[arg-type]
            reviewer_email=share["reviewer_email"],  # type: ignore[arg-type]
            post_ids=[int(p) for p in share["posts"]],
            campaign_id=int(campaign) if isinstance(campaign, str) and campaign.isdigit() else None,
            days=days,
        )
    except review_links.LinkError as problem:
        extra = {"share": share, "share_error": problem}
        return render_approvals(request, extra, status=400)
    url = request.build_absolute_uri(reverse("review-page", args=[token]))
    return render(request, "scheduler/review_link_created.html", {"link": link, "url": url})


@require_POST
@workspace_page("can_approve")
def review_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    link = get_object_or_404(ReviewLink, pk=pk, workspace_id=membership.workspace_id)
    review_links.revoke(membership, link)
    messages.success(request, _("Review link revoked: it no longer opens."))
    return redirect(reverse("approvals") + "#review-links")


urlpatterns: list[URLPattern] = [
    path("approvals/steps/", approval_steps, name="approval-steps"),
    path("approvals/review-links/", review_link_create, name="review-link-create"),
    path(
        "approvals/review-links/<int:pk>/revoke/",
        review_link_revoke,
        name="review-link-revoke",
    ),
]

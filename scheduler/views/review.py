"""The client review page: /review/<token>/, for a reviewer without an account.

No login and no app navigation: the token in the URL is the reviewer's only
credential, so the page sends no Referer to other sites and asks not to be indexed.
Decisions are ordinary POSTs under Django's CSRF protection (the page itself sets
the cookie), and act only on posts the link was made for and only at "client"
steps (scheduler/approvals.py checks the step again under the post's lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from scheduler import approvals, meters, review_links, workflow
from scheduler.models import Delivery, Post, ReviewLink
from scheduler.posts import draft_content


@dataclass(frozen=True)
class Item:
    """One post as the reviewer sees it."""

    post: Post
    when: datetime | None
    step: workflow.Step
    steps: int
    state: str  # "client" (may decide), "team" (waits for the team), "expired", "decided"
    previews: list[meters.Meter]
    error: str = ""
    typed: str = ""


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: links followed from the page must not carry it to
    # other sites. Not "no-referrer": with it Chromium sends `Origin: null` on the
    # page's own form posts, and Django's CSRF check refuses them.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


def _open(request: HttpRequest, token: str) -> ReviewLink | HttpResponse:
    try:
        return review_links.open_link(token)
    except review_links.Gone as gone:
        context = {"link": gone.link}
        with timezone.override(ZoneInfo(gone.link.workspace.timezone)):
            page = render(request, "scheduler/review_gone.html", context, status=410)
        return _private(page)


def _items(link: ReviewLink, errors: dict[int, str], typed: dict[int, str]) -> list[Item]:
    zone = ZoneInfo(link.workspace.timezone)
    flow = workflow.of(link.workspace_id)
    found = (
        link.posts.filter(workspace_id=link.workspace_id)
        .select_related("campaign")
        .prefetch_related(
            Prefetch(
                "deliveries", queryset=Delivery.objects.select_related("account").order_by("id")
            ),
            "media",
        )
        .order_by("scheduled_at", "id")
    )
    items = []
    for post in found:
        states = {d.state for d in post.deliveries.all()}
        step = flow.at(post.approval_step)
        if Delivery.State.EXPIRED in states:
            state = "expired"
        elif Delivery.State.AWAITING_APPROVAL not in states:
            state = "decided"
        else:
            state = step.by
        accounts = [d.account for d in post.deliveries.all() if d.state != Delivery.State.CANCELLED]
        utm = post.campaign.utm if post.campaign else None
        content = draft_content(
            post.text, list(post.media.all()), post.link, post.first_comment, post.thread, utm
        )
        items.append(
            Item(
                post=post,
                when=post.scheduled_at.astimezone(zone) if post.scheduled_at else None,
                step=step,
                steps=len(flow.steps),
                state=state,
                previews=meters.measure(content, accounts, post.overrides, utm),
                error=errors.get(post.pk, ""),
                typed=typed.get(post.pk, ""),
            )
        )
    return items


def _page(
    request: HttpRequest,
    link: ReviewLink,
    errors: dict[int, str] | None = None,
    typed: dict[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "link": link,
        "token": request.resolver_match.kwargs["token"],  # type: ignore[union-attr]
        "items": _items(link, errors or {}, typed or {}),
    }
    # The reviewer has no profile: times read in the workspace's zone.
    with timezone.override(ZoneInfo(link.workspace.timezone)):
        return _private(render(request, "scheduler/review_page.html", context, status=status))


@ensure_csrf_cookie
def review_page(request: HttpRequest, token: str) -> HttpResponse:
    link = _open(request, token)
    if isinstance(link, HttpResponse):
        return link
    return _page(request, link)


@require_POST
def review_decide(request: HttpRequest, token: str, pk: int, decision: str) -> HttpResponse:
    link = _open(request, token)
    if isinstance(link, HttpResponse):
        return link
    post = review_links.post_of(link, pk)
    reviewer = approvals.Reviewer(link)
    body = request.POST.get("body", "")
    at_step = request.POST.get("step", "")
    step = int(at_step) if at_step.isdigit() else None
    try:
        if decision == "approve":
            approvals.approve(reviewer, post, note=body, at_step=step)
            done = _("Approved. Thank you!")
        else:
            approvals.request_changes(reviewer, post, body, at_step=step)
            done = _("Sent back with your comment.")
    except approvals.ReviewError as error:
        return _page(request, link, {post.pk: error.message}, {post.pk: body}, status=400)
    messages.success(request, done)
    return _private(redirect("review-page", token=token))


urlpatterns: list[URLPattern] = [
    path("review/<str:token>/", review_page, name="review-page"),
    path(
        "review/<str:token>/posts/<int:pk>/approve/",
        review_decide,
        {"decision": "approve"},
        name="review-approve",
    ),
    path(
        "review/<str:token>/posts/<int:pk>/request-changes/",
        review_decide,
        {"decision": "changes"},
        name="review-request-changes",
    ),
]

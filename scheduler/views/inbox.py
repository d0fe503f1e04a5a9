"""The inbox page: one list of comments, replies, mentions and messages across the
workspace's accounts, a conversation pane, answers, assignment and moderation.

The list and an open conversation refresh themselves by htmx polling; answers and
moderation go out through tasks (scheduler/replies.py, scheduler/moderation.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels.adapters.registry import UnknownNetwork, adapter_class
from channels.models import SocialAccount
from channels.words import say
from scheduler import inbox, inbox_sync, moderation, replies
from scheduler.models import InboxItem, InboxSync, Membership, Reply
from scheduler.views.access import workspace_page
from scheduler.views.inbox_filters import FilterForm

PAGE = 50
READ = "can_write"  # contributors read the inbox; answering speaks for the workspace
ANSWER = "can_answer"


def _item(request: HttpRequest, pk: int) -> InboxItem:
    return get_object_or_404(
        InboxItem.objects.select_related("account", "assigned_to", "delivery__post"),
        pk=pk,
        workspace=request.membership.workspace,  # type: ignore[attr-defined]
    )


def _members(workspace: Any) -> list[Membership]:
    return list(
        Membership.objects.filter(workspace=workspace, role__in=Membership.CAN_SCHEDULE)
        .select_related("user")
        .order_by("user__username")
    )


def _list_context(request: HttpRequest) -> dict[str, Any]:
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    form = FilterForm(workspace, request.user, request.GET)
    filters = form.filters()
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    start = (page - 1) * PAGE
    rows = list(inbox.items(workspace, filters)[start : start + PAGE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("item", None)
    return {
        "form": form,
        "rows": rows[:PAGE],
        "page": page,
        "more": len(rows) > PAGE,
        "query": query.urlencode(),
        "selected": request.GET.get("item", ""),
        "poll_seconds": settings.SMO_INBOX_POLL_SECONDS,
    }


def _detail_context(request: HttpRequest, item: InboxItem, **extra: Any) -> dict[str, Any]:
    membership = request.membership  # type: ignore[attr-defined]
    try:
        support = adapter_class(item.network).engagement
    except UnknownNetwork:
        support = None
    conversation = inbox.thread(item)
    return {
        "item": item,
        "conversation": conversation,
        "in_flight": any(r.in_flight for i in conversation for r in i.answers.all()),
        "can_reply": bool(support and item.kind in support.replies_to and item.account.is_active),
        "actions": moderation.allowed(item) if membership.can_answer else set(),
        "members": _members(membership.workspace),
        "saved_replies": list(membership.workspace.saved_replies.all()),
        "reply_text": "",
        **extra,
    }


def _sync_notes(workspace: Any) -> list[dict[str, Any]]:
    """Accounts whose inbox has trouble (rate limit, error) or whose network gives none."""
    notes = []
    syncs = {s.account_id: s for s in InboxSync.objects.filter(account__workspace=workspace)}
    for account in SocialAccount.objects.filter(workspace=workspace).order_by("network", "name"):
        try:
            support = adapter_class(account.network).engagement
        except UnknownNetwork:
            continue
        sync = syncs.get(account.pk)
        if not support.fetches:
            notes.append({"account": account, "text": say(support.note), "kind": "none"})
        elif sync and sync.error_words:
            notes.append(
                {
                    "account": account,
                    "text": sync.reason,
                    "kind": "error",
                    "until": sync.rate_limited_until or sync.next_at,
                }
            )
        elif support.note:
            notes.append({"account": account, "text": say(support.note), "kind": "partial"})
    return notes


@workspace_page(READ)
def inbox_page(request: HttpRequest) -> HttpResponse:
    context = _list_context(request)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "scheduler/_inbox_list.html", context)
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    selected = request.GET.get("item", "")
    if selected.isdigit():
        found = InboxItem.objects.filter(pk=int(selected), workspace=workspace).first()
        if found is not None:
            context.update(_detail_context(request, _item(request, found.pk)))
    counts = inbox.counts_by_state(workspace)
    context.update(
        {
            "needing": counts.get("open", 0) + counts.get("assigned", 0),
            "notes": _sync_notes(workspace),
            "last_fetch": inbox.last_fetch(workspace),
        }
    )
    return render(request, "scheduler/inbox.html", context)


@workspace_page(READ)
def inbox_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(reverse("inbox") + f"?item={item.pk}")
    template = "scheduler/_inbox_thread.html" if request.GET.get("part") == "thread" else None
    return render(request, template or "scheduler/_inbox_item.html", _detail_context(request, item))


def _answer(request: HttpRequest, item: InboxItem, **extra: Any) -> HttpResponse:
    """The conversation pane after an action; without htmx, the page."""
    if request.htmx:  # type: ignore[attr-defined]
        status = 400 if extra.get("reply_error") else 200
        response = render(
            request, "scheduler/_inbox_item.html", _detail_context(request, item, **extra)
        )
        response.status_code = status
        return response
    if extra.get("reply_error"):
        messages.error(request, extra["reply_error"])
    return redirect(reverse("inbox") + f"?item={item.pk}")


@require_POST
@workspace_page(ANSWER)
def inbox_reply(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    text = request.POST.get("text", "")
    try:
        replies.create(item, request.user, text, close=request.POST.get("close") == "on")
    except replies.CannotReply as error:
        return _answer(request, item, reply_error=say(error.words), reply_text=text)
    item.refresh_from_db()
    return _answer(request, item)


@require_POST
@workspace_page(ANSWER)
def inbox_assign(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    wanted = request.POST.get("assignee", "")
    assignee = None
    if wanted:
        member = (
            Membership.objects.filter(
                workspace=item.workspace_id, user_id=wanted, role__in=Membership.CAN_SCHEDULE
            )
            .select_related("user")
            .first()
        )
        if member is None:
            return _answer(request, item, assign_error=_("Choose someone who can answer."))
        assignee = member.user
    inbox.assign(item, assignee, request.user)  # type: ignore[arg-type]
    return _answer(request, item)


@require_POST
@workspace_page(ANSWER)
def inbox_state(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    state = request.POST.get("state", "")
    if state in (InboxItem.State.OPEN, InboxItem.State.DONE):
        inbox.set_state(item, state)
    return _answer(request, item)


@require_POST
@workspace_page(ANSWER)
def inbox_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    try:
        moderation.request(item, request.POST.get("action", ""), request.user)
    except moderation.CannotModerate as error:
        return _answer(request, item, moderation_error=say(error.words))
    item.refresh_from_db()
    return _answer(request, item)


@require_POST
@workspace_page(ANSWER)
def inbox_retry_reply(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(
        Reply.objects.select_related("item"),
        pk=pk,
        item__workspace=request.membership.workspace,  # type: ignore[attr-defined]
    )
    replies.retry(reply)
    return _answer(request, _item(request, reply.item_id))


@require_POST
@workspace_page(READ)
def inbox_fetch(request: HttpRequest) -> HttpResponse:
    """Check every account for new items now, instead of at its next turn."""
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    ids = list(
        SocialAccount.objects.filter(
            workspace=workspace,
            status=SocialAccount.Status.ACTIVE,
            network__in=inbox_sync.collecting_networks(),
        ).values_list("pk", flat=True)
    )
    inbox_sync.fetch_now(ids)
    messages.success(request, _("Checking your accounts for new messages."))
    return redirect(
        reverse("inbox") + (f"?{request.POST['query']}" if request.POST.get("query") else "")
    )


urlpatterns = [
    path("inbox/", inbox_page, name="inbox"),
    path("inbox/check/", inbox_fetch, name="inbox-fetch"),
    path("inbox/<int:pk>/", inbox_item, name="inbox-item"),
    path("inbox/<int:pk>/reply/", inbox_reply, name="inbox-reply"),
    path("inbox/<int:pk>/assign/", inbox_assign, name="inbox-assign"),
    path("inbox/<int:pk>/state/", inbox_state, name="inbox-state"),
    path("inbox/<int:pk>/moderate/", inbox_moderate, name="inbox-moderate"),
    path("inbox/replies/<int:pk>/retry/", inbox_retry_reply, name="inbox-reply-retry"),
]

"""The sandbox's visitors: anyone trying SMO comments on a sandbox post, answers a
comment, or writes the account privately, so the inbox has something to answer
without any network's keys."""

from __future__ import annotations

from datetime import UTC, datetime

from django import forms
from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from channels.adapters.sandbox import FeedComment
from channels.models import SandboxComment, SandboxFollow, SandboxPost, SocialAccount
from channels.sandbox_feed import DatabaseFeed
from scheduler.views.access import workspace_page


class VisitorForm(forms.Form):
    author = forms.CharField(label=gettext_lazy("Your name"), max_length=100)
    text = forms.CharField(label=gettext_lazy("Comment"), max_length=2000, widget=forms.Textarea)
    in_reply_to = forms.UUIDField(required=False, widget=forms.HiddenInput)


def _account(request: HttpRequest, external_id: str) -> SocialAccount:
    account = SocialAccount.objects.filter(
        workspace=request.membership.workspace,  # type: ignore[attr-defined]
        network="sandbox",
        external_id=external_id,
    ).first()
    if account is None:
        raise Http404(_("No such sandbox account in this workspace."))
    return account


def _say(account: SocialAccount, form: VisitorForm, post_id: str, thread: str = "") -> None:
    DatabaseFeed().add_comment(
        account.external_id,
        FeedComment(
            id="",
            post_id=post_id,
            in_reply_to=str(form.cleaned_data["in_reply_to"] or ""),
            author=form.cleaned_data["author"],
            text=form.cleaned_data["text"],
            own=False,
            hidden=False,
            created_at=datetime.now(UTC),
            thread=thread,
        ),
        key="",
    )


@require_POST
@workspace_page()
def comment(request: HttpRequest, public_id: str) -> HttpResponse:
    entry = SandboxPost.objects.filter(public_id=public_id).first()
    if entry is None:
        raise Http404(_("No such sandbox post in this workspace."))
    account = _account(request, entry.account_ref)
    form = VisitorForm(request.POST)
    if form.is_valid():
        _say(account, form, str(entry.public_id))
        messages.success(request, _("Comment posted. It reaches the inbox within a minute."))
    else:
        messages.error(request, _("Write a name and a comment."))
    return redirect(reverse("sandbox-post", args=[entry.public_id]) + "#comments")


@require_POST
@workspace_page()
def message(request: HttpRequest, external_id: str) -> HttpResponse:
    account = _account(request, external_id)
    form = VisitorForm(request.POST)
    if form.is_valid():
        _say(account, form, "", thread=f"dm:{form.cleaned_data['author']}")
        messages.success(request, _("Message sent. It reaches the inbox within a minute."))
    else:
        messages.error(request, _("Write a name and a message."))
    return redirect("sandbox-feed")


@require_POST
@workspace_page()
def react(request: HttpRequest, public_id: str) -> HttpResponse:
    """A visitor likes or shares a sandbox post: the figures SMO's analytics read."""
    entry = SandboxPost.objects.filter(public_id=public_id).first()
    if entry is None:
        raise Http404(_("No such sandbox post in this workspace."))
    _account(request, entry.account_ref)
    field = {"like": "likes", "share": "shares"}.get(request.POST.get("what", ""))
    if field:
        SandboxPost.objects.filter(pk=entry.pk).update(**{field: F(field) + 1})
    return redirect(reverse("sandbox-post", args=[entry.public_id]))


@require_POST
@workspace_page()
def follow(request: HttpRequest, external_id: str) -> HttpResponse:
    account = _account(request, external_id)
    SandboxFollow.objects.create(account_ref=account.external_id)
    messages.success(request, _("A visitor now follows %(name)s.") % {"name": account.name})
    return redirect("sandbox-feed")


def seen(entry: SandboxPost) -> None:
    """A visitor opened the post: one more view for the sandbox's figures."""
    SandboxPost.objects.filter(pk=entry.pk).update(views=F("views") + 1)


def visible_comments(entry: SandboxPost) -> list[SandboxComment]:
    return list(entry.comments.filter(deleted=False, hidden=False))

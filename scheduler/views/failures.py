"""The "Needs a look" page: failed and needs-attention deliveries, and what to do."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from scheduler import failures, posts
from scheduler.models import Delivery, Post
from scheduler.views.access import workspace_page


@workspace_page()
def failure_list(request: HttpRequest) -> HttpResponse:
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    items = [(d, failures.explain(d)) for d in failures.needing_a_look(workspace)]
    return render(request, "scheduler/failures.html", {"items": items})


def _delivery(request: HttpRequest, pk: int) -> Delivery:
    return get_object_or_404(
        Delivery.objects.select_related("account", "post"),
        pk=pk,
        post__workspace=request.membership.workspace,  # type: ignore[attr-defined]
    )


def _back(request: HttpRequest) -> HttpResponse:
    """Return to the page the button was on (the post page, say), else to the list."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("failures")


@require_POST
@workspace_page("can_write")
def failure_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    try:
        failures.retry(delivery, confirmed=request.POST.get("confirm") == "yes")
    except failures.ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Scheduled again: %(account)s will get it in a moment.")
            % {"account": delivery.account.name},
        )
    return _back(request)


@require_POST
@workspace_page("can_write")
def failure_mark_done(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    try:
        failures.mark_done(delivery, request.POST.get("url", ""))
    except failures.ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Marked as published on %(account)s.") % {"account": delivery.account.name}
        )
    return _back(request)


class FixForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 6}), strip=False
    )
    link = forms.URLField(
        label=gettext_lazy("Link"), required=False, max_length=2000, assume_scheme="https"
    )
    first_comment = forms.CharField(
        label=gettext_lazy("First comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@workspace_page("can_schedule")
def post_fix(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a post's words, then schedule its failed deliveries again.

    Needs `can_schedule`: a contributor's edit would otherwise skip approval.
    """
    membership = request.membership  # type: ignore[attr-defined]
    post = get_object_or_404(Post, pk=pk, workspace=membership.workspace)
    failed = list(post.deliveries.filter(state=Delivery.State.FAILED).select_related("account"))
    initial = {"text": post.text, "link": post.link, "first_comment": post.first_comment}
    form = FixForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v or "" for k, v in form.cleaned_data.items()}
        try:
            scheduled = failures.edit_and_retry(membership, post, changes)
        except posts.PostErrors as exc:
            for name, errors in exc.errors.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        except failures.ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "Saved; %(n)s delivery scheduled again.",
                    "Saved; %(n)s deliveries scheduled again.",
                    scheduled,
                )
                % {"n": scheduled},
            )
            return redirect("post-detail", pk=post.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"post": post, "form": form, "failed": failed}
    return render(request, "scheduler/failures.html", context, status=status)


urlpatterns = [
    path("needs-a-look/", failure_list, name="failures"),
    path("needs-a-look/<int:pk>/retry/", failure_retry, name="failure-retry"),
    path("needs-a-look/<int:pk>/done/", failure_mark_done, name="failure-mark-done"),
    path("posts/<int:pk>/fix/", post_fix, name="post-fix"),
]

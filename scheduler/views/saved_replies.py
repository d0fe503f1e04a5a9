"""Saved replies: answers a team reuses, inserted into the inbox's reply box."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from scheduler.models import SavedReply
from scheduler.views.access import workspace_page


class SavedReplyForm(forms.ModelForm):
    class Meta:
        model = SavedReply
        fields = ["title", "text"]
        labels = {"title": gettext_lazy("Title"), "text": gettext_lazy("Answer")}
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}


@workspace_page("can_write")
def saved_reply_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = SavedReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not membership.can_answer:
            raise PermissionDenied(
                _("Your role (%(role)s) cannot do this.") % {"role": membership.get_role_display()}
            )
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = form.save(commit=False)
                    saved.workspace = membership.workspace
                    saved.created_by = request.user
                    saved.save()
            except IntegrityError:
                form.add_error("title", _("A saved reply with this title exists already."))
            else:
                messages.success(
                    request, _("Saved reply “%(title)s” added.") % {"title": saved.title}
                )
                return redirect("saved-replies")
        status = 400
    saved_replies = SavedReply.objects.filter(workspace=membership.workspace)
    return render(
        request,
        "scheduler/saved_replies.html",
        {"form": form, "saved_replies": saved_replies},
        status=status,
    )


@require_POST
@workspace_page("can_answer")
def saved_reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(
        SavedReply,
        pk=pk,
        workspace=request.membership.workspace,  # type: ignore[attr-defined]
    )
    saved.delete()
    messages.success(request, _("Saved reply “%(title)s” deleted.") % {"title": saved.title})
    return redirect("saved-replies")


urlpatterns = [
    path("inbox/saved-replies/", saved_reply_list, name="saved-replies"),
    path("inbox/saved-replies/<int:pk>/delete/", saved_reply_delete, name="saved-reply-delete"),
]

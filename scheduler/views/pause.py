"""Pausing and resuming publishing: the workspace's pause page and the resume forms."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from channels.models import SocialAccount
from scheduler import pause
from scheduler.views.access import workspace_page


def _next(request: HttpRequest, default: str) -> HttpResponseRedirect:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return HttpResponseRedirect(nxt)
    return HttpResponseRedirect(default)


def _choice(request: HttpRequest) -> str:
    choice = request.POST.get("what_was_missed", "publish_now")
    return choice if choice in pause.CHOICES else "publish_now"


def _resumed(request: HttpRequest, count: int, choice: str) -> None:
    done = {
        "publish_now": ngettext(
            "%(count)d missed post goes out now.", "%(count)d missed posts go out now.", count
        ),
        "reschedule": ngettext(
            "%(count)d missed post moved later.", "%(count)d missed posts moved later.", count
        ),
        "review": ngettext(
            "%(count)d missed post moved to drafts.",
            "%(count)d missed posts moved to drafts.",
            count,
        ),
    }[choice] % {"count": count}
    messages.success(request, _("Publishing resumed.") + (f" {done}" if count else ""))


@workspace_page("can_manage_accounts")
def pause_page(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if request.method == "POST":
        if pause.pause_workspace(membership, request.POST.get("reason", "")):
            messages.warning(request, _("Publishing is paused. Nothing goes out until you resume."))
        return _next(request, reverse("pause"))
    return render(request, "scheduler/pause.html", {"resume_choices": pause.CHOICES.items()})


@workspace_page("can_manage_accounts")
@require_POST
def resume_workspace(request: HttpRequest) -> HttpResponse:
    choice = _choice(request)
    count = pause.resume(request.membership, what_was_missed=choice)  # type: ignore[attr-defined]
    _resumed(request, count, choice)
    return _next(request, reverse("dashboard"))


def _account(request: HttpRequest, account_id: int) -> SocialAccount:
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    return get_object_or_404(SocialAccount, pk=account_id, workspace=workspace)


@workspace_page("can_manage_accounts")
@require_POST
def pause_account(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    if pause.pause_account(request.membership, account):  # type: ignore[attr-defined]
        messages.warning(
            request, _("%(account)s is paused: its posts wait.") % {"account": account.name}
        )
    return HttpResponseRedirect(f"{reverse('queue')}#queue-{account.pk}")


@workspace_page("can_manage_accounts")
@require_POST
def resume_account(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    choice = _choice(request)
    count = pause.resume(request.membership, account, what_was_missed=choice)  # type: ignore[attr-defined]
    _resumed(request, count, choice)
    return HttpResponseRedirect(f"{reverse('queue')}#queue-{account.pk}")


urlpatterns: list[URLPattern] = [
    path("pause/", pause_page, name="pause"),
    path("pause/resume/", resume_workspace, name="pause-resume"),
    path("queue/<int:account_id>/pause/", pause_account, name="pause-account"),
    path("queue/<int:account_id>/resume/", resume_account, name="resume-account"),
]

"""The Webhooks page: owners and admins register URLs that SMO tells when a
post is published or fails, see each one's recent attempts, and send a test.

The signing secret is shown once, in the answer to the form that created the
endpoint; no page renders it again."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from scheduler import audit, webhooks
from scheduler.models import AuditEvent, WebhookEndpoint
from scheduler.models.webhooks import SUBSCRIBABLE, new_secret
from scheduler.public_urls import NotPublic
from scheduler.views.access import workspace_page

A = AuditEvent.Action
MANAGE = "can_manage_accounts"  # owners and admins, who run the workspace
RECENT = 50


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("URL"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/smo-webhook"}),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=SUBSCRIBABLE,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one event.")},
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            webhooks.check_url(url)
        except NotPublic as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url


def _endpoints(workspace: object) -> list[WebhookEndpoint]:
    return list(
        WebhookEndpoint.objects.filter(workspace=workspace).annotate(
            sent=Count("deliveries"), last_sent=Max("deliveries__created_at")
        )
    )


@workspace_page(MANAGE)
def webhook_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = EndpointForm(request.POST or None, initial={"events": [e for e, _label in SUBSCRIBABLE]})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            endpoint = WebhookEndpoint.objects.create(
                workspace=membership.workspace,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                secret={"key": new_secret()},
                created_by=request.user,
            )
            _log(request, A.WEBHOOK_ADDED, endpoint, events=endpoint.events)
        # The only time the secret leaves the database: this answer, not a redirect,
        # so it is in no URL, session or message store.
        context = {"endpoint": endpoint, "timeout": settings.SMO_WEBHOOK_TIMEOUT}
        return render(request, "scheduler/webhook_created.html", context)
    context = {"form": form, "endpoints": _endpoints(membership.workspace)}
    return render(request, "scheduler/webhooks.html", context, status=400 if form.errors else 200)


def _log(request: HttpRequest, action: str, endpoint: WebhookEndpoint, **details: object) -> None:
    """Adding or removing a webhook sends the workspace's posts elsewhere: logged."""
    membership = request.membership  # type: ignore[attr-defined]
    audit.record(
        membership.workspace_id,
        action,
        endpoint,
        actor=membership,
        target_label=endpoint.url,
        **details,
    )


def _own(request: HttpRequest, pk: int) -> WebhookEndpoint:
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    return get_object_or_404(WebhookEndpoint, pk=pk, workspace=workspace)


@workspace_page(MANAGE)
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own(request, pk)
    attempts = endpoint.deliveries.all()[:RECENT]
    return render(
        request,
        "scheduler/webhook_detail.html",
        {
            "endpoint": endpoint,
            "attempts": attempts,
            "recent": RECENT,
            "timeout": settings.SMO_WEBHOOK_TIMEOUT,
        },
    )


@require_POST
@workspace_page(MANAGE)
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own(request, pk)
    endpoint.active = not endpoint.active
    with transaction.atomic():
        endpoint.save(update_fields=["active"])
        _log(request, A.WEBHOOK_ENABLED if endpoint.active else A.WEBHOOK_DISABLED, endpoint)
    if endpoint.active:
        messages.success(request, _("The webhook is enabled."))
    else:
        messages.success(
            request, _("The webhook is disabled; events that were waiting will not be sent.")
        )
    return redirect("webhook-detail", pk=endpoint.pk)


@require_POST
@workspace_page(MANAGE)
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own(request, pk)
    with transaction.atomic():
        _log(request, A.WEBHOOK_DELETED, endpoint)
        endpoint.delete()
    messages.success(request, _("The webhook %(url)s is deleted.") % {"url": endpoint.url})
    return redirect("webhooks")


@require_POST
@workspace_page(MANAGE)
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own(request, pk)
    if not endpoint.active:
        messages.warning(request, _("Enable the webhook before sending a test event."))
    else:
        webhooks.send_test(endpoint)
        messages.success(request, _("A test event is on its way; reload to see how it went."))
    return redirect("webhook-detail", pk=endpoint.pk)


urlpatterns = [
    path("webhooks/", webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", webhook_detail, name="webhook-detail"),
    path("webhooks/<int:pk>/toggle/", webhook_toggle, name="webhook-toggle"),
    path("webhooks/<int:pk>/delete/", webhook_delete, name="webhook-delete"),
    path("webhooks/<int:pk>/test/", webhook_test, name="webhook-test"),
]

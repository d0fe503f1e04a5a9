"""The library pages: snippets and hashtag groups, account signatures, and post
templates (saved from the composer or a post, started from in the composer)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from channels.models import SocialAccount
from scheduler import library, meters
from scheduler.forms import ComposeForm
from scheduler.models import AccountSignature, Membership, Post, PostTemplate, Snippet
from scheduler.posts import PostErrors
from scheduler.views.access import workspace_page
from scheduler.views.compose import _copy_of, composer_extras, picked_media


class SnippetForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Snippet.Kind.choices)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        strip=False,
        required=False,
        help_text=gettext_lazy("A hashtag group holds hashtags only: #spring #menu"),
    )


class SignatureForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Signature"), max_length=500, required=False)
    auto_add = forms.BooleanField(label=gettext_lazy("Add to new posts"), required=False)


def _save_snippet(request: HttpRequest, form: SnippetForm, snippet: Snippet | None) -> bool:
    if not form.is_valid():
        return False
    try:
        library.save_snippet(request.membership, form.cleaned_data, snippet)  # type: ignore[attr-defined]
    except PostErrors as exc:
        for name, found in exc.errors.items():
            for message in found:
                form.add_error(name, message)
        return False
    return True


@workspace_page()
def snippet_list(request: HttpRequest) -> HttpResponse:
    """Every role reads the library; writers add to it."""
    membership = request.membership  # type: ignore[attr-defined]
    form = SnippetForm(request.POST or None)
    if request.method == "POST":
        if not membership.can_write:
            return _forbidden(membership)
        if _save_snippet(request, form, None):
            messages.success(request, _("Saved “%(name)s”.") % {"name": form.cleaned_data["name"]})
            return redirect("snippets")
    accounts = list(
        SocialAccount.objects.filter(workspace=membership.workspace).select_related("signature")
    )
    for account in accounts:
        existing = getattr(account, "signature", None)
        account.signature_form = SignatureForm(  # type: ignore[attr-defined]
            initial={
                "text": existing.text if existing else "",
                "auto_add": existing.auto_add if existing else True,
            },
            prefix=f"sig{account.pk}",
        )
    context = {
        "form": form,
        "snippets": Snippet.objects.filter(workspace=membership.workspace),
        "accounts": accounts,
    }
    return render(request, "scheduler/snippets.html", context, status=400 if form.errors else 200)


@workspace_page("can_write")
def snippet_edit(request: HttpRequest, pk: int) -> HttpResponse:
    snippet = get_object_or_404(Snippet, pk=pk, workspace=request.membership.workspace)  # type: ignore[attr-defined]
    initial = {"name": snippet.name, "kind": snippet.kind, "body": snippet.body}
    form = SnippetForm(request.POST or None, initial=initial)
    if request.method == "POST" and _save_snippet(request, form, snippet):
        messages.success(request, _("Saved “%(name)s”.") % {"name": snippet.name})
        return redirect("snippets")
    status = 400 if form.errors else 200
    return render(
        request, "scheduler/snippet_form.html", {"form": form, "snippet": snippet}, status=status
    )


@require_POST
@workspace_page("can_write")
def snippet_delete(request: HttpRequest, pk: int) -> HttpResponse:
    snippet = get_object_or_404(Snippet, pk=pk, workspace=request.membership.workspace)  # type: ignore[attr-defined]
    snippet.delete()
    messages.success(request, _("Deleted “%(name)s”.") % {"name": snippet.name})
    return redirect("snippets")


@require_POST
@workspace_page("can_schedule")
def signature_save(request: HttpRequest, account_id: int) -> HttpResponse:
    """Set an account's signature: editors and up, who publish without approval."""
    account = get_object_or_404(
        SocialAccount,
        pk=account_id,
        workspace=request.membership.workspace,  # type: ignore[attr-defined]
    )
    form = SignatureForm(request.POST, prefix=f"sig{account.pk}")
    if not form.is_valid():
        messages.error(request, "; ".join(m for e in form.errors.values() for m in e))
        return redirect("snippets")
    AccountSignature.objects.update_or_create(account=account, defaults=form.cleaned_data)
    messages.success(request, _("Signature of %(name)s saved.") % {"name": account.name})
    return redirect("snippets")


@workspace_page()
def template_list(request: HttpRequest) -> HttpResponse:
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    templates = PostTemplate.objects.filter(workspace=workspace).select_related(
        "campaign", "created_by"
    )
    return render(request, "scheduler/post_templates.html", {"templates": templates})


@require_POST
@workspace_page("can_write")
def template_save(request: HttpRequest) -> HttpResponse:
    """ "Save as template" in the composer: what is typed, postable or not."""
    membership = request.membership  # type: ignore[attr-defined]
    form = ComposeForm(request.POST, membership=membership)
    fields = library.fields_from_form(form)
    name = request.POST.get("template_name", "")
    try:
        template = library.save_template(membership, name, fields)
    except PostErrors as exc:
        # Back to the composer with everything typed, and why it was not saved.
        start = library.Start(accounts=[], media=[], campaign=fields["campaign"])
        initial = library.composer_initial(PostTemplate(**_template_kwargs(fields)), start)
        initial.update(accounts=fields["account_ids"], media=fields["media_ids"])
        initial["add_signatures"] = "add_signatures" in request.POST
        unbound = ComposeForm(None, membership=membership, initial=initial)
        context = {
            "form": unbound,
            "meters": meters.for_form(unbound),
            "picked": picked_media(unbound),
            "editing": None,
            "template_errors": exc.errors["name"],
            "template_name": name,
        }
        context.update(composer_extras(membership))
        return render(request, "scheduler/compose.html", context, status=400)
    messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
    return redirect("post-templates")


def _template_kwargs(fields: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in fields.items() if k in library.TEMPLATE_FIELDS}


@require_POST
@workspace_page("can_write")
def template_from_post(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    post = get_object_or_404(Post, pk=pk, workspace=membership.workspace)
    copied = _copy_of(post)
    fields = {
        "text": post.text,
        "link": post.link,
        "first_comment": post.first_comment,
        "thread": list(post.thread),
        "overrides": dict(post.overrides),
        "media_ids": copied["media"],
        "account_ids": copied["accounts"],
        "campaign": post.campaign,
        "track_links": post.track_links,
    }
    try:
        template = library.save_template(membership, request.POST.get("template_name", ""), fields)
    except PostErrors as exc:
        messages.error(request, " ".join(exc.errors["name"]))
        return redirect("post-detail", pk=post.pk)
    messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
    return redirect("post-templates")


@require_POST
@workspace_page("can_write")
def template_rename(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    template = get_object_or_404(PostTemplate, pk=pk, workspace=membership.workspace)
    old = template.name
    try:
        library.save_template(membership, request.POST.get("name", ""), {}, template)
    except PostErrors as exc:
        messages.error(request, f"{old}: {' '.join(exc.errors['name'])}")
    else:
        messages.success(request, _("Template renamed to “%(name)s”.") % {"name": template.name})
    return redirect("post-templates")


@require_POST
@workspace_page("can_write")
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(
        PostTemplate,
        pk=pk,
        workspace=request.membership.workspace,  # type: ignore[attr-defined]
    )
    template.delete()
    messages.success(request, _("Deleted template “%(name)s”.") % {"name": template.name})
    return redirect("post-templates")


def _forbidden(membership: Membership) -> HttpResponse:
    raise PermissionDenied(
        _("Your role (%(role)s) cannot do this.") % {"role": membership.get_role_display()}  # type: ignore[attr-defined]
    )


urlpatterns = [
    path("library/snippets/", snippet_list, name="snippets"),
    path("library/snippets/<int:pk>/edit/", snippet_edit, name="snippet-edit"),
    path("library/snippets/<int:pk>/delete/", snippet_delete, name="snippet-delete"),
    path("library/signatures/<int:account_id>/", signature_save, name="signature-save"),
    path("library/templates/", template_list, name="post-templates"),
    path("library/templates/save/", template_save, name="post-template-save"),
    path(
        "library/templates/from-post/<int:pk>/", template_from_post, name="post-template-from-post"
    ),
    path("library/templates/<int:pk>/rename/", template_rename, name="post-template-rename"),
    path("library/templates/<int:pk>/delete/", template_delete, name="post-template-delete"),
]

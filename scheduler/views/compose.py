from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scheduler import library, media, meters, option_fields, posts, recurrence
from scheduler.forms import OVERRIDE_PREFIX, THREAD_BREAK, ComposeForm
from scheduler.models import Delivery, MediaAsset, Membership, Post, PostTemplate, Snippet
from scheduler.views.access import workspace_page
from scheduler.views.variants import RepeatForm


@workspace_page("can_write")
def compose(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    initial = _suggested_time(membership)
    source = _post_to_copy(request)
    if source is not None:
        initial.update(_copy_of(source))
    template = _template_to_start(request)
    if template is not None:
        start = library.resolve(template)
        initial.update(library.composer_initial(template, start))
        for sentence in start.dropped:
            messages.warning(request, sentence)
    form = ComposeForm(request.POST or None, membership=membership, initial=initial)
    repeating = request.method == "POST" and request.POST.get("repeat_on") == "on"
    repeat = RepeatForm(request.POST if repeating else None, prefix="repeat")
    repeat_ok = not repeating or repeat.is_valid()  # its errors show beside the form's
    if request.method == "POST" and form.is_valid() and repeat_ok:
        data = form.cleaned_data
        try:
            what = posts.PostInput(
                text=data["text"],
                accounts=list(data["accounts"]),
                scheduled_at=data["scheduled_at"],
                publish_now=data["when"] == "now",
                campaign=data["campaign"],
                link=data["link"] or "",
                first_comment=data["first_comment"],
                thread=data["thread"],
                track_links=data["track_links"],
                media=data["media"],
                overrides=form.overrides(),
                add_signatures=data["add_signatures"],
            )
            if repeating:
                series = recurrence.create_series(membership, what, repeat.cleaned_data["rule"])
                post = series[0]
            else:
                post = posts.create_post(membership, what)
        except posts.PostErrors as exc:
            form.add_post_errors(exc.errors)
        except recurrence.RuleError as exc:
            repeat.add_error(None, str(exc))
        else:
            if repeating:
                messages.success(request, _("Saved a series of %(n)s posts.") % {"n": len(series)})
            else:
                messages.success(request, _("Post saved."))
            return redirect("post-detail", pk=post.pk)
    status = 400 if form.is_bound and (form.errors or repeat.errors) else 200
    context = {
        "form": form,
        "repeat": repeat,
        "repeating": repeating,
        "meters": meters.for_form(form),
        "picked": picked_media(form),
        "copied_from": source,
        "from_template": template,
        "editing": None,
        **composer_extras(membership),
    }
    return render(request, "scheduler/compose.html", context, status=status)


@workspace_page("can_schedule")
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a post in the composer: every field, its accounts and its time.

    Needs `can_schedule`, like post_fix: a contributor's edit of an approved
    post would otherwise go out unseen.
    """
    membership = request.membership  # type: ignore[attr-defined]
    post = get_object_or_404(Post, pk=pk, workspace=membership.workspace)
    if post.cancelled_at is not None:
        messages.warning(request, _("This post was cancelled; duplicate it to post it again."))
        return redirect("post-detail", pk=post.pk)
    initial = {**_copy_of(post, keep_cancelled=False), **_time_of(post, membership)}
    form = ComposeForm(request.POST or None, membership=membership, initial=initial)
    form.kept_signatures = post.signatures if post.add_signatures else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes: dict[str, object] = {
            "text": data["text"],
            "link": data["link"] or "",
            "first_comment": data["first_comment"],
            "thread": data["thread"],
            "track_links": data["track_links"],
            "media": data["media"],
            "accounts": list(data["accounts"]),
            "campaign": data["campaign"],
            "overrides": form.overrides(),
            "add_signatures": data["add_signatures"],
        }
        if data["when"] == "now":
            changes["publish_now"] = True
        else:
            changes["scheduled_at"] = data["scheduled_at"]
        try:
            posts.update_post(membership, post, changes)
        except posts.PostErrors as exc:
            form.add_post_errors(exc.errors)
        else:
            messages.success(request, _("Post saved."))
            return redirect("post-detail", pk=post.pk)
    context = {
        "form": form,
        "meters": meters.for_form(form),
        "picked": picked_media(form),
        "editing": post,
        **composer_extras(membership),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "scheduler/compose.html", context, status=status)


@workspace_page("can_write")
@require_POST
def compose_options(request: HttpRequest) -> HttpResponse:
    """Answer the settings of the networks ticked so far, with what was typed.

    The form is built unbound from what was sent: a bound one would check the
    whole post to render its fields, and mark settings not yet filled as wrong.
    """
    data = request.POST
    initial: dict[str, object] = {
        name: data.get(name) for name in data if name.startswith(option_fields.PREFIX)
    }
    initial["accounts"] = data.getlist("accounts")
    form = ComposeForm(None, membership=request.membership, initial=initial)  # type: ignore[attr-defined]
    for section in form.option_sections:
        for row in section.rows:
            if row.is_check:  # every checkbox is on the page; an unticked one is not sent
                form.initial[row.name] = row.name in data
    return render(request, "scheduler/_network_options.html", {"form": form})


@workspace_page("can_write")
@require_POST
def compose_check(request: HttpRequest) -> HttpResponse:
    """Answer the composer's live check: each chosen network's counter and problems."""
    form = ComposeForm(request.POST, membership=request.membership)  # type: ignore[attr-defined]
    context = {"meters": meters.for_form(form), "oob": True}
    return render(request, "scheduler/_meters.html", context)


PLAIN = "text/plain; charset=utf-8"


@workspace_page("can_write")
@require_POST
def media_upload(request: HttpRequest) -> HttpResponse:
    """Store one file dropped or chosen in the composer; answer its chip."""
    upload = request.FILES.get("file")
    if upload is None:
        return HttpResponse(_("Choose a file to upload."), status=400, content_type=PLAIN)
    if upload.size and upload.size > settings.SMO_MAX_UPLOAD_BYTES:
        limit = settings.SMO_MAX_UPLOAD_BYTES // (1024 * 1024)
        message = _("%(name)s is larger than %(limit)s MB.") % {"name": upload.name, "limit": limit}
        return HttpResponse(message, status=400, content_type=PLAIN)
    try:
        asset = media.store_upload(request.membership, upload)  # type: ignore[attr-defined]
    except media.MediaRejected as exc:
        # Plain text: the file's name is the uploader's to choose, markup included.
        return HttpResponse(f"{upload.name}: {exc}", status=400, content_type=PLAIN)
    return render(request, "scheduler/_media_chip.html", {"asset": asset}, status=201)


@workspace_page("can_write")
def media_library(request: HttpRequest) -> HttpResponse:
    """The workspace's recent media, to pick from."""
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    assets = MediaAsset.objects.filter(workspace=workspace).order_by("-created_at")[:LIBRARY_SIZE]
    return render(request, "scheduler/_media_library.html", {"assets": assets})


LIBRARY_SIZE = 60


def picked_media(form: ComposeForm) -> list[MediaAsset]:
    """What the form holds in its media box, in order, to render it again."""
    if form.is_bound:
        ids = [int(i) for i in form.data.getlist("media") if i.isdigit()]
    else:
        ids = list(form.initial.get("media") or [])
    queryset = form.fields["media"].queryset  # type: ignore[attr-defined]
    found = {m.pk: m for m in queryset.filter(pk__in=ids)}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def _post_to_copy(request: HttpRequest) -> Post | None:
    """The post named by ?duplicate=<id>, if it is in this workspace."""
    raw = request.GET.get("duplicate", "")
    if request.method != "GET" or not raw.isdigit():
        return None
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    return Post.objects.filter(workspace=workspace, pk=int(raw)).first()


def _template_to_start(request: HttpRequest) -> PostTemplate | None:
    """The template named by ?template=<id>, if it is in this workspace."""
    raw = request.GET.get("template", "")
    if request.method != "GET" or not raw.isdigit():
        return None
    workspace = request.membership.workspace  # type: ignore[attr-defined]
    return PostTemplate.objects.filter(workspace=workspace, pk=int(raw)).first()


def composer_extras(membership: Membership) -> dict[str, object]:
    """The composer's Insert menu and its list of templates to start from."""
    workspace = membership.workspace
    return {
        "snippets": list(Snippet.objects.filter(workspace=workspace)),
        "post_templates": list(PostTemplate.objects.filter(workspace=workspace).only("pk", "name")),
    }


def _copy_of(post: Post, keep_cancelled: bool = True) -> dict[str, object]:
    """A new post's starting values: everything but the time."""
    deliveries = post.deliveries.all()
    if not keep_cancelled:
        deliveries = deliveries.exclude(state=Delivery.State.CANCELLED)
    initial: dict[str, object] = {
        "add_signatures": post.add_signatures,
        "text": post.text,
        "link": post.link,
        "first_comment": post.first_comment,
        "thread": f"\n{THREAD_BREAK}\n".join(post.thread),
        "track_links": post.track_links,
        "campaign": post.campaign_id,
        "accounts": list(deliveries.values_list("account_id", flat=True)),
        "media": list(post.attachments.order_by("position").values_list("asset_id", flat=True)),
    }
    for network, override in (post.overrides or {}).items():
        initial[OVERRIDE_PREFIX + network] = override.get("text", "")
    initial.update(option_fields.initial_from(post.overrides))
    return initial


def _time_of(post: Post, membership: Membership) -> dict[str, object]:
    """The post's time as the composer shows it: local date and time, or a draft."""
    if post.scheduled_at is None:
        return {"when": "draft"}
    local = timezone.localtime(post.scheduled_at, ZoneInfo(membership.user.timezone))
    return {"when": "schedule", "date": local.date(), "time": local.time().replace(second=0)}


def _suggested_time(membership: Membership) -> dict[str, object]:
    """Suggest the next quarter hour at least ten minutes ahead, in local time."""
    local = timezone.localtime(
        timezone.now() + timedelta(minutes=10), ZoneInfo(membership.user.timezone)
    )
    local = (local + timedelta(minutes=-local.minute % 15)).replace(second=0, microsecond=0)
    return {"date": local.date(), "time": local.time()}

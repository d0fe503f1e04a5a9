"""A post's audience variants and repeats: the post page's section and its forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from channels.models import SocialAccount
from scheduler import posts, recurrence, variants
from scheduler.models import Audience, Delivery, MediaAsset, Post
from scheduler.views.access import workspace_page

WEEKDAY_CHOICES = [
    (0, gettext_lazy("Mon")),
    (1, gettext_lazy("Tue")),
    (2, gettext_lazy("Wed")),
    (3, gettext_lazy("Thu")),
    (4, gettext_lazy("Fri")),
    (5, gettext_lazy("Sat")),
    (6, gettext_lazy("Sun")),
]


class VariantForm(forms.Form):
    audience = forms.ModelChoiceField(label=gettext_lazy("Audience"), queryset=Audience.objects)
    text = forms.CharField(
        label=gettext_lazy("Text for this audience"),
        widget=forms.Textarea(attrs={"rows": 5}),
        strip=False,
        required=False,
    )
    accounts = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Accounts"),
        queryset=SocialAccount.objects,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one account.")},
    )
    media = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Media for this audience"),
        queryset=MediaAsset.objects,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("The post's own media are ticked; pick others for this audience."),
    )

    def __init__(self, *args: Any, parent: Post, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Audiences that have a variant stay in the list, so choosing one again gets
        # create_variant's own error rather than a bare "not a valid choice".
        self.fields["audience"].queryset = Audience.objects.filter(  # type: ignore[attr-defined]
            workspace_id=parent.workspace_id
        )
        self.fields["accounts"].queryset = SocialAccount.objects.filter(  # type: ignore[attr-defined]
            workspace_id=parent.workspace_id, status=SocialAccount.Status.ACTIVE
        ).order_by("network", "name")
        # The workspace's recent media, the post's own among them.
        recent = MediaAsset.objects.filter(workspace_id=parent.workspace_id).order_by(
            "-created_at"
        )[:MEDIA_CHOICES]
        own = parent.attachments.values_list("asset_id", flat=True)
        self.fields["media"].queryset = MediaAsset.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=list(recent.values_list("pk", flat=True))) | Q(pk__in=list(own))
        ).order_by("-created_at")

    def chosen_media(self, parent: Post) -> list[MediaAsset]:
        """The media chosen, in the parent's order first, then newest first."""
        chosen = list(self.cleaned_data.get("media") or [])
        order = list(parent.attachments.order_by("position").values_list("asset_id", flat=True))
        return sorted(chosen, key=lambda m: order.index(m.pk) if m.pk in order else len(order))


MEDIA_CHOICES = 30


class RepeatForm(forms.Form):
    freq = forms.ChoiceField(
        label=gettext_lazy("Repeat"),
        choices=[
            ("daily", gettext_lazy("Daily")),
            ("weekly", gettext_lazy("Weekly")),
            ("monthly", gettext_lazy("Monthly")),
        ],
        initial="weekly",
    )
    interval = forms.IntegerField(label=gettext_lazy("Every"), min_value=1, max_value=99, initial=1)
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("On"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Weekly only; none means the post's own weekday."),
    )
    ends = forms.ChoiceField(
        label=gettext_lazy("Ends"),
        choices=[("count", gettext_lazy("After")), ("until", gettext_lazy("On"))],
        initial="count",
        widget=forms.RadioSelect,
    )
    count = forms.IntegerField(
        label=gettext_lazy("Number of posts"),
        min_value=2,
        max_value=recurrence.MAX_COUNT,
        required=False,
        initial=4,
    )
    until = forms.DateField(
        label=gettext_lazy("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        ends = data.get("ends")
        try:
            data["rule"] = recurrence.build_rule(
                data["freq"],
                data.get("interval") or 1,
                data.get("weekdays") or [],
                until=data.get("until") if ends == "until" else None,
                count=data.get("count") if ends == "count" else None,
            )
        except recurrence.RuleError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


def _parent(request: HttpRequest, pk: int) -> Post:
    return get_object_or_404(
        Post.objects.select_related("workspace"),
        pk=pk,
        workspace=request.membership.workspace,  # type: ignore[attr-defined]
    )


def section_context(post: Post) -> dict[str, Any]:
    """What the post page's variants-and-repeats section shows, in a fixed number of queries."""
    deliveries = Prefetch(
        "deliveries", queryset=Delivery.objects.select_related("account").order_by("id")
    )
    kids = list(
        post.variants.select_related("audience")
        .prefetch_related(deliveries)
        .order_by("audience__name", "pk")
    )
    first = post.repeat_of if post.repeat_of_id else post
    series: list[Post] = []
    if first is not None and first.recurrence:
        series = list(Post.objects.filter(pk=first.pk).prefetch_related(deliveries)) + list(
            first.repeats.prefetch_related(deliveries).order_by("scheduled_at", "pk")
        )
    tz = variants.zone(post.workspace.timezone)
    notes: dict[int, str] = {}
    if series and first is not None and first.scheduled_at:
        found = recurrence.expand(
            first.recurrence,
            variants.local_time(first),
            tz,
            len(series),  # type: ignore[arg-type]
        )
        notes = {p.pk: o.note for p, o in zip(series, found, strict=False) if o.note}
    rows = variants.rows(post, kids)
    return {
        "post": post,
        "rows": rows,
        "out_of_step": sum(r.out_of_step for r in rows),
        "pending_variants": sum(
            1 for r in rows if r.post.cancelled_at is None and variants.pending(r.post)
        ),
        "has_audiences": Audience.objects.filter(workspace_id=post.workspace_id).exists(),
        "series": [
            (
                p,
                p.scheduled_at.astimezone(tz).replace(tzinfo=None) if p.scheduled_at else None,
                notes.get(p.pk),
            )
            for p in series
        ],
        "series_first": first if series else None,
        "series_text": recurrence.describe(first.recurrence) if series and first else "",
        "series_pending": sum(1 for p in series if variants.pending(p)),
        "repeat_form": RepeatForm(),
        "can_repeat": bool(
            post.scheduled_at
            and post.cancelled_at is None
            and not post.variant_of_id
            and not series
            and post.scheduled_at > timezone.now()
        ),
        "workspace_zone": post.workspace.timezone,
    }


@workspace_page()
def post_variants(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(
        Post.objects.select_related("workspace", "variant_of", "audience", "repeat_of"),
        pk=pk,
        workspace=request.membership.workspace,  # type: ignore[attr-defined]
    )
    template = (
        "scheduler/variant_section.html"
        if request.htmx  # type: ignore[attr-defined]
        else "scheduler/variant_page.html"
    )
    return render(request, template, section_context(post))


@workspace_page("can_write")
def variant_new(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _parent(request, pk)
    if request.method == "POST":
        form = VariantForm(request.POST, parent=parent)
        if form.is_valid():
            try:
                variants.create_variant(
                    request.membership,  # type: ignore[attr-defined]
                    parent,
                    form.cleaned_data["audience"],
                    form.cleaned_data["text"],
                    list(form.cleaned_data["accounts"]),
                    form.chosen_media(parent),
                )
            except posts.PostErrors as exc:
                for field, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Variant added."))
                return redirect("post-detail", pk=parent.pk)
    else:
        form = VariantForm(
            parent=parent,
            initial={
                "audience": Audience.objects.filter(workspace_id=parent.workspace_id)
                .exclude(posts__variant_of=parent)
                .first(),
                "text": parent.text,
                "accounts": [d.account_id for d in parent.deliveries.all()],
                "media": list(parent.attachments.values_list("asset_id", flat=True)),
            },
        )
    return render(
        request,
        "scheduler/variant_form.html",
        {"form": form, "parent": parent, "wall": variants.local_time(parent)},
    )


@require_POST
@workspace_page("can_write")
def variants_retime(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _parent(request, pk)
    try:
        moved = variants.retime_variants(request.membership, parent)  # type: ignore[attr-defined]
    except posts.PostErrors as exc:
        for errors in exc.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("Moved %(n)s variants.") % {"n": len(moved)})
    return redirect("post-detail", pk=parent.pk)


@require_POST
@workspace_page("can_write")
def variants_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _parent(request, pk)
    n = variants.cancel_variants(parent)
    messages.success(request, _("Cancelled %(n)s variants.") % {"n": n})
    return redirect("post-detail", pk=parent.pk)


@workspace_page("can_write")
def repeat(request: HttpRequest, pk: int) -> HttpResponse:
    post = _parent(request, pk)
    form = RepeatForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            series = recurrence.repeat_post(
                request.membership,  # type: ignore[attr-defined]
                post,
                form.cleaned_data["rule"],
            )
        except recurrence.RuleError as exc:
            form.add_error(None, str(exc))
        except posts.PostErrors as exc:
            for errors in exc.errors.values():
                for error in errors:
                    form.add_error(None, error)
        else:
            messages.success(request, _("The post now repeats: %(n)s posts.") % {"n": len(series)})
            return redirect("post-detail", pk=post.pk)
    return render(request, "scheduler/repeat_form.html", {"form": form, "post": post})


@require_POST
@workspace_page("can_write")
def series_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    post = _parent(request, pk)
    n = recurrence.cancel_series(post)
    messages.success(request, _("Cancelled %(n)s posts of the series.") % {"n": n})
    return redirect("post-detail", pk=post.pk)


urlpatterns: list[URLPattern] = [
    path("posts/<int:pk>/variants/", post_variants, name="post-variants"),
    path("posts/<int:pk>/variants/new/", variant_new, name="variant-new"),
    path("posts/<int:pk>/variants/retime/", variants_retime, name="variants-retime"),
    path("posts/<int:pk>/variants/cancel/", variants_cancel, name="variants-cancel"),
    path("posts/<int:pk>/repeat/", repeat, name="post-repeat"),
    path("posts/<int:pk>/series/cancel/", series_cancel, name="series-cancel"),
]

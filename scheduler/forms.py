"""The composer form: local date and time in, a UTC instant out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels.models import SocialAccount
from scheduler import localtime, option_fields, posts, signatures
from scheduler.models import Campaign, MediaAsset, Membership

OVERRIDE_PREFIX = "override_"


class ComposeForm(forms.Form):
    WHEN_CHOICES = [
        ("schedule", _("Schedule")),
        ("now", _("Publish now")),
        ("draft", _("Save as draft")),
    ]

    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": _("What do you want to share?")}),
        strip=False,
        required=False,
    )
    link = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    thread = forms.CharField(
        label=_("More posts in the thread"),
        help_text=_(
            "X only. Each post replies to the one before; separate posts with a line of ---."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        strip=False,
        required=False,
    )
    first_comment = forms.CharField(
        label=_("First comment"),
        help_text=_("Posted by the account under its own post, right after it goes out."),
        widget=forms.Textarea(attrs={"rows": 2}),
        strip=False,
        required=False,
    )
    track_links = forms.BooleanField(
        label=_("Shorten and count links"),
        help_text=_(
            "Links go out as SMO's own short links, so Analytics shows how many people "
            "clicked them. The short links start with SMO's public address."
        ),
        required=False,
    )
    accounts = forms.ModelMultipleChoiceField(
        label=_("Accounts"),
        queryset=SocialAccount.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one account.")},
    )
    when = forms.ChoiceField(
        label=_("When"), choices=WHEN_CHOICES, initial="schedule", widget=forms.RadioSelect
    )
    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    add_signatures = forms.BooleanField(
        label=_("Add each account's signature"),
        help_text=_(
            "The signature goes on a new line under the text, and counts against the limit."
        ),
        required=False,
        initial=True,
    )
    # Picked or uploaded in the media box; the order of the ids is the post's order.
    media = forms.ModelMultipleChoiceField(
        queryset=MediaAsset.objects.none(), required=False, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        # An edited post's frozen signatures (Post.signatures): checked as saved.
        self.kept_signatures: dict[str, str] | None = None
        workspace = membership.workspace
        self.fields["accounts"].queryset = SocialAccount.objects.filter(
            workspace=workspace, status=SocialAccount.Status.ACTIVE
        )
        self.fields["campaign"].queryset = Campaign.objects.filter(workspace=workspace)
        self.fields["media"].queryset = MediaAsset.objects.filter(workspace=workspace)
        self.zone = localtime.zone(membership.user.timezone)
        # One optional text per network on offer: its own version of the post.
        self.offered = list(self.fields["accounts"].queryset)  # type: ignore[attr-defined]
        self.networks = sorted({a.network for a in self.offered})
        for network in self.networks:
            self.fields[OVERRIDE_PREFIX + network] = forms.CharField(
                label=_("Text for %(network)s") % {"network": _display(network)},
                widget=forms.Textarea(attrs={"rows": 4}),
                strip=False,
                required=False,
            )
        # Each network's own settings (a YouTube title, a Pinterest board).
        self.option_sections = option_fields.add_fields(self, self.chosen_accounts())

    def chosen_accounts(self) -> list[SocialAccount]:
        """The accounts ticked so far, valid or not: the form's data, or its initial."""
        ticked = {str(pk) for pk in self._raw().getlist("accounts")}
        return [a for a in self.offered if str(a.pk) in ticked]

    def _raw(self) -> QueryDict:
        """What the browser sent, or would send for the initial values."""
        if self.is_bound and isinstance(self.data, QueryDict):
            return self.data
        raw = QueryDict(mutable=True)
        if self.is_bound:
            raw.update(self.data)
            return raw
        initial = self.initial
        for name in ("text", "link", "first_comment", "thread", "campaign"):
            if initial.get(name) not in (None, ""):
                raw[name] = str(initial[name])
        for name in self.networks:
            raw[OVERRIDE_PREFIX + name] = str(initial.get(OVERRIDE_PREFIX + name) or "")
        raw.setlist("accounts", [str(pk) for pk in initial.get("accounts") or []])
        raw.setlist("media", [str(pk) for pk in initial.get("media") or []])
        return raw

    def override_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(n, self[OVERRIDE_PREFIX + n]) for n in self.networks]

    def clean_media(self) -> list[MediaAsset]:
        chosen = {str(m.pk): m for m in self.cleaned_data.get("media") or []}
        order = self.data.getlist("media") if hasattr(self.data, "getlist") else []
        return [chosen[i] for i in dict.fromkeys(order) if i in chosen]

    def overrides(self) -> dict[str, dict[str, Any]]:
        """Each network's own text and settings, as Post.overrides stores them."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        found: dict[str, dict[str, Any]] = {
            n: {"text": data[OVERRIDE_PREFIX + n]}
            for n in self.networks
            if (data.get(OVERRIDE_PREFIX + n) or "").strip()
        }
        for network, options in option_fields.options_of(self, data.get).items():
            found.setdefault(network, {})["options"] = options
        return found

    def clean_thread(self) -> list[str]:
        return split_thread(self.cleaned_data.get("thread", ""))

    def draft(self) -> Any:
        """The content typed so far, as adapters see it."""
        data = self.cleaned_data
        return posts.draft_content(
            data.get("text", ""),
            data.get("media") or [],
            data.get("link") or "",
            data.get("first_comment", ""),
            data.get("thread") or [],
            utm=self.utm(),
        )

    def utm(self) -> dict[str, object] | None:
        """The chosen campaign's UTM defaults, which tag every link of the post."""
        if hasattr(self, "cleaned_data"):
            campaign = self.cleaned_data.get("campaign")
        else:
            raw = self._raw().get("campaign", "")
            campaign = (
                self.fields["campaign"].queryset.filter(pk=raw).first()  # type: ignore[attr-defined]
                if str(raw).isdigit()
                else None
            )
        return dict(campaign.utm) if campaign and campaign.utm else None

    def typed(self) -> tuple[Any, list[SocialAccount], dict[str, dict[str, Any]]]:
        """The content, accounts and per-network texts and settings as typed, valid
        or not, for the live counters and previews."""
        data = self._raw()
        wanted = list(dict.fromkeys(data.getlist("media")))
        found = (
            {
                str(m.pk): m
                for m in self.fields["media"].queryset.filter(  # type: ignore[attr-defined]
                    pk__in=[i for i in wanted if i.isdigit()]
                )
            }
            if wanted
            else {}
        )
        content = posts.draft_content(
            data.get("text", ""),
            [found[i] for i in wanted if i in found],
            data.get("link", "").strip(),
            data.get("first_comment", ""),
            split_thread(data.get("thread", "")),
            utm=self.utm(),
        )
        overrides: dict[str, dict[str, Any]] = {
            n: {"text": data.get(OVERRIDE_PREFIX + n, "")}
            for n in self.networks
            if data.get(OVERRIDE_PREFIX + n, "").strip()
        }
        typed = option_fields.options_of(self, lambda name: option_fields.typed_value(self, name))
        for network, options in typed.items():
            overrides.setdefault(network, {})["options"] = options
        return content, self.chosen_accounts(), overrides

    def typed_signatures(self, accounts: list[SocialAccount]) -> dict[str, str]:
        """The signatures the chosen accounts would add, unless the box is unticked."""
        if self.is_bound:
            add = "add_signatures" in self.data
        else:
            add = self.initial.get("add_signatures", True) is not False
        return signatures.freeze(accounts, add, self.kept_signatures)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["scheduled_at"] = None
        if data.get("accounts"):
            # Show what each network would refuse now, beside any time problem,
            # rather than one problem per save.
            accounts = list(data["accounts"])
            self.add_post_errors(
                posts.content_problems(
                    self.draft(),
                    accounts,
                    self.overrides(),
                    self.utm(),
                    signatures.freeze(
                        accounts, bool(data.get("add_signatures")), self.kept_signatures
                    ),
                )
            )
        if data.get("when") != "schedule":
            return data
        day, at = data.get("date"), data.get("time")
        if day is None and "date" not in self.errors:
            self.add_error("date", _("Pick a date."))
        if at is None and "time" not in self.errors:
            self.add_error("time", _("Pick a time."))
        if day is None or at is None:
            return data
        try:
            data["scheduled_at"] = localtime.to_utc(datetime.combine(day, at), self.zone)
        except localtime.LocalTimeError as exc:
            self.add_error("time", str(exc))
        else:
            self.add_post_errors(posts.check_time(data["scheduled_at"], timezone.now()))
        return data

    # Field names of scheduler.posts errors -> fields of this form.
    ERROR_FIELDS = {
        "text": "text",
        "link": "link",
        "thread": "thread",
        "first_comment": "first_comment",
        "media": "media",
        "media_ids": "media",
        "overrides": None,
        "account_ids": "accounts",
        "scheduled_at": "time",
    }

    def add_post_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            target = self.ERROR_FIELDS.get(name) or option_fields.form_field_of(name, self)
            for message in messages:
                self.add_error(target, message)


THREAD_BREAK = "---"


def split_thread(raw: str) -> list[str]:
    """Split the thread box into posts at lines holding only ---."""
    parts: list[list[str]] = [[]]
    for line in raw.replace("\r\n", "\n").split("\n"):
        if line.strip() == THREAD_BREAK:
            parts.append([])
        else:
            parts[-1].append(line)
    return [text for text in ("\n".join(p).strip() for p in parts) if text]


def _display(network: str) -> str:
    from channels.adapters.registry import adapter_class

    return adapter_class(network).display_name

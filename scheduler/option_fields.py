"""The composer's fields for each network's own settings (Adapter.post_options).

One form field per option of each network on offer, named "opt-<network>-<name>";
a per-account option gets one field per chosen account of its network,
"opt-<network>-<name>-<account id>", whose choices the network gives for that
account (`Adapter.option_choices`), cached for a few minutes. A network's
settings are shown while one of its accounts is ticked and kept (hidden) while
none is, so ticking it again brings back what was typed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from channels.adapters.base import AdapterError, PostOption, option_is_empty, option_length
from channels.adapters.registry import adapter_class, get_adapter
from channels.models import SocialAccount
from channels.words import say
from scheduler.content import credentials_for

if TYPE_CHECKING:
    from scheduler.forms import ComposeForm

logger = logging.getLogger(__name__)

PREFIX = "opt-"
# How long an account's choices (Pinterest boards) are kept before asking again.
CHOICES_SECONDS = 300
NO_CHOICE = ("", "—")


def field_name(network: str, name: str, account_pk: int | str | None = None) -> str:
    base = f"{PREFIX}{network}-{name}"
    return f"{base}-{account_pk}" if account_pk is not None else base


class TagsField(forms.CharField):
    """Words separated by commas in, a list out."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, (list, tuple)):
            return [str(t).strip() for t in value if str(t).strip()]
        text = super().to_python(value)
        return [t.strip() for t in text.split(",") if t.strip()]

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, (list, tuple)) else value


@dataclass
class AccountChoices:
    """The choices one account has for a per-account option, asked of the network
    once, when the field is first rendered or checked."""

    account: SocialAccount
    option: PostOption
    keep: Callable[[], str] = lambda: ""  # the value already chosen, kept as a choice
    error: str = ""
    _loaded: list[tuple[str, str]] | None = None
    # Django's forms call it for the choices; templates read `problem` instead.
    do_not_call_in_templates: ClassVar[bool] = True

    def __call__(self) -> list[tuple[str, str]]:
        if self._loaded is None:
            self._loaded, self.error = load_choices(self.account, self.option)
        found = [NO_CHOICE, *self._loaded]
        kept = self.keep()
        if kept and kept not in {v for v, _label in found}:
            found.append((kept, kept))
        return found

    @property
    def problem(self) -> str:
        self()
        return self.error


def load_choices(account: SocialAccount, option: PostOption) -> tuple[list[tuple[str, str]], str]:
    """Return (choices, "") or ([], why not); a network that fails costs a message,
    never the page."""
    key = f"smo:option-choices:{account.pk}:{option.name}"
    cached = cache.get(key)
    if cached is not None:
        return cached, ""
    try:
        found = get_adapter(account.network).option_choices(credentials_for(account), option.name)
    except AdapterError as exc:
        logger.info("Choices of %s for account %s: %s", option.name, account.pk, exc.detail)
        reason = say(exc.words)
    except Exception:  # an adapter's bug must not take the composer down with it
        logger.exception("Choices of %s for account %s failed", option.name, account.pk)
        reason = _("the network did not answer as expected.")
    else:
        choices = [(str(value), str(label)) for value, label in found]
        cache.set(key, choices, CHOICES_SECONDS)
        return choices, ""
    return [], _("Could not load the choices for %(account)s: %(reason)s") % {
        "account": account.name,
        "reason": reason,
    }


@dataclass
class Row:
    option: PostOption
    name: str  # the form field's name
    form: ComposeForm
    choices: AccountChoices | None = None

    @property
    def field(self) -> forms.BoundField:
        return self.form[self.name]

    @property
    def is_check(self) -> bool:
        return self.option.kind == "bool"

    @property
    def limit(self) -> int | None:
        return self.option.max_length

    @property
    def used(self) -> int:
        """Characters typed so far, as the network counts them (tags together)."""
        value = typed_value(self.form, self.name)
        return 0 if option_is_empty(value) else option_length(value)

    @property
    def over(self) -> bool:
        return self.limit is not None and self.used > self.limit


@dataclass
class Section:
    """One network's settings in the composer."""

    network: str
    name: str
    options: tuple[PostOption, ...]
    accounts: list[SocialAccount] = field(default_factory=list)  # chosen, of this network
    rows: list[Row] = field(default_factory=list)

    @property
    def chosen(self) -> bool:
        return bool(self.accounts)


def add_fields(form: ComposeForm, chosen: Iterable[SocialAccount]) -> list[Section]:
    """Add the option fields of every network on offer to `form`; return its sections."""
    picked = list(chosen)
    sections = []
    for network in form.networks:
        cls = adapter_class(network)
        if not cls.post_options:
            continue
        section = Section(
            network,
            cls.display_name,
            cls.post_options,
            [a for a in picked if a.network == network],
        )
        for option in cls.post_options:
            if not option.per_account:
                name = field_name(network, option.name)
                form.fields[name] = _field(option, say(option.label))
                section.rows.append(Row(option, name, form))
                continue
            for account in section.accounts:
                name = field_name(network, option.name, account.pk)
                label = _("%(setting)s for %(account)s") % {
                    "setting": say(option.label),
                    "account": account.name,
                }
                choices = AccountChoices(account, option, keep=_kept(form, name))
                form.fields[name] = _field(option, label, choices)
                section.rows.append(Row(option, name, form, choices))
        sections.append(section)
    return sections


def _kept(form: ComposeForm, name: str) -> Callable[[], str]:
    def kept() -> str:
        value = form.data.get(name) if form.is_bound else form.initial.get(name)
        return str(value or "")

    return kept


def _field(option: PostOption, label: str, choices: AccountChoices | None = None) -> forms.Field:
    common: dict[str, Any] = {"label": label, "required": False, "help_text": say(option.help)}
    counted = {"data-max": option.max_length} if option.max_length else {}
    if option.kind == "bool":
        return forms.BooleanField(initial=bool(option.default), **common)
    if option.kind == "choice":
        listed: Any = choices or [NO_CHOICE, *((v, say(label)) for v, label in option.choices)]
        return forms.ChoiceField(choices=listed, initial=option.default, **common)
    if option.kind == "tags":
        widget = forms.TextInput(attrs={**counted, "data-tags": "true"})
        return TagsField(widget=widget, initial=option.default, **common)
    if option.kind == "textarea":
        widget = forms.Textarea(attrs={**counted, "rows": 3})
        return forms.CharField(widget=widget, initial=option.default, **common)
    return forms.CharField(widget=forms.TextInput(attrs=counted), initial=option.default, **common)


def options_of(form: ComposeForm, value_of: Callable[[str], Any]) -> dict[str, dict[str, Any]]:
    """The settings of each chosen network, as stored in overrides[network]["options"]."""
    found: dict[str, dict[str, Any]] = {}
    for section in form.option_sections:
        if not section.chosen:
            continue
        values: dict[str, Any] = {}
        for option in section.options:
            if option.per_account:
                each = {
                    str(a.pk): value
                    for a in section.accounts
                    if not option_is_empty(
                        value := value_of(field_name(section.network, option.name, a.pk))
                    )
                }
                if each:
                    values[option.name] = each
                continue
            value = value_of(field_name(section.network, option.name))
            if option.kind == "bool":
                values[option.name] = bool(value)
            elif not option_is_empty(value):
                values[option.name] = value
        if values:
            found[section.network] = values
    return found


def typed_value(form: ComposeForm, name: str) -> Any:
    """A field's value as typed, valid or not (None when it cannot be read)."""
    formfield = form.fields[name]
    if form.is_bound:
        raw = formfield.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
    else:
        raw = form[name].initial
    try:
        return formfield.to_python(raw)
    except ValidationError:
        return None


def initial_from(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Form initial values for the settings stored in a post's overrides."""
    initial: dict[str, Any] = {}
    for network, value in (overrides or {}).items():
        options = value.get("options") if isinstance(value, dict) else None
        for name, chosen in (options or {}).items():
            if isinstance(chosen, dict):
                for pk, one in chosen.items():
                    initial[field_name(network, name, pk)] = one
            else:
                initial[field_name(network, name)] = chosen
    return initial


def form_field_of(error_field: str, form: ComposeForm) -> str | None:
    """The form field that shows an error of posts.content_problems, if any."""
    parts = error_field.split(".")
    if len(parts) in (4, 5) and parts[0] == "overrides" and parts[2] == "options":
        name = field_name(parts[1], parts[3], parts[4] if len(parts) == 5 else None)
        return name if name in form.fields else None
    return None

"""A post's per-network overrides: its own text there, and the network's settings.

Stored in `Post.overrides` as {"youtube": {"text": "...", "options": {"title": "..."}}}.
A per-account option (a Pinterest board) holds one value per account id:
{"board": {"12": "998"}}. The API sends the same shape; these checks answer with
the dotted field that is wrong ("overrides.youtube.options.title") and never
let a malformed value reach an adapter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from channels.adapters.base import PostOption, option_is_empty
from channels.adapters.registry import adapter_class, networks
from channels.models import SocialAccount

Errors = dict[str, list[str]]
KEYS = {"text", "options"}


def _shape_message() -> str:
    return _('Give overrides as {"x": {"text": "..."}}.')


def option_field(network: str, name: str, account_pk: int | str | None = None) -> str:
    """The dotted field of an option's value, as the API names it in errors."""
    field = f"overrides.{network}.options.{name}"
    return f"{field}.{account_pk}" if account_pk is not None else field


def clean(raw: object) -> tuple[dict[str, dict[str, Any]], Errors]:
    """Return the overrides that say something, and what is wrong, by field."""
    if raw in (None, ""):
        return {}, {}
    if not isinstance(raw, dict):
        return {}, {"overrides": [_shape_message()]}
    known = set(networks())
    cleaned: dict[str, dict[str, Any]] = {}
    errors: Errors = {}
    for network, value in raw.items():
        if network not in known:
            errors.setdefault("overrides", []).append(
                _("No such network: %(network)s.") % {"network": network}
            )
            continue
        if not isinstance(value, dict) or not isinstance(value.get("text", ""), str):
            errors.setdefault("overrides", []).append(_shape_message())
            continue
        unknown = sorted(set(value) - KEYS)
        if unknown:
            errors[f"overrides.{network}"] = [
                _("%(network)s overrides take text and options, not %(keys)s.")
                % {"network": network, "keys": ", ".join(map(str, unknown))}
            ]
            continue
        options, option_errors = _clean_options(network, value.get("options"))
        errors.update(option_errors)
        found: dict[str, Any] = {}
        if value.get("text", "").strip():
            found["text"] = value["text"]
        if options:
            found["options"] = options
        if found:
            cleaned[network] = found
    return cleaned, errors


def _clean_options(network: str, raw: object) -> tuple[dict[str, Any], Errors]:
    if raw in (None, ""):
        return {}, {}
    if not isinstance(raw, dict):
        return {}, {
            f"overrides.{network}.options": [
                _("Give the options of %(network)s as an object.") % {"network": network}
            ]
        }
    offered = {o.name: o for o in adapter_class(network).post_options}
    cleaned: dict[str, Any] = {}
    errors: Errors = {}
    for name, value in raw.items():
        option = offered.get(name)
        if option is None:
            known = ", ".join(offered) or _("none")
            errors[option_field(network, name)] = [
                _("%(network)s has no option %(name)s; it takes: %(known)s.")
                % {"network": network, "name": name, "known": known}
            ]
            continue
        if not option.per_account:
            problem = _value_problem(network, option, value)
            if problem:
                errors[option_field(network, name)] = [problem]
            elif not option_is_empty(value):
                cleaned[name] = _tidy(option, value)
            continue
        if not isinstance(value, dict) or not all(str(k).isdigit() for k in value):
            errors[option_field(network, name)] = [
                _('%(network)s sets %(name)s per account: give {"<account id>": value}.')
                % {"network": network, "name": name}
            ]
            continue
        per_account: dict[str, Any] = {}
        for key, inner in value.items():
            problem = _value_problem(network, option, inner)
            if problem:
                errors[option_field(network, name, key)] = [problem]
            elif not option_is_empty(inner):
                per_account[str(key)] = _tidy(option, inner)
        if per_account:
            cleaned[name] = per_account
    return cleaned, errors


def _value_problem(network: str, option: PostOption, value: Any) -> str:
    values = {"network": network, "name": option.name}
    if value is None:
        return ""
    if option.kind == "bool":
        ok = isinstance(value, bool)
        return "" if ok else _("%(network)s option %(name)s takes true or false.") % values
    if option.kind == "tags":
        ok = isinstance(value, list) and all(isinstance(t, str) for t in value)
        return "" if ok else _("%(network)s option %(name)s takes a list of words.") % values
    if not isinstance(value, str):
        return _("%(network)s option %(name)s takes text.") % values
    allowed = [v for v, _label in option.choices]
    if option.kind == "choice" and allowed and value and value not in allowed:
        return _("%(network)s option %(name)s is one of: %(choices)s.") % {
            **values,
            "choices": ", ".join(allowed),
        }
    return ""


def _tidy(option: PostOption, value: Any) -> Any:
    if option.kind == "tags":
        return [t.strip() for t in value if t.strip()]
    return value


def account_errors(overrides: dict[str, Any] | None, accounts: Iterable[SocialAccount]) -> Errors:
    """Per-account values must name an account of the post on that network."""
    ids: dict[str, set[str]] = {}
    for account in accounts:
        ids.setdefault(account.network, set()).add(str(account.pk))
    errors: Errors = {}
    for network, name, key in _per_account_keys(overrides):
        if key not in ids.get(network, set()):
            errors[option_field(network, name, key)] = [
                _("Account %(id)s is not one of this post's %(network)s accounts.")
                % {"id": key, "network": network}
            ]
    return errors


def without_other_accounts(
    overrides: dict[str, Any] | None, accounts: Iterable[SocialAccount]
) -> dict[str, Any]:
    """Drop per-account values of accounts the post no longer goes to."""
    keep = {(a.network, str(a.pk)) for a in accounts}
    result: dict[str, Any] = {}
    for network, value in (overrides or {}).items():
        value = dict(value) if isinstance(value, dict) else value
        options = value.get("options") if isinstance(value, dict) else None
        if isinstance(options, dict):
            kept = {}
            for name, chosen in options.items():
                if isinstance(chosen, dict) and _is_per_account(network, name):
                    chosen = {k: v for k, v in chosen.items() if (network, str(k)) in keep}
                    if not chosen:
                        continue
                kept[name] = chosen
            value["options"] = kept
            if not kept:
                del value["options"]
        if value:
            result[network] = value
    return result


def _per_account_keys(overrides: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    found = []
    for network, value in (overrides or {}).items():
        options = value.get("options") if isinstance(value, dict) else None
        for name, chosen in (options or {}).items():
            if isinstance(chosen, dict) and _is_per_account(network, name):
                found.extend((network, name, str(key)) for key in chosen)
    return found


def _is_per_account(network: str, name: str) -> bool:
    try:
        offered = adapter_class(network).post_options
    except LookupError:
        return False
    return any(o.name == name and o.per_account for o in offered)

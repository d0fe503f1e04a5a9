"""Sentences for people that are written in English now and read in any language later.

An adapter explains a refusal while it runs in a worker, without Django, and the
explanation is stored on the delivery and read by people who each picked their
own language. So a message travels as `Words`: the English template, which is
the gettext msgid, and the values to put into it. `str()` gives English for logs;
`render(gettext)` gives the reader's language at display time.

    raise Permanent(words("X refused the post: %(reason)s", reason=reason))

`words` is spelled so that `makemessages` finds its first argument: it is given
`--keyword=words` (scheduler/management/commands/makemessages.py). Values may be
Words themselves (a phrase inside a sentence) and are translated too. A value
that came from the network (its own error text) is kept as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Translate = Callable[[str], str]
Localize = Callable[[float], str]


def _unchanged(template: str) -> str:
    return template


@dataclass(frozen=True)
class Words:
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Translate = _unchanged, number: Localize = str) -> str:
        """Return the sentence through `translate`, with decimals written by `number`."""
        text = translate(self.template)
        if not self.params:
            # A template without values is not %-formatted, so a network's own
            # text with a "%" in it is shown as it came.
            return text
        values = {name: _value(value, translate, number) for name, value in self.params.items()}
        return text % values

    def __str__(self) -> str:
        return self.render()

    def as_json(self) -> dict[str, Any]:
        """Return a JSON-safe form to store beside the English text."""
        params = {
            name: value.as_json() if isinstance(value, Words) else _plain(value)
            for name, value in self.params.items()
        }
        return {"template": self.template, "params": params}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Words:
        params = {
            name: cls.from_json(value) if _is_words(value) else value
            for name, value in data.get("params", {}).items()
        }
        return cls(str(data["template"]), params)


def words(template: str, **params: Any) -> Words:
    """Mark `template` for translation and fill it with `params` when shown."""
    return Words(template, params)


def whole(number: float, decimals: int = 1) -> float | int:
    """Round `number` for a sentence: 60.0 reads "60" and 1.25 reads "1.2" (or "1,2")."""
    rounded = round(number, decimals)
    return int(rounded) if rounded == int(rounded) else rounded


def as_words(message: Words | str) -> Words:
    """Take Words as they are, and any other text (a network's own) as a fixed sentence."""
    return message if isinstance(message, Words) else Words(str(message))


def _value(value: Any, translate: Translate, number: Localize) -> Any:
    if isinstance(value, Words):
        return value.render(translate, number)
    if isinstance(value, float):
        return number(value)  # 9.3 MB reads "9,3 MB" in Swedish
    return value


def _is_words(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"template", "params"}


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def say(message: Words | Mapping[str, Any] | str | None) -> str:
    """Return `message` (Words, their stored JSON, or plain text) in the active language.

    For the web app and e-mails; adapters never call it, so Django is imported here
    rather than at the top of a module they load.
    """
    from django.utils.formats import number_format
    from django.utils.translation import gettext

    if not message:
        return ""
    if isinstance(message, Mapping):
        message = Words.from_json(message)
    return as_words(message).render(gettext, number_format)

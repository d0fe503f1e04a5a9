"""The composer's live counters: per network, the length as that network counts
it, its limit, and what it would refuse (its adapter's own `validate`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from channels.adapters.base import Content
from channels.adapters.registry import get_adapter

if TYPE_CHECKING:
    from scheduler.forms import ComposeForm


@dataclass(frozen=True)
class Meter:
    network: str
    name: str
    used: int
    limit: int
    problems: tuple[str, ...]

    @property
    def over(self) -> bool:
        return self.used > self.limit

    @property
    def ok(self) -> bool:
        return not self.over and not self.problems


def measure(content: Content, networks: list[str]) -> list[Meter]:
    found = []
    for network in sorted(set(networks)):
        adapter = get_adapter(network)
        problems = tuple(
            p.message
            for p in adapter.validate(content)
            if not (p.code == "empty" and not content.text)
        )
        found.append(
            Meter(
                network=network,
                name=adapter.display_name,
                used=adapter.text_length(content),
                limit=adapter.limits.max_text,
                problems=problems,
            )
        )
    return found


def for_form(form: ComposeForm) -> list[Meter]:
    """Meters for the networks chosen in `form`, or all on offer before a choice."""
    content, accounts = form.typed()
    if not accounts:
        accounts = list(form.fields["accounts"].queryset)  # type: ignore[attr-defined]
    return measure(content, [a.network for a in accounts])

"""The composer's live counters and previews: per network, the length as that
network counts it, its limit, what it would refuse (its adapter's own
`validate`), and the post as it will look there."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.conf import settings

from channels.adapters.base import Adapter, Content, MediaItem
from channels.adapters.registry import adapter_for
from channels.models import SocialAccount
from channels.words import say
from scheduler import hashtags
from scheduler.content import post_options
from scheduler.limits_facts import Fact, facts_for
from scheduler.posts import override_text
from scheduler.signatures import signed
from scheduler.utm import tag_text

if TYPE_CHECKING:
    from scheduler.forms import ComposeForm


@dataclass(frozen=True)
class Meter:
    network: str
    name: str
    used: int
    limit: int
    problems: tuple[str, ...]
    # For the preview: who posts, what they post.
    accounts: tuple[SocialAccount, ...] = ()
    text: str = ""
    media: tuple[MediaItem, ...] = ()
    link: str = ""
    thread: tuple[str, ...] = ()
    first_comment: str = ""
    overridden: bool = False
    # The network's other limits against what is chosen: media needed, video
    # length and shape, each setting's length.
    facts: tuple[Fact, ...] = ()
    # Hashtags in the text, against the network's cap where it has one.
    hashtags: int = 0
    hashtag_limit: int | None = None
    # (account name, signature) added under the text for each account.
    signatures: tuple[tuple[str, str], ...] = ()

    @property
    def previews(self) -> list[tuple[str, str, str]]:
        """(path, kind, alt text) of each media item, linked from this site itself."""
        site = settings.SMO_PUBLIC_URL
        return [(m.url.removeprefix(site), m.kind, m.alt_text) for m in self.media]

    @property
    def over(self) -> bool:
        return self.used > self.limit

    @property
    def hashtags_over(self) -> bool:
        return self.hashtag_limit is not None and self.hashtags > self.hashtag_limit

    @property
    def ok(self) -> bool:
        return not self.over and not self.problems


def measure(
    content: Content,
    accounts: list[SocialAccount],
    overrides: dict[str, dict[str, Any]] | None = None,
    utm: dict[str, object] | None = None,
    signed_by: dict[str, str] | None = None,
) -> list[Meter]:
    by_network: dict[str, list[SocialAccount]] = {}
    for account in accounts:
        by_network.setdefault(account.network, []).append(account)
    found = []
    for network in sorted(by_network):
        # Each account's adapter holds that account's own limits (a Mastodon
        # instance's characters); the meter counts against the strictest.
        adapters = [adapter_for(a) for a in by_network[network]]
        adapter = min(adapters, key=lambda a: a.limits.max_text)
        own = tag_text(override_text(overrides, network), utm)
        checked = replace(content, text=own) if own else content
        # Counted with the longest signature of the network's accounts: each
        # account publishes its own, and the counter shows the one nearest the limit.
        added = [(a.name, (signed_by or {}).get(str(a.pk), "")) for a in by_network[network]]
        added = [(name, sig) for name, sig in added if sig]
        if added and checked.text.strip():
            longest = max((sig for _name, sig in added), key=len)
            checked = replace(checked, text=signed(checked.text, longest))
        # Each account's own settings (a board per account); the same problem
        # from two accounts is said once.
        options = [post_options(overrides, a) for a in by_network[network]]
        problems = tuple(
            dict.fromkeys(
                say(p.words)
                for each, opts in zip(adapters, options, strict=True)
                for p in _validate(each, checked, opts)
                if not (p.code == "empty" and not checked.text)
            )
        )
        found.append(
            Meter(
                network=network,
                name=adapter.display_name,
                used=adapter.text_length(checked),
                limit=adapter.limits.max_text,
                problems=problems,
                accounts=tuple(by_network[network]),
                text=checked.text,
                media=checked.media,
                link=checked.link,
                thread=checked.thread if adapter.limits.threads else (),
                first_comment=checked.first_comment,
                overridden=bool(own),
                facts=facts_for(adapter, checked.media, options[0] if options else {}),
                hashtags=hashtags.count(checked.text),
                hashtag_limit=hashtags.limit_for(network),
                signatures=tuple(added),
            )
        )
    return found


def _validate(adapter: Adapter, content: Content, options: dict[str, Any]) -> list[Any]:
    return adapter.validate(replace(content, options=options) if options else content)


def for_form(form: ComposeForm) -> list[Meter]:
    """Meters for the networks chosen in `form`, or all on offer before a choice."""
    content, accounts, overrides = form.typed()
    utm = form.utm()
    if accounts:
        return measure(content, accounts, overrides, utm, form.typed_signatures(accounts))
    # Before a choice: a counter for each network on offer, and no preview.
    offered = list({a.network: a for a in form.offered}.values())
    return [replace(m, accounts=()) for m in measure(content, offered, overrides, utm)]

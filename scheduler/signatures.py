"""Account signatures: text an account adds on a new line under what it publishes.

A post freezes its accounts' signatures when it is saved (`Post.signatures`),
so editing a signature later does not change posts already scheduled or
approved: what a reviewer approved is what goes out. Validation and the
composer's counters count the signature, so a post it would push over a
network's limit is refused before it is scheduled, not at publish.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from channels.models import SocialAccount
from scheduler.models import AccountSignature


def current(accounts: Iterable[SocialAccount]) -> dict[str, str]:
    """The signatures the accounts add today: {account id: text}, auto-add ones only."""
    ids = [a.pk for a in accounts]
    found = AccountSignature.objects.filter(account_id__in=ids, auto_add=True).exclude(text="")
    return {str(s.account_id): s.text for s in found}


def freeze(
    accounts: Iterable[SocialAccount], add: bool, kept: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The signatures a post saves: those `kept` from before for its accounts that
    still have them, today's for the accounts new to the post; none when `add` is off."""
    if not add:
        return {}
    accounts = list(accounts)
    kept = kept or {}
    new = [a for a in accounts if str(a.pk) not in kept]
    frozen = {str(a.pk): kept[str(a.pk)] for a in accounts if str(a.pk) in kept}
    frozen.update(current(new))
    return frozen


def signed(text: str, signature: str) -> str:
    """`text` with `signature` on a new line under it (the signature alone under no text)."""
    if not signature:
        return text
    return f"{text.rstrip()}\n{signature}" if text.strip() else signature

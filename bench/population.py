"""Accounts on the fake network and deliveries due when a part wants them.

Every delivery gets a text of its own ("<tag> <number>"), which is how the fake
network's log and the sandbox feed tie a post back to its delivery.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bench.fakenet import FakeNet
from channels.adapters.x import XAdapter
from channels.models import SandboxPost, SocialAccount
from scheduler.models import Delivery, Post, Workspace

NETWORKS = ("x", "facebook", "sandbox")
# Posts per X account in one run, well under XAdapter.limits.posts_per_window (100
# per 15 minutes): the engine's budget must not be what throttles a burst.
X_POSTS_PER_ACCOUNT = 50


@dataclass(frozen=True)
class Fleet:
    workspace: Workspace
    accounts: dict[str, list[SocialAccount]]

    def describe(self) -> str:
        return ", ".join(f"{len(a)} {n}" for n, a in self.accounts.items())


def accounts_needed(deliveries: int, floor: int = 10) -> dict[str, int]:
    """Accounts per network for `deliveries` spread evenly over NETWORKS."""
    per_network = math.ceil(deliveries / len(NETWORKS))
    budget = XAdapter.limits.posts_per_window or per_network
    x = max(floor, math.ceil(per_network / min(X_POSTS_PER_ACCOUNT, budget)))
    return {"x": x, "facebook": max(floor, x), "sandbox": max(floor, x)}


def make_fleet(
    net: FakeNet, counts: dict[str, int], sandbox_options: Sequence[dict[str, object]] = ({},)
) -> Fleet:
    """Create a workspace and its accounts, and register them with the fake network.

    Sandbox accounts take `sandbox_options` in turn (its simulated failures).
    """
    workspace = Workspace.objects.create(name="Benchmark", timezone="UTC")
    accounts: dict[str, list[SocialAccount]] = {n: [] for n in NETWORKS}
    for i in range(counts.get("x", 0)):
        user_id, token = str(1_000_000 + i), f"x-token-{i}"
        net.add_x_user(user_id, f"bench{i}", token=token)
        accounts["x"].append(_account(workspace, "x", user_id, {"access_token": token}))
    for i in range(counts.get("facebook", 0)):
        page_id, token = str(2_000_000 + i), f"page-token-{i}"
        net.add_page(page_id, f"Bench Page {i}", token=token)
        accounts["facebook"].append(
            _account(workspace, "facebook", page_id, {"access_token": token})
        )
    for i in range(counts.get("sandbox", 0)):
        options = sandbox_options[i % len(sandbox_options)]
        accounts["sandbox"].append(
            _account(workspace, "sandbox", f"bench-{i}", {"token": "bench"}, options)
        )
    return Fleet(workspace, {n: a for n, a in accounts.items() if a})


def _account(
    workspace: Workspace,
    network: str,
    external_id: str,
    credentials: dict[str, str],
    options: dict[str, object] | None = None,
) -> SocialAccount:
    return SocialAccount.objects.create(
        workspace=workspace,
        network=network,
        external_id=external_id,
        name=f"{network} {external_id}",
        handle=f"bench{external_id}",
        credentials=credentials,
        options=options or {},
    )


def write_drafts(fleet: Fleet, n: int, tag: str) -> list[Delivery]:
    """Create n posts, one delivery each, round-robin over networks and accounts."""
    networks = list(fleet.accounts)
    slots = []
    for i in range(n):
        accounts = fleet.accounts[networks[i % len(networks)]]
        slots.append(accounts[(i // len(networks)) % len(accounts)])
    with transaction.atomic():
        posts = Post.objects.bulk_create(
            (Post(workspace=fleet.workspace, text=f"{tag} {i}") for i in range(n)),
            batch_size=2000,
        )
        return Delivery.objects.bulk_create(
            (
                Delivery(post=post, account=account, state=Delivery.State.DRAFT)
                for post, account in zip(posts, slots, strict=True)
            ),
            batch_size=2000,
        )


def schedule(
    fleet: Fleet, offsets: Sequence[float], tag: str, lead: timedelta
) -> tuple[datetime, float]:
    """Create one delivery per offset, due that many seconds after a start `lead`
    from when the rows are written; return the start and how many seconds before
    it the schedule was committed (negative: some fell due before they existed).

    The times are set after every row is written, in one transaction, so a
    stream's head does not fall due while its tail is still being written.
    """
    deliveries = write_drafts(fleet, len(offsets), tag)
    first = timezone.now() + lead
    for delivery, offset in zip(deliveries, offsets, strict=True):
        delivery.state = Delivery.State.SCHEDULED
        delivery.scheduled_at = delivery.due_at = first + timedelta(seconds=offset)
    with transaction.atomic():
        Delivery.objects.bulk_update(
            deliveries, ["state", "scheduled_at", "due_at"], batch_size=1000
        )
    return first, (first - timezone.now()).total_seconds()


def schedule_at_once(fleet: Fleet, n: int, tag: str, lead: timedelta) -> datetime:
    """Create n deliveries, then make them all due at one whole second, `lead`
    from when the last row is written; return that second."""
    write_drafts(fleet, n, tag)
    due = timezone.now().replace(microsecond=0) + lead
    Delivery.objects.filter(post__workspace=fleet.workspace, state=Delivery.State.DRAFT).update(
        state=Delivery.State.SCHEDULED, scheduled_at=due, due_at=due
    )
    return due


def sandbox_copies() -> dict[str, int]:
    """Posts on the sandbox feed per text."""
    counts: dict[str, int] = {}
    for text in SandboxPost.objects.values_list("text", flat=True).iterator():
        counts[text] = counts.get(text, 0) + 1
    return counts

"""Deliveries that need a person: why they stopped, in plain words, and what to do.

Failed and needs-attention deliveries wait here until someone retries them, marks
them done, or edits the post. State changes go through `engine.transition` only;
the attempt rows stay as they are, so the history keeps the network's own words.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channels.adapters.registry import UnknownNetwork, adapter_class
from scheduler import engine, posts
from scheduler.models import Delivery, DeliveryAttempt, Membership, Post, Workspace

S = Delivery.State
Ended = DeliveryAttempt.Outcome
NEEDS_A_LOOK = (S.FAILED, S.NEEDS_ATTENTION)


class ActionRefused(ValueError):
    """The action does not apply (any more); the message says why."""


@dataclass(frozen=True)
class Reason:
    summary: str  # what happened
    advice: str  # what to do about it
    kind: str  # a short key, for tests and styling
    network_code: str = ""  # the last attempt's, for the details


def needing_a_look(workspace: Workspace) -> QuerySet[Delivery]:
    """This workspace's failed and needs-attention deliveries, newest first, in 3 queries."""
    return (
        Delivery.objects.filter(post__workspace=workspace, state__in=NEEDS_A_LOOK)
        .select_related("post", "post__campaign", "account")
        .prefetch_related(
            Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number"))
        )
        .order_by("-updated_at", "-id")
    )


def count(workspace_id: int) -> int:
    # Every page shows this count. By account (always in the post's workspace) it
    # is read from delivery_needs_look_idx alone; by post it joined every post of
    # the workspace (bench/store_scale.py: 140 ms at 1,000,000 deliveries against 1).
    return Delivery.objects.filter(
        account__workspace_id=workspace_id, state__in=NEEDS_A_LOOK
    ).count()


def last_attempt(delivery: Delivery) -> DeliveryAttempt | None:
    """The last finished attempt, from the prefetch if there is one (no query then)."""
    cache = getattr(delivery, "_prefetched_objects_cache", {})
    if "attempt_log" not in cache:
        return None
    finished = [a for a in cache["attempt_log"] if a.finished_at is not None]
    return finished[-1] if finished else None


# Network codes that say more than the error class does. DeliveryAttempt.network_code
# is "status:code", Graph codes are "code/subcode" (platforms.md §1 X, §2 Graph).
_BY_CODE: dict[str, str] = {
    "duplicate": "duplicate",
    "506": "duplicate",
    "usage-capped": "capped",
    "media-file": "media",
    "processing_failed": "media",
    "container-error": "media",
    "no-url": "media",
    "190": "auth",
    "401": "auth",
    "4": "rate",
    "17": "rate",
    "32": "rate",
    "613": "rate",
    "429": "rate",
}
_BY_OUTCOME: dict[str, str] = {
    Ended.AUTH_EXPIRED: "auth",
    Ended.RATE_LIMITED: "rate",
    Ended.TRANSIENT: "gave_up",
    Ended.UNKNOWN: "gave_up",
    Ended.LOST: "gave_up",
}


def network_name(network: str) -> str:
    try:
        return adapter_class(network).display_name
    except UnknownNetwork:
        return network


def explain(delivery: Delivery) -> Reason:
    """Say why a delivery stopped and what to do, from its state and last attempt."""
    names = {"network": network_name(delivery.account.network)}
    attempt = last_attempt(delivery)
    if delivery.state == S.NEEDS_ATTENTION:
        kind = "unsure"
    else:
        kind = _kind(attempt, delivery.last_error)
    summary, advice = _WORDS[kind]
    code = attempt.network_code if attempt else ""
    return Reason(str(summary) % names, str(advice) % names, kind, code)


def _kind(attempt: DeliveryAttempt | None, last_error: str) -> str:
    if last_error.startswith("Could not prepare the post"):
        return "prepare"  # engine.publish: nothing reached the network
    if attempt is None:
        return "other"
    status, _sep, code = attempt.network_code.partition(":")
    for token in (code, code.split("/")[0], status):
        if token in _BY_CODE:
            return _BY_CODE[token]
    return _BY_OUTCOME.get(attempt.outcome, "refused")


_WORDS: dict[str, tuple[str, str]] = {
    "unsure": (
        gettext_lazy("SMO could not tell whether this post went out on %(network)s."),
        gettext_lazy(
            "Look at the account. If the post is there, mark it done (paste its address if "
            "you like); if it is not, retry."
        ),
    ),
    "duplicate": (
        gettext_lazy("%(network)s refused this as a duplicate of a recent post."),
        gettext_lazy("Change the text a little, then use Edit and retry."),
    ),
    "capped": (
        gettext_lazy("The %(network)s app connected to SMO has used up its posting allowance."),
        gettext_lazy("Wait for the allowance to reset (or raise the plan), then retry."),
    ),
    "media": (
        gettext_lazy("%(network)s could not use the attached image or video."),
        gettext_lazy("Check that the media meets %(network)s's rules, then retry."),
    ),
    "auth": (
        gettext_lazy("%(network)s no longer accepts this account's sign-in."),
        gettext_lazy("Reconnect the account on the Accounts page, then retry."),
    ),
    "gave_up": (
        gettext_lazy("%(network)s kept having temporary problems, so SMO stopped trying."),
        gettext_lazy("Retry now; if it keeps failing, check the network's status page."),
    ),
    "rate": (
        gettext_lazy("%(network)s asked SMO to slow down too many times."),
        gettext_lazy("Retry in a little while."),
    ),
    "prepare": (
        gettext_lazy("SMO could not prepare the post (a media file may be missing)."),
        gettext_lazy("Check the post's text and media, then use Edit and retry."),
    ),
    "refused": (
        gettext_lazy("%(network)s refused this post."),
        gettext_lazy("Read the network's reason in the details, fix the post with Edit and retry."),
    ),
    "other": (
        gettext_lazy("This post did not go out on %(network)s."),
        gettext_lazy("Read the details, then retry or edit the post."),
    ),
}


# --- Actions -------------------------------------------------------------------------


def retry(delivery: Delivery, *, confirmed: bool = False) -> None:
    """Schedule a failed or needs-attention delivery again, due now.

    A needs-attention delivery may already be live, so it needs `confirmed`.
    """
    if delivery.state == S.NEEDS_ATTENTION and not confirmed:
        raise ActionRefused(
            _(
                "This post may already be live. Check the account, then confirm that you "
                "want to post it again."
            )
        )
    _schedule_now(delivery)


def _schedule_now(delivery: Delivery) -> None:
    if delivery.state not in NEEDS_A_LOOK:
        raise ActionRefused(
            _("This delivery is %(state)s now; nothing to retry.") % _state(delivery)
        )
    now = timezone.now()
    # A fresh count of failures: the retry policy gets its full number of tries.
    moved = engine.transition(
        delivery.pk,
        delivery.state,
        S.SCHEDULED,
        scheduled_at=now,
        due_at=now,
        failures=0,
        **engine.error_fields(None),
    )
    if not moved:
        raise ActionRefused(_("Someone else changed this delivery first; look again."))


def mark_done(delivery: Delivery, url: str = "") -> None:
    """Record a needs-attention delivery as published, optionally with its address."""
    url = url.strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as exc:
            raise ActionRefused(
                _("That is not a web address; paste the post's http(s) link, or leave it empty.")
            ) from exc
    if delivery.state != S.NEEDS_ATTENTION:
        raise ActionRefused(
            _("Only a post SMO is unsure about can be marked done; this one is %(state)s.")
            % _state(delivery)
        )
    moved = engine.transition(
        delivery.pk,
        S.NEEDS_ATTENTION,
        S.PUBLISHED,
        published_at=timezone.now(),
        external_url=url[:1000],
        **engine.error_fields(None),
    )
    if not moved:
        raise ActionRefused(_("Someone else changed this delivery first; look again."))


def edit_and_retry(membership: Membership, post: Post, changes: dict[str, object]) -> int:
    """Save an edit of the post, then schedule its failed deliveries again, all or nothing.

    Raise posts.PostErrors when the edit is refused. Return how many were scheduled.
    """
    with transaction.atomic():
        posts.update_post(membership, post, changes)
        failed = list(post.deliveries.filter(state=S.FAILED))
        for delivery in failed:
            _schedule_now(delivery)
    return len(failed)


def _state(delivery: Delivery) -> dict[str, str]:
    return {"state": str(delivery.get_state_display()).lower()}

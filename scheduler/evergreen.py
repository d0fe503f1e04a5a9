"""The evergreen queue: published posts recycled into their accounts' free queue slots.

A post that went out on an account may be marked evergreen. Where the account's
evergreen setting is on, `fill` puts a copy of one evergreen post (a Post of its
own, from_queue, pointing back at the original) into each of the account's next
free queue slots within SMO_EVERGREEN_HORIZON_DAYS, up to `slots_ahead` copies
waiting at once. Rotation: the post out least recently on that account first, the
oldest post on ties. A post never goes out on an account twice within the
account's minimum gap (original or copy, published or still waiting).

Regular posts keep priority by construction: copies only ever take a few slots in
the next days, and "add to queue" simply takes the next slot nobody holds; people
who want a copy's slot move their post up (queue reorder) or cancel the copy.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.adapters.registry import UnknownNetwork, adapter_class
from channels.models import SocialAccount
from scheduler import audit, queue
from scheduler import overrides as overrides_shape
from scheduler.models import Delivery, EvergreenSettings, Membership, Post, PostMedia
from scheduler.posts import content_problems, draft_content

logger = logging.getLogger(__name__)
S = Delivery.State
# A delivery that went out, or still means to: it counts as "out" for the gap.
OUT = (S.PUBLISHED, *queue.TAKING)
# Near-identical for networks that refuse duplicates: X answers 403 "duplicate
# content" for the same text, and in practice for the same text with another
# link or spacing too (platforms.md, X). A ratio of 0.9 on the normalised text
# catches those while a genuinely rewritten post passes.
NEAR_IDENTICAL = 0.9
# Free slots looked at per fill: a week of hourly slots, beyond any real schedule.
MAX_SLOTS = 200
_LINK = re.compile(r"https?://\S+")


class EvergreenError(Exception):
    """Why a post cannot be marked evergreen; nothing changed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def horizon() -> timedelta:
    return timedelta(days=settings.SMO_EVERGREEN_HORIZON_DAYS)


def mark(membership: Membership, post: Post, on: bool) -> Post:
    """Mark a published post evergreen (or unmark it; any time)."""
    if on and not post.evergreen:
        if post.evergreen_of_id:
            raise EvergreenError(
                "evergreen", _("This is a recycled copy; mark the original post instead.")
            )
        if post.cancelled_at or not post.deliveries.filter(state=S.PUBLISHED).exists():
            raise EvergreenError(
                "evergreen",
                _("Only a post published on at least one account can be evergreen."),
            )
    if post.evergreen != on:
        with transaction.atomic():
            Post.objects.filter(pk=post.pk).update(evergreen=on)
            post.evergreen = on
            audit.post_event(audit.A.POST_EDITED, post, membership, fields=["evergreen"])
    return post


def settings_for(account: SocialAccount) -> EvergreenSettings:
    """The account's settings; the defaults (off) when never saved."""
    found = EvergreenSettings.objects.filter(account=account).first()
    return found or EvergreenSettings(account=account)


def save_settings(
    account: SocialAccount, enabled: bool, min_gap_days: int, slots_ahead: int
) -> EvergreenSettings:
    found, _created = EvergreenSettings.objects.update_or_create(
        account=account,
        defaults={"enabled": enabled, "min_gap_days": min_gap_days, "slots_ahead": slots_ahead},
    )
    return found


# --- Which posts may go out where ------------------------------------------------------


@dataclass
class Family:
    """An evergreen post and the times it (or a copy) is out on one account."""

    post: Post
    times: list[datetime] = field(default_factory=list)
    recycled: int = 0
    last_out: datetime | None = None  # published, original or copy

    @property
    def latest(self) -> datetime | None:
        return max(self.times, default=None)

    def next_eligible(self, gap: timedelta) -> datetime | None:
        return self.latest + gap if self.latest else None


def families(accounts: Iterable[SocialAccount]) -> dict[int, dict[int, Family]]:
    """Per account id, its evergreen posts (published there at least once) by post id.

    Two queries whatever the number of accounts and posts.
    """
    accounts = list(accounts)
    found: dict[int, dict[int, Family]] = defaultdict(dict)
    rows = (
        Delivery.objects.filter(
            account__in=accounts, state__in=OUT, post__cancelled_at__isnull=True
        )
        .filter(Q(post__evergreen=True) | Q(post__evergreen_of__evergreen=True))
        .select_related("post")
        .order_by("pk")
    )
    rows = list(rows)
    for d in rows:
        if d.post.evergreen and d.state == S.PUBLISHED:
            found[d.account_id].setdefault(d.post_id, Family(d.post))
    for d in rows:
        original = d.post.evergreen_of_id or d.post_id
        family = found[d.account_id].get(original)
        if family is None:
            continue
        when = d.published_at if d.state == S.PUBLISHED else d.scheduled_at
        if when is None:
            continue
        family.times.append(when)
        family.recycled += bool(d.post.evergreen_of_id)
        if d.state == S.PUBLISHED and (family.last_out is None or when > family.last_out):
            family.last_out = when
    return found


def rotation(candidates: Iterable[Family]) -> list[Family]:
    """Least recently out first; never out (or ties): the oldest post first."""
    floor = datetime.min.replace(tzinfo=UTC)
    return sorted(candidates, key=lambda f: (f.latest or floor, f.post.created_at, f.post.pk))


def normalised(text: str) -> str:
    return " ".join(_LINK.sub(" ", text).lower().split())


def near_identical(a: str, b: str) -> bool:
    a, b = normalised(a), normalised(b)
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= NEAR_IDENTICAL


def _neighbours(timeline: list[tuple[datetime, str]], at: datetime) -> list[str]:
    """The texts just before and just after `at` in the account's order."""
    before = [text for when, text in timeline if when < at][-1:]
    after = [text for when, text in timeline if when > at][:1]
    return before + after


def _timeline(account: SocialAccount, now: datetime) -> list[tuple[datetime, str]]:
    """The account's last published post and everything waiting, as (time, text)."""
    network = account.network
    last = (
        Delivery.objects.filter(account=account, state=S.PUBLISHED, published_at__isnull=False)
        .select_related("post")
        .order_by("-published_at")
        .first()
    )
    waiting = Delivery.objects.filter(
        account=account, state__in=queue.TAKING, scheduled_at__isnull=False
    ).select_related("post")
    found = [(d.scheduled_at, d.post.text_for(network)) for d in waiting]
    if last is not None:
        found.append((last.published_at, last.post.text_for(network)))
    return sorted(found)  # type: ignore[arg-type]


# --- Filling the queue -----------------------------------------------------------------


def _rejects_duplicates(account: SocialAccount) -> bool:
    try:
        return adapter_class(account.network).rejects_duplicates
    except UnknownNetwork:
        return False


def _fits(account: SocialAccount, post: Post) -> bool:
    """Whether the account's network would still take the post (limits change)."""
    media = [a.asset for a in post.attachments.select_related("asset")]
    utm = post.campaign.utm if post.campaign else None
    content = draft_content(post.text, media, post.link, post.first_comment, post.thread, utm)
    return not content_problems(content, [account], post.overrides, utm, signed_by=post.signatures)


def _own_signature(post: Post, account: SocialAccount) -> dict[str, str]:
    key = str(account.pk)
    return {key: post.signatures[key]} if key in (post.signatures or {}) else {}


def _copy(original: Post, account: SocialAccount, at: datetime) -> Post:
    copy = Post.objects.create(
        workspace_id=original.workspace_id,
        author_id=original.author_id,
        campaign_id=original.campaign_id,
        text=original.text,
        link=original.link,
        first_comment=original.first_comment,
        thread=list(original.thread),
        overrides=overrides_shape.without_other_accounts(original.overrides, [account]),
        track_links=original.track_links,
        # The signature the original went out with on this account, as it was approved.
        signatures=_own_signature(original, account),
        add_signatures=original.add_signatures,
        from_queue=True,
        evergreen_of=original,
        scheduled_at=at,
    )
    PostMedia.objects.bulk_create(
        PostMedia(post=copy, asset_id=m.asset_id, position=m.position)
        for m in original.attachments.all()
    )
    Delivery.objects.create(
        post=copy, account=account, state=S.SCHEDULED, scheduled_at=at, due_at=at
    )
    audit.post_event(
        audit.A.POST_CREATED,
        copy,
        None,
        state=S.SCHEDULED,
        scheduled_at=at.isoformat(),
        accounts=[account.name],
        recycled_from=original.pk,
    )
    return copy


def _fillable(account: SocialAccount) -> bool:
    return (
        account.status == SocialAccount.Status.ACTIVE
        and account.paused_at is None
        and account.workspace.paused_at is None
    )


def fill(account_id: int, now: datetime | None = None) -> list[Post]:
    """Put evergreen copies into the account's next free slots; return the copies made.

    Safe to run twice at once: the account row is locked (as "add to queue" does),
    so the second run waits and then finds the slots taken.
    """
    now = now or timezone.now()
    with transaction.atomic():
        queue._lock_accounts([SocialAccount(pk=account_id)])
        account = SocialAccount.objects.select_related("workspace").filter(pk=account_id).first()
        if account is None or not _fillable(account):
            return []
        config = settings_for(account)
        if not config.enabled:
            return []
        waiting = Delivery.objects.filter(
            account=account,
            state__in=queue.TAKING,
            scheduled_at__gt=now,
            post__evergreen_of__isnull=False,
        ).count()
        room = config.slots_ahead - waiting
        if room <= 0:
            return []
        end = now + horizon()
        # Every free slot within the horizon is a candidate: one a post can't take
        # (gap, duplicate) leaves the next one to try.
        free = queue.next_free_slots([account], now, count=MAX_SLOTS)[account.pk]
        free = [at for at in free if at <= end]
        if not free:
            return []
        candidates = families([account])[account.pk]
        gap = timedelta(days=config.min_gap_days)
        timeline = _timeline(account, now) if _rejects_duplicates(account) else None
        made: list[Post] = []
        for at in free:
            if len(made) >= room:
                break
            picked = _pick(account, rotation(candidates.values()), at, gap, timeline)
            if picked is None:
                continue
            made.append(_copy(picked.post, account, at))
            picked.times.append(at)
            if timeline is not None:
                timeline.append((at, picked.post.text_for(account.network)))
                timeline.sort()
    return made


def _pick(
    account: SocialAccount,
    order: list[Family],
    at: datetime,
    gap: timedelta,
    timeline: list[tuple[datetime, str]] | None,
) -> Family | None:
    for family in order:
        if any(abs(at - t) < gap for t in family.times):
            continue
        if timeline is not None:
            text = family.post.text_for(account.network)
            if any(near_identical(text, other) for other in _neighbours(timeline, at)):
                continue
        if not _fits(account, family.post):
            continue
        return family
    return None


def fill_all(now: datetime | None = None) -> int:
    """Fill every account whose evergreen setting is on; return how many copies were made."""
    ids = EvergreenSettings.objects.filter(
        enabled=True, account__status=SocialAccount.Status.ACTIVE
    ).values_list("account_id", flat=True)
    made = 0
    for pk in list(ids):
        # One account's trouble (a network adapter failing to validate) must not
        # keep the others' queues empty; the next beat tries it again.
        try:
            made += len(fill(pk, now))
        except Exception:
            logger.exception("evergreen: filling account %s failed", pk)
    return made

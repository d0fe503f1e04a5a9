"""The posting queue: weekly slots per account, "add to queue", and reordering.

Slots are weekly wall-clock times (QueueSlot: weekday and time) in the workspace's
time zone, expanded with python-dateutil's rrule (DESIGN.md "Data"). Two rules make
a wall-clock slot one exact instant:

- A slot inside a spring-forward gap (02:30 on the day the clocks jump from 02:00 to
  03:00) moves to the first minute that exists after it: 03:00. Several slots in
  one gap collapse into that one instant, which only one post can take.
- A slot inside a fall-back overlap (02:30 on the day 02:00-03:00 happens twice)
  is the first of the two: the one still on summer time.

"Add to queue" gives each delivery its own account's next free slot, so a post
for two accounts with different schedules goes out at a different time on each;
the post's own time is the earliest of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule
from django.db import transaction
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from channels.models import SocialAccount
from scheduler import engine, posts
from scheduler.models import Delivery, Membership, Post, QueueSlot
from smo import dates

S = Delivery.State
# A slot is taken by any delivery of the account that still means to go out then.
TAKING = (S.AWAITING_APPROVAL, S.SCHEDULED, S.QUEUED, S.RETRY_WAIT, S.PUBLISHING)
# How far ahead to look for free slots before giving up (a queue this full is a bug).
MAX_CANDIDATES = 5000


class QueueChanged(Exception):
    """The queue is not what the reorder was computed from; nothing was moved."""


def resolve(naive: datetime, tz: ZoneInfo) -> datetime:
    """Return the UTC instant of wall-clock slot `naive`, by the module's DST rules."""
    instant = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == naive:
        return instant  # exists (the first of two, in an overlap)
    # In a gap: walk to the first minute that exists (gaps end on a whole minute).
    step = naive.replace(second=0, microsecond=0)
    while True:
        step += timedelta(minutes=1)
        instant = step.replace(tzinfo=tz).astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) == step:
            return instant


def slot_instants(slots: Iterable[QueueSlot], tz: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """Yield the UTC instants of weekly `slots` strictly after `after`, in order, once each."""
    # A day early, so a slot moved forward out of a gap is not missed.
    start = after.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) - timedelta(days=1)
    rules = rrule.rruleset()
    any_slot = False
    for slot in slots:
        any_slot = True
        rules.rrule(
            rrule.rrule(
                rrule.WEEKLY,
                dtstart=start,
                byweekday=slot.weekday,
                byhour=slot.time.hour,
                byminute=slot.time.minute,
                bysecond=0,
            )
        )
    if not any_slot:
        return
    last = None
    for naive in rules:
        instant = resolve(naive, tz)
        if instant > after and instant != last:
            last = instant
            yield instant


def _slots_by_account(accounts: list[SocialAccount]) -> dict[int, list[QueueSlot]]:
    found: dict[int, list[QueueSlot]] = defaultdict(list)
    for slot in QueueSlot.objects.filter(account__in=accounts):
        found[slot.account_id].append(slot)
    return found


def _taken(accounts: list[SocialAccount], after: datetime) -> dict[int, set[datetime]]:
    taken: dict[int, set[datetime]] = defaultdict(set)
    rows = Delivery.objects.filter(
        account__in=accounts, state__in=TAKING, scheduled_at__gt=after
    ).values_list("account_id", "scheduled_at")
    for account_id, when in rows:
        taken[account_id].add(when)
    return taken


def zone_of(account: SocialAccount) -> ZoneInfo:
    return ZoneInfo(account.workspace.timezone)


def next_free_slots(
    accounts: Iterable[SocialAccount], after: datetime, count: int = 1
) -> dict[int, list[datetime]]:
    """Return, per account id, its next `count` slot instants after `after` nobody has taken.

    An account without slots gets an empty list. Two queries, whatever the number of
    accounts.
    """
    accounts = list(accounts)
    slots = _slots_by_account(accounts)
    taken = _taken(accounts, after)
    free: dict[int, list[datetime]] = {}
    for account in accounts:
        found: list[datetime] = []
        for seen, instant in enumerate(
            slot_instants(slots.get(account.pk, []), zone_of(account), after)
        ):
            if seen >= MAX_CANDIDATES or len(found) == count:
                break
            if instant not in taken[account.pk]:
                found.append(instant)
        free[account.pk] = found
    return free


def add_to_queue(membership: Membership, data: posts.PostInput) -> Post:
    """Create the post with each delivery at its own account's next free slot.

    The post's time is the earliest of those slots. Raise posts.PostErrors when an
    account has no posting schedule or the content would be refused.
    """
    now = timezone.now()
    with transaction.atomic():
        # Two people queueing to one account at once would both see the same slot
        # free: lock the accounts (in id order, so two posts cannot deadlock) and
        # the second one waits, then finds that slot taken.
        _lock_accounts(data.accounts)
        free = next_free_slots(data.accounts, now)
        empty = [a.name for a in data.accounts if not free[a.pk]]
        if empty:
            errors = posts.content_problems(data.content(), data.accounts)
            errors["account_ids"] = [
                _("%(accounts)s: no posting schedule yet. Add a time slot on the queue page.")
                % {"accounts": ", ".join(empty)}
            ]
            raise posts.PostErrors(errors)
        when = {pk: times[0] for pk, times in free.items()}
        data.scheduled_at = min(when.values(), default=None)
        data.publish_now = False
        post = posts.create_post(membership, data)
        Post.objects.filter(pk=post.pk).update(from_queue=True)
        post.from_queue = True
        for delivery in post.deliveries.all():
            _move(delivery.pk, delivery.state, when[delivery.account_id])
    return post


def _lock_accounts(accounts: Iterable[SocialAccount]) -> None:
    ids = sorted({a.pk for a in accounts})
    list(SocialAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def _move(delivery_id: int, state: str, when: datetime) -> bool:
    """Give a waiting delivery a new time, leaving its state as it is."""
    if state == S.SCHEDULED:
        return engine.transition(
            delivery_id, S.SCHEDULED, S.SCHEDULED, scheduled_at=when, due_at=when
        )
    # Awaiting approval: approval sets due_at from scheduled_at.
    return bool(
        Delivery.objects.filter(pk=delivery_id, state=state).update(
            scheduled_at=when, updated_at=timezone.now()
        )
    )


def queued(account: SocialAccount, after: datetime | None = None) -> list[Delivery]:
    """The account's upcoming queued deliveries that reordering may move, in slot order."""
    return list(
        Delivery.objects.filter(
            account=account,
            post__from_queue=True,
            state=S.SCHEDULED,
            scheduled_at__gt=after or timezone.now(),
        ).order_by("scheduled_at", "pk")
    )


def reorder(account: SocialAccount, ordered_delivery_ids: list[int]) -> int:
    """Give the account's queued deliveries its queue times in the order given.

    The times stay the same set; only who gets which changes. Return how many
    deliveries moved. Raise QueueChanged, moving nothing, when the ids are not
    exactly the account's queued deliveries or one of them moved meanwhile.
    """
    with transaction.atomic():
        _lock_accounts([account])
        current = queued(account)
        if sorted(ordered_delivery_ids) != sorted(d.pk for d in current):
            raise QueueChanged(_("The queue changed meanwhile; here it is again."))
        times = [d.scheduled_at for d in current]
        was = {d.pk: d.scheduled_at for d in current}
        moved = 0
        for pk, when in zip(ordered_delivery_ids, times, strict=True):
            if was[pk] == when:
                continue
            if not _move(pk, S.SCHEDULED, when):  # type: ignore[arg-type]
                raise QueueChanged(_("The queue changed meanwhile; here it is again."))
            moved += 1
        follow_deliveries({d.post_id for d in current})
    return moved


def move(account: SocialAccount, delivery_id: int, offset: int) -> int:
    """Move one queued delivery `offset` places (-1 up, +1 down) in its account's queue."""
    ids = [d.pk for d in queued(account)]
    if delivery_id not in ids:
        raise QueueChanged(_("The queue changed meanwhile; here it is again."))
    at = ids.index(delivery_id)
    to = min(max(at + offset, 0), len(ids) - 1)
    ids.insert(to, ids.pop(at))
    return reorder(account, ids)


def follow_deliveries(post_ids: Iterable[int]) -> None:
    """Set each post's time to its earliest waiting delivery's (None when all are drafts).

    The calendar and lists sort posts by it, so it follows deliveries that moved
    one by one (queue order, pause resumes).
    """
    waiting = (S.AWAITING_APPROVAL, S.SCHEDULED, S.QUEUED, S.RETRY_WAIT)
    for post in Post.objects.filter(pk__in=list(post_ids)).prefetch_related("deliveries"):
        deliveries = list(post.deliveries.all())
        times = [d.scheduled_at for d in deliveries if d.state in waiting and d.scheduled_at]
        if times:
            when: datetime | None = min(times)
        elif deliveries and all(d.state == S.DRAFT for d in deliveries):
            when = None
        else:
            continue
        if when != post.scheduled_at:
            Post.objects.filter(pk=post.pk).update(scheduled_at=when)


# --- The queue page's timeline -------------------------------------------------------


@dataclass
class Entry:
    at: datetime
    delivery: Delivery | None = None  # None: an empty slot


@dataclass
class Timeline:
    account: SocialAccount
    slots: list[QueueSlot]
    entries: list[Entry] = field(default_factory=list)
    # The account's evergreen panel (scheduler/views/evergreen.py), set by the page.
    evergreen: object | None = None

    @property
    def labelled_slots(self) -> list[tuple[QueueSlot, str]]:
        return [(s, f"{WEEKDAYS_ABBR[s.weekday]} {dates.show(s.time, 'time')}") for s in self.slots]

    @property
    def movable(self) -> list[int]:
        return [
            e.delivery.pk for e in self.entries if e.delivery and e.delivery.state == S.SCHEDULED
        ]


def timelines(accounts: list[SocialAccount], after: datetime, empty: int = 5) -> list[Timeline]:
    """Per account, its upcoming queued posts interleaved with its free slots.

    Free slots run up to the last queued post and `empty` beyond it. Three queries
    whatever the number of accounts and posts.
    """
    slots = _slots_by_account(accounts)
    taken = _taken(accounts, after)
    mine: dict[int, list[Delivery]] = defaultdict(list)
    rows = (
        Delivery.objects.filter(
            account__in=accounts,
            post__from_queue=True,
            state__in=TAKING,
            scheduled_at__gt=after,
        )
        .select_related("post")
        .order_by("scheduled_at", "pk")
    )
    for d in rows:
        mine[d.account_id].append(d)
    result = []
    for account in accounts:
        entries = [Entry(d.scheduled_at, d) for d in mine[account.pk]]  # type: ignore[arg-type]
        last = entries[-1].at if entries else after
        beyond = 0
        for seen, instant in enumerate(
            slot_instants(slots.get(account.pk, []), zone_of(account), after)
        ):
            if seen >= MAX_CANDIDATES or beyond >= empty:
                break
            if instant in taken[account.pk]:
                continue
            entries.append(Entry(instant))
            beyond += instant > last
        entries.sort(key=lambda e: (e.at, e.delivery is None))
        result.append(Timeline(account, slots.get(account.pk, []), entries))
    return result

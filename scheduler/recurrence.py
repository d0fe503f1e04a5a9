"""Repeating posts: an RRULE (RFC 5545) expanded into one post per occurrence.

The rule runs on local wall-clock times in the workspace's zone (python-dateutil's
rrule), so "every Monday at 09:00" stays at 09:00 across daylight saving; each
occurrence is then converted to UTC, resolving DST explicitly:

- A time in a DST gap (02:30 on the night the clocks go forward) does not exist; it
  is posted as long after the gap starts as asked, 03:30 in Europe/Stockholm, and
  `expand` says so, so the page can show it (never a silent shift).
- A time in an overlap (02:30 on the night the clocks go back) happens twice; the
  first, earlier one is used, and `expand` says that too.

A single post in a gap is refused instead (scheduler/localtime.py): the person is
there to pick another minute. A series is a rule, and refusing a year of posts for
one night a year would only make people pick a worse time.

As RFC 5545 §3.8.5.3 says, the first time always counts as the first occurrence,
even when it is not on one of the chosen weekdays (dateutil would skip it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scheduler import engine, posts
from scheduler.localtime import zone as zone_named
from scheduler.models import Membership, Post
from smo import dates

FREQUENCIES = ("daily", "weekly", "monthly")
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # Monday is 0, as in QueueSlot
MAX_COUNT = 100  # occurrences in one series
MAX_SPAN = timedelta(days=366)  # how far ahead UNTIL may be


class RuleError(ValueError):
    """A repeat that can't be made; the message says why."""


@dataclass(frozen=True)
class Occurrence:
    local: datetime  # naive wall-clock time the rule asked for
    utc: datetime
    note: str = ""  # set when DST moved or chose the time


def build_rule(
    freq: str,
    interval: int = 1,
    weekdays: list[int] | tuple[int, ...] = (),
    until: date | None = None,
    count: int | None = None,
    today: date | None = None,
) -> str:
    """Return the RRULE text of a repeat, or raise RuleError.

    `weekdays` (0 = Monday) only go with weekly repeats; a series ends on a date
    (`until`, inclusive, at most a year from `today`) or after `count` posts.
    """
    if freq not in FREQUENCIES:
        raise RuleError(_("Repeat daily, weekly or monthly."))
    if not 1 <= interval <= 99:
        raise RuleError(_("Repeat every 1 to 99 days, weeks or months."))
    if weekdays and freq != "weekly":
        raise RuleError(_("Weekdays only go with weekly repeats."))
    if any(d not in range(7) for d in weekdays):
        raise RuleError(_("Unknown weekday."))
    if (until is None) == (count is None):
        raise RuleError(_("End the repeat either on a date or after a number of posts."))
    parts = [f"FREQ={freq.upper()}"]
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if weekdays:
        parts.append("BYDAY=" + ",".join(BYDAY[d] for d in sorted(set(weekdays))))
    if count is not None:
        if not 2 <= count <= MAX_COUNT:
            raise RuleError(_("A series has 2 to %(max)s posts.") % {"max": MAX_COUNT})
        parts.append(f"COUNT={count}")
    if until is not None:
        today = today or timezone.now().date()
        if until < today:
            raise RuleError(_("The end date is in the past."))
        if until > today + MAX_SPAN:
            raise RuleError(_("End the repeat within a year."))
        # Local, like the times it bounds (RFC 5545: floating DTSTART, floating UNTIL).
        parts.append(f"UNTIL={until:%Y%m%d}T235959")
    return ";".join(parts)


def rule_parts(rule: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in rule.split(";") if "=" in part)


def expand(rule: str, first_local: datetime, zone: ZoneInfo | str, limit: int) -> list[Occurrence]:
    """The rule's first `limit` occurrences from `first_local` (naive, in `zone`)."""
    tz = zone_named(zone) if isinstance(zone, str) else zone
    first_local = first_local.replace(tzinfo=None, second=0, microsecond=0)
    try:
        times = rrulestr(rule, dtstart=first_local)
    except (ValueError, TypeError) as exc:
        raise RuleError(_("Not a repeat rule: %(rule)s") % {"rule": rule}) from exc
    count = int(rule_parts(rule).get("COUNT", 0)) or None
    wanted = min(limit, count) if count else limit
    until = rule_parts(rule).get("UNTIL")
    if until and first_local > datetime.strptime(until[:15], "%Y%m%dT%H%M%S"):
        raise RuleError(_("The repeat ends before the post's first time."))
    local = [first_local]
    for at in times:
        if len(local) >= wanted:
            break
        if at > first_local:
            local.append(at)
    return [_resolve(at, tz) for at in local]


def occurrences(
    rule: str, first_local: datetime, zone: ZoneInfo | str, limit: int = MAX_COUNT
) -> list[datetime]:
    """The rule's occurrences from `first_local` as aware UTC datetimes (see module doc)."""
    return [o.utc for o in expand(rule, first_local, zone, limit)]


def _resolve(local: datetime, tz: ZoneInfo) -> Occurrence:
    early = local.replace(tzinfo=tz, fold=0)
    late = local.replace(tzinfo=tz, fold=1)
    utc = early.astimezone(UTC)
    if early.utcoffset() == late.utcoffset():
        return Occurrence(local, utc)
    shown = utc.astimezone(tz).replace(tzinfo=None)
    if shown != local:  # a gap: fold=0 reads it with the offset before the jump
        note = _("%(time)s does not exist that day (clocks go forward); posts at %(shown)s.") % {
            "time": dates.show(local, "time"),
            "shown": dates.show(shown, "time"),
        }
    else:
        note = _("%(time)s happens twice that day (clocks go back); posts at the first.") % {
            "time": dates.show(local, "time")
        }
    return Occurrence(local, utc, note)


def describe(rule: str, today: date | None = None) -> str:
    """Say the rule in words: "every Monday and Thursday until Dec 31"."""
    parts = rule_parts(rule)
    n = int(parts.get("INTERVAL", 1))
    freq = parts.get("FREQ", "")
    days = [weekday_names()[BYDAY.index(d)] for d in parts.get("BYDAY", "").split(",") if d]
    if freq == "DAILY":
        text = ngettext("every day", "every %(n)s days", n) % {"n": n}
    elif freq == "WEEKLY" and days:
        text = ngettext("every %(days)s", "every %(n)s weeks on %(days)s", n) % {
            "n": n,
            "days": and_list(days),
        }
    elif freq == "WEEKLY":
        text = ngettext("every week", "every %(n)s weeks", n) % {"n": n}
    else:
        text = ngettext("every month", "every %(n)s months", n) % {"n": n}
    if "UNTIL" in parts:
        end = datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date()
        this_year = (today or timezone.now().date()).year == end.year
        text = _("%(rule)s until %(date)s") % {
            "rule": text,
            "date": dates.show(end, "month_day" if this_year else "date"),
        }
    return text


def weekday_names() -> list[str]:
    return [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]


def and_list(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _series_times(
    membership: Membership, first_at: datetime, rule: str
) -> tuple[list[datetime], ZoneInfo]:
    tz = zone_named(membership.workspace.timezone)
    first_local = first_at.astimezone(tz).replace(tzinfo=None)
    found = expand(rule, first_local, tz, MAX_COUNT + 1)
    if len(found) > MAX_COUNT:
        raise RuleError(
            _("This repeat makes more than %(max)s posts; end it sooner.") % {"max": MAX_COUNT}
        )
    if len(found) < 2:
        raise RuleError(_("This repeat makes only one post."))
    return [o.utc for o in found], tz


def _create_rest(
    membership: Membership, data: posts.PostInput, times: list[datetime], tz: ZoneInfo
) -> list[Post]:
    created = []
    for when in times:
        try:
            created.append(
                posts.create_post(membership, replace(data, scheduled_at=when, publish_now=False))
            )
        except posts.PostErrors as exc:
            day = dates.show(when.astimezone(tz), "date")
            raise posts.PostErrors(
                {field: [f"{day}: {m}" for m in msgs] for field, msgs in exc.errors.items()}
            ) from exc
    return created


def create_series(membership: Membership, data: posts.PostInput, rule: str) -> list[Post]:
    """Create one post per occurrence, the first holding the rule; all or nothing.

    Raise RuleError for a rule that can't be used, or PostErrors naming the date
    of the occurrence that can't be scheduled (past, refused by a network...).
    """
    if data.publish_now or data.scheduled_at is None:
        raise RuleError(_("Pick a date and time for the first post of the series."))
    times, tz = _series_times(membership, data.scheduled_at, rule)
    times[0] = data.scheduled_at  # exactly what was asked, fold and all
    with transaction.atomic():
        first, *rest = _create_rest(membership, data, times, tz)
        _link(first, rest, rule)
    return [first, *rest]


def repeat_post(membership: Membership, post: Post, rule: str) -> list[Post]:
    """Turn a scheduled post into the first of a series (it keeps its own time)."""
    if post.scheduled_at is None or post.cancelled_at is not None:
        raise RuleError(_("Only a scheduled post can repeat."))
    if post.recurrence or post.repeat_of_id:
        raise RuleError(_("This post already repeats."))
    if post.variant_of_id:
        raise RuleError(_("Repeat the main post, not one of its variants."))
    deliveries = list(post.deliveries.select_related("account"))
    data = posts.PostInput(
        text=post.text,
        accounts=[d.account for d in deliveries if d.state != engine.S.CANCELLED],
        scheduled_at=post.scheduled_at,
        campaign=post.campaign,
        media=[a.asset for a in post.attachments.select_related("asset")],
        link=post.link,
        first_comment=post.first_comment,
        track_links=post.track_links,
        thread=list(post.thread),
        overrides=dict(post.overrides),
        add_signatures=post.add_signatures,
    )
    times, tz = _series_times(membership, post.scheduled_at, rule)
    with transaction.atomic():
        rest = _create_rest(membership, data, times[1:], tz)
        _link(post, rest, rule)
    return [post, *rest]


def _link(first: Post, rest: list[Post], rule: str) -> None:
    Post.objects.filter(pk=first.pk).update(recurrence=rule)
    Post.objects.filter(pk__in=[p.pk for p in rest]).update(repeat_of=first)
    first.recurrence = rule
    for p in rest:
        p.repeat_of = first


def cancel_series(first: Post) -> int:
    """Cancel every occurrence not yet published; return how many posts were cancelled."""
    first_id = first.repeat_of_id or first.pk
    pending = (
        Post.objects.filter(Q(pk=first_id) | Q(repeat_of_id=first_id))
        .filter(deliveries__state__in=list(engine.PENDING), cancelled_at__isnull=True)
        .distinct()
        .order_by("scheduled_at")
    )
    cancelled = 0
    with transaction.atomic():
        for post in pending:
            posts.cancel_post(post)
            cancelled += 1
    return cancelled

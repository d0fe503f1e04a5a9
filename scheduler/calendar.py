"""The calendar: which deliveries fall in a period, grouped per post, laid out by day.

Views ask for a `Period` (a month, a week, or the month as a list) in the person's zone,
get the deliveries in it with one query, and lay them out as days and hours. Times are
stored in UTC; every local date and hour here is in the zone passed in.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import QueryDict

from scheduler import engine
from scheduler.models import Delivery, Workspace
from scheduler.posts import IN_FLIGHT
from smo import dates

S = Delivery.State
# A draft has no time, and a cancelled delivery will never happen: neither is on the calendar.
SHOWN_STATES = [s for s in S if s not in (S.DRAFT, S.CANCELLED)]
VIEWS = ("month", "week", "list")
# The month grid shows this many posts a day, then "+N more" (the list view has them all).
DAY_LIMIT = 4
# The week view shows this many posts an hour, then "+N more" (to the list view).
SLOT_LIMIT = 2
# The list view pages its posts (a variant goes with its post).
PAGE_SIZE = 100
# The week view always shows these hours, and widens to fit earlier or later posts.
DAY_HOURS = (8, 20)


@dataclass(frozen=True)
class Filters:
    """What the person narrowed the calendar to; None means everything."""

    account: int | None = None
    campaign: int | None = None
    state: str | None = None
    author: int | None = None

    @classmethod
    def from_query(cls, query: QueryDict) -> Filters:
        def number(name: str) -> int | None:
            value = query.get(name, "")
            return int(value) if value.isdigit() else None

        state = query.get("state") or None
        return cls(
            account=number("account"),
            campaign=number("campaign"),
            state=state if state in SHOWN_STATES else None,
            author=number("author"),
        )

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.account, self.campaign, self.state, self.author))


@dataclass(frozen=True)
class Period:
    """The local dates a view covers, [first, last], and how to step to the next one."""

    view: str
    anchor: date
    first: date
    last: date

    @classmethod
    def for_view(cls, view: str, anchor: date) -> Period:
        if view == "week":
            first = anchor - timedelta(days=anchor.weekday())
            return cls(view, anchor, first, first + timedelta(days=6))
        first = anchor.replace(day=1)
        days = pycalendar.monthrange(anchor.year, anchor.month)[1]
        return cls(view, anchor, first, first.replace(day=days))

    def previous(self) -> date:
        if self.view == "week":
            return self.first - timedelta(days=7)
        return (self.first - timedelta(days=1)).replace(day=1)

    def next(self) -> date:
        if self.view == "week":
            return self.first + timedelta(days=7)
        return self.last + timedelta(days=1)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The UTC instants of the first local midnight and the one after the last day."""
        start = datetime.combine(self.first, time(), tz).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(), tz).astimezone(UTC)
        return start, end


@dataclass
class Entry:
    """One post at one time: its deliveries to each account, shown as one chip.

    Built from light rows first (ids and times only); `attach` loads the deliveries of
    the entries a page actually shows, so a busy month costs what its screen shows.
    """

    post_id: int
    at: datetime  # local
    ids: list[int]
    parent_id: int | None = None  # the post this one is an audience variant of
    deliveries: list[Delivery] = field(default_factory=list)
    # Audience variants of this post, shown with it rather than as chips of their own.
    variants: list[Entry] = field(default_factory=list)

    @property
    def post(self):  # type: ignore[no-untyped-def]
        return self.deliveries[0].post

    @property
    def states(self) -> list[Delivery]:
        """One delivery per distinct state, for the badges."""
        seen: dict[str, Delivery] = {}
        for d in self.deliveries:
            seen.setdefault(d.state, d)
        return list(seen.values())

    @property
    def reminders(self) -> list[Delivery]:
        """The deliveries a person posts by hand, before their time and after."""
        return [d for d in self.deliveries if d.by_reminder]

    @property
    def movable(self) -> bool:
        """Something is left to reschedule and nothing is on its way out."""
        states = {d.state for d in self.deliveries}
        return bool(states & set(engine.PENDING)) and not states & set(IN_FLIGHT)

    @property
    def variant_names(self) -> str:
        """The variants' audiences and times, for the chip's tooltip."""
        return ", ".join(
            f"{v.post.audience.name if v.post.audience else v.post_id} {dates.show(v.at, 'time')}"
            for v in self.variants
        )


@dataclass
class Day:
    date: date
    today: bool
    in_period: bool
    entries: list[Entry] = field(default_factory=list)

    @property
    def shown(self) -> list[Entry]:
        return self.entries[:DAY_LIMIT]

    @property
    def hidden(self) -> int:
        return max(0, len(self.entries) - DAY_LIMIT)


CHIP_FIELDS = (
    "state",
    "scheduled_at",
    "post_id",
    "account_id",
    "post__text",
    "post__scheduled_at",
    "post__variant_of",
    "post__campaign__name",
    "post__campaign__color",
    "post__author__username",
    "post__audience__name",
    "account__name",
    "account__network",
    # Whether a chip is a reminder (Delivery.by_reminder), with no query of its own.
    "reminded_at",
    "account__publishing",
)
ORDER = ("scheduled_at", "post_id", "account__network", "account__name", "id")


def _in_period(
    workspace: Workspace, filters: Filters, start: datetime, end: datetime
) -> QuerySet[Delivery]:
    qs = Delivery.objects.filter(
        post__workspace=workspace,
        # The same workspace (accounts and posts are always chosen within one), but
        # through the accounts PostgreSQL reads each one's period from
        # delivery_account_time_idx instead of joining every post of the workspace
        # (bench/store_scale.py: 150 ms at 1,000,000 deliveries against 30).
        account__workspace=workspace,
        scheduled_at__gte=start,
        scheduled_at__lt=end,
        state__in=SHOWN_STATES,
    )
    if filters.account is not None:
        qs = qs.filter(account_id=filters.account)
    if filters.campaign is not None:
        qs = qs.filter(post__campaign_id=filters.campaign)
    if filters.state is not None:
        qs = qs.filter(state=filters.state)
    if filters.author is not None:
        qs = qs.filter(post__author_id=filters.author)
    return qs.order_by(*ORDER)


def _with_chip_fields(qs: QuerySet[Delivery]) -> QuerySet[Delivery]:
    # Only what a chip or an export shows: decrypting every account's credentials
    # (an encrypted field) cost more than the rest of a 5,000-post month together.
    return qs.select_related(
        "post", "post__campaign", "post__author", "post__audience", "account"
    ).only(*CHIP_FIELDS)


def deliveries(
    workspace: Workspace, filters: Filters, start: datetime, end: datetime
) -> QuerySet[Delivery]:
    """Every delivery on the calendar in [start, end), in time order, with what a chip shows."""
    return _with_chip_fields(_in_period(workspace, filters, start, end))


def entries(
    workspace: Workspace, filters: Filters, start: datetime, end: datetime, tz: ZoneInfo
) -> list[Entry]:
    """The entries in [start, end) in time order, variants folded into their posts.

    One light query (ids and times); call `attach` on the entries shown. A variant whose
    post is not in the period (or is filtered out) keeps an entry of its own.
    """
    rows = _in_period(workspace, filters, start, end).values_list(
        "id", "scheduled_at", "post_id", "post__variant_of_id"
    )
    found = [
        Entry(post_id=post_id, at=when.astimezone(tz), ids=[r[0] for r in group], parent_id=parent)
        for (when, post_id, parent), group in groupby(rows, key=lambda r: (r[1], r[2], r[3]))
    ]
    first: dict[int, Entry] = {}
    for entry in found:
        first.setdefault(entry.post_id, entry)
    top = []
    for entry in found:
        parent = first.get(entry.parent_id) if entry.parent_id else None
        if parent is not None and parent is not entry:
            parent.variants.append(entry)
        else:
            top.append(entry)
    return top


def attach(shown: list[Entry], workspace: Workspace, filters: Filters, everything: bool) -> None:
    """Load the deliveries of the `shown` entries and their variants (one query).

    `everything` says the entries are all there are in the period, so the period's own
    query serves without a long list of ids.
    """
    every = [x for e in shown for x in (e, *e.variants)]
    ids = [i for x in every for i in x.ids]
    if not ids:
        return
    qs = Delivery.objects.filter(id__in=ids)
    if everything:
        first, last = min(x.at for x in every), max(x.at for x in every)
        qs = _in_period(workspace, filters, first, last + timedelta(microseconds=1))
    by_id = {d.pk: d for d in _with_chip_fields(qs)}
    for x in every:
        x.deliveries = [by_id[i] for i in x.ids]


def days(period: Period, found: list[Entry], today: date) -> list[Day]:
    """The days a view shows: whole weeks (Monday first) around the period, with their entries."""
    first = period.first - timedelta(days=period.first.weekday())
    last = period.last + timedelta(days=6 - period.last.weekday())
    by_date = {
        first + timedelta(days=i): Day(
            date=first + timedelta(days=i),
            today=first + timedelta(days=i) == today,
            in_period=period.first <= first + timedelta(days=i) <= period.last,
        )
        for i in range((last - first).days + 1)
    }
    for entry in found:
        day = by_date.get(entry.at.date())
        if day is not None:
            day.entries.append(entry)
    return list(by_date.values())


def weeks(all_days: list[Day]) -> list[list[Day]]:
    return [all_days[i : i + 7] for i in range(0, len(all_days), 7)]


@dataclass
class Slot:
    hour: int
    entries: list[Entry]

    @property
    def starts(self) -> time:
        return time(self.hour)

    @property
    def shown(self) -> list[Entry]:
        return self.entries[:SLOT_LIMIT]

    @property
    def hidden(self) -> int:
        return max(0, len(self.entries) - SLOT_LIMIT)


@dataclass
class WeekDay:
    day: Day
    slots: list[Slot]


def week_grid(week: list[Day]) -> tuple[list[time], list[WeekDay]]:
    """Hours to show (as times, for their labels), and each day's entries by hour."""
    hours_used = [e.at.hour for d in week for e in d.entries]
    low = min([DAY_HOURS[0], *hours_used])
    high = max([DAY_HOURS[1], *hours_used])
    hours = list(range(low, high + 1))
    grid = [
        WeekDay(day, [Slot(h, [e for e in day.entries if e.at.hour == h]) for h in hours])
        for day in week
    ]
    return [time(h) for h in hours], grid


@dataclass(frozen=True)
class Page:
    """A page of the list view: entries [start, end) of `total`."""

    number: int
    pages: int
    start: int
    end: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page(found: list[Entry], number: int | None, anchor: date) -> Page:
    """The page asked for, or else the one that holds the anchor day (or the first after it)."""
    pages = max(1, -(-len(found) // PAGE_SIZE))
    if number is None:
        index = next((i for i, e in enumerate(found) if e.at.date() >= anchor), len(found) - 1)
        number = max(0, index) // PAGE_SIZE + 1
    number = min(max(1, number), pages)
    start = (number - 1) * PAGE_SIZE
    return Page(number, pages, start, min(start + PAGE_SIZE, len(found)), len(found))


# --- Exports ------------------------------------------------------------------------

CSV_HEADER = [
    "post_id",
    "local_time",
    "utc_time",
    "account",
    "network",
    "state",
    "campaign",
    "author",
    "text",
    "url",
]


def _cell(value: str) -> str:
    """Keep spreadsheet apps from running text as a formula (OWASP "CSV injection")."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_rows(rows: list[Delivery], tz: ZoneInfo, url: str) -> list[list[str]]:
    """One row per delivery; `url` has a `{id}` for the post's page."""
    out = [CSV_HEADER]
    for d in rows:
        post = d.post
        out.append(
            [
                str(post.pk),
                d.scheduled_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                d.scheduled_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                _cell(d.account.name),
                d.account.network,
                d.state,
                _cell(post.campaign.name if post.campaign else ""),
                post.author.username if post.author else "",
                _cell(post.text),
                url.format(id=post.pk),
            ]
        )
    return out


def ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1)."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_calendar(
    rows: list[Delivery], name: str, url: str, domain: str, now: datetime, length: timedelta
) -> str:
    """One VEVENT per delivery, its UID stable across exports; times in UTC."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//SMO//Calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_text(name)}",
    ]
    for d in rows:
        post = d.post
        first_line = post.text.strip().splitlines()[0] if post.text.strip() else ""
        details = [post.text, "", f"{d.account.name} ({d.account.network}): {d.state}"]
        if post.campaign:
            details.append(post.campaign.name)
        lines += [
            "BEGIN:VEVENT",
            f"UID:delivery-{d.pk}@{domain}",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(d.scheduled_at)}",
            f"DTEND:{_stamp(d.scheduled_at + length)}",
            f"SUMMARY:{ics_text(f'{d.account.name}: {first_line[:80]}')}",
            f"DESCRIPTION:{ics_text(chr(10).join(details))}",
            f"URL:{url.format(id=post.pk)}",
            f"STATUS:{'CONFIRMED' if d.state == S.PUBLISHED else 'TENTATIVE'}",
        ]
        if post.campaign:
            lines.append(f"CATEGORIES:{ics_text(post.campaign.name)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)

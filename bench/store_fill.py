"""Fill a PostgreSQL database with a realistic store of posts and deliveries, fast.

Used by bench/store_scale.py, inside its own Django process. Workspaces, people,
accounts and campaigns go through the ORM (a few hundred rows); posts and
deliveries go through `COPY ... FROM STDIN` (psycopg's `write_row`): 1,000,000
deliveries in about 40 s on a 2-core machine. The store looks like two years of use:
posts fan out to 1-3 accounts, most lie in the past in a terminal state
(published, failed, cancelled), a slice waits in the next two months, and
`add_due` makes a handful due now.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Model

from channels.models import SocialAccount
from scheduler.models import Campaign, Delivery, Membership, Post, Role, User, Workspace

S = Delivery.State
NETWORKS = ("x", "facebook", "instagram", "linkedin", "mastodon", "bluesky", "threads", "sandbox")
SENTENCES = (
    "Our spring collection is here: light fabrics, bright colours, fair prices.",
    "Five things we learned shipping a release every week for a year.",
    "Join the live Q&A on Thursday at 18:00, bring your hardest questions.",
    "Behind the scenes at the studio: how a product photo comes together.",
    "New on the blog: a practical guide to planning a content calendar.",
    "Thank you for 10,000 followers! A small giveaway starts today.",
    "Tip of the week: schedule posts when your audience is awake, not you.",
    "We are hiring a support engineer in Gothenburg. Remote-friendly.",
)
# How many accounts a post goes to, and how often.
FAN_OUT = (1, 1, 1, 1, 1, 2, 2, 2, 3, 3)
DELIVERY_COLUMNS = (
    "id", "post_id", "account_id", "state", "scheduled_at", "due_at", "attempts", "failures",
    "idempotency_key", "external_id", "external_url", "published_at", "last_error", "queued_at",
    "publishing_since", "worker", "created_at", "updated_at",
)  # fmt: skip
POST_COLUMNS = (
    "id", "workspace_id", "author_id", "campaign_id", "text", "scheduled_at", "cancelled_at",
    "created_at", "updated_at",
)  # fmt: skip


@dataclass(frozen=True)
class Shape:
    """The store's proportions; `rows` deliveries are spread over them."""

    workspaces: int = 8
    accounts_per_workspace: int = 40
    members_per_workspace: int = 5
    campaigns_per_workspace: int = 6
    past_days: int = 720
    future_days: int = 60
    due_now: int = 100
    # Due now but held: one paused account, one that needs reconnecting.
    held_paused: int = 25
    held_reconnect: int = 10


@dataclass
class Store:
    """What the fill made, for the measurements and for the next fill."""

    shape: Shape
    member: User  # an editor of the first workspace: the calendar and API sign in as them
    workspaces: list[int]
    accounts: dict[int, list[tuple[int, str]]]  # workspace -> active (id, network)
    authors: dict[int, list[int]]
    campaigns: dict[int, list[int]]
    due_ids: list[int] = field(default_factory=list)
    deliveries: int = 0
    posts: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(5))  # noqa: S311 - data


def create_people(shape: Shape) -> Store:
    """Workspaces, members, active accounts and campaigns, through the ORM."""
    workspaces, accounts, authors, campaigns = [], {}, {}, {}
    member = None
    for w in range(shape.workspaces):
        ws = Workspace.objects.create(name=f"Brand {w}", timezone="Europe/Stockholm")
        workspaces.append(ws.pk)
        people = User.objects.bulk_create(
            User(username=f"w{w}-person{m}", timezone="Europe/Stockholm")
            for m in range(shape.members_per_workspace)
        )
        Membership.objects.bulk_create(
            Membership(user=u, workspace=ws, role=Role.OWNER if m == 0 else Role.EDITOR)
            for m, u in enumerate(people)
        )
        authors[ws.pk] = [u.pk for u in people]
        member = member or people[1]
        made = SocialAccount.objects.bulk_create(
            SocialAccount(
                workspace=ws,
                network=NETWORKS[a % len(NETWORKS)],
                external_id=f"w{w}-a{a}",
                name=f"Brand {w} {NETWORKS[a % len(NETWORKS)]} {a}",
                credentials={"token": f"bench-{w}-{a}"},
            )
            for a in range(shape.accounts_per_workspace)
        )
        accounts[ws.pk] = [(a.pk, a.network) for a in made]
        campaigns[ws.pk] = [
            c.pk
            for c in Campaign.objects.bulk_create(
                Campaign(workspace=ws, name=f"Campaign {c}", color="#4f46e5")
                for c in range(shape.campaigns_per_workspace)
            )
        ]
    assert member is not None
    return Store(shape, member, workspaces, accounts, authors, campaigns)


def add_due(store: Store, now: datetime) -> None:
    """Make `due_now` deliveries due in the last 30 s, and a few held ones due too."""
    first = store.workspaces[0]
    paused = _extra_account(first, "paused", paused_at=now - timedelta(hours=2))
    reconnect = _extra_account(first, "reconnect", status=SocialAccount.Status.NEEDS_RECONNECT)
    rng = store.rng
    targets = [
        *(
            (ws, rng.choice(store.accounts[ws]), S.SCHEDULED)
            for ws in rng.choices(store.workspaces, k=store.shape.due_now)
        ),
        *((first, paused, S.SCHEDULED) for _ in range(store.shape.held_paused)),
        *((first, reconnect, S.RETRY_WAIT) for _ in range(store.shape.held_reconnect)),
    ]
    posts, deliveries = [], []
    for i, (ws, account, state) in enumerate(targets):
        at = now - timedelta(seconds=30 * i / len(targets))
        post_id = store.posts + len(posts) + 1
        posts.append(_post_row(store, post_id, ws, at, None))
        pk = store.deliveries + len(deliveries) + 1
        deliveries.append(_delivery_row(store, pk, post_id, account, state, at))
    _copy(Post, POST_COLUMNS, posts)
    _copy(Delivery, DELIVERY_COLUMNS, deliveries)
    store.due_ids = [row[0] for row in deliveries[: store.shape.due_now]]
    store.posts += len(posts)
    store.deliveries += len(deliveries)


def _extra_account(workspace: int, name: str, **fields: object) -> tuple[int, str]:
    account = SocialAccount.objects.create(
        workspace_id=workspace, network="sandbox", external_id=name, name=name, **fields
    )
    return account.pk, account.network


def fill_to(store: Store, total: int, now: datetime, chunk: int = 100_000) -> None:
    """Add posts and deliveries until the store holds `total` deliveries.

    A big load drops the tables' secondary indexes and foreign keys first and
    builds them again after, as pg_restore does: one sort per index instead of a
    million random inserts into each, and one join per foreign key instead of a
    trigger per row.
    """
    bulk = total - store.deliveries > 50_000
    with _without_indexes((Post, Delivery)) if bulk else nullcontext():
        while store.deliveries < total:
            posts, deliveries = _chunk(store, min(chunk, total - store.deliveries), now)
            _copy(Post, POST_COLUMNS, posts)
            _copy(Delivery, DELIVERY_COLUMNS, deliveries)
            store.posts += len(posts)
            store.deliveries += len(deliveries)
    _set_sequences()


@contextmanager
def _without_indexes(models: Sequence[type[Model]]) -> Iterator[None]:
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u')",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _chunk(store: Store, count: int, now: datetime) -> tuple[list[tuple], list[tuple]]:
    rng, shape = store.rng, store.shape
    posts: list[tuple] = []
    deliveries: list[tuple] = []
    span = (shape.past_days + shape.future_days) * 86400
    while len(deliveries) < count:
        ws = rng.choice(store.workspaces)
        # Whole five minutes, as people pick times; futures start a day out so
        # none falls due while the benchmark runs.
        offset = rng.randrange(0, span) // 300 * 300 - shape.past_days * 86400
        at = now + timedelta(seconds=offset + (86400 if offset > 0 else -3600))
        states = _states(rng, at > now, min(rng.choice(FAN_OUT), count - len(deliveries)))
        scheduled = None if states[0] == S.DRAFT else at
        post_id = store.posts + len(posts) + 1
        cancelled = at if states[0] == S.CANCELLED else None
        posts.append(_post_row(store, post_id, ws, scheduled, cancelled))
        for account, state in zip(rng.sample(store.accounts[ws], len(states)), states, strict=True):
            pk = store.deliveries + len(deliveries) + 1
            deliveries.append(_delivery_row(store, pk, post_id, account, state, scheduled))
    return posts, deliveries


def _states(rng: random.Random, future: bool, fan_out: int) -> list[str]:
    """The states of one post's deliveries: a post is cancelled, drafted or approved whole."""
    roll = rng.random()
    if future:
        whole = S.DRAFT if roll < 0.04 else S.AWAITING_APPROVAL if roll < 0.10 else None
        if whole:
            return [whole] * fan_out
        return [S.RETRY_WAIT if rng.random() < 0.002 else S.SCHEDULED for _ in range(fan_out)]
    if roll < 0.05:
        return [S.CANCELLED] * fan_out
    out = []
    for _ in range(fan_out):
        r = rng.random()
        out.append(S.FAILED if r < 0.04 else S.NEEDS_ATTENTION if r < 0.041 else S.PUBLISHED)
    return out


def _post_row(
    store: Store, pk: int, ws: int, at: datetime | None, cancelled: datetime | None
) -> tuple:
    rng = store.rng
    campaign = rng.choice(store.campaigns[ws]) if rng.random() < 0.3 else None
    text = f"{SENTENCES[pk % len(SENTENCES)]} ({pk})"
    created = (at or datetime.now().astimezone()) - timedelta(hours=rng.randrange(1, 24 * 14))
    return (pk, ws, rng.choice(store.authors[ws]), campaign, text, at, cancelled, created, created)


def _delivery_row(
    store: Store, pk: int, post_id: int, account: tuple[int, str], state: str, at: datetime | None
) -> tuple:
    rng = store.rng
    key = uuid.UUID(int=rng.getrandbits(128), version=4)
    created = (at or datetime.now().astimezone()) - timedelta(days=3)
    external_id = external_url = error = worker = ""
    published = queued = publishing = None
    attempts = failures = 0
    if state in (S.PUBLISHED, S.FAILED, S.NEEDS_ATTENTION):
        assert at is not None
        queued, publishing, worker, attempts = at - timedelta(seconds=1), at, "celery@bench", 1
    if state == S.PUBLISHED:
        published = at + timedelta(milliseconds=rng.randrange(200, 3000))
        external_id = str(rng.getrandbits(60))
        external_url = f"https://{account[1]}.example/p/{external_id}"
    elif state == S.FAILED:
        error = "The network refused the post: the text is too long."
    elif state == S.NEEDS_ATTENTION:
        error, failures = "The network cannot tell whether this post went out.", 1
    updated = published or at or created
    return (
        pk, post_id, account[0], state, at, at, attempts, failures, key, external_id,
        external_url, published, error, queued, publishing, worker, created, updated,
    )  # fmt: skip


def _copy(model: type[Model], columns: Sequence[str], rows: list[tuple]) -> None:
    """COPY `rows` into the model's table; other columns get the field's default."""
    rest = [f for f in model._meta.concrete_fields if f.column not in columns]
    constants = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    for f, value in zip(rest, constants, strict=True):
        if value is None and not f.null:
            raise ValueError(f"{model.__name__}.{f.name} needs a value in bench/store_fill.py")
    names = ", ".join(f'"{c}"' for c in (*columns, *(f.column for f in rest)))
    sql = f"COPY {model._meta.db_table} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in _with(rows, constants):
            copy.write_row(row)


def _with(rows: list[tuple], constants: tuple) -> Iterator[tuple]:
    for row in rows:
        yield row + constants


def _set_sequences() -> None:
    """Point the id sequences past the COPYed ids, so the ORM's next insert fits."""
    with connection.cursor() as cursor:
        for model in (Post, Delivery):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )

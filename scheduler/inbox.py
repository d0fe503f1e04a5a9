"""The inbox's own operations: who answers what, what is done, and the lists
the page and the API show. Network calls live in replies.py and moderation.py;
fetching in inbox_sync.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet

from scheduler import audit, notify
from scheduler.models import AuditEvent, InboxItem, Reply, User, Workspace

S = InboxItem.State


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; empty means everything."""

    account: int | None = None
    network: str = ""
    kind: str = ""
    campaign: int | None = None
    state: str = ""  # a State, or "" for open and assigned (what still needs an answer)
    assigned_to: int | None = None  # a user id; 0 for nobody
    search: str = ""


ALL_STATES = "all"


def items(workspace: Workspace, f: Filters) -> QuerySet[InboxItem]:
    """The workspace's items newest first, with what each row shows, in a fixed number of queries."""
    qs = InboxItem.objects.filter(workspace=workspace, own=False, deleted_at=None)
    if f.account:
        qs = qs.filter(account_id=f.account)
    if f.network:
        qs = qs.filter(network=f.network)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.campaign:
        qs = qs.filter(delivery__post__campaign_id=f.campaign)
    if f.state == ALL_STATES:
        pass
    elif f.state:
        qs = qs.filter(state=f.state)
    else:
        qs = qs.exclude(state=S.DONE)
    if f.assigned_to == 0:
        qs = qs.filter(assigned_to=None)
    elif f.assigned_to:
        qs = qs.filter(assigned_to_id=f.assigned_to)
    if f.search:
        qs = qs.filter(
            Q(text__icontains=f.search)
            | Q(author_name__icontains=f.search)
            | Q(author_handle__icontains=f.search)
        )
    return qs.select_related("account", "assigned_to", "delivery__post").order_by(
        "-posted_at", "-id"
    )


def open_count(workspace_id: int) -> int:
    return InboxItem.objects.filter(
        workspace_id=workspace_id, own=False, deleted_at=None, state__in=(S.OPEN, S.ASSIGNED)
    ).count()


def thread(item: InboxItem) -> list[InboxItem]:
    """The conversation `item` belongs to, oldest first: the other items under the
    same post (or in the same private conversation), with the answers sent from SMO."""
    if item.thread_id:
        same = Q(thread_id=item.thread_id)
    elif item.parent_post_id:
        same = Q(parent_post_id=item.parent_post_id)
    else:
        same = Q(pk=item.pk) | Q(in_reply_to_id=item.external_id)
    return list(
        InboxItem.objects.filter(same, account_id=item.account_id)
        .select_related("account")
        .prefetch_related(Prefetch("answers", queryset=Reply.objects.order_by("created_at")))
        .order_by("posted_at", "id")
    )


def for_delivery_ids(delivery_ids: list[int]) -> dict[int, list[InboxItem]]:
    """Each delivery's conversation, oldest first, in one query (the post page)."""
    found: dict[int, list[InboxItem]] = {pk: [] for pk in delivery_ids}
    rows = InboxItem.objects.filter(delivery_id__in=delivery_ids).order_by("posted_at", "id")
    for row in rows:
        found[row.delivery_id].append(row)  # type: ignore[index]
    return found


def counts_by_state(workspace: Workspace) -> dict[str, int]:
    rows = (
        InboxItem.objects.filter(workspace=workspace, own=False, deleted_at=None)
        .values("state")
        .annotate(n=Count("pk"))
    )
    return {r["state"]: r["n"] for r in rows}


def assign(item: InboxItem, assignee: User | None, by: User) -> None:
    """Give the item to a teammate (or to nobody); they are told."""
    with transaction.atomic():
        state = S.ASSIGNED if assignee else S.OPEN
        if item.state == S.DONE and assignee is None:
            state = S.DONE
        InboxItem.objects.filter(pk=item.pk).update(assigned_to=assignee, state=state)
        item.assigned_to, item.state = assignee, state
        audit.record(
            item.workspace_id,
            AuditEvent.Action.INBOX_ASSIGNED,
            item,
            actor=by,
            target_label=audit.label(item.text),
            to=assignee.get_username() if assignee else "",
        )
        if assignee is not None and assignee.pk != by.pk:
            notify.inbox_assigned(item.pk, assignee.pk, by.pk)


def set_state(item: InboxItem, state: str) -> None:
    """Close an item, or open it again (assigned again if someone has it)."""
    if state not in (S.OPEN, S.DONE, S.ASSIGNED):
        raise ValueError(state)
    if state != S.DONE:
        state = S.ASSIGNED if item.assigned_to_id else S.OPEN
    InboxItem.objects.filter(pk=item.pk).update(state=state)
    item.state = state


def last_fetch(workspace: Workspace) -> datetime | None:
    from scheduler.models import InboxSync

    row = (
        InboxSync.objects.filter(account__workspace=workspace)
        .order_by("-last_finished_at")
        .values_list("last_finished_at", flat=True)
        .first()
    )
    return row

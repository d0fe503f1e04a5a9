"""Reading many Graph objects' figures at once, shared by the Facebook and the
Instagram metrics (facebook_metrics.py, instagram_metrics.py).

Graph's multi-id lookup `GET /?ids=a,b,c&fields=...` reads up to 50 objects in
one call (Graph API "Multiple ID read requests"), insights included through
field expansion (`insights.metric(reach,views)`). Two things can spoil a batch:
- an id that no longer exists fails the whole call with "(#803) Some of the
  aliases you requested do not exist: a,b"; those ids are dropped (the posts
  are gone) and the rest asked again;
- a metric Graph refuses for one object (an Instagram media posted before the
  account turned professional, a metric Meta retired) fails the whole call
  too; the batch is then read again without insights, and each object's
  insights asked alone, so one old post costs its own insights only. When
  the first few of those are refused too, the metrics themselves are (retired,
  or a permission missing): the rest are not asked, and their figures stay None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from channels.adapters.base import Permanent
from channels.adapters.graph import GONE, GraphClient

BATCH = 50  # the most ids one multi-id lookup takes
# Refusals, none answered, after which insights are not asked one by one any more.
GIVE_UP = 3
# "(#803) Some of the aliases you requested do not exist: 1789_1,1789_2"
MISSING = "803"
MISSING_IDS = re.compile(r"do not exist:\s*([\w,\s]+)")


def batches(ids: Sequence[str], size: int = BATCH) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(i for i in ids if i))
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


def lookup(
    client: GraphClient,
    ids: list[str],
    fields: str,
    *,
    plain_fields: str,
    metric: str,
    edge: str = "insights",
) -> dict[str, dict[str, Any]]:
    """Return each existing object of `ids` as Graph gives it with `fields`.

    `plain_fields` is `fields` without the `edge` expansion, and `metric` the
    metrics to ask one object at a time when the batch with insights is refused.
    """
    try:
        return _read(client, ids, fields)
    except Permanent as refused:
        if refused.code == GONE:
            return _one_by_one(client, ids, (fields, plain_fields))
        if not metric:
            raise
    found = _read(client, ids, plain_fields)
    answered = refused_count = 0
    for object_id, item in found.items():
        if refused_count >= GIVE_UP and not answered:
            break
        insights = own_insights(client, object_id, metric, edge)
        if insights is None:
            refused_count += 1
        else:
            answered += 1
            item[edge] = insights
    return found


def _read(client: GraphClient, ids: list[str], fields: str) -> dict[str, dict[str, Any]]:
    """One multi-id lookup; ids Graph says do not exist are dropped and the rest asked again."""
    wanted = list(ids)
    while wanted:
        try:
            answer = client.get("", ids=",".join(wanted), fields=fields)
        except Permanent as refused:
            missing = _missing(refused) & set(wanted)
            if refused.code != MISSING or not missing:
                raise
            wanted = [i for i in wanted if i not in missing]
            continue
        return {str(k): v for k, v in answer.items() if isinstance(v, dict)}
    return {}


def _missing(refused: Permanent) -> set[str]:
    match = MISSING_IDS.search(refused.detail)
    return {i.strip() for i in match.group(1).split(",")} if match else set()


def _one_by_one(
    client: GraphClient, ids: list[str], tries: tuple[str, str]
) -> dict[str, dict[str, Any]]:
    """Read each object alone, with insights and else without: a batch answered
    "does not exist" (100/33) without naming which, as Graph does for some id forms."""
    found = {}
    for object_id in ids:
        for fields in tries:
            try:
                found[object_id] = client.get(object_id, fields=fields)
            except Permanent as refused:
                if refused.code == GONE:
                    break
                if fields == tries[-1]:
                    raise
            else:
                break
    return found


def own_insights(
    client: GraphClient, object_id: str, metric: str, edge: str = "insights"
) -> dict[str, Any] | None:
    """`GET /{id}/insights?metric=...` for one object; None when Graph refuses it."""
    try:
        return client.get(f"{object_id}/{edge}", metric=metric)
    except Permanent:
        return None


def insight_values(item: Mapping[str, Any], key: str = "insights") -> dict[str, Any]:
    """{"reach": 12, ...} from an insights answer: `{"data": [{"name": "reach",
    "period": "lifetime", "values": [{"value": 12}]}]}`; a metric given as
    `total_value` (the newer shape) counts too. Values are as Graph gives them:
    a number, or an object for breakdowns (post_clicks_by_type)."""
    found: dict[str, Any] = {}
    for entry in (item.get(key) or {}).get("data") or []:
        name, value = entry.get("name"), None
        values = entry.get("values") or []
        if values and isinstance(values[-1], Mapping):
            value = values[-1].get("value")
        if value is None:
            value = (entry.get("total_value") or {}).get("value")
        if isinstance(name, str) and value is not None:
            found[name] = value
    return found


def summary_count(item: Mapping[str, Any], edge: str) -> int | None:
    """`reactions.summary(total_count)`'s count: {"data": [], "summary": {"total_count": 4}}."""
    count = ((item.get(edge) or {}).get("summary") or {}).get("total_count")
    return int(count) if isinstance(count, int) else None


def number(value: object) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None

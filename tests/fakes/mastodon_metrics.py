"""FakeMastodon's analytics endpoint (platforms.md §10): GET /api/v1/statuses?id[]=...

Mastodon 4.3+ answers up to 20 ids at once with the statuses the token may see,
in the order asked and leaving out those that are gone; more ids is a 422. A
fake set to an older version (or with `no_batch_route`) answers 404, as those
servers do. The counts are seeded with FakeMastodon.set_metrics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.fakes.x import Reply

if TYPE_CHECKING:
    from tests.fakes.mastodon import FakeMastodon, Request

BATCH = 20


def batch(fake: FakeMastodon, request: Request) -> Reply:
    major_minor = tuple(int(p) for p in fake.version.split(".")[:2])
    if fake.no_batch_route or major_minor < (4, 3):
        return Reply(404, {"error": "Record not found"})
    ids = list(dict.fromkeys(v for k, v in request.pairs if k in ("id[]", "id")))
    if len(ids) > BATCH:
        return Reply(422, {"error": f"Validation failed: too many ids (at most {BATCH})"})
    found = [fake.statuses[i] for i in ids if i in fake.statuses]
    return Reply(200, [fake.status_json(s) for s in found])

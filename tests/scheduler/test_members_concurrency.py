"""Two owners demoting each other at the same moment leave the workspace one owner."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from scheduler import members
from scheduler.models import Membership, Role
from tests.conftest import Cast
from tests.factories import MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks between connections: SQLite lets one writer in at a time anyway",
    ),
]


def test_two_owners_stepping_down_at_once_leave_one_owner(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    second = MembershipFactory(
        user=UserFactory(username="owner2"), workspace=cast.workspace, role=Role.OWNER
    )
    # Hold each change after it counted the other owners until the other has
    # counted too (or a second has passed): without the workspace lock both
    # would see another owner and both would step down.
    both_counted = threading.Barrier(2, timeout=1)
    counted = members._other_owners

    def count_then_wait(target: Membership) -> bool:
        found = counted(target)
        try:
            both_counted.wait()
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(members, "_other_owners", count_then_wait)
    outcomes: list[object] = []

    def step_down(owner: Membership) -> None:
        try:
            members.change_role(owner, owner, Role.ADMIN)
            outcomes.append("stepped down")
        except members.Refused as refused:
            outcomes.append(refused.field)
        except BaseException as error:  # reported by the assert below
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=step_down, args=(m,)) for m in (cast.owner, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(map(str, outcomes)) == ["role", "stepped down"]
    owners = Membership.objects.filter(workspace=cast.workspace, role=Role.OWNER)
    assert owners.count() == 1

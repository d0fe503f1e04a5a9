"""A lookup that cannot tell for this one delivery (base.CannotTell) hands it to a
person at once: no second publish, no asking again on every sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from channels.adapters import registry
from channels.adapters.base import CannotTell, Content, Credentials, Progress, Published
from channels.adapters.sandbox import SandboxAdapter
from scheduler import engine
from scheduler.models import Delivery
from tests.factories import DeliveryFactory

S = Delivery.State
pytestmark = pytest.mark.django_db


class PrivatePostsAdapter(SandboxAdapter):
    """A network whose lookup sees public posts only, like TikTok's video list."""

    def find_published(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published | None:
        raise CannotTell("Private posts are not listed; check the account.")


def test_a_delivery_the_lookup_cannot_tell_about_goes_to_a_person(
    monkeypatch: pytest.MonkeyPatch,
    settings,
    sent,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setitem(registry.ADAPTERS, "sandbox", f"{__name__}.PrivatePostsAdapter")
    delivery = DeliveryFactory(state=S.QUEUED)
    assert engine.transition(delivery.pk, S.QUEUED, S.PUBLISHING, worker="doomed")
    with time_machine.travel(timezone.now() + settings.SMO_STUCK_AFTER + timedelta(seconds=1)):
        counts = engine.reconcile_stuck()
    delivery.refresh_from_db()
    assert counts == {"lost": 1, "resolved": 1, "requeued": 0}
    assert delivery.state == S.NEEDS_ATTENTION
    assert delivery.last_error == "Private posts are not listed; check the account."
    assert sent["publish"] == []

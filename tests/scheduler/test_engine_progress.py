"""Multi-step publishes: confirmed steps are kept, and a retry resumes after them."""

from __future__ import annotations

from typing import ClassVar

import pytest

from channels.adapters import base, registry
from channels.adapters.sandbox import SandboxAdapter
from scheduler import engine
from scheduler.models import Delivery
from tests.factories import DeliveryFactory

S = Delivery.State
pytestmark = pytest.mark.django_db


class TwoStepAdapter(SandboxAdapter):
    """Posts a thread of two parts; the answer to the second is lost once."""

    calls: ClassVar[list[tuple[str, dict[str, object]]]] = []
    lose_second_answer: ClassVar[bool] = True

    def publish(
        self, creds: base.Credentials, content: base.Content, key: str, progress: base.Progress
    ) -> base.Published:
        type(self).calls.append(("publish", progress.as_dict()))
        ids = list(progress.get("post_ids", []))
        if not ids:
            ids.append("first")
            progress.record("post_ids", ids)
        if len(ids) == 1:
            if type(self).lose_second_answer:
                type(self).lose_second_answer = False
                raise base.Unknown("Timed out after sending the second part.")
            ids.append("second")
            progress.record("post_ids", ids)
        return base.Published(ids[0], "https://example.test/first", self.config["now"]())

    def find_published(
        self, creds: base.Credentials, content: base.Content, key: str, progress: base.Progress
    ) -> base.Published | None:
        type(self).calls.append(("find", progress.as_dict()))
        return None  # the second part is not there: publish again, from part two


@pytest.fixture
def two_step(monkeypatch: pytest.MonkeyPatch) -> type[TwoStepAdapter]:
    from django.utils import timezone

    TwoStepAdapter.calls = []
    TwoStepAdapter.lose_second_answer = True
    monkeypatch.setitem(registry.ADAPTERS, "sandbox", f"{__name__}.TwoStepAdapter")
    real = registry.network_config
    monkeypatch.setattr(registry, "network_config", lambda n: {**real(n), "now": timezone.now})
    return TwoStepAdapter


def test_a_confirmed_step_is_stored_on_the_delivery_at_once(two_step, sent) -> None:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(state=S.QUEUED)
    assert engine.publish(delivery.pk) == "unknown"
    delivery.refresh_from_db()
    assert delivery.state == S.UNKNOWN
    assert delivery.progress == {"post_ids": ["first"]}


def test_after_a_lost_answer_the_retry_resumes_after_the_confirmed_steps(two_step, sent) -> None:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(state=S.QUEUED)
    engine.publish(delivery.pk)
    assert engine.resolve_unknown(delivery.pk) == "requeued"
    assert engine.publish(delivery.pk) == "published"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.external_id) == (S.PUBLISHED, "first")
    assert delivery.progress == {"post_ids": ["first", "second"]}
    assert two_step.calls == [
        ("publish", {}),
        ("find", {"post_ids": ["first"]}),
        ("publish", {"post_ids": ["first"]}),
    ]

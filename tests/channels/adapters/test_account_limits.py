"""An account may carry its own limits (a Mastodon instance's), and everything
that checks a post for that account uses them: adapter_for, the composer's
meters and the post checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pytest

from channels.adapters import base, registry
from channels.adapters.sandbox import SandboxAdapter
from scheduler import meters
from scheduler.posts import content_problems
from tests.factories import SandboxAccountFactory

pytestmark = pytest.mark.django_db


class InstanceAdapter(SandboxAdapter):
    """A sandbox whose accounts keep their character limit in their options."""

    def account_limits(self, options: Mapping[str, Any]) -> base.Limits:
        if "max_text" not in options:
            return self.limits
        return dataclasses.replace(self.limits, max_text=int(options["max_text"]))


@pytest.fixture(autouse=True)
def instance_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.ADAPTERS, "sandbox", f"{__name__}.InstanceAdapter")


def test_adapter_for_holds_the_account_s_own_limits() -> None:
    small = SandboxAccountFactory(options={"max_text": 10})
    plain = SandboxAccountFactory()
    assert registry.adapter_for(small).limits.max_text == 10
    assert registry.adapter_for(plain).limits.max_text == SandboxAdapter.limits.max_text
    # The class keeps its own: one account's limits never leak into another's.
    assert InstanceAdapter.limits.max_text == SandboxAdapter.limits.max_text


def test_a_post_is_checked_against_each_account_s_limits() -> None:
    small = SandboxAccountFactory(name="Small", options={"max_text": 10})
    plain = SandboxAccountFactory(name="Plain")
    errors = content_problems(base.Content("twelve chars"), [small, plain])
    assert len(errors["text"]) == 1
    assert errors["text"][0].startswith("Small: ")


def test_the_meter_counts_against_the_strictest_account() -> None:
    small = SandboxAccountFactory(options={"max_text": 10})
    plain = SandboxAccountFactory()
    (meter,) = meters.measure(base.Content("twelve chars"), [plain, small])
    assert (meter.used, meter.limit, meter.over) == (12, 10, True)
    assert len(meter.problems) == 1

"""SMO_API_RATE requests per key; the next answers 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from scheduler import apikeys
from tests.conftest import NOW, Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def low_rate(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.SMO_API_RATE = "3/min"
    # The budgets live in the cache; an earlier test's person may have had the
    # same pk (SQLite reuses them), and its requests must not count here.
    cache.clear()
    yield
    cache.clear()


def bearer(secret: str) -> APIClient:
    return APIClient(headers={"Authorization": f"Bearer {secret}"})


def test_the_request_over_the_rate_is_a_429_with_retry_after(cast: Cast) -> None:
    client = bearer(apikeys.create(cast.editor, "Busy").secret)
    with time_machine.travel(NOW, tick=False):
        assert [client.get("/api/v1/posts/").status_code for _ in range(3)] == [200] * 3
    with time_machine.travel(NOW + timedelta(seconds=20), tick=False):
        refused = client.get("/api/v1/posts/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    assert refused.json() == {
        "detail": "Request was throttled. Expected available in 40 seconds.",
        "errors": {},
    }
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        assert client.get("/api/v1/posts/").status_code == 200


def test_each_key_has_its_own_budget(cast: Cast) -> None:
    first = bearer(apikeys.create(cast.editor, "First").secret)
    second = bearer(apikeys.create(cast.editor, "Second").secret)
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            first.get("/api/v1/posts/")
        assert first.get("/api/v1/posts/").status_code == 429
        assert second.get("/api/v1/posts/").status_code == 200


def test_a_signed_in_browser_is_limited_per_person(cast: Cast) -> None:
    client = APIClient()
    client.force_login(cast.viewer.user)
    with time_machine.travel(NOW, tick=False):
        assert [client.get("/api/v1/posts/").status_code for _ in range(4)] == [200] * 3 + [429]

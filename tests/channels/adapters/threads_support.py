"""Fixtures and media shared by the Threads adapter tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from channels.adapters import base
from channels.adapters.session import build_session
from channels.adapters.threads import ThreadsAdapter
from tests.fakes.graph_wire import jpeg
from tests.fakes.threads import FakeThreads

MP4 = b"\0\0\0\x18ftypmp42" + b"\0" * 4000


@pytest.fixture
def fake() -> Iterator[FakeThreads]:
    with FakeThreads() as fake:
        fake.add_user("acmebakery", "Acme Bakery")
        yield fake
        assert fake.crashes == []  # the fake itself never failed


@pytest.fixture
def creds(fake: FakeThreads) -> base.Credentials:
    user = fake.login_user
    return base.Credentials(user, "acmebakery", {"access_token": fake.issue_token(user)})


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def adapter(fake: FakeThreads, sleeps: list[float]) -> ThreadsAdapter:
    config = fake.adapter_config(
        sleep=sleeps.append, container_wait_seconds=60, poll_interval_seconds=5
    )
    return ThreadsAdapter(config, build_session(1.0))


def image(fake: FakeThreads, name: str = "bread.jpg") -> base.MediaItem:
    data = jpeg(1080, 1080)
    url = fake.add_file(name, data, "image/jpeg")
    return base.MediaItem(f"/media/{name}", "image/jpeg", "image", len(data), 1080, 1080, url=url)


def video(fake: FakeThreads, name: str = "clip.mp4") -> base.MediaItem:
    url = fake.add_file(name, MP4, "video/mp4")
    return base.MediaItem(f"/media/{name}", "video/mp4", "video", len(MP4), 1080, 1920, url=url)

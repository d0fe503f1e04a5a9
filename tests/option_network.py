"""A network that exists only in tests: one post option of each kind.

The composer, the API and the engine handle post options without knowing any
network; this one lets their tests say so before the real networks that take
options (YouTube, TikTok, Pinterest) land. The `testnet` fixture registers it.
Its labels are plain text, not `words(...)`, so they stay out of the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from django.core.cache import cache

from channels.adapters import registry
from channels.adapters.base import (
    Adapter,
    Content,
    Credentials,
    Limits,
    PostOption,
    Progress,
    Published,
    Transient,
)

NETWORK = "testnet"


class OptionsAdapter(Adapter):
    network: ClassVar[str] = NETWORK
    display_name: ClassVar[str] = "Testnet"
    connects_by: ClassVar[str] = "manual"
    limits: ClassVar[Limits] = Limits(
        max_text=100,
        max_images=0,
        max_videos=1,
        video_types=frozenset({"video/mp4", "video/quicktime", "video/webm"}),
        requires_media=True,
        min_video_seconds=3,
        max_video_seconds=60,
        min_aspect=9 / 16,
        max_aspect=1.0,
    )
    post_options: ClassVar[tuple[PostOption, ...]] = (
        PostOption("title", "Title", kind="text", max_length=20, required=True),
        PostOption("description", "Description", kind="textarea", max_length=50),
        PostOption(
            "privacy",
            "Privacy",
            kind="choice",
            choices=(("public", "Everyone"), ("private", "Only me")),
            default="public",
        ),
        PostOption("tags", "Tags", kind="tags", max_length=15, help="Separate tags with commas."),
        PostOption("notify", "Notify followers", kind="bool", default=True),
        PostOption("board", "Board", kind="choice", per_account=True, required=True),
    )
    # Every option_choices call, as (account external id, option name).
    asked: ClassVar[list[tuple[str, str]]] = []
    published: ClassVar[list[Content]] = []

    def option_choices(self, creds: Credentials, name: str) -> list[tuple[str, str]]:
        self.asked.append((creds.external_id, name))
        if creds.secrets.get("boards") == "down":
            raise Transient("Testnet did not answer.", status=503)
        return [
            (f"{creds.external_id}-cakes", f"{creds.handle} cakes"),
            (f"{creds.external_id}-bread", f"{creds.handle} bread"),
        ]

    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        self.published.append(content)
        return Published(f"t-{key[:8]}", f"https://testnet.example/{key}", datetime.now(UTC))


@pytest.fixture
def testnet(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[OptionsAdapter]]:
    """Register the test network for one test, with its call records emptied."""
    monkeypatch.setitem(registry.ADAPTERS, NETWORK, f"{__name__}.OptionsAdapter")
    monkeypatch.setattr(OptionsAdapter, "asked", [])
    monkeypatch.setattr(OptionsAdapter, "published", [])
    cache.clear()  # choices cached by an earlier test
    yield OptionsAdapter
    cache.clear()


def add_testnet_account(workspace: Any, name: str = "Acme Testnet", external_id: str = "t1") -> Any:
    from channels.models import SocialAccount

    return SocialAccount.objects.create(
        workspace=workspace, network=NETWORK, external_id=external_id, name=name, handle=name
    )


def video_asset(workspace: Any, seconds: float = 10, width: int = 1080, height: int = 1920) -> Any:
    """A stored video as ffprobe described it at upload (the file itself is not read)."""
    from scheduler.models import MediaAsset

    return MediaAsset.objects.create(
        workspace=workspace,
        file=f"media/clip-{seconds}s.mp4",
        original_name=f"clip-{seconds}s.mp4",
        kind="video",
        mime_type="video/mp4",
        size=1000,
        width=width,
        height=height,
        duration=seconds,
        container="mov,mp4,m4a,3gp,3g2,mj2",
    )

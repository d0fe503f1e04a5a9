"""One scheduled post with an image goes out to X, a Facebook Page and Instagram at
once, through real worker and beat processes and the real client libraries, each
talking to its local fake. Instagram downloads the image from SMO's signed link."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from channels.models import SocialAccount
from scheduler.models import Delivery, MediaAsset
from tests.conftest import Cast
from tests.e2e.workers import celery_worker_and_beat
from tests.fakes.graph import VERSION, FakeGraph
from tests.fakes.x import FakeX

TEXT = "Cardamom buns are back this weekend. Come early!"


@pytest.fixture(autouse=True)
def sent() -> None:
    """Override the recording fixture: here the engine sends real tasks."""


@pytest.fixture
def fakes() -> Iterator[tuple[FakeX, FakeGraph]]:
    with FakeX() as x, FakeGraph() as graph:
        x.add_user("2244994945", "acmebakery", "Acme Bakery")
        graph.add_page("1001", "Acme Bakery", "page-token-acme", instagram=("1789", "acmebakery"))
        yield x, graph


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1080, 1080), "orange").save(out, "JPEG")
    return out.getvalue()


def connect_accounts(cast: Cast, x: FakeX) -> list[SocialAccount]:
    def account(network: str, external_id: str, **fields: Any) -> SocialAccount:
        return SocialAccount.objects.create(
            workspace=cast.workspace, network=network, external_id=external_id, **fields
        )

    return [
        account(
            "x",
            "2244994945",
            name="Acme Bakery",
            handle="acmebakery",
            credentials={
                "access_token": x.issue_token("2244994945"),
                "refresh_token": x.issue_refresh_token("2244994945"),
            },
            credentials_expire_at=timezone.now() + timedelta(hours=2),
        ),
        account(
            "facebook", "1001", name="Acme Bakery", credentials={"access_token": "page-token-acme"}
        ),
        account(
            "instagram",
            "1789",
            name="acmebakery",
            handle="acmebakery",
            credentials={"access_token": "page-token-acme"},
            options={"page_id": "1001"},
        ),
    ]


@pytest.mark.django_db(transaction=True)
def test_one_scheduled_post_reaches_x_facebook_and_instagram_once_and_on_time(
    cast: Cast,
    api: Any,
    live_server: Any,
    fakes: tuple[FakeX, FakeGraph],
    settings: Any,
    tmp_path: Path,
) -> None:
    x, graph = fakes
    settings.MEDIA_ROOT = tmp_path / "media"
    accounts = connect_accounts(cast, x)
    asset = MediaAsset(
        workspace=cast.workspace,
        original_name="buns.jpg",
        kind="image",
        mime_type="image/jpeg",
        width=1080,
        height=1080,
        size=0,
    )
    data = jpeg()
    asset.size = len(data)
    asset.file.save("buns.jpg", ContentFile(data))
    env = {
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SMO_PUBLIC_URL": live_server.url,
        "X_CLIENT_ID": x.client_id,
        "X_CLIENT_SECRET": x.client_secret,
        "X_API_URL": x.url,
        "X_AUTHORIZE_URL": f"{x.url}/i/oauth2/authorize",
        "FACEBOOK_APP_ID": graph.app_id,
        "FACEBOOK_APP_SECRET": graph.app_secret,
        "FACEBOOK_GRAPH_URL": graph.url,
        "FACEBOOK_GRAPH_VIDEO_URL": graph.video_url,
        "FACEBOOK_DIALOG_URL": graph.url,
        "SMO_GRAPH_API_VERSION": VERSION,
    }
    with celery_worker_and_beat(tmp_path, env) as logs:
        when = (timezone.now() + timedelta(seconds=4)).replace(microsecond=0)
        response = api.post(
            "/api/v1/posts/",
            {
                "text": TEXT,
                "scheduled_at": when.isoformat(),
                "account_ids": [a.pk for a in accounts],
                "media_ids": [asset.pk],
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        post_id = response.json()["id"]
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if Delivery.objects.filter(post_id=post_id, state="published").count() == 3:
                break
            time.sleep(0.2)
        deliveries = {
            d.account.network: d
            for d in Delivery.objects.filter(post_id=post_id).select_related("account")
        }
        worker_log = logs["worker"].read_text(errors="replace")
    states = {n: (d.state, d.last_error) for n, d in deliveries.items()}
    assert states == {n: ("published", "") for n in ("x", "facebook", "instagram")}, worker_log[
        -5000:
    ]
    # Facebook and Instagram stamp posts to the second, so measure from our own
    # attempt rows: when the worker started, and how long the network calls took.
    attempts = {
        n: d.attempt_log.get()
        for n, d in deliveries.items()  # exactly one each
    }
    started = {
        n: (a.started_at - deliveries[n].scheduled_at).total_seconds() for n, a in attempts.items()
    }
    took = {n: (a.finished_at - a.started_at).total_seconds() for n, a in attempts.items()}
    print(f"\nstarted after the scheduled second (s): {started}\ncalls took (s): {took}")
    assert all(0 <= late < 1 for late in started.values()), started
    assert all(d.attempts == 1 for d in deliveries.values())

    # Exactly once on each network, with the image.
    [tweet] = x.tweets
    assert tweet["text"] == TEXT and len(tweet["media_ids"]) == 1
    assert deliveries["x"].external_url == f"https://x.com/acmebakery/status/{tweet['id']}"
    assert [p["message"] for p in graph.posts] == [TEXT]
    assert len(graph.calls("POST", "/1001/photos")) == 1
    [media] = graph.media
    assert media["caption"] == TEXT
    # Instagram fetched the image from SMO's signed link, and got the file.
    [fetch] = graph.fetches
    assert fetch.url.startswith(f"{live_server.url}/m/")
    assert (fetch.status, fetch.size) == (200, len(data))
    assert x.contract_violations == []

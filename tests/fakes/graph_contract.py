"""The Facebook and Instagram cases for the shared contract suite (STYLE.md §6):
each adapter wired to a running FakeGraph, with the errors it must map.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from channels.adapters.base import (
    Adapter,
    AdapterError,
    AuthExpired,
    Content,
    Credentials,
    MediaItem,
    Permanent,
    RateLimited,
    Transient,
    Unknown,
)
from channels.adapters.session import build_session
from tests.fakes.graph import FakeGraph
from tests.fakes.graph_wire import buc_header, graph_error, jpeg

ErrorCase = tuple[int, dict[str, Any] | None, dict[str, str] | None, type[AdapterError]]


@dataclass
class ContractCase:
    """One network, wired to a running fake, for the shared contract suite.

    `errors` are for fail_next(status, body, headers) before a publish of
    `content_ok`: they hit the publish's first call. `publish_path` names the
    call that makes the post public, for fail_next/timeout_after_receive(path=...).
    """

    adapter: Adapter
    creds: Credentials
    fake: FakeGraph
    content_ok: Content
    errors: list[ErrorCase]
    sleeps: list[float] = field(default_factory=list)
    publish_path: str = ""
    secrets: tuple[str, ...] = ()


def _shared_errors(owner: str) -> list[ErrorCase]:
    expired = graph_error(190, "Error validating access token: Session has expired.", subcode=463)
    return [
        (400, expired, None, AuthExpired),
        (400, graph_error(4, "(#4) Application request limit reached"), None, RateLimited),
        (400, graph_error(17, "(#17) User request limit reached"), None, RateLimited),
        (
            400,
            graph_error(32, "(#32) Page request limit reached"),
            buc_header(owner, 30),
            RateLimited,
        ),
        (
            400,
            graph_error(613, "(#613) Calls to this api have exceeded the rate limit."),
            None,
            RateLimited,
        ),
        (
            400,
            graph_error(80001, "There have been too many calls to this Page account."),
            None,
            RateLimited,
        ),
        (400, graph_error(100, "(#100) Invalid parameter"), None, Permanent),
        (
            400,
            graph_error(10, "(#10) Application does not have permission for this action"),
            None,
            Permanent,
        ),
        (403, graph_error(200, "(#200) Permissions error"), None, Permanent),
        (
            400,
            graph_error(368, "It looks like you were misusing this feature by going too fast."),
            None,
            Permanent,
        ),
    ]


@contextmanager
def facebook_contract_case() -> Iterator[ContractCase]:
    from channels.adapters.facebook import FacebookAdapter

    with FakeGraph() as fake:
        fake.add_page("1001", "Acme Bakery", "EAAfake-page-token-acme")
        sleeps: list[float] = []
        adapter = FacebookAdapter(fake.config(sleep=sleeps.append), build_session(timeout=1.0))
        creds = Credentials("1001", "Acme Bakery", {"access_token": "EAAfake-page-token-acme"})
        errors = [
            *_shared_errors("1001"),
            (500, None, None, Unknown),  # code 2 on the create: it may exist (§2)
            (400, graph_error(1, "An unknown error occurred", transient=True), None, Unknown),
            (400, graph_error(506, "(#506) Duplicate status message"), None, Permanent),
        ]
        yield ContractCase(
            adapter,
            creds,
            fake,
            Content("Fresh bread at 7 today."),
            errors,
            sleeps,
            publish_path="/feed",
            secrets=("EAAfake-page-token-acme", fake.app_secret),
        )


@contextmanager
def instagram_contract_case() -> Iterator[ContractCase]:
    from channels.adapters.instagram import InstagramAdapter

    with FakeGraph() as fake, TemporaryDirectory() as folder:
        fake.add_page("1001", "Acme Bakery", "EAAfake-page-token-acme", instagram=("1789", "acme"))
        data = jpeg(1080, 1080)
        path = Path(folder, "bread.jpg")
        path.write_bytes(data)
        url = fake.add_file("bread.jpg", data, "image/jpeg")
        image = MediaItem(str(path), "image/jpeg", "image", len(data), 1080, 1080, url=url)
        sleeps: list[float] = []
        config = fake.config(
            sleep=sleeps.append, container_wait_seconds=10, poll_interval_seconds=5
        )
        adapter = InstagramAdapter(config, build_session(timeout=1.0))
        creds = Credentials(
            "1789", "acme", {"access_token": "EAAfake-page-token-acme"}, options={"page_id": "1001"}
        )
        errors = [
            *_shared_errors("1789"),
            # The first call makes a container, which publishes nothing.
            (500, None, None, Transient),
            (
                400,
                graph_error(-1, "Instagram server error. Try again.", subcode=2207001),
                None,
                Transient,
            ),
            (
                400,
                graph_error(9, "Application request limit reached", subcode=2207042),
                None,
                RateLimited,
            ),
            (
                400,
                graph_error(
                    9004, "Only photo or video can be accepted as media type.", subcode=2207052
                ),
                None,
                Permanent,
            ),
        ]
        yield ContractCase(
            adapter,
            creds,
            fake,
            Content("Fresh bread at 7 today. #bakery", media=(image,)),
            errors,
            sleeps,
            publish_path="/media_publish",
            secrets=("EAAfake-page-token-acme", fake.app_secret),
        )

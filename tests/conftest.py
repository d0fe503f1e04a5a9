from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from scheduler import apikeys
from scheduler.models import Membership, Role, Workspace
from tests.factories import MembershipFactory, SandboxAccountFactory, UserFactory, WorkspaceFactory

# make_video: small sample videos that ffmpeg makes for the media tests;
# testnet: a network that exists only in tests, with one post option of each kind.
pytest_plugins = ["tests.media_samples", "tests.option_network"]

# The SQLite test database and the broker folders live here.
(Path(__file__).resolve().parent.parent / "var").mkdir(exist_ok=True)


# The clock of tests that need exact local times and DST: Wednesday 25 Nov 2026,
# 14:00 UTC (15:00 in Stockholm). Use with `pytestmark = pytest.mark.usefixtures("frozen")`.
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class Cast:
    """One person per role in one workspace, and an outsider with a workspace of their own."""

    workspace: Workspace
    owner: Membership
    admin: Membership
    editor: Membership
    contributor: Membership
    viewer: Membership
    outsider: Membership

    def role(self, name: str) -> Membership:
        return getattr(self, name)


@pytest.fixture
def cast(db: None) -> Cast:
    workspace = WorkspaceFactory(name="Acme")
    members = {
        role: MembershipFactory(user=UserFactory(username=role), workspace=workspace, role=role)
        for role in (Role.OWNER, Role.ADMIN, Role.EDITOR, Role.CONTRIBUTOR, Role.VIEWER)
    }
    outsider = MembershipFactory(
        user=UserFactory(username="outsider"),
        workspace=WorkspaceFactory(name="Other Co"),
        role=Role.OWNER,
    )
    return Cast(workspace=workspace, outsider=outsider, **{str(k): v for k, v in members.items()})


@pytest.fixture
def account(cast: Cast):  # type: ignore[no-untyped-def]
    return SandboxAccountFactory(workspace=cast.workspace, name="Acme Sandbox")


@pytest.fixture
def api(cast: Cast):  # type: ignore[no-untyped-def]
    """An API client with an API key; `api.as_role("viewer")` switches person.

    The key acts in the membership's workspace; `api.key` is the one in use.
    """

    class Client(APIClient):
        key: apikeys.NewKey

        def as_role(self, name: str) -> Client:
            self.key = apikeys.create(cast.role(name), f"{name}'s test key")
            self.credentials(HTTP_AUTHORIZATION=f"Bearer {self.key.secret}")
            return self

    return Client().as_role("editor")


@pytest.fixture(autouse=True)
def test_settings(settings) -> None:  # type: ignore[no-untyped-def]
    """Fast password hashing, static files without collectstatic's manifest, local fetches."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The tests' media servers listen on 127.0.0.1; test_public_urls turns this off.
    settings.SMO_FETCH_PRIVATE_URLS = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Start every test in English.

    A request in Swedish leaves Swedish active in its thread afterwards (Django's
    LocaleMiddleware activates and never deactivates), so without this a test
    calling code directly would read the language of the test before it.
    """
    translation.activate("en")
    yield
    translation.deactivate()


@dataclass
class Sent:
    delivery_id: int
    eta: datetime | None = None


@pytest.fixture(autouse=True)
def sent(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Sent]]:
    """Record the tasks the engine would send, instead of sending them."""
    record: dict[str, list[Sent]] = {
        "publish": [],
        "reconcile": [],
        "reply": [],
        "resolve_reply": [],
        "fetch_inbox": [],
        "moderate": [],
        "fetch_metrics": [],
    }
    monkeypatch.setattr(
        "scheduler.engine.enqueue_publish",
        lambda pk, eta=None: record["publish"].append(Sent(pk, eta)),
    )
    monkeypatch.setattr(
        "scheduler.engine.enqueue_reconcile", lambda pk: record["reconcile"].append(Sent(pk))
    )
    # The inbox's tasks, likewise (Sent.delivery_id holds the reply, item or account id).
    monkeypatch.setattr("scheduler.replies.enqueue", lambda pk: record["reply"].append(Sent(pk)))
    monkeypatch.setattr(
        "scheduler.replies.enqueue_resolve", lambda pk: record["resolve_reply"].append(Sent(pk))
    )
    monkeypatch.setattr(
        "scheduler.inbox_sync.enqueue", lambda pk: record["fetch_inbox"].append(Sent(pk))
    )
    monkeypatch.setattr(
        "scheduler.moderation.enqueue", lambda pk, action: record["moderate"].append(Sent(pk))
    )
    monkeypatch.setattr(
        "scheduler.metrics_sync.enqueue", lambda pk: record["fetch_metrics"].append(Sent(pk))
    )
    return record

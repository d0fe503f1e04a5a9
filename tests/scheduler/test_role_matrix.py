"""The permission matrix: every role against every action, in the web app and the API.

Read each table as DESIGN.md's roles written out: a row is an action on the Acme
workspace, a column is who tries it. The outsider owns another workspace:

- OK      the action is done (2xx, or a redirect that is not to the login page);
- 403     refused for the role;
- 404     another workspace's object: it does not exist for them;
- 400     refused as input (the outsider names an account that is not theirs);
- OWN     the page or list answers for the person's own workspace, and shows
          nothing of Acme.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import ERROR, get_messages
from django.test import Client
from rest_framework.test import APIClient

from channels.manual import manual_networks
from channels.models import SocialAccount
from scheduler import apikeys, posts
from scheduler.models import Invite, Post
from tests.conftest import NOW, Cast
from tests.factories import SandboxAccountFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

OK, OWN = "ok", "own"
ROLES = ["owner", "admin", "editor", "contributor", "viewer", "outsider"]


@dataclass
class World:
    cast: Cast
    account: SocialAccount
    post: Post  # the editor's, scheduled
    pending: Post  # the contributor's, awaiting approval
    invite: Invite

    def member(self, role: str) -> int:
        return self.cast.role(role).pk


@pytest.fixture
def world(cast: Cast) -> World:
    account = SandboxAccountFactory(workspace=cast.workspace, name="Acme Sandbox")
    when = NOW + timedelta(days=1)
    post = posts.create_post(
        cast.editor, posts.PostInput(text="Acme launch plan", accounts=[account], scheduled_at=when)
    )
    pending = posts.create_post(
        cast.contributor,
        posts.PostInput(text="Acme draft idea", accounts=[account], scheduled_at=when),
    )
    invite = Invite.objects.create(
        workspace=cast.workspace,
        email="asked@example.com",
        role="viewer",
        token_hash="0" * 64,
        invited_by=cast.owner.user,
        expires_at=NOW + timedelta(days=7),
    )
    return World(cast, account, post, pending, invite)


Request = Callable[[World], tuple[str, str, dict[str, Any]]]


def get(url: Callable[[World], str] | str) -> Request:
    return lambda w: ("get", url(w) if callable(url) else url, {})


def post(
    url: Callable[[World], str] | str, data: Callable[[World], dict] | dict | None = None
) -> Request:  # type: ignore[type-arg]
    return lambda w: (
        "post",
        url(w) if callable(url) else url,
        (data(w) if callable(data) else data) or {},
    )


def patch(url: Callable[[World], str], data: dict[str, Any]) -> Request:
    return lambda w: ("patch", url(w), data)


def delete(url: Callable[[World], str]) -> Request:
    return lambda w: ("delete", url(w), {})


@dataclass
class Row:
    action: str
    request: Request
    expected: tuple[Any, ...]  # one per ROLES


def rows(*table: tuple[str, Request, Any, Any, Any, Any, Any, Any]) -> list[Any]:
    return [
        pytest.param(Row(action, request, tuple(outcomes)), role, outcome, id=f"{action}-{role}")
        for action, request, *outcomes in table
        for role, outcome in zip(ROLES, outcomes, strict=True)
    ]


def compose_data(w: World) -> dict[str, Any]:
    return {
        "text": "Matrix post",
        "accounts": [w.account.pk],
        "when": "schedule",
        "date": "2026-11-26",
        "time": "10:00",
    }


def manual_network(w: World) -> str:
    return f"/accounts/add/{manual_networks()[0]}/"


# fmt: off
WEB = rows(
    # action                    request                                                   owner admin editor contrib viewer outsider
    ("view dashboard",          get("/"),                                                 OK,  OK,  OK,  OK,  OK,  OWN),
    ("view calendar",           get("/calendar/"),                                        OK,  OK,  OK,  OK,  OK,  OWN),
    ("view queue",              get("/queue/"),                                           OK,  OK,  OK,  OK,  OK,  OWN),
    ("view approvals",          get("/approvals/"),                                       OK,  OK,  OK,  OK,  OK,  OWN),
    ("view campaigns",          get("/campaigns/"),                                       OK,  OK,  OK,  OK,  OK,  OWN),
    ("view a post",             get(lambda w: f"/posts/{w.post.pk}/"),                    OK,  OK,  OK,  OK,  OK,  404),
    ("comment on a post",       post(lambda w: f"/posts/{w.post.pk}/comments/", {"body": "Nice"}), OK, OK, OK, OK, OK, 404),
    ("open the composer",       get("/compose/"),                                         OK,  OK,  OK,  OK,  403, OWN),
    ("create a post",           post("/compose/", compose_data),                          OK,  OK,  OK,  OK,  403, 400),
    ("edit a post",             get(lambda w: f"/posts/{w.post.pk}/edit/"),               OK,  OK,  OK,  403, 403, 404),
    ("move a post",             post(lambda w: f"/calendar/posts/{w.post.pk}/move/", {"date": "2026-11-27"}), OK, OK, OK, OK, 403, 404),
    ("cancel someone's post",   post(lambda w: f"/posts/{w.post.pk}/cancel/"),            OK,  OK,  OK,  403, 403, 404),
    ("cancel own pending post", post(lambda w: f"/posts/{w.pending.pk}/cancel/"),         OK,  OK,  OK,  OK,  403, 404),
    ("approve a post",          post(lambda w: f"/posts/{w.pending.pk}/approve/"),        OK,  OK,  OK,  403, 403, 404),
    ("reject a post",           post(lambda w: f"/posts/{w.pending.pk}/reject/", {"reason": "No"}), OK, OK, OK, 403, 403, 404),
    ("new campaign",            get("/campaigns/new/"),                                   OK,  OK,  OK,  403, 403, OWN),
    ("view accounts",           get("/accounts/"),                                        OK,  OK,  OK,  OK,  OK,  OWN),
    ("add an account",          post(manual_network, {"name": "By hand"}),                OK,  OK,  403, 403, 403, OWN),
    ("pause publishing",        get("/pause/"),                                           OK,  OK,  403, 403, 403, OWN),
    ("view people",             get("/people/"),                                          OK,  OK,  OK,  OK,  OK,  OWN),
    ("invite someone",          post("/people/invite/", {"email": "m@example.com", "role": "viewer"}), OK, OK, 403, 403, 403, OWN),
    ("change a role",           post(lambda w: f"/people/{w.member('contributor')}/role/", {"role": "viewer"}), OK, OK, 403, 403, 403, 404),
    ("remove a member",         post(lambda w: f"/people/{w.member('viewer')}/remove/"),  OK,  OK,  403, 403, 403, 404),
    ("revoke an invitation",    post(lambda w: f"/people/invites/{w.invite.pk}/revoke/"), OK,  OK,  403, 403, 403, 404),
    ("resend an invitation",    post(lambda w: f"/people/invites/{w.invite.pk}/resend/"), OK,  OK,  403, 403, 403, 404),
    ("create a workspace",      post("/workspaces/new/", {"name": "Mine", "timezone": "UTC"}), OK, OK, OK, OK, OK, OK),
    ("read the activity log",   get("/activity/"),                                        OK,  OK,  403, 403, 403, OWN),
    ("view webhooks",           get("/webhooks/"),                                        OK,  OK,  403, 403, 403, OWN),
    ("add a webhook",           post("/webhooks/", {"url": "https://hooks.example.com/smo", "events": ["delivery.published"]}), OK, OK, 403, 403, 403, OWN),
    ("disconnect an account",   post(lambda w: f"/accounts/{w.account.pk}/disconnect/"),  OK,  OK,  403, 403, 403, 404),
    ("make an API key",         post("/profile/keys/", {"name": "Robot"}),                OK,  OK,  OK,  OK,  OK,  OWN),
)

API = rows(
    # action                    request                                                   owner admin editor contrib viewer outsider
    ("list posts",              get("/api/v1/posts/"),                                    OK,  OK,  OK,  OK,  OK,  OWN),
    ("read a post",             get(lambda w: f"/api/v1/posts/{w.post.pk}/"),             OK,  OK,  OK,  OK,  OK,  404),
    ("create a post",           post("/api/v1/posts/", lambda w: {"text": "API post", "account_ids": [w.account.pk], "scheduled_at": "2026-11-26T10:00:00Z"}), OK, OK, OK, OK, 403, 400),
    ("edit a post",             patch(lambda w: f"/api/v1/posts/{w.post.pk}/", {"text": "Changed"}), OK, OK, OK, OK, 403, 404),
    ("cancel someone's post",   delete(lambda w: f"/api/v1/posts/{w.post.pk}/"),         OK,  OK,  OK,  403, 403, 404),
    ("cancel own pending post", delete(lambda w: f"/api/v1/posts/{w.pending.pk}/"),      OK,  OK,  OK,  OK,  403, 404),
    ("approve a post",          post(lambda w: f"/api/v1/posts/{w.pending.pk}/approve/"), OK, OK,  OK,  403, 403, 404),
    ("list accounts",           get("/api/v1/accounts/"),                                 OK,  OK,  OK,  OK,  OK,  OWN),
    ("add an account",          post("/api/v1/accounts/", {"name": "API box", "network": "sandbox"}), OK, OK, 403, 403, 403, OWN),
    ("list campaigns",          get("/api/v1/campaigns/"),                                OK,  OK,  OK,  OK,  OK,  OWN),
    ("create a campaign",       post("/api/v1/campaigns/", {"name": "Matrix"}),           OK,  OK,  OK,  403, 403, OWN),
    ("list members",            get("/api/v1/members/"),                                  OK,  OK,  OK,  OK,  OK,  OWN),
    ("change a role",           patch(lambda w: f"/api/v1/members/{w.member('contributor')}/", {"role": "viewer"}), OK, OK, 403, 403, 403, 404),
    ("remove a member",         delete(lambda w: f"/api/v1/members/{w.member('viewer')}/"), OK, OK, 403, 403, 403, 404),
    ("list invitations",        get("/api/v1/invites/"),                                  OK,  OK,  403, 403, 403, OWN),
    ("invite someone",          post("/api/v1/invites/", {"email": "m@example.com", "role": "viewer"}), OK, OK, 403, 403, 403, OWN),
    ("revoke an invitation",    delete(lambda w: f"/api/v1/invites/{w.invite.pk}/"),     OK,  OK,  403, 403, 403, 404),
    ("list own API keys",       get("/api/v1/keys/"),                                     OK,  OK,  OK,  OK,  OK,  OWN),
)
# fmt: on


def check(response: Any, expected: Any) -> None:
    body = response.content.decode()
    if expected in (OK, OWN):
        assert response.status_code in (200, 201, 204, 302), (response.status_code, body[:300])
        if response.status_code == 302:
            assert not response["Location"].startswith("/login/")
    else:
        assert response.status_code == expected, body[:300]
    if expected == OWN:
        # The outsider acts in their own workspace and sees nothing of Acme's.
        assert "Acme" not in body and "asked@example.com" not in body


@pytest.mark.parametrize(("row", "role", "expected"), WEB)
def test_web_app(world: World, row: Row, role: str, expected: Any) -> None:
    if row.action == "add an account" and not manual_networks():
        pytest.skip("no network is added by hand")
    client = Client()
    client.force_login(world.cast.role(role).user)
    method, url, data = row.request(world)
    response = getattr(client, method)(url, data)
    check(response, expected)
    if expected == OK:
        # A redirect can carry a refusal ("Could not approve: ..."); OK means none.
        refusals = [m for m in get_messages(response.wsgi_request) if m.level >= ERROR]
        assert refusals == []


@pytest.mark.parametrize(("row", "role", "expected"), API)
def test_api(world: World, row: Row, role: str, expected: Any) -> None:
    client = APIClient()
    key = apikeys.create(world.cast.role(role), "matrix")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    method, url, data = row.request(world)
    check(getattr(client, method)(url, data, format="json"), expected)

from __future__ import annotations

import pytest

from channels.models import SocialAccount
from tests.conftest import Cast
from tests.factories import CampaignFactory, SandboxAccountFactory

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_sandbox_account_whose_token_is_never_shown(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    response = api.as_role("admin").post(
        "/api/v1/accounts/",
        {"network": "sandbox", "name": "Test feed", "options": {"latency_ms": 200}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    account = SocialAccount.objects.get(pk=body["id"])
    assert account.credentials["token"]
    assert account.credentials["token"] not in response.content.decode()
    assert "credentials" not in body
    assert (body["network"], body["name"], body["status"], body["options"]) == (
        "sandbox",
        "Test feed",
        "active",
        {"latency_ms": 200},
    )


def test_real_networks_connect_in_the_browser_not_through_the_api(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    response = api.as_role("admin").post(
        "/api/v1/accounts/", {"network": "x", "name": "X"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["network"]


def test_sandbox_options_are_checked(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    response = api.as_role("admin").post(
        "/api/v1/accounts/",
        {"network": "sandbox", "name": "S", "options": {"failure_rate": 3}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"options": ["failure_rate must be a number from 0 to 1."]}


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
def test_only_owners_and_admins_add_accounts(cast: Cast, api, role: str) -> None:  # type: ignore[no-untyped-def]
    response = api.as_role(role).post(
        "/api/v1/accounts/", {"network": "sandbox", "name": "S"}, format="json"
    )
    assert response.status_code == 403
    assert SocialAccount.objects.count() == 0


def test_accounts_list_and_detail_show_only_this_workspace(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    theirs = SandboxAccountFactory(workspace=cast.outsider.workspace)
    listed = api.get("/api/v1/accounts/").json()
    assert [a["id"] for a in listed["results"]] == [account.pk]
    assert api.get(f"/api/v1/accounts/{account.pk}/").json()["name"] == "Acme Sandbox"
    assert api.get(f"/api/v1/accounts/{theirs.pk}/").status_code == 404


def test_campaigns_are_created_and_listed(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/api/v1/campaigns/",
        {
            "name": "Spring sale",
            "color": "#FF8800",
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["color"] == "#ff8800"
    CampaignFactory(workspace=cast.outsider.workspace, name="Theirs")
    assert [c["name"] for c in api.get("/api/v1/campaigns/").json()["results"]] == ["Spring sale"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "C", "color": "orange"}, "color"),
        ({"name": "C", "starts_on": "2027-03-31", "ends_on": "2027-03-01"}, "ends_on"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_campaigns_are_refused_naming_the_field(
    cast: Cast, api, body: dict, field: str
) -> None:  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/campaigns/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_a_campaign_name_is_unique_in_its_workspace(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    CampaignFactory(workspace=cast.workspace, name="Launch")
    response = api.post("/api/v1/campaigns/", {"name": "Launch"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["A campaign with this name exists."]}

"""The audiences page: everyone reads; owners, admins and editors change; 404 across workspaces."""

from __future__ import annotations

import pytest
from django.test import Client

from scheduler.models import Audience
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


FORM = {
    "name": "New York",
    "timezone": "America/New_York",
    "locale": "en-US",
    "regions_text": "us, ca",
    "facebook_countries": "US",
}


@pytest.fixture
def tokyo(cast: Cast) -> Audience:
    return Audience.objects.create(workspace=cast.workspace, name="Tokyo", timezone="Asia/Tokyo")


@pytest.mark.parametrize("role", ["owner", "admin", "editor"])
def test_editing_roles_add_an_audience(cast: Cast, role: str) -> None:
    response = signed_in(cast, role).post("/audiences/new/", FORM)
    assert response.status_code == 302
    audience = Audience.objects.get()
    assert (audience.workspace, audience.timezone, audience.locale) == (
        cast.workspace,
        "America/New_York",
        "en-US",
    )
    assert audience.regions == ["US", "CA"]
    assert audience.targeting == {"facebook": {"countries": ["US"]}}


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_other_roles_read_but_cannot_change(cast: Cast, role: str, tokyo: Audience) -> None:
    client = signed_in(cast, role)
    page = client.get("/audiences/").content.decode()
    assert "Tokyo" in page and "Asia/Tokyo" in page
    assert "Add audience" not in page and "Delete" not in page
    assert client.post("/audiences/new/", FORM).status_code == 403
    assert client.get(f"/audiences/{tokyo.pk}/edit/").status_code == 403
    assert client.post(f"/audiences/{tokyo.pk}/delete/").status_code == 403
    assert Audience.objects.count() == 1


def test_the_page_says_other_networks_take_no_targeting(cast: Cast) -> None:
    page = signed_in(cast).get("/audiences/").content.decode()
    assert "other networks take no targeting here" in page


def test_bad_zone_regions_and_locale_are_named(cast: Cast) -> None:
    bad = {**FORM, "timezone": "Mars/Olympus", "regions_text": "US, XX", "locale": "english"}
    response = signed_in(cast).post("/audiences/new/", bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Unknown time zone: Mars/Olympus." in page
    assert "Not ISO 3166 country codes: XX. Use two letters, like SE or US." in page
    assert "Write a language tag like sv-SE or en." in page
    assert Audience.objects.count() == 0


def test_names_are_unique_in_a_workspace(cast: Cast, tokyo: Audience) -> None:
    response = signed_in(cast).post("/audiences/new/", {**FORM, "name": "tokyo"})
    assert "There is already an audience called tokyo." in response.content.decode()


def test_edit_and_clear_facebook_targeting(cast: Cast, tokyo: Audience) -> None:
    client = signed_in(cast)
    form = client.get(f"/audiences/{tokyo.pk}/edit/").content.decode()
    assert 'value="Asia/Tokyo"' in form
    response = client.post(
        f"/audiences/{tokyo.pk}/edit/",
        {**FORM, "name": "Tokyo", "timezone": "Asia/Tokyo", "facebook_countries": ""},
    )
    assert response.status_code == 302
    tokyo.refresh_from_db()
    assert (tokyo.regions, tokyo.targeting) == (["US", "CA"], {})


def test_delete(cast: Cast, tokyo: Audience) -> None:
    assert signed_in(cast).post(f"/audiences/{tokyo.pk}/delete/").status_code == 302
    assert Audience.objects.count() == 0


def test_another_workspaces_audience_is_not_found(cast: Cast, tokyo: Audience) -> None:
    client = signed_in(cast, "outsider")
    assert 'data-testid="audience"' not in client.get("/audiences/").content.decode()
    assert client.get(f"/audiences/{tokyo.pk}/edit/").status_code == 404
    assert client.post(f"/audiences/{tokyo.pk}/delete/").status_code == 404
    assert Audience.objects.count() == 1

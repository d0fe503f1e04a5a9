"""The profile page: a person picks their language and time zone."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def signed_in(cast: Cast) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(cast.editor.user)
    return client


def test_the_profile_needs_a_login(db: None) -> None:
    response = Client().get("/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/profile/"


def test_the_profile_shows_the_current_choices(cast: Cast) -> None:
    page = signed_in(cast).get("/profile/").content.decode()
    assert '<option value="" selected>Automatic (browser)</option>' in page
    assert '<option value="en">English</option><option value="sv">Svenska</option>' in page
    assert '<option value="Europe/Stockholm" selected>Europe/Stockholm</option>' in page
    assert page.index('value="America/New_York"') < page.index('value="Europe/Stockholm"')
    # The user name in the top bar links here.
    assert '<a href="/profile/" class="user"' in page


def test_saving_swedish_shows_the_profile_in_swedish_at_once(cast: Cast) -> None:
    client = signed_in(cast)
    response = client.post("/profile/", {"language": "sv", "timezone": "America/New_York"})
    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    user = cast.editor.user
    user.refresh_from_db()
    assert (user.language, user.timezone) == ("sv", "America/New_York")

    page = client.get("/profile/")
    html = page.content.decode()
    assert page["Content-Language"] == "sv"
    assert '<li class="msg success">Din profil är sparad.</li>' in html
    assert "<h1>Din profil</h1>" in html
    assert ">Kalender</a>" in html
    assert "editor · America/New_York" in html


def test_choosing_automatic_lets_the_browser_decide_again(cast: Cast) -> None:
    user = cast.editor.user
    user.language = "sv"
    user.save()
    client = signed_in(cast)
    response = client.post("/profile/", {"language": "", "timezone": "Europe/Stockholm"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == ""
    page = client.get("/profile/").content.decode()
    assert '<li class="msg success">Your profile is saved.</li>' in page


def test_an_unknown_time_zone_is_refused_with_a_message(cast: Cast) -> None:
    response = signed_in(cast).post(
        "/profile/", {"language": "sv", "timezone": "Mars/Olympus_Mons"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "timezone": ["Unknown time zone: Mars/Olympus_Mons."]
    }
    assert "Unknown time zone: Mars/Olympus_Mons." in response.content.decode()
    user = cast.editor.user
    user.refresh_from_db()
    assert (user.language, user.timezone) == ("", "Europe/Stockholm")
    # The top bar still shows what is saved, not the refused zone.
    assert "editor · Europe/Stockholm" in response.content.decode()


def test_the_refusal_is_in_swedish_for_a_swedish_person(cast: Cast) -> None:
    user = cast.editor.user
    user.language = "sv"
    user.save()
    response = signed_in(cast).post("/profile/", {"language": "sv", "timezone": "Nowhere"})
    assert response.status_code == 400
    assert "Okänd tidszon: Nowhere." in response.content.decode()


def test_a_language_smo_does_not_offer_is_refused(cast: Cast) -> None:
    response = signed_in(cast).post("/profile/", {"language": "de", "timezone": "UTC"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["language"]

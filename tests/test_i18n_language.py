"""Which language a page is in: the profile, else the browser (Accept-Language), else English."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def dashboard(cast: Cast, accept_language: str | None, language: str = ""):  # type: ignore[no-untyped-def]
    user = cast.editor.user
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    headers = {"Accept-Language": accept_language} if accept_language else {}
    return client.get("/", headers=headers)


def nav(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The words of the top bar that tell the languages apart."""
    page = response.content.decode()
    words = ["Calendar", "Kalender", "Log out", "Logga ut", "Dashboard", "Översikt"]
    return [w for w in words if f">{w}<" in page]


def test_a_swedish_browser_gets_the_dashboard_in_swedish(cast: Cast) -> None:
    response = dashboard(cast, "sv-SE,sv;q=0.9,en;q=0.5")
    assert response.status_code == 200
    assert nav(response) == ["Kalender", "Logga ut", "Översikt"]
    assert '<html lang="sv">' in response.content.decode()
    assert response["Content-Language"] == "sv"
    assert "Accept-Language" in response["Vary"]


def test_a_person_who_chose_swedish_gets_swedish_whatever_the_browser_says(cast: Cast) -> None:
    response = dashboard(cast, "en-US,en;q=0.9", language="sv")
    assert nav(response) == ["Kalender", "Logga ut", "Översikt"]
    assert response["Content-Language"] == "sv"


def test_a_person_who_chose_english_gets_english_in_a_swedish_browser(cast: Cast) -> None:
    response = dashboard(cast, "sv", language="en")
    assert nav(response) == ["Calendar", "Log out", "Dashboard"]
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("sv", ["Kalender", "Logga ut", "Översikt"]), ("en-GB", ["Calendar", "Log out", "Dashboard"])],
)
def test_with_no_language_chosen_the_browser_decides(
    cast: Cast, accept_language: str, expected: list[str]
) -> None:
    assert nav(dashboard(cast, accept_language, language="")) == expected


@pytest.mark.parametrize("accept_language", ["fr-FR,fr;q=0.9,de;q=0.8", None])
def test_a_browser_language_smo_does_not_speak_gives_english(
    cast: Cast, accept_language: str | None
) -> None:
    response = dashboard(cast, accept_language)
    assert nav(response) == ["Calendar", "Log out", "Dashboard"]
    assert '<html lang="en">' in response.content.decode()
    assert response["Content-Language"] == "en"


def test_a_language_no_longer_offered_follows_the_browser(cast: Cast) -> None:
    assert nav(dashboard(cast, "sv", language="de")) == ["Kalender", "Logga ut", "Översikt"]


def test_the_login_page_follows_the_browser(db: None) -> None:
    page = Client().get("/login/", headers={"Accept-Language": "sv"}).content.decode()
    assert "<h1>Logga in på SMO</h1>" in page
    assert '<label for="id_username">Användarnamn</label>' in page


def test_there_is_no_language_prefix_in_urls(cast: Cast) -> None:
    assert dashboard(cast, "sv").request["PATH_INFO"] == "/"
    assert Client().get("/sv/", headers={"Accept-Language": "sv"}).status_code in {302, 404}

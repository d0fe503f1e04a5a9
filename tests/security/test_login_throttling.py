"""django-axes: five wrong passwords for one username from one address lock that pair."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.conftest import Cast

PASSWORD = "correct horse battery"


def fail(client: Client, url: str, username: str = "editor", times: int = 5) -> None:
    """Send wrong passwords; the last of five is the one that locks."""
    for _ in range(times):
        client.post(url, {"username": username, "password": "wrong"})


def test_five_wrong_passwords_lock_the_login_with_a_clear_message(cast: Cast) -> None:
    client = Client()
    fail(client, "/login/")
    response = client.post("/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "blocked for 15 minutes" in page
    assert 'value="editor"' in page  # what was typed stays
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_still_let_the_right_one_in(cast: Cast) -> None:
    client = Client()
    fail(client, "/login/", times=4)
    response = client.post("/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 302


def test_the_lock_is_per_username_and_address(cast: Cast) -> None:
    fail(Client(), "/login/")
    # Another person from the same address, and the same person from elsewhere.
    other_user = Client().post("/login/", {"username": "admin", "password": PASSWORD})
    assert other_user.status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.0.0.9").post(
        "/login/", {"username": "editor", "password": PASSWORD}
    )
    assert elsewhere.status_code == 302


def test_the_lock_ends_after_fifteen_minutes(cast: Cast) -> None:
    fail(Client(), "/login/")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = Client().post("/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 302


def test_the_limit_and_lock_come_from_settings(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    fail(Client(), "/login/", times=2)
    response = Client().post("/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 429
    assert "blocked for 1 minute;" in response.content.decode()


def test_the_admin_login_is_throttled_too(cast: Cast) -> None:
    client = Client()
    fail(client, "/admin/login/")
    response = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("6.6.6.6, 1.2.3.4", 1, "1.2.3.4"),  # the client forged the first entry
        ("1.2.3.4", 0, "127.0.0.1"),  # no proxy trusted: the header is ignored
        ("", 1, "127.0.0.1"),
    ],
)
def test_the_counted_address_trusts_only_the_configured_proxies(
    settings, forwarded: str, proxies: int, expected: str
) -> None:  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    from scheduler.lockout import client_ip

    settings.SMO_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected

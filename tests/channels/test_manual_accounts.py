"""The accounts page: add a Snapchat profile by hand, and set any account to send reminders."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from channels.models import SocialAccount
from tests.conftest import Cast
from tests.factories import SandboxAccountFactory

pytestmark = pytest.mark.django_db
Publishing = SocialAccount.Publishing


def signed_in(cast: Cast, role: str = "admin", csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(cast.role(role).user)
    return client


def test_admins_see_a_form_to_add_a_snapchat_profile(cast: Cast) -> None:
    html = signed_in(cast).get("/accounts/").content.decode()
    row = html[html.index('data-network="snapchat"') :]
    row = row[: row.index("</li>")]
    assert 'action="/accounts/add/snapchat/"' in row
    assert '<label for="manual-snapchat-name">Profile name' in row
    assert '<label for="manual-snapchat-handle">Username' in row
    assert "Add a Snapchat profile</button>" in row
    assert "/accounts/connect/snapchat/" not in html  # no sign-in flow, no credentials


def test_editors_do_not(cast: Cast) -> None:
    html = signed_in(cast, "editor").get("/accounts/").content.decode()
    assert 'action="/accounts/add/snapchat/"' not in html


def test_adding_a_profile_keeps_no_credentials_and_always_reminds(cast: Cast) -> None:
    client = signed_in(cast)
    response = client.post(
        "/accounts/add/snapchat/", {"name": "  Acme   Bakery ", "handle": "@AcmeBakery"}
    )
    account = SocialAccount.objects.get(network="snapchat")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/accounts/#account-{account.pk}",
    )
    assert (account.name, account.handle, account.external_id) == (
        "Acme Bakery",
        "AcmeBakery",
        "acmebakery",
    )
    assert (account.credentials, account.publishing, account.by_reminder) == ({}, "reminder", True)
    assert (account.workspace, account.connected_by) == (cast.workspace, cast.admin.user)
    html = client.get("/accounts/").content.decode()
    assert "Added Acme Bakery. SMO will remind you to post to it by hand." in html
    row = html[html.index(f'id="account-{account.pk}"') :]
    row = row[: row.index("</li>")]
    assert 'data-testid="publishing-reminder"' in row
    # Snapchat cannot be switched to publishing automatically.
    assert "/publishing/" not in row


@pytest.mark.parametrize(
    ("name", "handle", "field", "message"),
    [
        ("", "acme", "name", "Give the profile&#x27;s name."),
        ("Acme", "acme bakery!", "handle", "A username has letters, digits, dots"),
        ("Acme", "taken", "handle", "This profile is already connected to this workspace."),
    ],
)
def test_bad_input_is_refused_where_it_was_typed(
    cast: Cast, name: str, handle: str, field: str, message: str
) -> None:
    SocialAccount.objects.create(
        workspace=cast.workspace, network="snapchat", external_id="taken", name="Taken"
    )
    response = signed_in(cast).post("/accounts/add/snapchat/", {"name": name, "handle": handle})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(rf'id="manual-snapchat-{field}"[^>]*aria-invalid="true"', html)
    assert f'id="manual-snapchat-error" role="alert">{message}' in html
    assert f'value="{handle}"' in html  # what was typed stays
    assert SocialAccount.objects.filter(network="snapchat").count() == 1


def test_only_owners_and_admins_add_profiles(cast: Cast) -> None:
    for role in ("editor", "contributor", "viewer"):
        response = signed_in(cast, role).post("/accounts/add/snapchat/", {"name": "A"})
        assert response.status_code == 403
    assert not SocialAccount.objects.filter(network="snapchat").exists()


def test_only_networks_added_by_hand_take_the_form(cast: Cast) -> None:
    assert signed_in(cast).post("/accounts/add/x/", {"name": "A"}).status_code == 404
    assert signed_in(cast).get("/accounts/add/snapchat/").status_code == 405


def test_the_form_needs_the_csrf_token(cast: Cast) -> None:
    response = signed_in(cast, csrf=True).post("/accounts/add/snapchat/", {"name": "A"})
    assert response.status_code == 403
    assert not SocialAccount.objects.filter(network="snapchat").exists()


def test_an_admin_switches_an_account_between_publishing_and_reminders(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(cast)
    html = client.get("/accounts/").content.decode()
    assert f'action="/accounts/{account.pk}/publishing/"' in html
    assert 'aria-pressed="true" disabled>Publish automatically</button>' in html
    assert 'aria-pressed="false">Send me a reminder</button>' in html

    response = client.post(f"/accounts/{account.pk}/publishing/", {"publishing": "reminder"})
    assert response["Location"] == f"/accounts/#account-{account.pk}"
    account.refresh_from_db()
    assert (account.publishing, account.by_reminder) == (Publishing.REMINDER, True)
    html = client.get("/accounts/").content.decode()
    assert "now sends a reminder when a post is due; you post it by hand." in html
    assert 'aria-pressed="true" disabled>Send me a reminder</button>' in html

    client.post(f"/accounts/{account.pk}/publishing/", {"publishing": "auto"})
    account.refresh_from_db()
    assert account.publishing == Publishing.AUTO


def test_snapchat_cannot_be_set_to_publish_automatically(cast: Cast) -> None:
    client = signed_in(cast)
    client.post("/accounts/add/snapchat/", {"name": "Acme", "handle": "acme"})
    account = SocialAccount.objects.get(network="snapchat")
    response = client.post(
        f"/accounts/{account.pk}/publishing/", {"publishing": "auto"}, follow=True
    )
    assert (
        "SMO cannot post to Snapchat itself, so its accounts always send reminders."
        in response.content.decode()
    )
    assert SocialAccount.objects.get(pk=account.pk).publishing == Publishing.REMINDER


def test_an_unknown_choice_changes_nothing(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(cast).post(
        f"/accounts/{account.pk}/publishing/", {"publishing": "later"}, follow=True
    )
    assert "Choose automatic publishing or reminders." in response.content.decode()
    assert SocialAccount.objects.get(pk=account.pk).publishing == Publishing.AUTO


def test_the_switch_is_for_admins_of_the_accounts_own_workspace(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    path = f"/accounts/{account.pk}/publishing/"
    assert signed_in(cast, "editor").post(path, {"publishing": "reminder"}).status_code == 403
    assert signed_in(cast, "outsider").post(path, {"publishing": "reminder"}).status_code == 404
    assert signed_in(cast, csrf=True).post(path, {"publishing": "reminder"}).status_code == 403
    assert signed_in(cast).get(path).status_code == 405
    assert SocialAccount.objects.get(pk=account.pk).publishing == Publishing.AUTO
    theirs = SandboxAccountFactory(workspace=cast.outsider.workspace)
    response = signed_in(cast).post(
        f"/accounts/{theirs.pk}/publishing/", {"publishing": "reminder"}
    )
    assert response.status_code == 404

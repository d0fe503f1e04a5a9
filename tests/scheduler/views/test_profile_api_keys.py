"""The profile page's API keys: make one (its secret shown once), list them, revoke."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client

from scheduler import apikeys
from scheduler.models import ApiKey, Membership
from tests.conftest import NOW, Cast
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def signed_in(membership: Membership) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(membership.user)
    return client


def test_a_new_key_is_shown_once_then_only_its_prefix(cast: Cast) -> None:
    client = signed_in(cast.editor)
    response = client.post("/profile/keys/", {"name": "Zapier", "expires": ""})
    assert response.status_code == 200
    key = ApiKey.objects.get()
    assert (key.name, key.membership, key.expires_at) == ("Zapier", cast.editor, None)
    page = response.content.decode()
    [secret] = [w.split('"')[0] for w in page.split('value="smo_')[1:]]
    secret = "smo_" + secret
    assert apikeys.check(secret)[0] == key
    assert "it is shown only this once" in page
    assert 'data-copy="new-key-secret"' in page
    # Nothing may keep the page that holds it.
    assert "no-store" in response["Cache-Control"]

    again = client.get("/profile/").content.decode()
    assert secret not in again
    assert secret.split("_", 2)[2] not in again
    assert f"<code>smo_{key.lookup}…</code>" in again
    assert "<td>Zapier</td>" in again
    # Neither the session nor a message carries it to a later page.
    assert not any(secret in str(s.get_decoded()) for s in Session.objects.all())


def test_a_key_is_made_for_the_current_workspace(cast: Cast) -> None:
    second = MembershipFactory(
        user=cast.viewer.user, workspace=WorkspaceFactory(name="Second"), role="owner"
    )
    client = signed_in(cast.viewer)
    client.post("/workspace/", {"workspace": second.workspace_id})
    page = client.get("/profile/").content.decode()
    assert "New key for Second" in page
    assert "The key acts as Owner, your role here" in page
    client.post("/profile/keys/", {"name": "Second's robot"})
    assert ApiKey.objects.get().membership == second


def test_a_key_can_expire(cast: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        signed_in(cast.editor).post("/profile/keys/", {"name": "Short", "expires": "30"})
    assert ApiKey.objects.get().expires_at == NOW + timedelta(days=30)


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "Give the key a name."),
        ("   ", "Give the key a name."),
        ("Zapier", "You already have a key called Zapier here; pick another name."),
    ],
)
def test_a_bad_name_is_refused_and_the_choices_are_kept(cast: Cast, name: str, error: str) -> None:
    apikeys.create(cast.editor, "Zapier")
    response = signed_in(cast.editor).post("/profile/keys/", {"name": name, "expires": "90"})
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert '<option value="90" selected>' in page
    assert ApiKey.objects.count() == 1
    assert 'data-testid="new-key"' not in page


def test_a_revoked_name_may_be_used_again(cast: Cast) -> None:
    apikeys.revoke(apikeys.create(cast.editor, "Zapier").key)
    response = signed_in(cast.editor).post("/profile/keys/", {"name": "Zapier"})
    assert response.status_code == 200
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 1


def test_revoking_stops_the_key_and_says_so(cast: Cast) -> None:
    new = apikeys.create(cast.editor, "Zapier")
    client = signed_in(cast.editor)
    response = client.post(f"/profile/keys/{new.key.pk}/revoke/", follow=True)
    assert response.redirect_chain == [("/profile/#api-keys", 302)]
    page = response.content.decode()
    assert "The key “Zapier” is revoked." in page
    assert "Revoked</span>" in page
    assert 'aria-label="Revoke Zapier"' not in page
    with pytest.raises(apikeys.KeyRefused):
        apikeys.check(new.secret)


def test_another_person_s_key_cannot_be_revoked(cast: Cast) -> None:
    theirs = apikeys.create(cast.owner, "Owner's")
    client = signed_in(cast.editor)
    assert client.post(f"/profile/keys/{theirs.key.pk}/revoke/").status_code == 404
    assert client.get(f"/profile/keys/{theirs.key.pk}/revoke/").status_code == 405
    assert ApiKey.objects.get().revoked_at is None


def test_the_list_shows_every_workspace_s_keys_and_when_they_were_used(cast: Cast) -> None:
    second = MembershipFactory(user=cast.editor.user, workspace=WorkspaceFactory(name="Second"))
    used = apikeys.create(second, "Used")
    with time_machine.travel(NOW, tick=False):
        apikeys.check(used.secret)
    apikeys.create(cast.editor, "Unused")
    apikeys.create(cast.owner, "Not mine")
    page = signed_in(cast.editor).get("/profile/").content.decode()
    assert "<td>Used</td>\n      <td>Second</td>" in page
    assert "<td>Unused</td>\n      <td>Acme</td>" in page
    assert "Not mine" not in page
    assert '<time datetime="2026-11-25T15:00:00+01:00">' in page  # last used, Stockholm time


def test_the_key_list_costs_the_same_queries_for_1_or_10_keys(
    cast: Cast,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    client = signed_in(cast.editor)
    apikeys.create(cast.editor, "Key 0")
    # Fixed costs include the navigation's counts (needs a look, reminders, inbox).
    with django_assert_num_queries(9) as one:
        client.get("/profile/")
    for n in range(1, 10):
        other = MembershipFactory(user=cast.editor.user, workspace=WorkspaceFactory())
        apikeys.create(other, f"Key {n}")
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get("/profile/").content.decode()
    assert page.count("<code>smo_") == 10


def test_without_a_workspace_there_is_no_key_form(db: None) -> None:
    lonely = UserFactory(username="lonely")
    client = Client()
    client.force_login(lonely)
    page = client.get("/profile/").content.decode()
    assert "You have no API keys yet." in page
    assert 'action="/profile/keys/"' not in page
    assert client.post("/profile/keys/", {"name": "x"}).status_code == 302
    assert not ApiKey.objects.exists()


def test_the_key_pages_need_a_login(db: None) -> None:
    assert Client().post("/profile/keys/", {"name": "x"}).status_code == 302
    assert Client().post("/profile/keys/1/revoke/").status_code == 302

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from channels import crypto
from channels.models import SocialAccount
from tests.factories import SandboxAccountFactory

pytestmark = pytest.mark.django_db
TOKEN = "very-secret-access-token-123"


def raw_column(account: SocialAccount) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM channels_socialaccount WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def fresh_keys():  # type: ignore[no-untyped-def]
    crypto._fernet.cache_clear()
    yield
    crypto._fernet.cache_clear()


def test_the_database_column_never_holds_the_plain_token() -> None:
    account = SandboxAccountFactory(credentials={"token": TOKEN, "refresh_token": "refresh-456"})
    raw = raw_column(account)
    assert TOKEN not in raw
    assert "refresh-456" not in raw
    assert "token" not in raw
    assert SocialAccount.objects.get(pk=account.pk).credentials == {
        "token": TOKEN,
        "refresh_token": "refresh-456",
    }


def test_keys_rotate_without_losing_credentials(settings) -> None:  # type: ignore[no-untyped-def]
    old_key = settings.SMO_ENCRYPTION_KEYS[0]
    account = SandboxAccountFactory(credentials={"token": TOKEN})
    before = raw_column(account)

    new_key = Fernet.generate_key().decode()
    settings.SMO_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_credentials")
    after = raw_column(account)
    assert after != before

    settings.SMO_ENCRYPTION_KEYS = [new_key]  # the old key is gone now
    assert SocialAccount.objects.get(pk=account.pk).credentials == {"token": TOKEN}


def test_credentials_under_a_removed_key_fail_loudly(settings) -> None:  # type: ignore[no-untyped-def]
    account = SandboxAccountFactory(credentials={"token": TOKEN})
    settings.SMO_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        SocialAccount.objects.get(pk=account.pk)


def test_a_malformed_key_is_a_configuration_error(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="Fernet keys"):
        crypto.encrypt_json({"a": "b"})


def test_credentials_are_not_in_the_admin_or_its_serialised_form(admin_client) -> None:  # type: ignore[no-untyped-def]
    from django.core import serializers

    account = SandboxAccountFactory(credentials={"token": TOKEN})
    page = admin_client.get(f"/admin/channels/socialaccount/{account.pk}/change/").content.decode()
    assert TOKEN not in page
    assert TOKEN not in serializers.serialize("json", [account])

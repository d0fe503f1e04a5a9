"""rotate_credentials leaves no encrypted column under an old key."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from channels import crypto
from channels.management.commands.rotate_credentials import encrypted_fields
from channels.models import InstanceApp, SocialAccount
from tests.factories import SandboxAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_keys():  # type: ignore[no-untyped-def]
    crypto._fernet.cache_clear()
    yield
    crypto._fernet.cache_clear()


def raw_values(model: Any, name: str) -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(name).column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - names from _meta
        return [row[0] for row in cursor.fetchall()]


def test_every_encrypted_field_is_found() -> None:
    found = {model: names for model, names in encrypted_fields()}
    assert found[SocialAccount] == ["credentials"]
    assert found[InstanceApp] == ["client_secret"]


def test_after_rotation_every_column_opens_with_the_new_key_alone(settings: Any) -> None:
    SandboxAccountFactory(credentials={"token": "tok-1", "refresh_token": "ref-1"})
    InstanceApp.objects.create(
        network="mastodon",
        server="https://mastodon.example",
        redirect_uri="https://smo.example/accounts/callback/mastodon/",
        client_id="id",
        client_secret={"secret": "client-secret-1"},
    )
    old_key = settings.SMO_ENCRYPTION_KEYS[0] if settings.SMO_ENCRYPTION_KEYS else None
    new_key = Fernet.generate_key().decode()
    settings.SMO_ENCRYPTION_KEYS = [new_key, *([old_key] if old_key else [])]

    out = StringIO()
    call_command("rotate_credentials", stdout=out)

    only_new = Fernet(new_key.encode())
    checked = 0
    for model, names in encrypted_fields():
        for name in names:
            for raw in raw_values(model, name):
                only_new.decrypt(raw.encode())  # raises InvalidToken under an old key
                if old_key:
                    with pytest.raises(InvalidToken):
                        Fernet(old_key.encode()).decrypt(raw.encode())
                checked += 1
    assert checked == 2
    assert "credentials of 1 channels.SocialAccount rows" in out.getvalue()
    assert "client_secret of 1 channels.InstanceApp rows" in out.getvalue()

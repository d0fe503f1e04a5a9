"""Signed, expiring media links: what Instagram fetches our files from."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from scheduler import content, media_links
from scheduler.models import MediaAsset
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 2000


@pytest.fixture
def asset(settings, tmp_path) -> MediaAsset:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    settings.SMO_PUBLIC_URL = "https://smo.example.org"
    asset = MediaAsset(
        workspace=WorkspaceFactory(),
        original_name="buns.jpg",
        kind="image",
        mime_type="image/jpeg",
        size=len(JPEG),
    )
    asset.file.save("buns.jpg", ContentFile(JPEG))
    return asset


def path_of(url: str) -> str:
    return url.removeprefix("https://smo.example.org")


def test_the_link_serves_the_file_to_anyone_who_holds_it(asset: MediaAsset) -> None:
    url = media_links.public_url(asset.pk)
    assert url.startswith("https://smo.example.org/m/")
    response = Client().get(path_of(url))  # no login: a network fetches it
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG


def test_adapters_get_the_signed_link_as_the_media_url(asset: MediaAsset) -> None:
    item = content.media_item(asset)
    assert path_of(item.url).startswith("/m/")
    assert media_links.unsign(path_of(item.url).split("/")[2]) == asset.pk


def test_a_forged_link_is_not_found(asset: MediaAsset) -> None:
    token = media_links.sign(asset.pk)
    forged = token.replace(token.split(":")[0], '{"a":' + str(asset.pk + 1) + "}")
    assert Client().get(f"/m/{forged}/").status_code == 404
    assert Client().get("/m/not-a-token/").status_code == 404


def test_a_link_expires(settings, asset: MediaAsset) -> None:  # type: ignore[no-untyped-def]
    url = media_links.public_url(asset.pk)
    later = timezone.now() + timedelta(seconds=settings.SMO_MEDIA_URL_MAX_AGE + 5)
    with time_machine.travel(later):
        assert Client().get(path_of(url)).status_code == 404


def test_a_link_to_deleted_media_is_not_found(asset: MediaAsset) -> None:
    url = media_links.public_url(asset.pk)
    asset.file.delete(save=False)
    assert Client().get(path_of(url)).status_code == 404

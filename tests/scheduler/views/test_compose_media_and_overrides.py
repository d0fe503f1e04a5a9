"""The composer's media box, per-network texts, previews and "duplicate"."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from channels.models import SocialAccount
from scheduler import content
from scheduler.models import MediaAsset, Post
from tests.conftest import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def jpeg(width: int = 1080, height: int = 1080) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(out, "JPEG")
    return out.getvalue()


def network_accounts(cast: Cast) -> dict[str, SocialAccount]:
    return {
        n: SocialAccount.objects.create(
            workspace=cast.workspace, network=n, external_id="1", name=f"Acme {n}", handle="acme"
        )
        for n in ("x", "instagram")
    }


def upload(client: Client, name: str, data: bytes, mime: str = "image/jpeg") -> Any:
    return client.post("/compose/media/", {"file": SimpleUploadedFile(name, data, mime)})


def test_an_upload_answers_a_chip_that_adds_the_file_to_the_post(cast: Cast) -> None:
    response = upload(signed_in(cast), "buns.jpg", jpeg())
    assert response.status_code == 201
    asset = MediaAsset.objects.get()
    assert (asset.workspace, asset.kind, asset.mime_type, asset.width) == (
        cast.workspace,
        "image",
        "image/jpeg",
        1080,
    )
    html = response.content.decode()
    assert f'<input type="hidden" name="media" value="{asset.pk}">' in html
    assert f'src="/m/{asset.signed_token}/"' in html


def test_a_file_that_is_not_media_is_refused_with_its_name(cast: Cast) -> None:
    response = upload(signed_in(cast), "notes.txt", b"just text", "text/plain")
    assert response.status_code == 400
    assert response.content.decode().startswith("notes.txt: ")
    assert MediaAsset.objects.count() == 0


def test_viewers_cannot_upload(cast: Cast) -> None:
    assert upload(signed_in(cast, "viewer"), "buns.jpg", jpeg()).status_code == 403


def test_the_library_lists_this_workspaces_media_only(cast: Cast) -> None:
    client = signed_in(cast)
    upload(client, "buns.jpg", jpeg())
    theirs = MediaAsset.objects.create(
        workspace=cast.outsider.workspace,
        original_name="secret.jpg",
        kind="image",
        mime_type="image/jpeg",
        size=1,
    )
    html = client.get("/compose/library/").content.decode()
    assert "buns.jpg" in html and theirs.original_name not in html


def test_a_post_keeps_its_media_in_order_and_each_networks_own_text(cast: Cast) -> None:
    client = signed_in(cast)
    accounts = network_accounts(cast)
    upload(client, "first.jpg", jpeg())
    upload(client, "second.jpg", jpeg())
    first, second = MediaAsset.objects.order_by("pk")
    response = client.post(
        "/compose/",
        {
            "text": "Our spring menu, in full, with every bun and brew we have this season.",
            "override_x": "Spring menu is here",
            "override_instagram": "",
            "media": [second.pk, first.pk],
            "accounts": [a.pk for a in accounts.values()],
            "when": "schedule",
            "date": "2026-11-25",
            "time": "16:30",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    post = Post.objects.get()
    assert [a.asset_id for a in post.attachments.order_by("position")] == [second.pk, first.pk]
    assert post.overrides == {"x": {"text": "Spring menu is here"}}
    sent = {d.account.network: content.content_for(d).text for d in post.deliveries.all()}
    assert sent == {"x": "Spring menu is here", "instagram": post.text}


def test_the_live_check_counts_each_networks_own_text_and_previews_it(cast: Cast) -> None:
    client = signed_in(cast)
    accounts = network_accounts(cast)
    upload(client, "buns.jpg", jpeg())
    asset = MediaAsset.objects.get()
    response = client.post(
        "/compose/check/",
        {
            "text": "y" * 300,
            "override_x": "Short for X",
            "media": [asset.pk],
            "accounts": [a.pk for a in accounts.values()],
        },
    )
    meters = {m.network: (m.used, m.problems, m.overridden) for m in response.context["meters"]}
    assert meters == {"x": (11, (), True), "instagram": (300, (), False)}
    html = response.content.decode()
    assert 'id="previews" class="previews" hx-swap-oob="true"' in html
    assert '<p class="preview-text">Short for X</p>' in html
    assert f'<img src="/m/{asset.signed_token}/"' in html


def test_instagram_without_media_is_refused_when_saving(cast: Cast) -> None:
    accounts = network_accounts(cast)
    response = signed_in(cast).post(
        "/compose/",
        {"text": "Hi", "accounts": [accounts["instagram"].pk], "when": "draft"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["media"] == [
        "Acme instagram: Instagram needs an image or a video; it has no text-only posts."
    ]


def test_duplicate_starts_a_new_post_from_an_old_one_without_its_time(cast: Cast) -> None:
    client = signed_in(cast)
    accounts = network_accounts(cast)
    upload(client, "buns.jpg", jpeg())
    asset = MediaAsset.objects.get()
    client.post(
        "/compose/",
        {
            "text": "Buns",
            "override_x": "Buns on X",
            "thread": "Two\n---\nThree",
            "media": [asset.pk],
            "accounts": [accounts["x"].pk],
            "when": "schedule",
            "date": "2026-11-25",
            "time": "16:30",
        },
    )
    original = Post.objects.get()
    page = client.get(f"/compose/?duplicate={original.pk}")
    form = page.context["form"]
    assert form.initial["text"] == "Buns"
    assert form.initial["override_x"] == "Buns on X"
    assert form.initial["thread"] == "Two\n---\nThree"
    assert form.initial["accounts"] == [accounts["x"].pk]
    assert [a.pk for a in page.context["picked"]] == [asset.pk]
    assert f"A copy of post #{original.pk}" in page.content.decode()
    # Another workspace's post is not copied.
    other = Post.objects.create(workspace=cast.outsider.workspace, text="Theirs")
    assert client.get(f"/compose/?duplicate={other.pk}").context["copied_from"] is None


def test_add_to_queue_keeps_the_media_and_each_networks_own_text(cast: Cast) -> None:
    from datetime import time

    from scheduler.models import QueueSlot

    client = signed_in(cast)
    accounts = network_accounts(cast)
    for account in accounts.values():
        QueueSlot.objects.create(account=account, weekday=3, time=time(9, 0))  # Thursdays
    upload(client, "buns.jpg", jpeg())
    asset = MediaAsset.objects.get()
    response = client.post(
        "/queue/add/",
        {
            "text": "Buns all week",
            "override_x": "Buns on X",
            "media": [asset.pk],
            "accounts": [a.pk for a in accounts.values()],
        },
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.from_queue and post.overrides == {"x": {"text": "Buns on X"}}
    assert [a.asset_id for a in post.attachments.all()] == [asset.pk]

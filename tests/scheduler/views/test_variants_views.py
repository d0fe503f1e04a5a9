"""The post page's variants-and-repeats section, the variant form and the repeat form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scheduler import posts, variants
from scheduler.models import Audience, Delivery, Post
from tests.conftest import Cast
from tests.factories import SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
HTMX = {"HTTP_HX_REQUEST": "true"}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


@pytest.fixture
def parent(cast: Cast, account) -> Post:  # type: ignore[no-untyped-def]
    # Wednesday 3 March 2027, 09:00 in Stockholm.
    data = posts.PostInput(text="Ice cold.", accounts=[account], scheduled_at=utc(2027, 3, 3, 8))
    return posts.create_post(cast.editor, data)


@pytest.fixture
def new_york(cast: Cast) -> Audience:
    return Audience.objects.create(
        workspace=cast.workspace, name="New York", timezone="America/New_York"
    )


def test_post_page_loads_the_section(cast: Cast, parent: Post) -> None:
    page = signed_in(cast, "viewer").get(f"/posts/{parent.pk}/").content.decode()
    assert f'hx-get="/posts/{parent.pk}/variants/"' in page


def test_section_lists_variants_with_local_time_accounts_and_status(
    cast: Cast, account, parent: Post, new_york: Audience
) -> None:
    variant = variants.create_variant(cast.editor, parent, new_york, "Summer!", [account])
    page = signed_in(cast, "viewer").get(f"/posts/{parent.pk}/variants/", **HTMX).content.decode()
    assert 'Wed, Mar 3, 9:00\u00a0AM <span class="zone">America/New_York</span>' in page
    assert f'href="/posts/{variant.pk}/"' in page
    assert "Acme Sandbox" in page and "Scheduled" in page
    assert "Add a variant" not in page  # viewers read
    assert "Repeat this post" not in page


def test_the_variants_own_page_points_back_to_its_parent(
    cast: Cast, account, parent: Post, new_york: Audience
) -> None:
    variant = variants.create_variant(cast.editor, parent, new_york, "Summer!", [account])
    page = signed_in(cast).get(f"/posts/{variant.pk}/variants/", **HTMX).content.decode()
    assert "A variant for New York of" in page
    assert f'href="/posts/{parent.pk}/"' in page


def test_add_a_variant_from_the_form(cast: Cast, account, parent: Post, new_york) -> None:
    client = signed_in(cast)
    form = client.get(f"/posts/{parent.pk}/variants/new/").content.decode()
    assert "Ice cold.</textarea>" in form  # prefilled from the post
    data = {"audience": new_york.pk, "text": "Summer!", "accounts": [account.pk]}
    response = client.post(f"/posts/{parent.pk}/variants/new/", data)
    assert response.status_code == 302
    variant = parent.variants.get()
    assert (variant.text, variant.scheduled_at) == ("Summer!", utc(2027, 3, 3, 14))
    again = client.post(f"/posts/{parent.pk}/variants/new/", data).content.decode()
    assert "This post already has a variant for New York." in again
    assert parent.variants.count() == 1


def test_only_active_accounts_of_the_workspace_are_offered(
    cast: Cast, account, parent: Post
) -> None:
    SandboxAccountFactory(workspace=cast.workspace, name="Gone", status="disconnected")
    SandboxAccountFactory(workspace=cast.outsider.workspace, name="Theirs")
    form = signed_in(cast).get(f"/posts/{parent.pk}/variants/new/").content.decode()
    assert "Acme Sandbox" in form
    assert "Gone" not in form and "Theirs" not in form


def test_viewers_cannot_add_variants(cast: Cast, account, parent: Post, new_york) -> None:
    data = {"audience": new_york.pk, "text": "x", "accounts": [account.pk]}
    client = signed_in(cast, "viewer")
    assert client.post(f"/posts/{parent.pk}/variants/new/", data).status_code == 403
    assert client.post(f"/posts/{parent.pk}/variants/retime/").status_code == 403
    assert client.post(f"/posts/{parent.pk}/repeat/", {}).status_code == 403
    assert Post.objects.count() == 1


def test_other_workspaces_get_404(cast: Cast, account, parent: Post, new_york) -> None:
    client = signed_in(cast, "outsider")
    for url in ("variants/", "variants/new/", "repeat/"):
        assert client.get(f"/posts/{parent.pk}/{url}").status_code == 404
    for url in ("variants/retime/", "variants/cancel/", "series/cancel/"):
        assert client.post(f"/posts/{parent.pk}/{url}").status_code == 404


def test_outsiders_audience_is_not_a_valid_choice(cast: Cast, account, parent: Post) -> None:
    theirs = Audience.objects.create(
        workspace=cast.outsider.workspace, name="Theirs", timezone="Asia/Tokyo"
    )
    data = {"audience": theirs.pk, "text": "x", "accounts": [account.pk]}
    response = signed_in(cast).post(f"/posts/{parent.pk}/variants/new/", data)
    assert response.status_code == 200
    assert parent.variants.count() == 0


def test_moving_the_parent_offers_to_move_the_variants(
    cast: Cast, account, parent: Post, new_york
) -> None:
    variant = variants.create_variant(cast.editor, parent, new_york, "Summer!", [account])
    posts.update_post(cast.editor, parent, {"scheduled_at": utc(2027, 3, 17, 9)})
    client = signed_in(cast)
    page = client.get(f"/posts/{parent.pk}/variants/", **HTMX).content.decode()
    assert "The post moved: 1 variant is not at its local time any more." in page
    client.post(f"/posts/{parent.pk}/variants/retime/")
    variant.refresh_from_db()
    assert variant.scheduled_at == utc(2027, 3, 17, 14)  # 10:00 in New York (summer time)
    page = client.get(f"/posts/{parent.pk}/variants/", **HTMX).content.decode()
    assert "The post moved" not in page


def test_cancelling_the_parent_asks_about_the_variants(
    cast: Cast, account, parent: Post, new_york
) -> None:
    variants.create_variant(cast.editor, parent, new_york, "Summer!", [account])
    client = signed_in(cast)
    client.post(f"/posts/{parent.pk}/cancel/")
    page = client.get(f"/posts/{parent.pk}/variants/", **HTMX).content.decode()
    assert "This post is cancelled; its 1 variant is still scheduled." in page
    client.post(f"/posts/{parent.pk}/variants/cancel/")
    assert set(Delivery.objects.values_list("state", flat=True)) == {S.CANCELLED}


def test_repeat_a_post_weekly_and_see_the_series(cast: Cast, parent: Post) -> None:
    client = signed_in(cast)
    form = {"freq": "weekly", "interval": "1", "ends": "count", "count": "3"}
    assert client.post(f"/posts/{parent.pk}/repeat/", form).status_code == 302
    series = list(Post.objects.order_by("scheduled_at"))
    assert [p.scheduled_at for p in series] == [
        utc(2027, 3, 3, 8),
        utc(2027, 3, 10, 8),
        utc(2027, 3, 17, 8),
    ]
    page = client.get(f"/posts/{series[2].pk}/variants/", **HTMX).content.decode()
    assert "Repeats: every week (3 posts)" in page
    for p in series:
        assert f'href="/posts/{p.pk}/"' in page
    assert "Cancel the series (3 posts to go)" in page
    client.post(f"/posts/{series[1].pk}/series/cancel/")
    assert set(Delivery.objects.values_list("state", flat=True)) == {S.CANCELLED}


def test_repeat_form_names_what_is_wrong(cast: Cast, parent: Post) -> None:
    form = {"freq": "daily", "interval": "1", "ends": "until", "until": "2028-01-01"}
    response = signed_in(cast).post(f"/posts/{parent.pk}/repeat/", form)
    assert "End the repeat within a year." in response.content.decode()
    assert Post.objects.count() == 1


def _queries(client: Client, url: str, **extra: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **extra).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["", "variants/"])
def test_post_page_and_section_queries_do_not_grow_with_variants(
    cast: Cast, account, parent: Post, path: str
) -> None:
    def add(n: int) -> None:
        for i in range(n):
            audience = Audience.objects.create(
                workspace=cast.workspace, name=f"A{Audience.objects.count()}", timezone="Asia/Tokyo"
            )
            variants.create_variant(cast.editor, parent, audience, f"v{i}", [account])

    client = signed_in(cast)
    url = f"/posts/{parent.pk}/{path}"
    add(1)
    one = _queries(client, url, **HTMX if path else {})
    add(9)
    ten = _queries(client, url, **HTMX if path else {})
    assert parent.variants.count() == 10
    assert one == ten


def test_a_variant_can_have_media_of_its_own(cast, account, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Ticked media go with the variant; the post keeps its own."""
    from django.core.files.base import ContentFile

    from scheduler.models import Audience, MediaAsset, Post

    settings.MEDIA_ROOT = tmp_path

    def asset(name: str) -> MediaAsset:
        made = MediaAsset(
            workspace=cast.workspace,
            original_name=name,
            kind="image",
            mime_type="image/jpeg",
            size=4,
        )
        made.file.save(name, ContentFile(b"\xff\xd8\xff\xe0"))
        return made

    from scheduler import posts

    summer, winter = asset("summer.jpg"), asset("winter.jpg")
    parent = posts.create_post(
        cast.editor,
        posts.PostInput(
            "Cold and refreshing",
            accounts=[account],
            scheduled_at=datetime(2026, 12, 1, 8, tzinfo=UTC),
            media=[summer],
        ),
    )
    audience = Audience.objects.create(
        workspace=cast.workspace, name="Stockholm", timezone="Europe/Stockholm"
    )
    client = Client()
    client.force_login(cast.editor.user)
    page = client.get(f"/posts/{parent.pk}/variants/new/")
    assert page.context["form"].initial["media"] == [summer.pk]
    response = client.post(
        f"/posts/{parent.pk}/variants/new/",
        {
            "audience": audience.pk,
            "text": "Tastes of summer",
            "accounts": [account.pk],
            "media": [winter.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    variant = Post.objects.get(variant_of=parent)
    assert [a.asset_id for a in variant.attachments.all()] == [winter.pk]
    assert [a.asset_id for a in parent.attachments.all()] == [summer.pk]

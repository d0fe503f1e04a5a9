"""SMO's short links: made once per delivery and link, with the campaign's tags;
the redirect finds its target in the cache and counts each person's click."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scheduler import content, links, tasks
from scheduler.models import LinkClick, ShortLink
from tests.factories import CampaignFactory, DeliveryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clicks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The clicks the redirect hands to the task, instead of sending it."""
    handed: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.record_click, "delay", lambda *args: handed.append(args))
    return handed


def tracked_delivery(**post: Any) -> Any:
    campaign = CampaignFactory(utm={"source": "smo", "medium": "social", "campaign": "spring"})
    return DeliveryFactory(
        post__track_links=True, post__campaign=campaign, post__workspace=campaign.workspace, **post
    )


def test_each_link_goes_out_as_a_short_link_with_the_campaigns_tags(settings: Any) -> None:
    settings.SMO_PUBLIC_URL = "https://smo.example"
    delivery = tracked_delivery(
        post__text="Spring menu: https://acme.com/menu and https://acme.com/hours",
        post__link="https://acme.com/menu",
        post__first_comment="More at https://acme.com/blog",
    )
    sent = content.content_for(delivery)
    made = {s.url: s.code for s in ShortLink.objects.filter(delivery=delivery)}
    tags = "utm_source=smo&utm_medium=social&utm_campaign=spring"
    assert sorted(made) == [
        f"https://acme.com/blog?{tags}",
        f"https://acme.com/hours?{tags}",
        f"https://acme.com/menu?{tags}",
    ]
    menu = made[f"https://acme.com/menu?{tags}"]
    assert sent.text == (
        f"Spring menu: https://smo.example/l/{menu} and "
        f"https://smo.example/l/{made[f'https://acme.com/hours?{tags}']}"
    )
    assert sent.link == f"https://smo.example/l/{menu}"  # the same link, the same code
    assert sent.first_comment.endswith(made[f"https://acme.com/blog?{tags}"])
    # A retry (or the reconciler) builds the very same text.
    assert content.content_for(delivery) == sent
    assert ShortLink.objects.count() == 3


def test_posts_that_do_not_track_keep_their_links() -> None:
    delivery = DeliveryFactory(post__text="See https://acme.com/")
    assert content.content_for(delivery).text == "See https://acme.com/"
    assert not ShortLink.objects.exists()


def test_the_redirect_counts_a_click_with_its_network_and_country(
    clicks: list[tuple[Any, ...]],
) -> None:
    link = ShortLink.objects.create(delivery=DeliveryFactory(), url="https://acme.com/?a=1")
    response = Client().get(
        f"/l/{link.code}", HTTP_REFERER="https://t.co/abc", HTTP_CF_IPCOUNTRY="se"
    )
    assert response.status_code == 302
    assert response["Location"] == "https://acme.com/?a=1"
    assert "no-cache" in response["Cache-Control"]
    [(link_id, at, network, country)] = clicks
    assert (link_id, network, country) == (link.pk, "x", "SE")
    tasks.record_click.run(link_id, at, network, country)
    click = LinkClick.objects.get()
    assert (click.link, click.network, click.country) == (link, "x", "SE")


def test_a_known_link_costs_no_query(clicks: list[tuple[Any, ...]]) -> None:
    link = ShortLink.objects.create(delivery=DeliveryFactory(), url="https://acme.com/")
    client = Client()
    client.get(f"/l/{link.code}")  # the first fills the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/l/{link.code}").status_code == 302
    assert [q["sql"] for q in queries.captured_queries] == []
    assert len(clicks) == 2


def test_link_preview_bots_are_not_counted(clicks: list[tuple[Any, ...]]) -> None:
    link = ShortLink.objects.create(delivery=DeliveryFactory(), url="https://acme.com/")
    for agent in ("facebookexternalhit/1.1", "Twitterbot/1.0", "Slackbot-LinkExpanding 1.0"):
        assert Client().get(f"/l/{link.code}", HTTP_USER_AGENT=agent).status_code == 302
    assert clicks == []


def test_an_unknown_code_is_a_404(clicks: list[tuple[Any, ...]]) -> None:
    cache.clear()
    assert Client().get("/l/nothere").status_code == 404
    assert clicks == []


@pytest.mark.parametrize(
    ("referrer", "network"),
    [
        ("https://l.facebook.com/l.php?u=x", "facebook"),
        ("https://www.linkedin.com/feed/", "linkedin"),
        ("https://lnkd.in/abc", "linkedin"),
        ("https://bsky.app/profile/x", "bluesky"),
        ("https://discord.com/channels/1/2/3", "discord"),
        ("https://l.threads.net/?u=x", "threads"),
        ("https://www.youtube.com/watch?v=1", "youtube"),
        ("https://web.telegram.org/", "telegram"),
        ("https://t.me/acmebakery/41", "telegram"),
        ("https://example.org/", ""),
        ("", ""),
    ],
)
def test_the_referrers_network(referrer: str, network: str) -> None:
    assert links.network_of(referrer) == network


@pytest.mark.parametrize(
    ("headers", "country"),
    [
        ({"CloudFront-Viewer-Country": "DE"}, "DE"),
        ({"CF-IPCountry": "XX"}, ""),
        ({"CF-IPCountry": "T1"}, ""),
        ({}, ""),
    ],
)
def test_the_country_only_where_the_request_says(headers: dict[str, str], country: str) -> None:
    assert links.country_of(headers) == country


def test_the_composer_and_the_api_set_link_tracking(cast, account, api) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from scheduler.models import Post

    client = Client()
    client.force_login(cast.editor.user)
    local = timezone.localtime(timezone.now() + timedelta(days=2))
    response = client.post(
        "/compose/",
        {
            "text": "See https://acme.com/",
            "accounts": [account.pk],
            "when": "schedule",
            "date": local.date().isoformat(),
            "time": "10:00",
            "track_links": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Post.objects.get().track_links is True
    made = api.post(
        "/api/v1/posts/",
        {"text": "Hi https://acme.com/", "account_ids": [account.pk], "track_links": True},
        format="json",
    ).json()
    assert made["track_links"] is True
    changed = api.patch(f"/api/v1/posts/{made['id']}/", {"track_links": False}, format="json")
    assert changed.json()["track_links"] is False


def test_the_post_page_shows_each_deliverys_results(cast, account) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from scheduler.models import DeliveryMetrics

    delivery = DeliveryFactory(
        post__workspace=cast.workspace,
        account=account,
        state="published",
        published_at=timezone.now(),
    )
    DeliveryMetrics.objects.create(delivery=delivery, taken_at=timezone.now(), likes=12, comments=3)
    link = ShortLink.objects.create(delivery=delivery, url="https://acme.com/")
    for _ in range(2):
        LinkClick.objects.create(link=link, clicked_at=timezone.now())
    client = Client()
    client.force_login(cast.viewer.user)
    page = client.get(f"/posts/{delivery.post_id}/").content.decode()
    results = page[page.index('data-testid="delivery-results"') :].split("</dd>")[0]
    assert "12 likes" in results and "3 comments" in results and "2 clicks on SMO links" in results
    assert "seen" not in results  # the sandbox gives impressions, but none were read here

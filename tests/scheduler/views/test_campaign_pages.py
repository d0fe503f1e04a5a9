"""The campaign list and a campaign's page: counts, results, posts, access and queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from channels.models import SocialAccount
from scheduler.models import Campaign, Delivery, Post
from tests.conftest import Cast
from tests.factories import CampaignFactory, DeliveryFactory, PostFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 10:00 in Stockholm


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def post_in(
    campaign: Campaign | None,
    deliveries: list[tuple[SocialAccount, str]],
    when: datetime | None = AT,
    late: timedelta | None = None,
    **fields: object,
) -> Post:
    workspace = campaign.workspace if campaign else fields.pop("workspace")
    post = PostFactory(workspace=workspace, campaign=campaign, scheduled_at=when, **fields)
    for account, state in deliveries:
        published = state == S.PUBLISHED
        DeliveryFactory(
            post=post,
            account=account,
            state=state,
            published_at=when + (late or timedelta(seconds=30)) if published and when else None,
            external_url=f"https://sandbox.example/{post.pk}-{account.pk}" if published else "",
        )
    return post


@pytest.fixture
def x_account(cast: Cast) -> SocialAccount:
    return SandboxAccountFactory(workspace=cast.workspace, network="x", name="Acme on X")


def numbers(html: str, campaign: Campaign) -> dict[str, str]:
    row = html[html.index(f'data-campaign="{campaign.pk}"') :]
    row = row[: row.index("</li>")]
    return dict(re.findall(r'data-count="(\w+)"><span[^>]*>[^<]*</span> (\d+)<', row))


def test_the_list_shows_each_campaign_with_swatch_dates_and_post_counts(
    cast: Cast, account, x_account
) -> None:
    launch = CampaignFactory(
        workspace=cast.workspace,
        name="Launch",
        color="#e11d48",
        starts_on=datetime(2026, 11, 1).date(),
        ends_on=datetime(2026, 11, 30).date(),
    )
    quiet = CampaignFactory(workspace=cast.workspace, name="Quiet")
    post_in(launch, [(account, S.PUBLISHED), (x_account, S.FAILED)])
    post_in(launch, [(account, S.SCHEDULED), (x_account, S.SCHEDULED)])
    post_in(launch, [(account, S.PUBLISHED)])
    post_in(launch, [(account, S.NEEDS_ATTENTION)])
    post_in(launch, [(account, S.DRAFT)], when=None)
    CampaignFactory(workspace=cast.outsider.workspace, name="Not ours")

    html = signed_in(cast, "viewer").get("/campaigns/").content.decode()

    assert numbers(html, launch) == {"scheduled": "1", "published": "2", "failed": "2"}
    assert numbers(html, quiet) == {"scheduled": "0", "published": "0", "failed": "0"}
    assert "--c: #e11d48" in html
    assert "Nov 1, 2026 \u2013 Nov 30, 2026" in html
    assert "5 posts" in html and "0 posts" in html
    assert f'href="/campaigns/{launch.pk}/"' in html
    assert html.index("Launch") < html.index("Quiet")
    assert "Not ours" not in html
    assert "New campaign" not in html  # a viewer reads only


def test_the_list_links_to_new_campaign_for_editors(cast: Cast) -> None:
    html = signed_in(cast, "editor").get("/campaigns/").content.decode()
    assert 'href="/campaigns/new/"' in html
    assert "No campaigns yet." in html


@pytest.mark.parametrize(
    ("starts", "ends", "shown"),
    [
        ("2026-11-01", None, "From Nov 1, 2026"),
        (None, "2026-12-24", "Until Dec 24, 2026"),
        (None, None, "No dates"),
    ],
)
def test_the_list_says_which_dates_a_campaign_has(
    cast: Cast, starts: str | None, ends: str | None, shown: str
) -> None:
    CampaignFactory(workspace=cast.workspace, starts_on=starts, ends_on=ends)
    assert shown in signed_in(cast).get("/campaigns/").content.decode()


def test_the_campaign_page_counts_results_by_state_network_and_timing(
    cast: Cast, account, x_account
) -> None:
    launch = CampaignFactory(workspace=cast.workspace, name="Launch")
    post_in(launch, [(account, S.PUBLISHED), (x_account, S.PUBLISHED)])  # 30 s: on time
    post_in(launch, [(account, S.PUBLISHED)], late=timedelta(minutes=5))  # on time, just
    post_in(launch, [(x_account, S.PUBLISHED)], late=timedelta(minutes=5, seconds=1))
    post_in(launch, [(account, S.PUBLISHED)], late=timedelta(hours=2, minutes=3))
    post_in(launch, [(account, S.FAILED), (x_account, S.NEEDS_ATTENTION)])
    post_in(launch, [(account, S.SCHEDULED)], when=AT + timedelta(days=10))
    other = CampaignFactory(workspace=cast.workspace)
    post_in(other, [(account, S.PUBLISHED)])

    response = signed_in(cast, "viewer").get(f"/campaigns/{launch.pk}/")

    results = response.context["results"]
    assert results.deliveries == 8
    assert results.states == [
        ("scheduled", "Scheduled", 1),
        ("published", "Published", 5),
        ("failed", "Failed", 1),
        ("needs_attention", "Needs attention", 1),
    ]
    assert [
        (r.network, r.deliveries, r.published, r.failed, r.waiting) for r in results.networks
    ] == [
        ("sandbox", 5, 3, 1, 1),
        ("x", 3, 2, 1, 0),
    ]
    assert (results.on_time, results.late) == (3, 2)
    assert results.latest == timedelta(hours=2, minutes=3)
    html = response.content.decode()
    assert '<strong data-state="published">5</strong>' in html
    assert (
        '<tr data-network="x"><td><span class="net net-x">x</span></td><td>3</td><td>2</td>' in html
    )
    assert "<strong>3</strong> on time, <strong>2</strong> late" in html
    assert "The latest went out 2\xa0hours, 3\xa0minutes after its time." in html


def test_the_campaign_page_lists_posts_in_time_order_with_states_and_links(
    cast: Cast, account, x_account
) -> None:
    launch = CampaignFactory(workspace=cast.workspace)
    later = post_in(launch, [(account, S.SCHEDULED)], when=AT + timedelta(days=2), text="Later")
    draft = post_in(launch, [(account, S.DRAFT)], when=None, text="Draft idea")
    first = post_in(launch, [(account, S.PUBLISHED), (x_account, S.FAILED)], text="First")

    html = signed_in(cast).get(f"/campaigns/{launch.pk}/").content.decode()

    order = re.findall(r'class="row campaign-post[^"]*" data-post="(\d+)"', html)
    assert order == [str(first.pk), str(later.pk), str(draft.pk)]
    assert f'href="https://sandbox.example/{first.pk}-{account.pk}"' in html
    assert (
        '<time datetime="2026-11-20T10:00:00+01:00">Fri, Nov 20, 2026, 10:00\u00a0AM</time>' in html
    )
    assert 'class="badge state-failed">Failed<' in html


def test_the_campaign_page_shows_its_utm_defaults_and_a_tagged_example(cast: Cast) -> None:
    utm = {
        "source": "mastodon",
        "medium": "social",
        "campaign": "launch",
        "term": "",
        "content": "",
    }
    launch = CampaignFactory(workspace=cast.workspace, utm=utm)

    html = signed_in(cast).get(f"/campaigns/{launch.pk}/").content.decode()

    assert (
        '<code data-testid="utm-example">https://example.com/?utm_source=mastodon'
        "&amp;utm_medium=social&amp;utm_campaign=launch</code>"
    ) in html
    assert "<dt>Source</dt><dd><code>mastodon</code></dd>" in html


def test_the_example_uses_the_first_link_of_the_campaigns_posts(cast: Cast, account) -> None:
    launch = CampaignFactory(workspace=cast.workspace, utm={"source": "x"})
    post_in(launch, [(account, S.SCHEDULED)], link="https://acme.example/shop?id=3#top")

    html = signed_in(cast).get(f"/campaigns/{launch.pk}/").content.decode()

    assert "https://acme.example/shop?id=3&amp;utm_source=x#top</code>" in html


def test_an_empty_campaign_says_so(cast: Cast) -> None:
    launch = CampaignFactory(workspace=cast.workspace)
    html = signed_in(cast).get(f"/campaigns/{launch.pk}/").content.decode()
    assert "No posts in this campaign yet." in html


def test_a_variant_is_marked_with_its_audience(cast: Cast, account) -> None:
    from scheduler.models import Audience

    launch = CampaignFactory(workspace=cast.workspace)
    parent = post_in(launch, [(account, S.SCHEDULED)])
    nordics = Audience.objects.create(workspace=cast.workspace, name="Nordics", timezone="UTC")
    post_in(launch, [(account, S.SCHEDULED)], variant_of=parent, audience=nordics)

    html = signed_in(cast).get(f"/campaigns/{launch.pk}/").content.decode()

    assert "Variant for Nordics" in html
    assert 'class="row campaign-post variant"' in html


def test_another_workspaces_campaign_is_not_found(cast: Cast) -> None:
    theirs = CampaignFactory(workspace=cast.outsider.workspace)
    client = signed_in(cast, "owner")
    for url in ("", "edit/", "delete/"):
        assert client.get(f"/campaigns/{theirs.pk}/{url}").status_code == 404
    assert client.post(f"/campaigns/{theirs.pk}/delete/").status_code == 404
    assert Campaign.objects.filter(pk=theirs.pk).exists()


def test_the_pages_need_a_login(cast: Cast) -> None:
    response = Client().get("/campaigns/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/campaigns/"


def test_the_nav_links_to_campaigns(cast: Cast) -> None:
    html = signed_in(cast).get("/campaigns/").content.decode()
    assert '<a href="/campaigns/" aria-current="page">Campaigns</a>' in html


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_makes_as_many_queries_for_30_campaigns_as_for_3(cast: Cast, account) -> None:
    client = signed_in(cast)
    client.get("/campaigns/")

    def make(n: int) -> None:
        for _ in range(n):
            post_in(CampaignFactory(workspace=cast.workspace), [(account, S.PUBLISHED)])

    make(3)
    few = _queries(client, "/campaigns/")
    make(27)
    assert _queries(client, "/campaigns/") == few
    assert Campaign.objects.filter(workspace=cast.workspace).count() == 30


def test_the_campaign_page_makes_as_many_queries_for_100_posts_as_for_10(
    cast: Cast, account, x_account
) -> None:
    client = signed_in(cast)
    launch = CampaignFactory(workspace=cast.workspace)
    client.get("/campaigns/")

    def make(n: int) -> None:
        for i in range(n):
            post_in(
                launch,
                [(account, S.PUBLISHED), (x_account, S.SCHEDULED)],
                link=f"https://a.example.com/{i}",
            )

    make(10)
    few = _queries(client, f"/campaigns/{launch.pk}/")
    make(90)
    assert _queries(client, f"/campaigns/{launch.pk}/") == few
    assert _queries(client, f"/campaigns/{launch.pk}/?page=2") == few


def test_the_campaign_page_shows_50_posts_a_page(cast: Cast, account) -> None:
    launch = CampaignFactory(workspace=cast.workspace)
    for i in range(51):
        post_in(launch, [(account, S.SCHEDULED)], when=AT + timedelta(minutes=i))
    client = signed_in(cast)

    first = client.get(f"/campaigns/{launch.pk}/").content.decode()
    second = client.get(f"/campaigns/{launch.pk}/?page=2").content.decode()

    assert first.count('class="row campaign-post') == 50
    assert second.count('class="row campaign-post') == 1
    assert 'href="?page=2" rel="next"' in first
    assert "Page 2 of 2" in second

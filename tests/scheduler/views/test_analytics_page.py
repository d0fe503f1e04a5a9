"""The analytics page: filters, "not given" for missing figures, the tables under
the charts, the best posts and times, the CSV and PDF exports, who may read it,
and a constant number of queries whatever the number of posts."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from channels.models import SocialAccount
from scheduler import analytics_pdf
from scheduler.models import (
    Delivery,
    DeliveryMetrics,
    FollowerSample,
    LinkClick,
    ShortLink,
)
from tests.conftest import NOW, Cast
from tests.factories import CampaignFactory, DeliveryFactory, SandboxAccountFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
# Tuesday 24 Nov 2026, 09:00 in Stockholm.
TUESDAY_9 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def signed_in(cast: Cast, role: str = "viewer") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def post(
    account: SocialAccount, at: datetime, text: str = "Launch day", **figures: int | None
) -> Delivery:
    delivery = DeliveryFactory(
        post__workspace=account.workspace,
        post__text=text,
        account=account,
        state=Delivery.State.PUBLISHED,
        published_at=at,
        external_id=f"p{at.timestamp()}-{text}",
        external_url=f"https://sandbox.example/{at.timestamp()}",
    )
    if figures:
        DeliveryMetrics.objects.create(delivery=delivery, taken_at=at, **figures)
    return delivery


def click(delivery: Delivery, at: datetime, n: int = 1) -> None:
    link = ShortLink.objects.create(delivery=delivery, url="https://acme.example/?utm_source=smo")
    LinkClick.objects.bulk_create(LinkClick(link=link, clicked_at=at) for _ in range(n))


@pytest.fixture
def account(cast: Cast) -> SocialAccount:
    cast.workspace.timezone = "Europe/Stockholm"
    cast.workspace.save()
    return SandboxAccountFactory(workspace=cast.workspace, name="Acme Sandbox")


def totals(html: str) -> dict[str, str]:
    found = re.findall(
        r'data-total="(\w+)">.*?<strong class="an-card-value">(.*?)</strong>', html, re.S
    )
    return {key: re.sub(r"<[^>]+>", "", value).strip() for key, value in found}


def row(html: str, testid: str, date: str) -> list[str]:
    table = html.split(f'data-testid="{testid}"')[1].split("</table>")[0]
    found = re.search(rf'<tr data-date="{date}">(.*?)</tr>', table, re.S)
    assert found, (testid, date)
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found[1], re.S)
    ]


def test_viewers_read_the_totals_and_missing_figures_read_not_given(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    post(account, TUESDAY_9, likes=30, comments=5)  # a network that gives no impressions
    response = signed_in(cast, "viewer").get("/analytics/?days=7")
    assert response.status_code == 200
    html = response.content.decode()
    found = totals(html)
    assert found["posts"] == "1" and found["engagement"] == "35"
    assert found["impressions"] == "not given"
    assert found["engagement_rate"] == "not given"
    assert found["followers_gained"] == "not given"
    assert found["clicks"] == "0"
    assert 'href="/analytics/"' in html  # the nav link


def test_the_tables_under_the_charts_hold_the_days_numbers(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    d = post(account, TUESDAY_9, impressions=1000, likes=40, shares=10)
    post(account, TUESDAY_9 + timedelta(hours=3), impressions=500, likes=5)
    click(d, TUESDAY_9 + timedelta(hours=1), n=3)
    FollowerSample.objects.create(
        account=account, taken_at=TUESDAY_9 - timedelta(days=1), followers=100
    )
    FollowerSample.objects.create(
        account=account, taken_at=TUESDAY_9 + timedelta(hours=5), followers=112
    )
    html = signed_in(cast).get("/analytics/?days=7").content.decode()
    assert row(html, "table-engagement", "2026-11-24")[1:] == ["2", "55", "1500"]
    assert row(html, "table-engagement", "2026-11-23")[1:] == ["0", "0", "not given"]
    assert row(html, "table-clicks", "2026-11-24")[1:] == ["3"]
    assert row(html, "table-followers", "2026-11-23")[1:] == ["100"]
    assert row(html, "table-followers", "2026-11-24")[1:] == ["112"]
    found = totals(html)
    assert (found["impressions"], found["engagement"], found["engagement_rate"]) == (
        "1500",
        "55",
        "3.67%",
    )
    assert (found["clicks"], found["followers_gained"]) == ("3", "12")
    assert 'id="analytics-data"' in html and "vendor/chartjs/chart.umd.min.js" in html
    assert "<script>" not in html  # the content security policy allows no inline script


def test_per_account_best_posts_and_best_times(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    other = SandboxAccountFactory(workspace=cast.workspace, name="Zed Sandbox")
    best = post(account, TUESDAY_9, text="Our big launch", likes=90, impressions=2000)
    post(other, TUESDAY_9 - timedelta(days=2), text="A quiet one", likes=2)
    html = signed_in(cast).get(f"/analytics/?best={account.pk}").content.decode()
    accounts = html.split('data-testid="table-accounts"')[1].split("</table>")[0]
    assert accounts.index("Acme Sandbox") < accounts.index("Zed Sandbox")
    best_table = html.split('data-testid="table-best"')[1].split("</table>")[0]
    assert f'href="/posts/{best.post_id}/"' in best_table
    assert best_table.index("Our big launch") < best_table.index("A quiet one")
    slots = html.split('data-testid="best-slots"')[1].split("</p>")[0]
    assert "<strong>Tuesday 09:00</strong>" in slots
    assert 'class="heat-5"' in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("days=7", ["This week"], ["Last month"]),
        ("days=30", ["This week", "Last month"], []),
        ("start=2026-10-01&end=2026-10-31", ["Last month"], ["This week"]),
        ("account={other}", ["Other account"], ["This week", "Last month"]),
        ("campaign={campaign}", ["Last month"], ["This week"]),
    ],
)
def test_filters(cast: Cast, account, query: str, shown: list[str], hidden: list[str]) -> None:  # type: ignore[no-untyped-def]
    other = SandboxAccountFactory(workspace=cast.workspace, name="Other")
    campaign = CampaignFactory(workspace=cast.workspace)
    post(account, TUESDAY_9, text="This week", likes=1)
    old = post(account, NOW - timedelta(days=25), text="Last month", likes=2)
    old.post.campaign = campaign
    old.post.save()
    post(other, NOW - timedelta(days=3), text="Other account", likes=3)
    url = "/analytics/?" + query.format(other=other.pk, campaign=campaign.pk)
    html = signed_in(cast).get(url).content.decode()
    best = html.split('data-testid="best-slots"')[0].split("Best posts")[1]
    for text in shown:
        assert text in best, text
    for text in hidden:
        assert text not in best, text


def test_another_workspaces_account_or_bad_dates_are_refused(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    theirs = SandboxAccountFactory(workspace=cast.outsider.workspace)
    client = signed_in(cast)
    response = client.get(f"/analytics/?account={theirs.pk}")
    assert response.status_code == 400
    assert "No such account in this workspace." in response.content.decode()
    assert client.get("/analytics/?start=2026-11-20&end=2026-11-01").status_code == 400
    assert client.get(f"/analytics/export.csv?account={theirs.pk}").status_code == 400
    assert client.get(f"/analytics/export.pdf?account={theirs.pk}").status_code == 400


def test_the_outsider_sees_only_their_own_workspace(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    post(account, TUESDAY_9, text="Acme only", likes=9)
    html = signed_in(cast, "outsider").get("/analytics/").content.decode()
    assert "Acme only" not in html and totals(html)["posts"] == "0"
    assert Client().get("/analytics/").status_code == 302


def test_the_page_takes_the_same_number_of_queries_for_3_posts_and_for_30(
    cast: Cast, account
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(cast)

    def count(n: int) -> int:
        for i in range(n):
            d = post(
                account,
                NOW - timedelta(days=i % 20, hours=1),
                text=f"post {n}-{i}",
                likes=i,
                impressions=10 * i,
            )
            click(d, NOW - timedelta(hours=2))
            FollowerSample.objects.create(
                account=account, taken_at=NOW - timedelta(days=i), followers=100 + i
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/analytics/").status_code == 200
        return len(queries)

    assert count(3) == count(27)


def test_the_csv_has_a_row_per_published_delivery_with_every_figure(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    d = post(account, TUESDAY_9, text='Hello, "world"\nagain', likes=7, impressions=300)
    post(account, TUESDAY_9 + timedelta(hours=1), text="No figures yet")
    click(d, TUESDAY_9 + timedelta(minutes=5), n=2)
    response = signed_in(cast).get("/analytics/export.csv?days=7")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="smo-analytics-2026-11-19-2026-11-25.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    first = rows[0]
    assert (first["date"], first["time"], first["account"], first["network"]) == (
        "2026-11-24",
        "09:00",
        "Acme Sandbox",
        "sandbox",
    )
    assert first["text"] == 'Hello, "world" again'
    assert first["url"] == d.external_url
    assert (first["impressions"], first["likes"], first["comments"], first["saves"]) == (
        "300",
        "7",
        "",
        "",
    )
    assert (first["engagement"], first["smo_clicks"]) == ("7", "2")
    assert rows[1]["likes"] == "" and rows[1]["smo_clicks"] == "0"


def test_the_pdf_names_the_workspace_and_holds_the_figures(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    post(account, TUESDAY_9, text="Best & brightest", likes=42, impressions=900)
    response = signed_in(cast).get("/analytics/export.pdf?days=7")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from scheduler.views.analytics import scope_of  # the same scope, written uncompressed

    request = response.wsgi_request
    data = analytics_pdf.render(scope_of(request, cast.workspace), invariant=True)
    assert data.startswith(b"%PDF")
    assert b"Analytics: Acme" in data
    assert b"(Best & brightest)" in data and b"(42)" in data


def test_the_campaign_and_accounts_pages_link_here(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    campaign = CampaignFactory(workspace=cast.workspace)
    client = signed_in(cast, "editor")
    assert (
        f"/analytics/?campaign={campaign.pk}"
        in client.get(f"/campaigns/{campaign.pk}/").content.decode()
    )
    assert f"/analytics/?account={account.pk}" in client.get("/accounts/").content.decode()

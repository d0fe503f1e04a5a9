"""The calendar's exports: CSV and iCalendar, with the page's filters and period."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.test import Client

from scheduler.calendar import ics_fold, ics_text
from scheduler.models import Delivery
from tests.conftest import Cast
from tests.factories import CampaignFactory, DeliveryFactory, PostFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
TOMORROW_0930 = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Stockholm


@pytest.fixture
def client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.editor.user)
    return client


@pytest.fixture
def posts(cast: Cast, account):  # type: ignore[no-untyped-def]
    """A campaign post to two accounts, and a plain one that is already out."""
    x = SandboxAccountFactory(workspace=cast.workspace, network="x", name="Acme, on X")
    launch = CampaignFactory(workspace=cast.workspace, name="Launch; day 1")
    first = PostFactory(
        workspace=cast.workspace,
        author=cast.editor.user,
        campaign=launch,
        scheduled_at=TOMORROW_0930,
        text="Hello, world; line one\nline two \\ done",
    )
    d1 = DeliveryFactory(post=first, account=account)
    d2 = DeliveryFactory(post=first, account=x, state=S.AWAITING_APPROVAL)
    second = PostFactory(
        workspace=cast.workspace,
        author=None,
        scheduled_at=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        text="=HYPERLINK(1)",
    )
    d3 = DeliveryFactory(post=second, account=account, state=S.PUBLISHED)
    return first, second, d1, d2, d3


def test_csv_has_one_row_per_delivery_in_local_and_utc_time(client: Client, posts) -> None:
    first, second, *_ = posts

    response = client.get("/calendar/export.csv?view=month&date=2026-11-10")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="smo-month-2026-11-01.csv"'
    assert response.content.decode() == (
        "post_id,local_time,utc_time,account,network,state,campaign,author,text,url\r\n"
        f"{second.pk},2026-11-20 09:00,2026-11-20T08:00:00Z,Acme Sandbox,sandbox,published,,,"
        f"'=HYPERLINK(1),http://127.0.0.1:8000/posts/{second.pk}/\r\n"
        f"{first.pk},2026-11-26 10:30,2026-11-26T09:30:00Z,Acme Sandbox,sandbox,scheduled,"
        f'Launch; day 1,editor,"Hello, world; line one\nline two \\ done",'
        f"http://127.0.0.1:8000/posts/{first.pk}/\r\n"
        f'{first.pk},2026-11-26 10:30,2026-11-26T09:30:00Z,"Acme, on X",x,awaiting_approval,'
        f'Launch; day 1,editor,"Hello, world; line one\nline two \\ done",'
        f"http://127.0.0.1:8000/posts/{first.pk}/\r\n"
    )


def test_exports_use_the_calendars_filters_and_period(client: Client, posts) -> None:
    first, _second, d1, _d2, _d3 = posts
    week = client.get(f"/calendar/export.csv?view=week&date=2026-11-25&account={d1.account_id}")
    rows = list(csv.reader(StringIO(week.content.decode())))
    assert [row[:4] for row in rows[1:]] == [
        [str(first.pk), "2026-11-26 10:30", "2026-11-26T09:30:00Z", "Acme Sandbox"]
    ]
    december = client.get("/calendar/export.csv?date=2026-12-01").content.decode()
    assert december == (
        "post_id,local_time,utc_time,account,network,state,campaign,author,text,url\r\n"
    )


def test_ics_has_one_escaped_and_folded_event_per_delivery(client: Client, posts) -> None:
    first, _second, d1, _d2, _d3 = posts

    response = client.get("/calendar/export.ics?state=scheduled")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="smo-month-2026-11-01.ics"'
    assert response.content.decode() == (
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//SMO//Calendar//EN\r\n"
        "CALSCALE:GREGORIAN\r\n"
        "METHOD:PUBLISH\r\n"
        "X-WR-CALNAME:Acme\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:delivery-{d1.pk}@127.0.0.1\r\n"
        "DTSTAMP:20261125T140000Z\r\n"
        "DTSTART:20261126T093000Z\r\n"
        "DTEND:20261126T094500Z\r\n"
        "SUMMARY:Acme Sandbox: Hello\\, world\\; line one\r\n"
        "DESCRIPTION:Hello\\, world\\; line one\\nline two \\\\ done\\n\\nAcme Sandbox (san\r\n"
        " dbox): scheduled\\nLaunch\\; day 1\r\n"
        f"URL:http://127.0.0.1:8000/posts/{first.pk}/\r\n"
        "STATUS:TENTATIVE\r\n"
        "CATEGORIES:Launch\\; day 1\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )


def test_ics_uids_stay_the_same_from_one_export_to_the_next(client: Client, posts) -> None:
    *_, d1, d2, d3 = posts
    first = client.get("/calendar/export.ics").content.decode()
    again = client.get("/calendar/export.ics").content.decode()
    uids = [line for line in first.split("\r\n") if line.startswith("UID:")]
    assert uids == [
        f"UID:delivery-{d3.pk}@127.0.0.1",
        f"UID:delivery-{d1.pk}@127.0.0.1",
        f"UID:delivery-{d2.pk}@127.0.0.1",
    ]
    assert first == again


def test_ics_text_escapes_backslashes_semicolons_commas_and_newlines() -> None:
    assert ics_text("a\\b;c,d\r\ne\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_ics_fold_keeps_lines_to_75_octets_without_splitting_characters() -> None:
    line = "SUMMARY:" + "å" * 80  # two octets each
    folded = ics_fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_viewers_may_export_and_outsiders_see_only_their_own(cast: Cast, posts) -> None:
    viewer = Client()
    viewer.force_login(cast.viewer.user)
    rows = list(csv.reader(StringIO(viewer.get("/calendar/export.csv").content.decode())))
    assert len(rows) == 4
    outsider = Client()
    outsider.force_login(cast.outsider.user)
    rows = list(csv.reader(StringIO(outsider.get("/calendar/export.csv").content.decode())))
    assert len(rows) == 1

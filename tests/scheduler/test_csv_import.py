"""CSV import: reading the file, checking each row, fetching media, saving all or nothing."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from scheduler import csv_import
from scheduler.models import Delivery, MediaAsset, Post
from tests.conftest import Cast
from tests.factories import SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
HEADER = "text,time,accounts,media_url,link,first_comment\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "orange").save(out, "PNG")
    return out.getvalue()


class MediaServer:
    """Files on http://127.0.0.1:<port>/, the only host tests may reach."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[int, bytes]] = {"/cat.png": (200, png())}
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = files.get(self.path, (404, b"not here"))
                self.send_response(status)
                if 300 <= status < 400:  # the body names where to go
                    self.send_header("Location", body.decode())
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def media_server() -> Iterator[MediaServer]:
    server = MediaServer()
    yield server
    server.close()


def checked(cast: Cast, text: str, role: str = "editor") -> list[csv_import.Row]:
    return csv_import.check(cast.role(role), csv_import.read(text.encode()))


def test_a_good_row_is_understood_in_the_persons_time_zone(cast: Cast, account) -> None:
    [row] = checked(cast, HEADER + '"Hello, world",2026-12-01 09:30,Acme Sandbox,,,\n')
    assert row.problems == []
    assert row.scheduled_at == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)  # Stockholm is UTC+1
    assert (row.number, row.text, row.account_ids) == (2, "Hello, world", [account.pk])


def test_a_time_with_an_offset_and_accounts_by_id_or_name(cast: Cast, account) -> None:
    other = SandboxAccountFactory(workspace=cast.workspace, name="Second")
    [row] = checked(
        cast, HEADER + f"Hi,2026-12-01T09:30:00-05:00,{other.pk} | acme sandbox;Acme Sandbox,,,\n"
    )
    assert row.problems == []
    assert row.scheduled_at == datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    assert row.account_ids == [other.pk, account.pk]


@pytest.mark.parametrize(
    ("time", "problem"),
    [
        ("tomorrow", "“tomorrow” is not a time SMO understands; write it like 2026-12-01 09:30."),
        ("", "Give a time, like 2026-12-01 09:30."),
        ("2026-11-25 10:00", "This time is in the past. Pick a time from now on, or publish now."),
        (
            "2027-03-28 02:30",
            "2027-03-28 02:30 does not exist in Europe/Stockholm: the clocks move forward at "
            "that time (daylight saving). Pick another time.",
        ),
    ],
)
def test_each_bad_time_is_named(cast: Cast, account, time: str, problem: str) -> None:
    [row] = checked(cast, HEADER + f"Hi,{time},Acme Sandbox,,,\n")
    assert row.problems == [problem]


def test_unknown_accounts_links_and_each_networks_problems_are_named(cast: Cast, account) -> None:
    rows = checked(
        cast,
        HEADER
        + "Hi,2026-12-01 09:30,Nobody,,,\n"
        + f"{'x' * 501},2026-12-01 09:30,Acme Sandbox,,ftp://x,Me first\n",
    )
    assert rows[0].problems == ["No connected account is called “Nobody”."]
    assert rows[1].problems == [
        "The link is not a web address (http or https).",
        "Acme Sandbox: Sandbox allows 500 characters; this text has 501.",
        "Acme Sandbox: Sandbox does not take a first comment.",
    ]


def test_another_workspaces_account_is_unknown(cast: Cast, account) -> None:
    theirs = SandboxAccountFactory(workspace=cast.outsider.workspace, name="Theirs")
    [row] = checked(cast, HEADER + f"Hi,2026-12-01 09:30,{theirs.pk},,,\n")
    assert row.problems == [f"No connected account is called “{theirs.pk}”."]


def test_media_is_fetched_and_checked(cast: Cast, account, media_server: MediaServer) -> None:
    media_server.files["/notes.txt"] = (200, b"just some text")
    rows = checked(
        cast,
        HEADER
        + f"A,2026-12-01 09:30,Acme Sandbox,{media_server.url}/cat.png,,\n"
        + f"B,2026-12-01 09:30,Acme Sandbox,{media_server.url}/gone.png,,\n"
        + f"C,2026-12-01 09:30,Acme Sandbox,{media_server.url}/notes.txt,,\n"
        + "D,2026-12-01 09:30,Acme Sandbox,file:///etc/passwd,,\n",
    )
    assert [r.problems for r in rows] == [
        [],
        ["Could not download the media file: the server answered 404."],
        ["This is not an image or video SMO can use (JPEG, PNG, GIF, WebP, MP4, MOV or WebM)."],
        ["The media URL must start with http:// or https://."],
    ]
    assert MediaAsset.objects.count() == 0  # checking saves nothing


def test_media_larger_than_the_limit_is_refused(
    cast: Cast, account, media_server: MediaServer, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.SMO_MAX_UPLOAD_BYTES = 50
    [row] = checked(
        cast, HEADER + f"A,2026-12-01 09:30,Acme Sandbox,{media_server.url}/cat.png,,\n"
    )
    assert row.problems == ["The media file is larger than 0.0 MB."]


def test_an_unreachable_media_server_is_a_row_problem(cast: Cast, account) -> None:
    server = MediaServer()
    url = server.url
    server.close()
    [row] = checked(cast, HEADER + f"A,2026-12-01 09:30,Acme Sandbox,{url}/cat.png,,\n")
    assert row.problems == ["Could not download the media file: the server is unreachable."]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The file is empty."),
        (b"text,when\nHi,now\n", "The first line must name the columns; missing: time, accounts."),
        (HEADER.encode(), "The file has a header but no posts."),
        (b"\xff\xfe\x00t", "The file is not UTF-8 text; save it as “CSV UTF-8”."),
        (b"x" * (256 * 1024 + 1), "The file is larger than 256 KB; split it into smaller files."),
        (
            (HEADER + "Hi,2026-12-01 09:30,A,,,\n" * 201).encode(),
            "The file has 201 posts; import at most 200 at a time.",
        ),
    ],
)
def test_a_file_that_cannot_be_imported_says_why(raw: bytes, message: str) -> None:
    with pytest.raises(csv_import.ImportRejected) as caught:
        csv_import.read(raw)
    assert str(caught.value) == message


def test_semicolons_a_bom_and_spaced_column_names_are_read(cast: Cast, account) -> None:
    raw = "\ufeffText;Time;Accounts;Media URL\nHi;2026-12-01 09:30;Acme Sandbox;\n\n".encode()
    [row] = csv_import.check(cast.editor, csv_import.read(raw))
    assert (row.text, row.problems) == ("Hi", [])


def test_saving_creates_the_valid_rows_and_skips_the_bad_ones(
    cast: Cast, account, media_server: MediaServer
) -> None:
    rows = checked(
        cast,
        HEADER
        + f"With a cat,2026-12-01 09:30,Acme Sandbox,{media_server.url}/cat.png,https://example.com/,\n"
        + "Bad,yesterday,Acme Sandbox,,,\n"
        + "Plain,2026-12-02 10:00,Acme Sandbox,,,\n",
    )
    created = csv_import.save(cast.editor, rows)
    assert [(p.text, p.link) for p in created] == [
        ("With a cat", "https://example.com/"),
        ("Plain", ""),
    ]
    states = list(
        Delivery.objects.order_by("post__text").values_list("post__text", "state", "scheduled_at")
    )
    assert states == [
        ("Plain", S.SCHEDULED, datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
        ("With a cat", S.SCHEDULED, datetime(2026, 12, 1, 8, 30, tzinfo=UTC)),
    ]
    asset = MediaAsset.objects.get()
    assert (asset.kind, asset.mime_type, asset.width, asset.height) == ("image", "image/png", 4, 3)
    assert list(created[0].media.all()) == [asset]


def test_a_contributors_rows_go_to_approval(cast: Cast, account) -> None:
    rows = checked(cast, HEADER + "Hi,2026-12-01 09:30,Acme Sandbox,,,\n", role="contributor")
    csv_import.save(cast.contributor, rows)
    assert Delivery.objects.get().state == S.AWAITING_APPROVAL


def test_nothing_is_saved_when_a_row_went_bad_since_the_preview(cast: Cast, account) -> None:
    rows = checked(
        cast,
        HEADER + "One,2026-12-01 09:30,Acme Sandbox,,,\nTwo,2026-12-01 09:30,Acme Sandbox,,,\n",
    )
    account.name = "Renamed"
    account.save()
    with pytest.raises(csv_import.RowsChanged) as caught:
        csv_import.save(cast.editor, rows)
    assert str(caught.value) == (
        "Row 2, 3 changed since the preview, so nothing was imported. Check it again."
    )
    assert caught.value.rows[0].problems == ["No connected account is called “Acme Sandbox”."]
    assert Post.objects.count() == 0


def test_nothing_is_saved_when_creating_a_later_row_fails(
    cast: Cast, account, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = checked(
        cast,
        HEADER + "One,2026-12-01 09:30,Acme Sandbox,,,\nTwo,2026-12-01 09:30,Acme Sandbox,,,\n",
    )
    real = csv_import.posts.create_post

    def create_post(membership, data):  # type: ignore[no-untyped-def]
        if data.text == "Two":
            raise csv_import.posts.PostErrors({"text": ["Refused at the last moment."]})
        return real(membership, data)

    monkeypatch.setattr(csv_import.posts, "create_post", create_post)
    with pytest.raises(csv_import.ImportRejected) as caught:
        csv_import.save(cast.editor, rows)
    assert str(caught.value) == "Row 3: Refused at the last moment. Nothing was imported."
    assert (Post.objects.count(), Delivery.objects.count()) == (0, 0)


def test_saving_with_no_valid_rows_is_refused(cast: Cast, account) -> None:
    rows = checked(cast, HEADER + "Bad,yesterday,Acme Sandbox,,,\n")
    with pytest.raises(csv_import.ImportRejected, match="No row is ready to import"):
        csv_import.save(cast.editor, rows)

"""Bulk import of posts from a CSV file: check every row first, then save all or nothing.

Columns: text, time (local wall-clock time in the person's zone, or ISO 8601 with an
offset), accounts (names or ids separated by ';' or '|'), and optionally media_url,
link and first_comment. Rows are plain data (`Row.as_dict`) so a preview can wait
in the session while the person reads it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.adapters.base import Content, MediaItem
from channels.adapters.session import build_session
from channels.models import SocialAccount
from scheduler import localtime, media, posts, public_urls
from scheduler.models import Membership, Post

MAX_FILE_BYTES = 256 * 1024
MAX_ROWS = 200
# Media is held in memory while it is checked: a lower cap than uploads have.
MAX_MEDIA_BYTES = 25 * 1024 * 1024
MEDIA_TIMEOUT = 10.0
MAX_REDIRECTS = 3
REQUIRED = ("text", "time", "accounts")
OPTIONAL = ("media_url", "link", "first_comment")
ALIASES = {"media": "media_url", "image": "media_url", "comment": "first_comment"}


class ImportRejected(ValueError):
    """The file as a whole cannot be imported; nothing was saved."""


class RowsChanged(ImportRejected):
    """A row valid in the preview no longer is; `rows` holds them as they are now."""

    def __init__(self, message: str, rows: list[Row]) -> None:
        super().__init__(message)
        self.rows = rows


class MediaProblem(ValueError):
    pass


@dataclass
class Row:
    number: int  # the line in the file; the header is line 1
    text: str = ""
    time: str = ""
    accounts: str = ""
    media_url: str = ""
    link: str = ""
    first_comment: str = ""
    when: str = ""  # UTC, ISO 8601, once the time is understood
    account_ids: list[int] = field(default_factory=list)
    account_names: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def scheduled_at(self) -> datetime | None:
        return datetime.fromisoformat(self.when) if self.when else None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Fetched:
    name: str
    data: bytes
    kind: str
    mime_type: str
    width: int | None
    height: int | None
    duration: float | None = None
    container: str = ""


Fetcher = Callable[[str], Fetched]


# --- Reading the file ------------------------------------------------------------------


def read(raw: bytes) -> list[Row]:
    """Split a CSV file into rows, or raise ImportRejected for the file as a whole."""
    if len(raw) > MAX_FILE_BYTES:
        raise ImportRejected(
            _("The file is larger than %(kb)s KB; split it into smaller files.")
            % {"kb": MAX_FILE_BYTES // 1024}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(_("The file is not UTF-8 text; save it as “CSV UTF-8”.")) from exc
    first = text.split("\n", 1)[0]
    # Spreadsheets in many European locales save with ';' between columns.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = [(reader.line_num, cells) for cells in reader]
    except csv.Error as exc:
        raise ImportRejected(_("The file is not a CSV file SMO can read.")) from exc
    if not lines:
        raise ImportRejected(_("The file is empty."))
    header = [_column(name) for name in lines[0][1]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportRejected(
            _("The first line must name the columns; missing: %(names)s.")
            % {"names": ", ".join(missing)}
        )
    rows = []
    for number, cells in lines[1:]:
        if not any(c.strip() for c in cells):
            continue
        values = dict(zip(header, cells, strict=False))
        rows.append(
            Row(number, **{k: values.get(k, "").strip() for k in REQUIRED + OPTIONAL})  # type: ignore[arg-type]
        )
    if not rows:
        raise ImportRejected(_("The file has a header but no posts."))
    if len(rows) > MAX_ROWS:
        raise ImportRejected(
            _("The file has %(n)s posts; import at most %(max)s at a time.")
            % {"n": len(rows), "max": MAX_ROWS}
        )
    return rows


def _column(name: str) -> str:
    key = re.sub(r"[\s-]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


# --- Checking rows ---------------------------------------------------------------------


def check(membership: Membership, rows: list[Row], fetch: Fetcher | None = None) -> list[Row]:
    """Fill in each row's time, accounts and problems (each network's, too)."""
    fetch = fetch or fetch_media
    accounts = list(SocialAccount.objects.filter(workspace=membership.workspace))
    zone = localtime.zone(membership.user.timezone)
    now = timezone.now()
    fetched: dict[str, Fetched | str] = {}
    checked = []
    for row in rows:
        row = Row(**{**row.as_dict(), "when": "", "account_ids": [], "problems": []})  # type: ignore[arg-type]
        chosen = _accounts(row, accounts)
        when = _time(row, zone, now)
        row.when = when.isoformat() if when else ""
        if row.link:
            try:
                URLValidator(schemes=["http", "https"])(row.link)
            except ValidationError:
                row.problems.append(_("The link is not a web address (http or https)."))
        items: tuple[MediaItem, ...] = ()
        if row.media_url:
            if row.media_url not in fetched:
                try:
                    fetched[row.media_url] = fetch(row.media_url)
                except MediaProblem as exc:
                    fetched[row.media_url] = str(exc)
            got = fetched[row.media_url]
            if isinstance(got, str):
                row.problems.append(got)
            else:
                items = (_item(row.media_url, got),)
        content = Content(row.text, media=items, link=row.link, first_comment=row.first_comment)
        for messages in posts.content_problems(content, chosen).values():
            row.problems.extend(messages)
        checked.append(row)
    return checked


def _accounts(row: Row, accounts: list[SocialAccount]) -> list[SocialAccount]:
    names = [n.strip() for n in re.split(r"[;|]", row.accounts) if n.strip()]
    if not names:
        row.problems.append(_("Name at least one account."))
    chosen: list[SocialAccount] = []
    for name in names:
        matches = [a for a in accounts if str(a.pk) == name or a.name.casefold() == name.casefold()]
        if not matches:
            row.problems.append(_("No connected account is called “%(name)s”.") % {"name": name})
        elif len(matches) > 1:
            row.problems.append(
                _("Several accounts are called “%(name)s”; use the id instead (%(ids)s).")
                % {"name": name, "ids": ", ".join(str(a.pk) for a in matches)}
            )
        elif matches[0] not in chosen:
            chosen.append(matches[0])
    row.account_ids = [a.pk for a in chosen]
    row.account_names = [a.name for a in chosen]
    return chosen


def _time(row: Row, zone: ZoneInfo, now: datetime) -> datetime | None:
    value = row.time.strip()
    if not value:
        row.problems.append(_("Give a time, like 2026-12-01 09:30."))
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        row.problems.append(
            _("“%(time)s” is not a time SMO understands; write it like 2026-12-01 09:30.")
            % {"time": value}
        )
        return None
    try:
        when = localtime.to_utc(parsed, zone)
    except localtime.LocalTimeError as exc:
        row.problems.append(str(exc))
        return None
    for messages in posts.check_time(when, now).values():
        row.problems.extend(messages)
    return when


def _item(url: str, got: Fetched) -> MediaItem:
    return MediaItem(
        path="",
        mime_type=got.mime_type,
        kind=got.kind,
        size=len(got.data),
        width=got.width,
        height=got.height,
        url=url,
        duration=got.duration,
        container=got.container,
    )


# --- Fetching media --------------------------------------------------------------------


def fetch_media(url: str) -> Fetched:
    """Download a media URL through the outbound session and check what it is."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise MediaProblem(_("The media URL must start with http:// or https://."))
    limit = min(settings.SMO_MAX_UPLOAD_BYTES, MAX_MEDIA_BYTES)
    too_big = MediaProblem(
        _("The media file is larger than %(mb)s MB.") % {"mb": round(limit / 1024 / 1024, 1)}
    )
    session = build_session(min(settings.SMO_HTTP_TIMEOUT, MEDIA_TIMEOUT))
    try:
        with _get_public(session, url) as response:
            if response.status_code != 200:
                raise MediaProblem(
                    _("Could not download the media file: the server answered %(status)s.")
                    % {"status": response.status_code}
                )
            if int(response.headers.get("Content-Length") or 0) > limit:
                raise too_big
            data = b""
            for chunk in response.iter_content(64 * 1024):
                data += chunk
                if len(data) > limit:
                    raise too_big
    except requests.Timeout as exc:
        raise MediaProblem(_("Could not download the media file: no answer in time.")) from exc
    except requests.RequestException as exc:
        raise MediaProblem(
            _("Could not download the media file: the server is unreachable.")
        ) from exc
    finally:
        session.close()
    name = PurePosixPath(parts.path).name or "media"
    upload = SimpleUploadedFile(name, data)
    try:
        found = media.inspect(upload)
    except media.MediaRejected as exc:
        raise MediaProblem(str(exc)) from exc
    return Fetched(
        name,
        data,
        found.kind,
        found.mime_type,
        found.width,
        found.height,
        found.duration,
        found.container,
    )


def _get_public(session: requests.Session, url: str) -> requests.Response:
    """GET `url`, following redirects by hand so that each hop is checked to be public."""
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            public_urls.check(url)
        except public_urls.NotPublic as exc:
            raise MediaProblem(str(exc)) from exc
        response = session.get(url, stream=True, allow_redirects=False)
        if not response.is_redirect:
            return response
        url = urljoin(url, response.headers["Location"])
        response.close()
    raise MediaProblem(_("Could not download the media file: too many redirects."))


# --- Saving ----------------------------------------------------------------------------


def save(membership: Membership, rows: list[Row], fetch: Fetcher | None = None) -> list[Post]:
    """Check the rows again and save every valid one, all or nothing.

    Raise RowsChanged when a row that was valid in the preview no longer is (a time
    now past, an account gone), ImportRejected when nothing is left to import.
    """
    fetch = fetch or fetch_media
    fresh = check(membership, rows, fetch)
    was_ok = {r.number for r in rows if r.ok}
    changed = [r for r in fresh if r.number in was_ok and not r.ok]
    if changed:
        raise RowsChanged(
            _("Row %(rows)s changed since the preview, so nothing was imported. Check it again.")
            % {"rows": ", ".join(str(r.number) for r in changed)},
            fresh,
        )
    valid = [r for r in fresh if r.ok]
    if not valid:
        raise ImportRejected(_("No row is ready to import; fix the file and upload it again."))
    by_pk = {a.pk: a for a in SocialAccount.objects.filter(workspace=membership.workspace)}
    downloads = {r.media_url: fetch(r.media_url) for r in valid if r.media_url}
    created = []
    with transaction.atomic():
        for row in valid:
            assets = []
            if row.media_url:
                got = downloads[row.media_url]
                assets = [media.store_upload(membership, SimpleUploadedFile(got.name, got.data))]
            try:
                created.append(
                    posts.create_post(
                        membership,
                        posts.PostInput(
                            text=row.text,
                            accounts=[by_pk[pk] for pk in row.account_ids],
                            scheduled_at=row.scheduled_at,
                            media=assets,
                            link=row.link,
                            first_comment=row.first_comment,
                        ),
                    )
                )
            except posts.PostErrors as exc:
                # Raising inside atomic() rolls back the rows saved before this one.
                problems = "; ".join(m for ms in exc.errors.values() for m in ms)
                raise ImportRejected(
                    _("Row %(n)s: %(problems)s Nothing was imported.")
                    % {"n": row.number, "problems": problems}
                ) from exc
    return created

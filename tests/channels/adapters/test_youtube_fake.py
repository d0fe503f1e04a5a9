"""FakeYouTube and the discovery-document validator hold requests and answers to the
document google-api-python-client ships, speak the resumable protocol, and count
quota as Google does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.fakes import discovery
from tests.fakes.youtube import VIDEOS, FakeYouTube
from tests.fakes.youtube_wire import KNOWN, google_error

API = "/youtube/v3"


@pytest.fixture
def fake() -> Iterator[FakeYouTube]:
    with FakeYouTube(granularity=4) as fake:
        fake.add_channel("UCacme", "Acme", "@acme", user="ann")
        yield fake


def call(
    fake: FakeYouTube, method: str, path: str, token: str = "", **kwargs: Any
) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, fake.url + path, headers=headers, timeout=2, **kwargs)


def start(fake: FakeYouTube, token: str, total: int, **body: Any) -> requests.Response:
    metadata = {"snippet": {"title": "Buns", **body}, "status": {"privacyStatus": "private"}}
    return call(
        fake,
        "POST",
        VIDEOS,
        token,
        params={"part": "snippet,status", "uploadType": "resumable"},
        json=metadata,
        headers={"X-Upload-Content-Length": str(total), "X-Upload-Content-Type": "video/mp4"},
    )


def test_the_discovery_document_finds_methods_by_path_and_upload_path() -> None:
    spec = discovery.load()
    assert spec.find("GET", "/youtube/v3/channels").id == "youtube.channels.list"  # type: ignore[union-attr]
    upload = spec.find("POST", "/upload/youtube/v3/videos")
    assert upload is not None and (upload.id, upload.upload, upload.name) == (
        "youtube.videos.insert",
        True,
        "videos.insert",
    )
    assert spec.find("POST", "/resumable/upload/youtube/v3/thumbnails/set").id == (  # type: ignore[union-attr]
        "youtube.thumbnails.set"
    )
    assert spec.find("DELETE", "/youtube/v3/nothing") is None


def test_the_validator_reports_what_google_would_refuse() -> None:
    spec = discovery.load()
    insert = spec.find("POST", "/upload/youtube/v3/videos")
    update = spec.find("PUT", "/youtube/v3/videos")
    listing = spec.find("GET", "/youtube/v3/playlistItems")
    assert insert and update and listing
    assert spec.check_query(listing, [("part", "snippet"), ("maxResults", "51"), ("x", "1")]) == [
        "maxResults: 51 is outside 0..50",
        "unknown query parameter 'x'",
    ]
    assert spec.check_query(listing, [("maxResults", "5")]) == [
        "required query parameter 'part' is missing"
    ]
    assert spec.check_query(
        listing, [("part", "snippet"), ("pageToken", "a"), ("pageToken", "b")]
    ) == ["'pageToken' is not repeated but was sent 2 times"]
    assert spec.check_body(insert, {"snippet": {"title": 5}, "status": {"privacyStatus": "x"}}) == [
        "snippet/title: 5 is not of type 'string'",
        "status/privacyStatus: 'x' is not one of ['public', 'unlisted', 'private']",
    ]
    assert spec.check_body(insert, {"snipet": {}}) == [
        "(body): Additional properties are not allowed ('snipet' was unexpected)"
    ]
    assert spec.check_body(update, {"snippet": {"title": "t"}}) == [
        "id is required by youtube.videos.update"
    ]
    assert spec.check_upload(insert, "image/png", 10) == [
        "media type 'image/png' is not in ['video/*', 'application/octet-stream']"
    ]
    assert spec.check_response(listing, {"items": [{"snippet": {"position": -1}}]}) == [
        "items/0/snippet/position: -1 is less than the minimum of 0"
    ]
    assert spec.check_error(403, {"error": {"code": 403, "message": "m", "errors": [{}]}}) == [
        "error/errors/0: 'message' is a required property",
        "error/errors/0: 'domain' is a required property",
        "error/errors/0: 'reason' is a required property",
    ]


def test_every_error_the_fake_sends_has_googles_envelope() -> None:
    spec = discovery.load()
    for reason in KNOWN:
        for status in (400, 401, 403, 404, 429, 500):
            reply = google_error(status, reason)
            assert spec.check_error(status, reply.body) == [], (status, reason)


def test_a_request_google_would_refuse_is_answered_400_and_recorded(fake: FakeYouTube) -> None:
    token = fake.issue_token("ann")
    answer = call(fake, "GET", f"{API}/channels", token, params={"part": "id", "mine": "maybe"})
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["reason"] == "invalidParameter"
    assert fake.contract_violations == [
        "GET /youtube/v3/channels: mine: 'maybe' is not true or false"
    ]


def test_an_answer_of_the_fake_that_strays_from_the_document_is_recorded(
    fake: FakeYouTube, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fakes import youtube_lists

    real = youtube_lists.channel_resource
    monkeypatch.setattr(youtube_lists, "channel_resource", lambda c, p: {**real(c, p), "x": 1})
    token = fake.issue_token("ann")
    assert call(fake, "GET", f"{API}/channels", token, params={"part": "id", "mine": "true"}).ok
    assert fake.contract_violations == [
        "the fake's 200 to GET /youtube/v3/channels: items/0: Additional properties are not "
        "allowed ('x' was unexpected)"
    ]


def test_a_resumable_upload_answers_308_with_the_range_then_the_video(fake: FakeYouTube) -> None:
    token = fake.issue_token("ann")
    started = start(fake, token, 10)
    assert (started.status_code, started.content) == (200, b"")
    session = started.headers["Location"]
    assert session.startswith(f"{fake.url}{VIDEOS}?uploadType=resumable&part=snippet%2Cstatus")

    def put(data: bytes, content_range: str) -> requests.Response:
        headers = {"Content-Range": content_range}
        return requests.put(session, data=data, headers=headers, timeout=2)

    empty = put(b"", "bytes */10")
    assert (empty.status_code, empty.headers.get("Range")) == (308, None)
    first = put(b"abcd", "bytes 0-3/10")
    assert (first.status_code, first.headers["Range"]) == (308, "bytes=0-3")
    assert put(b"", "bytes */10").headers["Range"] == "bytes=0-3"
    assert put(b"efgh", "bytes 4-7/10").headers["Range"] == "bytes=0-7"
    done = put(b"ij", "bytes 8-9/10")
    assert done.status_code == 200
    video = done.json()
    assert set(video) == {"kind", "etag", "id", "snippet", "status"}
    assert fake.videos[video["id"]]["bytes"] == b"abcdefghij"
    again = put(b"", "bytes */10")
    assert (again.status_code, again.json()["id"]) == (200, video["id"])
    assert fake.contract_violations == []


def test_a_chunk_that_breaks_the_protocol_is_refused_and_recorded(fake: FakeYouTube) -> None:
    session = start(fake, fake.issue_token("ann"), 10).headers["Location"]
    bad = requests.put(session, data=b"abc", headers={"Content-Range": "bytes 0-2/10"}, timeout=2)
    assert bad.status_code == 400
    assert fake.contract_violations == [f"PUT {VIDEOS}: a chunk of 3 bytes is not a multiple of 4"]
    gone = requests.put(
        session.replace("upload_id=", "upload_id=x"),
        headers={"Content-Range": "bytes */10"},
        timeout=2,
    )
    assert gone.status_code == 404


def test_quota_is_charged_per_method_and_resets_at_pacific_midnight(fake: FakeYouTube) -> None:
    token = fake.issue_token("ann", expires_in=3 * 86400)
    fake.quota.uploads = 2
    assert start(fake, token, 10).ok and start(fake, token, 10).ok
    refused = start(fake, token, 10)
    assert refused.status_code == 403
    assert refused.json()["error"]["errors"][0] == {
        "message": KNOWN["quotaExceeded"][1],
        "domain": "youtube.quota",
        "reason": "quotaExceeded",
    }
    listing = {"part": "snippet", "playlistId": "UUacme"}
    call(fake, "GET", f"{API}/playlistItems", token, params=listing)
    assert (fake.used("uploads"), fake.used("units")) == (2, 1)  # the refusal cost nothing
    fake.advance(86400)
    assert start(fake, token, 10).ok
    assert fake.used("uploads") == 1


def test_playlist_items_page_with_tokens_newest_first(fake: FakeYouTube) -> None:
    ids = [fake.add_video("UCacme", f"Video {n}", ago=10 - n) for n in range(7)]
    token = fake.issue_token("ann")
    params = {"part": "snippet,contentDetails", "playlistId": "UUacme", "maxResults": "5"}
    first = call(fake, "GET", f"{API}/playlistItems", token, params=params).json()
    assert [i["contentDetails"]["videoId"] for i in first["items"]] == ids[::-1][:5]
    assert first["pageInfo"] == {"totalResults": 7, "resultsPerPage": 5}
    second = call(
        fake,
        "GET",
        f"{API}/playlistItems",
        token,
        params={**params, "pageToken": first["nextPageToken"]},
    ).json()
    assert [i["snippet"]["position"] for i in second["items"]] == [5, 6]
    assert "nextPageToken" not in second
    bad = call(fake, "GET", f"{API}/playlistItems", token, params={**params, "pageToken": "zz"})
    assert bad.status_code == 400
    missing = call(
        fake, "GET", f"{API}/playlistItems", token, params={**params, "playlistId": "UUx"}
    )
    assert missing.json()["error"]["errors"][0]["reason"] == "playlistNotFound"
    assert fake.contract_violations == []


def test_calls_need_a_live_token_with_the_right_scope(fake: FakeYouTube) -> None:
    params = {"part": "id", "mine": "true"}
    assert call(fake, "GET", f"{API}/channels", "nope", params=params).status_code == 401
    upload_only = fake.issue_token(
        "ann", scopes=("https://www.googleapis.com/auth/youtube.upload",)
    )
    denied = call(fake, "GET", f"{API}/channels", upload_only, params=params)
    assert denied.status_code == 403
    assert denied.json()["error"]["status"] == "PERMISSION_DENIED"
    full = fake.issue_token("ann", scopes=("https://www.googleapis.com/auth/youtube",))
    assert call(fake, "GET", f"{API}/channels", full, params=params).ok


def test_token_answers_are_checked_against_rfc_6749(fake: FakeYouTube) -> None:
    form = {"grant_type": "refresh_token", "refresh_token": "unknown"}
    form |= {"client_id": fake.client_id, "client_secret": fake.client_secret}
    answer = requests.post(f"{fake.url}/token", data=form, timeout=2)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")
    good = {**form, "refresh_token": fake.issue_refresh_token("ann")}
    tokens = requests.post(f"{fake.url}/token", data=good, timeout=2).json()
    assert set(tokens) == {"access_token", "expires_in", "scope", "token_type"}
    assert fake.contract_violations == []

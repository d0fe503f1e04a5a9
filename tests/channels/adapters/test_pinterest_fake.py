"""FakePinterest itself: held to Pinterest's OpenAPI description, and answering as
Pinterest and its S3 upload host do."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakes import specs
from tests.fakes.pinterest import API_HOST, SPEC_FILE, FakePinterest


@pytest.fixture
def fake() -> Iterator[FakePinterest]:
    with FakePinterest() as fake:
        yield fake


@pytest.fixture
def user(fake: FakePinterest) -> str:
    return fake.add_user("acmebakery", "Acme Bakery")


@pytest.fixture
def token(fake: FakePinterest, user: str) -> str:
    return fake.issue_token(user)


def require_contract(fake: FakePinterest) -> None:
    if not fake.validating:
        pytest.skip(f"Pinterest's OpenAPI description is not in {specs.specs_dir()}")


def call(
    fake: FakePinterest, method: str, path: str, token: str | None, **kwargs: Any
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, fake.url + path, headers=headers, timeout=2, **kwargs)


def image_pin(board: str, **fields: Any) -> dict[str, Any]:
    source = {"source_type": "image_url", "url": "https://acme.example/bun.jpg"}
    return {"board_id": board, "media_source": source, **fields}


def test_a_title_over_100_characters_breaks_the_contract_and_is_refused(
    fake: FakePinterest, user: str, token: str
) -> None:
    require_contract(fake)
    board = fake.add_board(user, "Bakes")

    answer = call(fake, "POST", "/v5/pins", token, json=image_pin(board, title="b" * 101))

    assert answer.status_code == 400
    assert answer.json()["code"] == 1
    assert "is too long" in answer.json()["message"]
    [violation] = fake.contract_violations
    assert violation.startswith("POST /v5/pins: Request body validation error")
    assert fake.pins == []


def test_a_board_id_that_is_not_a_number_and_a_gif_are_caught(
    fake: FakePinterest, user: str, token: str
) -> None:
    require_contract(fake)
    gif = {"source_type": "image_base64", "content_type": "image/gif", "data": "R0lGODlh"}
    answer = call(fake, "POST", "/v5/pins", token, json={"board_id": "Bakes", "media_source": gif})
    assert answer.status_code == 400
    [violation] = fake.contract_violations
    assert "'Bakes' does not match" in violation
    assert "'image/gif' is not one of ['image/jpeg', 'image/png']" in violation


def test_a_carousel_of_one_is_refused_by_the_description(
    fake: FakePinterest, user: str, token: str
) -> None:
    require_contract(fake)
    board = fake.add_board(user, "Bakes")
    one = {
        "source_type": "multiple_image_base64",
        "items": [{"content_type": "image/png", "data": "iVBO"}],
    }
    assert (
        call(
            fake, "POST", "/v5/pins", token, json={"board_id": board, "media_source": one}
        ).status_code
        == 400
    )
    assert "is too short" in fake.contract_violations[0]


def test_a_request_without_a_token_breaks_the_contract_and_gets_401(fake: FakePinterest) -> None:
    require_contract(fake)
    answer = call(fake, "GET", "/v5/boards", None)
    assert (answer.status_code, answer.json()) == (
        401,
        {"code": 2, "message": "Authentication failed."},
    )
    assert len(fake.contract_violations) == 1


def test_an_endpoint_pinterest_does_not_have_is_a_violation(
    fake: FakePinterest, token: str
) -> None:
    require_contract(fake)
    assert call(fake, "POST", "/v5/pins/create", token, json={}).status_code == 404
    assert fake.contract_violations[0].startswith("POST /v5/pins/create: ")


def test_a_page_size_over_250_is_caught(fake: FakePinterest, token: str) -> None:
    require_contract(fake)
    assert call(fake, "GET", "/v5/boards", token, params={"page_size": 500}).status_code == 400
    assert "500 is greater than the maximum of 250" in fake.contract_violations[0]


def test_a_refresh_without_its_refresh_token_breaks_the_contract(fake: FakePinterest) -> None:
    require_contract(fake)
    answer = requests.post(
        f"{fake.url}/v5/oauth/token",
        data={"grant_type": "refresh_token"},
        auth=(fake.app_id, fake.app_secret),
        timeout=2,
    )
    assert answer.status_code == 400
    [violation] = fake.contract_violations
    assert violation.startswith("POST /v5/oauth/token: Request body validation error")


def test_the_response_check_catches_an_answer_pinterest_would_not_give() -> None:
    contract = specs.contract(SPEC_FILE, API_HOST)
    if contract is None:
        pytest.skip(f"Pinterest's OpenAPI description is not in {specs.specs_dir()}")
    good = json.dumps({"media_id": "123", "media_type": "video", "status": "processing"}).encode()
    bad = json.dumps({"media_id": "123", "media_type": "video", "status": "done"}).encode()
    assert contract.check_response("GET", "/v5/media/123", 200, good, "application/json") == []
    [violation] = contract.check_response("GET", "/v5/media/123", 200, bad, "application/json")
    assert (
        "'done' is not one of ['registered', 'processing', 'succeeded', 'failed']"
        in violation.message
    )
    refresh = {
        "response_type": "refresh_token",
        "access_token": "a",
        "token_type": "bearer",
        "expires_in": 1,
        "scope": "pins:read",
    }
    [violation] = contract.check_response(
        "POST", "/v5/oauth/token", 200, json.dumps(refresh).encode(), "application/json"
    )
    assert "'refresh_token' is a required property" in violation.message


def test_boards_come_in_bookmarked_pages(fake: FakePinterest, user: str, token: str) -> None:
    boards = [fake.add_board(user, f"Board {n}") for n in range(30)]
    first = call(fake, "GET", "/v5/boards", token).json()
    assert [b["id"] for b in first["items"]] == boards[:25]  # 25 by default
    second = call(fake, "GET", "/v5/boards", token, params={"bookmark": first["bookmark"]}).json()
    assert [b["id"] for b in second["items"]] == boards[25:]
    assert second["bookmark"] is None
    bad = call(fake, "GET", "/v5/boards", token, params={"bookmark": "not-ours"})
    assert bad.status_code == 400
    assert fake.contract_violations == []


def test_a_board_of_another_account_and_a_missing_board_answer_as_pinterest_does(
    fake: FakePinterest, user: str, token: str
) -> None:
    theirs = fake.add_board(fake.add_user("someone"), "Theirs")
    assert call(fake, "GET", f"/v5/boards/{theirs}/pins", token).json() == {
        "code": 7,
        "message": "Not authorized to access board or Pin.",
    }
    missing = call(fake, "GET", "/v5/boards/1234/pins", token)
    assert (missing.status_code, missing.json()) == (
        404,
        {"code": 40, "message": "Board not found."},
    )
    assert fake.contract_violations == []


def test_the_write_limit_counts_per_minute(fake: FakePinterest, user: str, token: str) -> None:
    board = fake.add_board(user, "Bakes")
    fake.limits["org_write"] = 2
    statuses = [
        call(fake, "POST", "/v5/pins", token, json=image_pin(board)).status_code for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    assert call(fake, "GET", "/v5/boards", token).ok  # reads count apart
    fake.advance(60)
    assert call(fake, "POST", "/v5/pins", token, json=image_pin(board)).status_code == 201
    assert fake.contract_violations == []


def registered(fake: FakePinterest, token: str) -> dict[str, Any]:
    answer = call(fake, "POST", "/v5/media", token, json={"media_type": "video"})
    assert answer.status_code == 201
    return dict(answer.json())


def test_the_upload_host_takes_the_signed_fields_and_the_file_last(
    fake: FakePinterest, token: str
) -> None:
    media = registered(fake, token)
    files = {"file": ("clip.mp4", b"\0\0\0\x18ftypmp42", "video/mp4")}
    assert (
        requests.post(
            media["upload_url"], data=media["upload_parameters"], files=files, timeout=2
        ).status_code
        == 204
    )
    states = [
        call(fake, "GET", f"/v5/media/{media['media_id']}", token).json()["status"]
        for _ in range(2)
    ]
    assert states == ["processing", "succeeded"]
    assert fake.contract_violations == []


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"headers": {"Authorization": "Bearer pina_x"}}, 400, "InvalidArgument"),
        ({"drop": "x-amz-signature"}, 403, "AccessDenied"),
        ({"file_first": True}, 400, "InvalidArgument"),
        ({"expired": True}, 403, "AccessDenied"),
    ],
)
def test_the_upload_host_refuses_what_s3_refuses(
    fake: FakePinterest, token: str, change: dict[str, Any], status: int, code: str
) -> None:
    media = registered(fake, token)
    fields = dict(media["upload_parameters"])
    fields.pop(change.get("drop", ""), None)
    if change.get("expired"):
        fake.advance(fake.policy_seconds + 1)
    parts: list[tuple[str, Any]] = [(k, (None, v)) for k, v in fields.items()]
    file = ("file", ("clip.mp4", b"\0\0\0\x18ftypmp42", "video/mp4"))
    parts = [file, *parts] if change.get("file_first") else [*parts, file]
    answer = requests.post(
        media["upload_url"], files=parts, headers=change.get("headers", {}), timeout=2
    )
    assert answer.status_code == status
    assert f"<Code>{code}</Code>" in answer.text
    assert fake.media[media["media_id"]]["status"] == "registered"


def test_a_chunked_upload_gets_s3s_411(fake: FakePinterest, token: str) -> None:
    media = registered(fake, token)
    answer = requests.post(media["upload_url"], data=iter([b"chunk"]), timeout=2)
    assert answer.status_code == 411
    assert "<Code>MissingContentLength</Code>" in answer.text


def test_without_the_specs_folder_the_fake_runs_unchecked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SMO_API_SPECS", str(tmp_path))
    monkeypatch.delenv("SMO_REQUIRE_SPECS", raising=False)  # CI sets it
    specs.load_spec.cache_clear()
    specs.contract.cache_clear()
    try:
        with FakePinterest() as fake:
            user = fake.add_user("acmebakery")
            board = fake.add_board(user, "Bakes")
            token = fake.issue_token(user)
            assert fake.validating is False
            answer = call(fake, "POST", "/v5/pins", token, json=image_pin(board, title="b" * 101))
            assert answer.status_code == 201
            assert fake.contract_violations == []
    finally:
        specs.load_spec.cache_clear()
        specs.contract.cache_clear()

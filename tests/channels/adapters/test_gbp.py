"""GoogleBusinessAdapter against FakeBusinessProfile: each kind of local post, the
errors, refreshing tokens, the lookup of a lost post, validation and connecting."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels.adapters import base
from tests.fakes.gbp_contract import PHOTO, ContractCase, contract_case


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case


def publish(case: ContractCase, content: base.Content) -> base.Published:
    return case.adapter.publish(case.creds, content, "key", base.Progress())


def sent(case: ContractCase) -> dict:
    [request] = case.fake.calls("POST", f"/v4/{case.parent}/localPosts")
    return request.body


def test_an_update_with_a_photo_and_the_link_as_a_learn_more_button(case: ContractCase) -> None:
    result = publish(case, case.content_ok)

    [post] = case.fake.posts[case.parent]
    assert result.external_id == post["name"]
    assert result.url == post["searchUrl"]
    assert sent(case) == {
        "topicType": "STANDARD",
        "summary": "Cardamom buns are back, warm from 7.",
        "languageCode": "en-GB",
        "callToAction": {"actionType": "LEARN_MORE", "url": "https://acme.example/buns"},
        "media": [{"mediaFormat": "PHOTO", "sourceUrl": PHOTO.url}],
    }
    request = case.fake.calls("POST", f"/v4/{case.parent}/localPosts")[0]
    assert request.headers["authorization"] == f"Bearer {case.creds.secrets['access_token']}"


def test_an_event_sends_its_title_and_schedule(case: ContractCase) -> None:
    options = {
        "topic": "EVENT",
        "event_title": "Bun festival",
        "event_start": "2026-12-14 09:00",
        "event_end": "2026-12-14",
        "button": "BOOK",
        "button_url": "https://acme.example/book",
    }
    content = base.Content("Come taste every bun.", options=options)
    assert case.adapter.validate(content) == []

    publish(case, content)

    assert sent(case) == {
        "topicType": "EVENT",
        "summary": "Come taste every bun.",
        "languageCode": "en-GB",
        "event": {
            "title": "Bun festival",
            "schedule": {
                "startDate": {"year": 2026, "month": 12, "day": 14},
                "startTime": {"hours": 9, "minutes": 0, "seconds": 0, "nanos": 0},
                "endDate": {"year": 2026, "month": 12, "day": 14},
            },
        },
        "callToAction": {"actionType": "BOOK", "url": "https://acme.example/book"},
    }


def test_an_offer_sends_its_coupon_and_no_button(case: ContractCase) -> None:
    options = {
        "topic": "OFFER",
        "event_title": "Two for one",
        "event_start": "2026-12-01",
        "event_end": "2026-12-24",
        "coupon_code": "BUNS2",
        "redeem_url": "https://acme.example/offer",
        "terms": "One per person.",
    }
    content = base.Content("Two buns for one.", link="https://acme.example", options=options)
    assert case.adapter.validate(content) == []

    publish(case, content)

    body = sent(case)
    assert body["offer"] == {
        "couponCode": "BUNS2",
        "redeemOnlineUrl": "https://acme.example/offer",
        "termsConditions": "One per person.",
    }
    assert body["event"]["title"] == "Two for one"
    assert "callToAction" not in body


def test_a_call_button_takes_no_url(case: ContractCase) -> None:
    publish(case, base.Content("Ring us.", options={"button": "CALL"}))
    assert sent(case)["callToAction"] == {"actionType": "CALL"}


def test_a_refused_field_is_named_in_the_error(case: ContractCase) -> None:
    with pytest.raises(base.Permanent) as raised:
        publish(case, base.Content("x" * 1501))
    assert raised.value.status == 400 and raised.value.code == "INVALID_ARGUMENT"
    assert "local_post.summary" in raised.value.detail


def test_permission_denied_says_why_in_plain_words(case: ContractCase) -> None:
    case.fake.fail_next(403)
    with pytest.raises(base.Permanent) as raised:
        publish(case, case.content_ok)
    assert "does not manage this location, the location is not verified" in raised.value.detail


def test_a_rate_limit_without_retry_after_waits_a_minute(case: ContractCase) -> None:
    case.fake.fail_next(429)
    before = datetime.now(UTC)
    with pytest.raises(base.RateLimited) as raised:
        publish(case, case.content_ok)
    assert 59 <= (raised.value.retry_at - before).total_seconds() <= 62
    assert raised.value.code == "RESOURCE_EXHAUSTED"


def test_an_expired_token_is_auth_expired_and_refresh_renews_it(case: ContractCase) -> None:
    case.fake.expire_token(case.creds.secrets["access_token"])
    with pytest.raises(base.AuthExpired):
        publish(case, case.content_ok)

    fresh = case.adapter.refresh(case.creds)

    assert fresh.secrets["refresh_token"] == case.creds.secrets["refresh_token"]
    assert fresh.secrets["access_token"] != case.creds.secrets["access_token"]
    assert fresh.expires_at is not None and fresh.expires_at > datetime.now(UTC)
    assert case.adapter.publish(fresh, case.content_ok, "key", base.Progress()).external_id


def test_a_revoked_refresh_token_means_reconnect(case: ContractCase) -> None:
    case.fake.refresh_tokens.clear()
    with pytest.raises(base.AuthExpired) as raised:
        case.adapter.refresh(case.creds)
    assert case.creds.secrets["refresh_token"] not in raised.value.detail
    assert "reconnect" in raised.value.detail


def test_a_server_error_on_a_read_is_transient(case: ContractCase) -> None:
    case.fake.fail_next(500)
    with pytest.raises(base.Transient):
        case.adapter.find_published(case.creds, case.content_ok, "key", base.Progress())


def test_the_lookup_matches_text_and_type_and_skips_older_look_alikes(case: ContractCase) -> None:
    case.fake.add_post(case.parent, case.content_ok.text, createTime="2020-01-01T00:00:00Z")
    case.fake.add_post(case.parent, case.content_ok.text, topic="EVENT")
    progress = base.Progress({"started_at": datetime.now(UTC).isoformat()})
    assert case.adapter.find_published(case.creds, case.content_ok, "key", progress) is None

    made = case.fake.add_post(case.parent, " Cardamom buns are back,\nwarm from 7. ")

    found = case.adapter.find_published(case.creds, case.content_ok, "key", progress)
    assert found is not None and found.external_id == made
    assert progress.get("post_name") == made


def test_publish_after_a_found_post_sends_nothing_again(case: ContractCase) -> None:
    progress = base.Progress()
    first = case.adapter.publish(case.creds, case.content_ok, "key", progress)
    again = case.adapter.publish(case.creds, case.content_ok, "key", progress)
    assert again == first
    assert len(case.fake.posts[case.parent]) == 1


def test_validate_limits_and_options(case: ContractCase) -> None:
    adapter = case.adapter
    photo = dataclasses.replace(PHOTO, width=200)
    video = base.MediaItem("/v.mp4", "video/mp4", "video", 10_000_000, 1080, 1920)
    assert [p.code for p in adapter.validate(base.Content("hi", media=(photo,)))] == ["too_small"]
    assert [p.field for p in adapter.validate(base.Content("hi", media=(video,)))] == ["media"]
    event = base.Content("hi", options={"topic": "EVENT", "event_start": "14/12/2026"})
    assert sorted((p.field, p.code) for p in adapter.validate(event)) == [
        ("options.event_end", "required"),
        ("options.event_start", "invalid"),
        ("options.event_title", "required"),
    ]
    backwards = {
        "topic": "EVENT",
        "event_title": "Fair",
        "event_start": "2026-12-14",
        "event_end": "2026-12-13",
    }
    assert [p.field for p in adapter.validate(base.Content("hi", options=backwards))] == [
        "options.event_end"
    ]
    button = base.Content("hi", options={"button": "ORDER"})
    assert [(p.field, p.code) for p in adapter.validate(button)] == [
        ("options.button_url", "required")
    ]
    wrong = base.Content("hi", options={"button": "DANCE", "coupon_code": "X"})
    assert {p.field for p in adapter.validate(wrong)} == {"options.button", "options.topic"}


def test_validate_says_when_smo_is_not_public(case: ContractCase) -> None:
    adapter = type(case.adapter)(
        case.fake.adapter_config(public_url="http://127.0.0.1:8000"), requests.Session()
    )
    [problem] = adapter.validate(case.content_ok)
    assert (problem.field, problem.code) == ("media", "not_public")
    assert "SMO_PUBLIC_URL" in problem.message
    assert adapter.validate(dataclasses.replace(case.content_ok, media=())) == []


def test_connecting_offers_every_location_of_every_account(case: ContractCase) -> None:
    second = case.fake.add_account("Acme North")
    north = case.fake.add_location("Acme Bakery York", account=second, locality="York")
    redirect = "https://smo.example/accounts/callback/gbp/"
    authorization = case.adapter.authorization(redirect, "state-1")
    query = parse_qs(urlsplit(authorization.url).query)
    assert query["scope"] == ["https://www.googleapis.com/auth/business.manage"]
    assert (query["access_type"], query["prompt"]) == (["offline"], ["consent"])
    approved = requests.get(authorization.url, allow_redirects=False, timeout=2)
    code = parse_qs(urlsplit(approved.headers["Location"]).query)["code"][0]

    found = case.adapter.connect(code, redirect, authorization.verifier)

    assert [(c.credentials.external_id, c.name) for c in found] == [
        (case.parent, "Acme Bakery (1 Market Street, Leeds)"),
        (north, "Acme Bakery York (1 Market Street, York)"),
    ]
    assert set(found[0].credentials.secrets) == {"access_token", "refresh_token"}
    assert found[0].credentials.options["maps_url"].startswith("https://maps.google.com/")
    [listing] = case.fake.calls("GET", f"/v1/{second}/locations")
    assert listing.query["readMask"] == "name,title,storefrontAddress,metadata"


def test_connecting_without_the_permission_is_refused(case: ContractCase) -> None:
    case.fake.granted_scope = "openid"
    redirect = "https://smo.example/accounts/callback/gbp/"
    authorization = case.adapter.authorization(redirect, "s")
    approved = requests.get(authorization.url, allow_redirects=False, timeout=2)
    code = parse_qs(urlsplit(approved.headers["Location"]).query)["code"][0]
    with pytest.raises(base.Permanent) as raised:
        case.adapter.connect(code, redirect, authorization.verifier)
    assert raised.value.code == "scope"

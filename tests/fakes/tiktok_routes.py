"""The fake TikTok's endpoints, answering as platforms.md §7 and TikTok's
references describe (Content Posting API direct post, media transfer guide, Get
Post Status, List Videos, Get User Info, Manage User Access Tokens)."""

from __future__ import annotations

import hashlib
import re
import secrets
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from tests.fakes.tiktok_wire import (
    SCOPES,
    Creator,
    Recorded,
    Refusal,
    Reply,
    Video,
    oauth_error,
    ok,
    runes,
)

if TYPE_CHECKING:
    from tests.fakes.tiktok import FakeTikTok

BOOL_FIELDS = (
    "disable_comment",
    "disable_duet",
    "disable_stitch",
    "brand_content_toggle",
    "brand_organic_toggle",
    "is_aigc",
)
RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
COUNT_FIELDS = ("like_count", "comment_count", "share_count", "view_count")
VIDEO_FIELDS = (
    "id",
    "title",
    "video_description",
    "create_time",
    "share_url",
    "duration",
    *COUNT_FIELDS,
)
USER_FIELDS = {"open_id", "union_id", "avatar_url", "display_name"}
STATS_FIELDS = {"follower_count", "following_count", "likes_count", "video_count"}
QUERY_IDS = 20  # filters.video_ids takes at most 20


def invalid(message: str) -> Refusal:
    return Refusal(400, "invalid_params", message)


# --- Posting -------------------------------------------------------------------------


def creator_info(fake: FakeTikTok, user: Creator) -> Reply:
    check_can_post(fake, user)
    return ok(
        {
            "creator_avatar_url": user.avatar_url,
            "creator_username": user.username,
            "creator_nickname": user.nickname,
            "privacy_level_options": user.privacy_level_options,
            "comment_disabled": user.comment_disabled,
            "duet_disabled": user.duet_disabled or user.private,
            "stitch_disabled": user.stitch_disabled or user.private,
            "max_video_post_duration_sec": user.max_video_post_duration_sec,
        }
    )


def _post_info(fake: FakeTikTok, user: Creator, body: Any, *, photo: bool) -> tuple[dict, str]:
    if not isinstance(body, dict) or not isinstance(body.get("post_info"), dict):
        raise invalid("post_info is required.")
    info: dict[str, Any] = body["post_info"]
    for name in BOOL_FIELDS:
        if name in info and not isinstance(info[name], bool):
            raise invalid(f"{name} must be a boolean.")
    if photo:
        if runes(str(info.get("title") or "")) > 90:
            raise invalid("title is longer than 90 runes.")
        if runes(str(info.get("description") or "")) > 4000:
            raise invalid("description is longer than 4000 runes.")
    elif runes(str(info.get("title") or "")) > 2200:
        raise invalid("title is longer than 2200 runes.")
    privacy = str(info.get("privacy_level") or "")
    if privacy not in user.privacy_level_options:
        raise Refusal(
            403,
            "privacy_level_option_mismatch",
            "privacy_level is unspecified or not one of the privacy_level_options.",
        )
    if not fake.audited:
        if not user.private:
            raise Refusal(
                403,
                "unaudited_client_can_only_post_to_private_accounts",
                "Unaudited clients can only post to a private account.",
            )
        privacy = "SELF_ONLY"  # content from unaudited clients is private (§7)
    return info, privacy


def video_init(fake: FakeTikTok, user: Creator, request: Recorded) -> Reply:
    check_can_post(fake, user)
    body = request.body
    info, privacy = _post_info(fake, user, body, photo=False)
    source = body.get("source_info") if isinstance(body.get("source_info"), dict) else {}
    kind = source.get("source")
    if kind == "FILE_UPLOAD":
        size, chunk, count = (
            source.get(k) for k in ("video_size", "chunk_size", "total_chunk_count")
        )
        if not all(isinstance(v, int) for v in (size, chunk, count)):
            raise invalid("video_size, chunk_size and total_chunk_count are required.")
        check_chunks(fake, size, chunk, count)
        publish = fake.new_publish(user, "FILE_UPLOAD", info, privacy)
        publish.video_size, publish.chunk_size, publish.total_chunk_count = size, chunk, count
        query = urlencode({"upload_id": publish.id, "upload_token": publish.upload_token})
        return ok({"publish_id": publish.id, "upload_url": f"{fake.url}/upload/video/?{query}"})
    if kind == "PULL_FROM_URL":
        url = str(source.get("video_url") or "")
        check_verified(fake, url)
        publish = fake.new_publish(user, "PULL_FROM_URL", info, privacy)
        publish.urls = [url]
        fetched = fake.fetch(url)
        publish.status = "PROCESSING_DOWNLOAD"
        fake.media_in(publish, "" if fetched is not None else "video_pull_failed")
        return ok({"publish_id": publish.id})
    raise invalid("source_info.source must be FILE_UPLOAD or PULL_FROM_URL.")


def content_init(fake: FakeTikTok, user: Creator, request: Recorded) -> Reply:
    check_can_post(fake, user)
    body = request.body
    info, privacy = _post_info(fake, user, body, photo=True)
    if body.get("media_type") != "PHOTO" or body.get("post_mode") not in (
        "DIRECT_POST",
        "MEDIA_UPLOAD",
    ):
        raise invalid("media_type must be PHOTO and post_mode DIRECT_POST or MEDIA_UPLOAD.")
    source = body.get("source_info") if isinstance(body.get("source_info"), dict) else {}
    images = source.get("photo_images")
    if source.get("source") != "PULL_FROM_URL" or not isinstance(images, list):
        raise invalid("Photos are posted with source PULL_FROM_URL and photo_images.")
    if not 1 <= len(images) <= 35:
        raise invalid("photo_images takes 1 to 35 URLs.")
    cover = source.get("photo_cover_index")
    if not isinstance(cover, int) or not 0 <= cover < len(images):
        raise invalid("photo_cover_index is out of range.")
    for url in images:
        check_verified(fake, str(url))
    publish = fake.new_publish(user, "PHOTO", info, privacy)
    publish.urls = [str(u) for u in images]
    publish.status = "PROCESSING_DOWNLOAD"
    reason = ""
    for url in publish.urls:
        data = fake.fetch(url)
        if data is None:
            reason = "photo_pull_failed"
        elif not (data.startswith(b"\xff\xd8") or data[8:12] == b"WEBP"):
            reason = "file_format_check_failed"  # PNG and the rest (§7)
    fake.media_in(publish, reason)
    return ok({"publish_id": publish.id})


def upload_chunk(fake: FakeTikTok, request: Recorded) -> Reply:
    """PUT <upload_url> (media transfer guide): 206 per chunk, 201 at the end."""
    publish = fake.publishes.get(request.query.get("upload_id", ""))
    if publish is None or request.query.get("upload_token") != publish.upload_token:
        raise Refusal(404, "invalid_params", "Unknown upload_id or upload_token.")
    if publish.media_in or publish.source != "FILE_UPLOAD":
        raise Refusal(400, "invalid_file_upload", "This upload is already complete.")
    data = request.body if isinstance(request.body, bytes) else b""
    if not request.headers.get("content-type", "").startswith("video/"):
        raise Refusal(400, "invalid_file_upload", "Content-Type must be the video's type.")
    match = RANGE.match(request.headers.get("content-range", ""))
    if match is None:
        raise Refusal(400, "invalid_file_upload", "Content-Range is missing or malformed.")
    first, last, total = (int(g) for g in match.groups())
    index = publish.chunks
    final = index == publish.total_chunk_count - 1
    expected = publish.video_size - first if final else publish.chunk_size
    if (
        total != publish.video_size
        or first != len(publish.received)  # in order, none skipped or repeated
        or last - first + 1 != len(data)
        or len(data) != expected
        or int(request.headers.get("content-length") or -1) != len(data)
    ):
        raise Refusal(
            400,
            "invalid_file_upload",
            f"Chunk {index + 1} does not follow the chunk rules: bytes {first}-{last}/{total}.",
        )
    publish.received.extend(data)
    publish.chunks += 1
    if not final:
        return Reply(206, None, {"Content-Range": f"bytes 0-{last}/{total}"})
    fake.media_in(publish, "")
    return Reply(201, None)


def status_fetch(fake: FakeTikTok, user: Creator, request: Recorded) -> Reply:
    body = request.body if isinstance(request.body, dict) else {}
    publish = fake.publishes.get(str(body.get("publish_id") or ""))
    if publish is None or publish.user != user.open_id:
        raise invalid("publish_id is invalid or does not belong to this user.")
    fake.step(publish)
    data: dict[str, Any] = {
        "status": publish.status,
        "publicaly_available_post_id": [int(publish.post_id)] if publish.post_id else [],
    }
    if publish.source == "FILE_UPLOAD":
        data["uploaded_bytes"] = len(publish.received)
    if publish.status == "FAILED":
        data["fail_reason"] = publish.fail_reason
    return ok(data)


# --- Reading -------------------------------------------------------------------------


def video_list(fake: FakeTikTok, user: Creator, request: Recorded) -> Reply:
    body = request.body if isinstance(request.body, dict) else {}
    fields = [f for f in request.query.get("fields", "").split(",") if f]
    unknown = set(fields) - set(VIDEO_FIELDS)
    if not fields or unknown:
        raise invalid(f"fields must name Video Object fields: {sorted(unknown) or 'none given'}")
    count = body.get("max_count", 10)
    if not isinstance(count, int) or not 1 <= count <= 20:
        raise invalid("max_count must be 1 to 20.")
    cursor = body.get("cursor")
    videos = sorted(
        (v for v in fake.videos if v.user == user.open_id and v.listed),
        key=lambda v: v.create_time,
        reverse=True,
    )
    if isinstance(cursor, int):
        videos = [v for v in videos if v.create_time * 1000 < cursor]
    page = videos[: min(count, fake.list_page_size)]
    shown = [video_json(v, fields, user) for v in page]
    more = len(videos) > len(page)
    next_cursor = page[-1].create_time * 1000 if page else (cursor or 0)
    return ok({"videos": shown, "cursor": next_cursor, "has_more": more})


def video_query(fake: FakeTikTok, user: Creator, request: Recorded) -> Reply:
    """The creator's public videos among `filters.video_ids` (1 to 20), with the
    fields asked for; ids that are gone, private or another's are left out."""
    body = request.body if isinstance(request.body, dict) else {}
    fields = [f for f in request.query.get("fields", "").split(",") if f]
    unknown = set(fields) - set(VIDEO_FIELDS)
    if not fields or unknown:
        raise invalid(f"fields must name Video Object fields: {sorted(unknown) or 'none given'}")
    filters = body.get("filters") if isinstance(body.get("filters"), dict) else {}
    ids = filters.get("video_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= QUERY_IDS:
        raise invalid(f"filters.video_ids must hold 1 to {QUERY_IDS} ids.")
    mine = {v.id: v for v in fake.videos if v.user == user.open_id and v.listed}
    found = [mine[str(i)] for i in ids if str(i) in mine]
    shown = [video_json(v, fields, user) for v in found]
    return ok({"videos": shown, "cursor": 0, "has_more": False})


def user_info(fake: FakeTikTok, user: Creator, request: Recorded) -> Reply:
    fields = [f for f in request.query.get("fields", "").split(",") if f]
    if not fields:
        raise invalid("fields is required.")
    scopes = fake.tokens[request.token]["scopes"]
    allowed = USER_FIELDS | (STATS_FIELDS if "user.info.stats" in scopes else set())
    if set(fields) - allowed:
        # username and bio need user.info.profile, the counts user.info.stats.
        raise Refusal(401, "scope_not_authorized", "The user did not authorize the scope.")
    every = {
        "open_id": user.open_id,
        "union_id": f"union-{user.open_id}",
        "avatar_url": user.avatar_url,
        "display_name": user.nickname,
        "follower_count": user.followers,
        "following_count": 0,
        "likes_count": 0,
        "video_count": len([v for v in fake.videos if v.user == user.open_id and v.listed]),
    }
    return ok({"user": {f: every[f] for f in fields}})


# --- OAuth ---------------------------------------------------------------------------


def authorize(fake: FakeTikTok, query: dict[str, str]) -> Reply:
    """Login Kit's authorize page, approved at once by `fake.approving_user`."""
    scopes = query.get("scope", "").split(",")
    problems = [
        query.get("client_key") != fake.client_key and "client_key",
        query.get("response_type") != "code" and "response_type",
        not query.get("state") and "state",
        not set(scopes) <= set(SCOPES) and "scope",
        not query.get("code_challenge") and "code_challenge",
        query.get("code_challenge_method") != "S256" and "code_challenge_method",
        fake.approving_user is None and "user",
    ]
    wrong = [p for p in problems if p]
    if wrong:
        text = f"Something went wrong. Correct the following and try again: {', '.join(wrong)}"
        return Reply(400, text, content_type="text/html")
    granted = [s for s in scopes if s in fake.granted_scopes]
    code = secrets.token_urlsafe(24)
    fake.codes[code] = {
        "user": fake.approving_user,
        "redirect_uri": query.get("redirect_uri", ""),
        "challenge": query["code_challenge"],
        "scopes": tuple(granted),
        "issued": fake.now(),
    }
    target = query.get("redirect_uri", "")
    params = urlencode({"code": code, "scopes": ",".join(granted), "state": query["state"]})
    return Reply(302, None, {"Location": f"{target}{'&' if '?' in target else '?'}{params}"})


def token(fake: FakeTikTok, request: Recorded) -> Reply:
    form = request.body if isinstance(request.body, dict) else {}
    if (form.get("client_key"), form.get("client_secret")) != (fake.client_key, fake.client_secret):
        return oauth_error(401, "invalid_client", "Client key or secret is incorrect.")
    if form.get("grant_type") == "authorization_code":
        code = fake.codes.pop(form.get("code", ""), None)  # single use, even when refused
        if code is None or fake.now() - code["issued"] > 600:
            return oauth_error(400, "invalid_grant", "Authorization code is expired.")
        if form.get("redirect_uri") != code["redirect_uri"]:
            return oauth_error(400, "invalid_request", "Redirect URI does not match.")
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).hexdigest()
        if digest != code["challenge"]:
            return oauth_error(
                400, "invalid_request", "Code verifier or code challenge is invalid."
            )
        return grant(fake, code["user"], code["scopes"])
    if form.get("grant_type") == "refresh_token":
        held = fake.refresh_tokens.get(form.get("refresh_token", ""))
        if held is None or fake.now() > held["expires"]:
            return oauth_error(400, "invalid_grant", "Refresh token is invalid or expired.")
        if fake.rotate_refresh_tokens:
            del fake.refresh_tokens[form["refresh_token"]]
        return grant(
            fake,
            held["user"],
            held["scopes"],
            keep=None if fake.rotate_refresh_tokens else form["refresh_token"],
        )
    return oauth_error(400, "unsupported_grant_type", "Unsupported grant type.")


def fetch(url: str, timeout: float) -> bytes | None:
    """Download media as TikTok's PULL_FROM_URL does; None when it cannot."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - test URLs
            return bytes(answer.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


# --- Rules the routes enforce --------------------------------------------------------

DAY = 86400.0


def check_can_post(fake: FakeTikTok, user: Creator) -> None:
    """The account and app caps creator_info and init report (§7)."""
    if user.banned:
        raise Refusal(
            403, "spam_risk_user_banned_from_posting", "The user is banned from making new posts."
        )
    recent = [p for p in fake.publishes.values() if p.created > fake.now() - DAY]
    mine = [p for p in recent if p.user == user.open_id]
    if fake.posts_per_day is not None and len(mine) >= fake.posts_per_day:
        raise Refusal(
            403,
            "spam_risk_too_many_posts",
            "The daily post cap from the API is reached for the current user.",
        )
    users = {p.user for p in recent}
    cap = fake.active_user_cap
    if cap is not None and user.open_id not in users and len(users) >= cap:
        raise Refusal(
            403,
            "reached_active_user_cap",
            "The daily quota for active publishing users from your client is reached.",
        )


def check_chunks(fake: FakeTikTok, size: int, chunk: int, count: int) -> None:
    """The chunk rules of the media transfer guide (§7)."""
    problem = ""
    if size <= 0 or chunk <= 0:
        problem = "video_size and chunk_size must be positive"
    elif count != size // chunk:
        problem = "total_chunk_count must be video_size / chunk_size rounded down"
    elif not 1 <= count <= fake.max_chunks:
        problem = f"there must be 1 to {fake.max_chunks} chunks"
    elif size < fake.min_chunk and chunk != size:
        problem = "a video under the minimum chunk size is uploaded whole"
    elif size > fake.max_chunk and count < 2:
        problem = "a video over the maximum chunk size must be chunked"
    elif chunk != size and not fake.min_chunk <= chunk <= fake.max_chunk:
        problem = "chunk_size is outside the allowed chunk sizes"
    elif size - (count - 1) * chunk > fake.max_last_chunk:
        problem = "the last chunk would be too big"
    if problem:
        raise invalid(problem)


def check_verified(fake: FakeTikTok, url: str) -> None:
    if not any(url.startswith(prefix) for prefix in fake.verified_prefixes):
        raise Refusal(
            403, "url_ownership_unverified", "Please review our URL ownership verification rules."
        )


def video_json(video: Video, fields: list[str], user: Creator) -> dict[str, Any]:
    every = {
        "id": video.id,
        "title": video.title,
        "video_description": video.description,
        "create_time": video.create_time,
        "share_url": f"https://www.tiktok.com/@{user.username}/video/{video.id}?utm_source=fake",
        "duration": 15,
        **video.counts,
    }
    return {f: every[f] for f in fields if f in every}


def grant(
    fake: FakeTikTok, open_id: str, scopes: tuple[str, ...], keep: str | None = None
) -> Reply:
    refresh = keep or fake.issue_refresh_token(open_id, scopes)
    return Reply(
        200,
        {
            "access_token": fake.issue_token(open_id, scopes),
            "expires_in": 86400,
            "open_id": open_id,
            "refresh_expires_in": 31536000,
            "refresh_token": refresh,
            "scope": ",".join(scopes),
            "token_type": "Bearer",
        },
    )

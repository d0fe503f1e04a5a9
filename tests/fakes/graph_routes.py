"""The fake Graph API's endpoints: Facebook Login (dialog and token exchange), Page
accounts, posts, photos and videos, and Instagram containers and media
(platforms.md §2, §3); comments and Messenger are in graph_inbox.py, figures
(multi-id lookup, insights, followers) in graph_metrics.py.
FakeGraph.handle (graph.py) calls `route` for each request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from tests.fakes import graph_inbox, graph_metrics
from tests.fakes.graph_wire import (
    IMAGE_CAP,
    USER_ID,
    Fetch,
    Page,
    Recorded,
    Redirect,
    b64,
    fault,
    select,
    unsupported,
)

if TYPE_CHECKING:
    from tests.fakes.graph import FakeGraph


@dataclass(frozen=True)
class Actor:
    """Who a token belongs to: the Facebook Login user or a Page."""

    kind: str  # "user" or "page"
    id: str
    page: Page | None = None


def route(fake: FakeGraph, r: Recorded) -> tuple[int, Any]:
    parts = [p for p in r.path.split("/") if p]
    if parts == ["dialog", "oauth"]:
        return _dialog(fake, r)
    if parts == ["oauth", "access_token"]:
        return _token_exchange(fake, r)
    actor = _authenticate(fake, r)
    if parts and parts[0] == "me":
        parts[0] = actor.id
    if not parts and r.method == "GET":
        return graph_metrics.multi_read(fake, r, actor)
    if len(parts) == 1 and r.method == "GET":
        return 200, _read_object(fake, r, parts[0])
    if len(parts) == 1 and r.method == "POST":
        return graph_inbox.update_object(fake, r, parts[0], actor)
    if len(parts) == 1 and r.method == "DELETE":
        return graph_inbox.delete_object(fake, r, parts[0], actor)
    edge = EDGES.get((r.method, parts[1])) if len(parts) == 2 else None
    if edge is None:
        raise unsupported(r.method, parts[0] if parts else "")
    return edge(fake, r, parts[0], actor)


def _authenticate(fake: FakeGraph, r: Recorded) -> Actor:
    token = r.token
    if token in fake._expired:
        raise fault(
            400,
            190,
            "Error validating access token: Session has expired on Tuesday, 24-Nov-26 "
            "09:00:00 PST. The current time is Wednesday, 25-Nov-26 06:00:00 PST.",
            subcode=fake._expired[token],
        )
    page = fake.page_for_token(token)
    if page is not None:
        return Actor("page", page.id, page)
    if token in fake._user_tokens:
        return Actor("user", USER_ID)
    raise fault(400, 190, "Invalid OAuth access token - Cannot parse access token")


# Facebook Login ---------------------------------------------------------------------------


def _dialog(fake: FakeGraph, r: Recorded) -> tuple[int, Any]:
    """The login dialog, approved at once: 302 back with a code (and Facebook's #_=_)."""
    query = r.query
    redirect_uri = query.get("redirect_uri", "")
    if query.get("client_id") != fake.app_id or not redirect_uri:
        return 400, "<html><body>Invalid App ID or redirect_uri</body></html>"
    code = f"fake-code-{fake.next_id()}"
    fake._codes[code] = {"redirect_uri": redirect_uri}
    fake.granted_scopes = [s for s in query.get("scope", "").split(",") if s]
    joiner = "&" if "?" in redirect_uri else "?"
    answer = urlencode({"code": code, "state": query.get("state", "")})
    return 302, Redirect(f"{redirect_uri}{joiner}{answer}#_=_")


def _token_exchange(fake: FakeGraph, r: Recorded) -> tuple[int, Any]:
    query = r.query
    if query.get("client_id") != fake.app_id:
        raise fault(400, 101, "Error validating application. Invalid application ID.")
    if query.get("client_secret") != fake.app_secret:
        raise fault(400, 1, "Error validating client secret.")
    if query.get("grant_type") == "fb_exchange_token":
        if query.get("fb_exchange_token") not in fake._user_tokens:
            raise fault(400, 190, "Invalid OAuth access token - Cannot parse access token")
        return 200, _user_token(fake, "long", 5_183_944)
    grant = fake._codes.pop(query.get("code", ""), None)
    if grant is None:
        raise fault(400, 100, "This authorization code has been used.", subcode=36009)
    if grant["redirect_uri"] != query.get("redirect_uri"):
        raise fault(
            400,
            100,
            "Error validating verification code. Please make sure your redirect_uri is "
            "identical to the one you used in the OAuth dialog request",
            subcode=36008,
        )
    return 200, _user_token(fake, "short", 5_183)


def _user_token(fake: FakeGraph, kind: str, expires_in: int) -> dict[str, Any]:
    token = f"EAAfake-{kind}-user-{fake.next_id()}"
    fake._user_tokens.add(token)
    return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}


def _accounts(fake: FakeGraph, r: Recorded, owner: str, actor: Actor) -> tuple[int, Any]:
    if actor.kind != "user":
        raise fault(
            400, 100, "(#100) Tried accessing nonexisting field (accounts) on node type (Page)"
        )
    pages = [_page_json(fake, page) for page in fake.pages.values()]
    return 200, fake.listing(r, pages, "id,name,access_token,tasks", fake.accounts_page_size)


def _page_json(fake: FakeGraph, page: Page) -> dict[str, Any]:
    picture = {
        "height": 50,
        "width": 50,
        "is_silhouette": False,
        "url": f"{fake.url}/files/p{page.id}.jpg",
    }
    found: dict[str, Any] = {
        "id": page.id,
        "name": page.name,
        "access_token": page.token,
        "category": "Brand",
        "tasks": page.tasks,
        "picture": {"data": picture},
    }
    if page.instagram:
        ig_id, username = page.instagram
        found["instagram_business_account"] = {
            "id": ig_id,
            "username": username,
            "profile_picture_url": f"{fake.url}/files/ig{ig_id}.jpg",
        }
    return found


# Facebook Pages -----------------------------------------------------------------------------

NO_PAGE_PERMISSION = (
    "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts "
    "as an admin with sufficient administrative permission"
)


def _page_for(fake: FakeGraph, actor: Actor, page_id: str, method: str) -> Page:
    page = fake.pages.get(page_id)
    if page is None:
        raise unsupported(method, page_id)
    if actor.page is not page and not (actor.kind == "user" and method == "GET"):
        raise fault(403, 200, NO_PAGE_PERMISSION)
    if method == "POST" and not {"CREATE_CONTENT", "MANAGE"} & set(page.tasks):
        raise fault(403, 200, NO_PAGE_PERMISSION)
    return page


def _new_post(fake: FakeGraph, page: Page, message: str, kind: str, **extra: Any) -> dict[str, Any]:
    number = fake.next_id()
    post = {
        "id": f"{page.id}_{number}",
        "page_id": page.id,
        "kind": kind,
        "message": message,
        "created_time": fake.timestamp(),
        "permalink_url": f"https://www.facebook.com/{page.id}/posts/{number}",
        "from": {"id": page.id, "name": page.name},
        **extra,
    }
    fake.posts.append(post)
    return post


def _post_feed(fake: FakeGraph, r: Recorded, page_id: str, actor: Actor) -> tuple[int, Any]:
    page = _page_for(fake, actor, page_id, "POST")
    params = r.params
    message, link = params.get("message", ""), params.get("link", "")
    keys = sorted(
        (k for k in params if k.startswith("attached_media[")), key=lambda k: int(k[15:-1])
    )
    photo_ids = [str(json.loads(params[k]).get("media_fbid")) for k in keys]
    if not (message or link or photo_ids):
        raise fault(400, 100, "(#100) Missing message or attachment")
    for photo_id in photo_ids:
        photo = fake.photos.get(photo_id)
        if photo is None or photo["page_id"] != page_id or photo["published"]:
            raise fault(400, 100, f"(#100) attached_media: unusable media_fbid {photo_id}")
    if message and any(
        p["page_id"] == page_id and p["message"] == message and p.get("link", "") == link
        for p in fake.posts
        if p["kind"] in ("status", "link")
    ):
        raise fault(
            400,
            506,
            "(#506) Duplicate status message",
            user_title="Duplicate Status Update",
            user_msg="This status update is identical to the last one you posted. "
            "Try posting something different, or delete your previous update.",
        )
    kind = "album" if photo_ids else "link" if link else "status"
    post = _new_post(fake, page, message, kind, link=link, photo_ids=photo_ids)
    for photo_id in photo_ids:
        fake.photos[photo_id]["post_id"] = post["id"]
    return 200, {"id": post["id"]}


def _post_photos(fake: FakeGraph, r: Recorded, page_id: str, actor: Actor) -> tuple[int, Any]:
    page = _page_for(fake, actor, page_id, "POST")
    params, source = r.params, r.files.get("source")
    if source is None and not params.get("url"):
        raise fault(400, 324, "(#324) Requires upload file")
    published = params.get("published", "true").lower() != "false"
    photo = {
        "id": fake.next_id(),
        "page_id": page_id,
        "published": published,
        "source": source,
        "post_id": None,
        "created_time": fake.timestamp(),
    }
    fake.photos[photo["id"]] = photo
    if not published:
        return 200, {"id": photo["id"]}
    caption = params.get("caption") or params.get("message", "")
    post = _new_post(fake, page, caption, "photo", photo_ids=[photo["id"]])
    photo["post_id"] = post["id"]
    return 200, {"id": photo["id"], "post_id": post["id"]}


def _post_videos(fake: FakeGraph, r: Recorded, page_id: str, actor: Actor) -> tuple[int, Any]:
    page = _page_for(fake, actor, page_id, "POST")
    params, source = r.params, r.files.get("source")
    if source is None and not params.get("file_url"):
        raise fault(400, 100, "(#100) No video file was given (source or file_url)")
    video_id = fake.next_id()
    video = {
        "id": video_id,
        "page_id": page_id,
        "host": r.host,
        "source": source,
        "description": params.get("description", ""),
        "title": params.get("title", ""),
        "created_time": fake.timestamp(),
        "permalink_url": f"/{page_id}/videos/{video_id}/",  # a path, as Graph answers
    }
    fake.videos[video_id] = video
    _new_post(fake, page, video["description"], "video", video_id=video_id)
    return 200, {"id": video_id}


def _list_posts(fake: FakeGraph, r: Recorded, page_id: str, actor: Actor) -> tuple[int, Any]:
    _page_for(fake, actor, page_id, "GET")
    posts = [p for p in reversed(fake.posts) if p["page_id"] == page_id]
    return 200, fake.listing(r, posts, "id,message,created_time")


def _list_videos(fake: FakeGraph, r: Recorded, page_id: str, actor: Actor) -> tuple[int, Any]:
    _page_for(fake, actor, page_id, "GET")
    videos = [v for v in reversed(fake.videos.values()) if v["page_id"] == page_id]
    return 200, fake.listing(r, videos, "id,description,updated_time")


# Instagram --------------------------------------------------------------------------------------

FINISHED = "Finished: Media has been uploaded and it is ready to be published."
DOWNLOAD_FAILED = (
    "Error: Media download has failed. The media URI doesn't meet our requirements. (2207052)"
)


def _instagram_for(fake: FakeGraph, actor: Actor, ig_user_id: str, method: str) -> Page:
    page = next(
        (p for p in fake.pages.values() if p.instagram and p.instagram[0] == ig_user_id), None
    )
    if page is None:
        raise unsupported(method, ig_user_id)
    if actor.page is not page and actor.kind != "user":
        raise fault(403, 10, "(#10) Application does not have permission for this action")
    return page


def _post_media(fake: FakeGraph, r: Recorded, ig_user_id: str, actor: Actor) -> tuple[int, Any]:
    """Create a container; Instagram fetches the media as it does (Content Publishing guide)."""
    _instagram_for(fake, actor, ig_user_id, "POST")
    params = r.params
    media_type = params.get("media_type", "IMAGE").upper()
    container: dict[str, Any] = {
        "id": fake.next_id(),
        "ig_user_id": ig_user_id,
        "params": params,
        "media_type": media_type,
        "is_carousel_item": params.get("is_carousel_item") == "true",
        "caption": params.get("caption", ""),
        "children": [],
        "status_code": "FINISHED",
        "status": FINISHED,
        "polls_left": 0,
        "fetch": None,
    }
    if media_type == "CAROUSEL":
        container["children"] = _carousel_children(fake, ig_user_id, params.get("children", ""))
        container["polls_left"] = fake.container_polls
    elif media_type in ("REELS", "VIDEO"):
        fetched = container["fetch"] = fake.fetch(_required(params, "video_url"))
        container["polls_left"] = fake.container_polls
        if fetched.status != 200 or not fetched.content_type.startswith("video/"):
            # Videos are processed after the answer: the failure shows in the status.
            container.update(status_code="ERROR", status=DOWNLOAD_FAILED, polls_left=0)
    elif media_type == "IMAGE":
        container["fetch"] = _fetch_image(fake, _required(params, "image_url"))
    else:
        raise fault(400, 100, "The media type entered is not one of the expected media types.")
    fake.containers[container["id"]] = container
    return 200, {"id": container["id"]}


def _required(params: dict[str, str], name: str) -> str:
    if not params.get(name):
        raise fault(400, 100, f"(#100) The parameter {name} is required")
    return params[name]


def _fetch_image(fake: FakeGraph, url: str) -> Fetch:
    """Images are fetched while the container is made: a failure fails the call."""
    fetched = fake.fetch(url)
    failed = "Only photo or video can be accepted as media type."
    if fetched.status != 200:
        raise fault(
            400,
            9004,
            failed,
            subcode=2207052,
            user_title="Media download has failed.",
            user_msg=f"The media could not be fetched from this uri: {url}",
        )
    if fetched.content_type != "image/jpeg":  # the subcode for this case is unconfirmed
        raise fault(
            400,
            9004,
            failed,
            subcode=2207052,
            user_title="Media download has failed.",
            user_msg=f"Instagram takes JPEG images only; this is {fetched.content_type}.",
        )
    if fetched.size >= IMAGE_CAP:
        raise fault(
            400,
            36000,
            "The image size is too large.",
            subcode=2207004,
            user_title="Image size too large",
            user_msg="The image is too large to download. It should be less than 8 MiB.",
        )
    return fetched


def _carousel_children(fake: FakeGraph, ig_user_id: str, children: str) -> list[str]:
    ids = [c for c in children.split(",") if c]
    if not 2 <= len(ids) <= 10:
        raise fault(400, 100, f"(#100) A carousel takes 2 to 10 children, not {len(ids)}")
    for child_id in ids:
        child = fake.containers.get(child_id)
        if (
            child is None
            or child["ig_user_id"] != ig_user_id
            or not child["is_carousel_item"]
            or child["status_code"] != "FINISHED"
            or child["polls_left"]
        ):
            raise fault(
                400, 100, f"(#100) Carousel child {child_id} is not a finished carousel item"
            )
    return ids


def _container_view(container: dict[str, Any], fields: str) -> dict[str, Any]:
    """A container's state; each status poll of an unfinished one uses up a poll."""
    view = {
        "id": container["id"],
        "status_code": container["status_code"],
        "status": container["status"],
    }
    if container["status_code"] == "FINISHED" and container["polls_left"] > 0:
        if "status_code" in fields:
            container["polls_left"] -= 1
        view.update(
            status_code="IN_PROGRESS", status="In Progress: Media is still being processed."
        )
    return select(view, fields)


def _media_publish(fake: FakeGraph, r: Recorded, ig_user_id: str, actor: Actor) -> tuple[int, Any]:
    page = _instagram_for(fake, actor, ig_user_id, "POST")
    container = fake.containers.get(r.params.get("creation_id", ""))
    if container is None or container["ig_user_id"] != ig_user_id or container["is_carousel_item"]:
        raise fault(400, 100, "(#100) Param creation_id must be a container of this account")
    state = container["status_code"]
    if state == "EXPIRED":
        raise fault(
            400,
            -2,
            "The media you are trying to access has expired. Please try to upload again.",
            subcode=2207020,
        )
    if state == "ERROR":
        raise fault(400, -1, "Create media fail, please try to re-create media", subcode=2207032)
    if state == "PUBLISHED":  # the real answer here is unconfirmed
        raise fault(400, 100, "(#100) This container has already been published")
    if container["polls_left"] > 0:
        raise fault(
            400,
            9007,
            "Media ID is not available",
            subcode=2207027,
            user_title="Media not ready",
            user_msg="The media is not ready for publishing, please wait for a moment",
        )
    if fake.quota_usage(ig_user_id) >= fake.quota_total:
        raise fault(
            400,
            9,
            "Application request limit reached",
            subcode=2207042,
            user_title="Max posts reached",
            user_msg="You reached maximum number of posts that is allowed to be published by "
            "Content Publishing API.",
        )
    media = _new_media(fake, page, container)
    container.update(status_code="PUBLISHED", status="Published: Media has been published.")
    return 200, {"id": media["id"]}


def _new_media(fake: FakeGraph, page: Page, container: dict[str, Any]) -> dict[str, Any]:
    assert page.instagram is not None
    kind = container["media_type"]
    shortcode = b64(container["id"])[:11]
    media = {
        "id": fake.next_id(),
        "ig_user_id": page.instagram[0],
        "username": page.instagram[1],
        "caption": container["caption"],
        "media_type": {"CAROUSEL": "CAROUSEL_ALBUM", "REELS": "VIDEO"}.get(kind, kind),
        "media_product_type": "REELS" if kind == "REELS" else "FEED",
        "children": container["children"],
        "container_id": container["id"],
        "permalink": f"https://www.instagram.com/{'reel' if kind == 'REELS' else 'p'}/{shortcode}/",
        "timestamp": fake.timestamp(),
        "published_at": fake.now(),
    }
    fake.media.append(media)
    return media


def _publishing_limit(
    fake: FakeGraph, r: Recorded, ig_user_id: str, actor: Actor
) -> tuple[int, Any]:
    _instagram_for(fake, actor, ig_user_id, "GET")
    config = {"quota_total": fake.quota_total, "quota_duration": 86400}
    return 200, {"data": [{"quota_usage": fake.quota_usage(ig_user_id), "config": config}]}


def _list_media(fake: FakeGraph, r: Recorded, ig_user_id: str, actor: Actor) -> tuple[int, Any]:
    _instagram_for(fake, actor, ig_user_id, "GET")
    media = [m for m in reversed(fake.media) if m["ig_user_id"] == ig_user_id]
    return 200, fake.listing(r, media, "id")


def _read_object(fake: FakeGraph, r: Recorded, object_id: str) -> dict[str, Any]:
    fields = r.query.get("fields", "")
    if object_id in fake.containers:
        return _container_view(fake.containers[object_id], fields or "id")
    if graph_metrics.kind_of(fake, object_id) is not None:
        return graph_metrics.read(fake, object_id, fields)
    comment = graph_inbox.find_comment(fake, object_id)
    if comment is not None:
        return select(comment, fields or "id")
    owner = graph_metrics.owner_view(fake, object_id, fields)
    if owner is None:
        raise unsupported("GET", object_id)
    return owner


EDGES: dict[tuple[str, str], Callable[[FakeGraph, Recorded, str, Actor], tuple[int, Any]]] = {
    ("GET", "accounts"): _accounts,
    ("POST", "feed"): _post_feed,
    ("GET", "feed"): _list_posts,
    ("GET", "published_posts"): _list_posts,
    ("POST", "photos"): _post_photos,
    ("POST", "videos"): _post_videos,
    ("GET", "videos"): _list_videos,
    ("POST", "comments"): graph_inbox.post_comment,
    ("GET", "comments"): graph_inbox.list_comments,
    ("POST", "replies"): graph_inbox.post_reply,
    ("GET", "replies"): graph_inbox.list_replies,
    ("GET", "conversations"): graph_inbox.list_conversations,
    ("GET", "messages"): graph_inbox.list_messages,
    ("POST", "messages"): graph_inbox.send_message,
    ("POST", "media"): _post_media,
    ("GET", "media"): _list_media,
    ("POST", "media_publish"): _media_publish,
    ("GET", "content_publishing_limit"): _publishing_limit,
    ("GET", "insights"): graph_metrics.insights_edge,
    ("GET", "video_insights"): graph_metrics.insights_edge,
}

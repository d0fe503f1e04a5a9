"""Threads media containers: make one, wait until Threads has processed it, and
read the account's publishing quota (platforms.md §4).

A post is a container (POST /{user-id}/threads) that threads_publish makes
public. Threads fetches images and videos itself from the public URL each
MediaItem carries (SMO's signed media links), as Instagram does. A carousel is
2 to 20 `is_carousel_item` children, then a CAROUSEL container naming them.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from channels.adapters.base import (
    MediaItem,
    Permanent,
    Progress,
    RateLimited,
    Transient,
)
from channels.adapters.graph import Call, created_id
from channels.adapters.polling import Budget
from channels.adapters.threads_api import NETWORK, ThreadsAPI
from channels.words import whole, words

# States that end the wait; ERROR raises, IN_PROGRESS waits (platforms.md §4).
DONE = frozenset({"FINISHED", "PUBLISHED", "EXPIRED"})
LIMIT_FIELDS = "quota_usage,config,reply_quota_usage,reply_config"
# Threads counts posts over a rolling 24 hours and says nothing of when the
# oldest drops out of the window; checking again in an hour costs one call.
CAP_WAIT = timedelta(hours=1)


def container_for(progress: Progress, step: int) -> str:
    """The container recorded for post `step` of the thread (0 is the first post)."""
    held = progress.get("container") or {}
    if isinstance(held, dict) and held.get("step") == step and held.get("id"):
        return str(held["id"])
    return ""


def create(
    api: ThreadsAPI,
    user_id: str,
    step: int,
    text: str,
    media: tuple[MediaItem, ...],
    reply_to: str,
    progress: Progress,
    budget: Budget,
) -> str:
    """Make the container for post `step`; record it (and a carousel's children) at once,
    so a retry publishes this container rather than making a second one."""
    params: dict[str, Any] = {"text": text} if text else {}
    if reply_to:
        params["reply_to_id"] = reply_to
    if len(media) == 1:
        params.update(item_params(media[0]))
    elif media:
        children = carousel_children(api, user_id, media, progress, budget)
        params.update(media_type="CAROUSEL", children=",".join(children))
    else:
        params["media_type"] = "TEXT"
    answer = api.post(f"{user_id}/threads", Call.PREPARE, **params)
    container = created_id(answer, NETWORK)
    progress.record("container", {"step": step, "id": container})
    return container


def carousel_children(
    api: ThreadsAPI,
    user_id: str,
    media: tuple[MediaItem, ...],
    progress: Progress,
    budget: Budget,
) -> list[str]:
    children: list[str] = list(progress.get("children") or [])
    for item in media[len(children) :]:
        answer = api.post(
            f"{user_id}/threads", Call.PREPARE, is_carousel_item=True, **item_params(item)
        )
        children.append(created_id(answer, NETWORK))
        progress.record("children", list(children))
    for child in children:  # a carousel takes finished items only
        status = wait(api, child, budget)
        if status != "FINISHED":
            progress.record("children", [])  # an expired item: make them all again
            raise Transient(
                words(
                    "A Threads carousel item is %(status)s; trying again.", status=status.lower()
                ),
                code="child-" + status.lower(),
            )
    return children


def item_params(item: MediaItem) -> dict[str, Any]:
    if not item.url:
        raise Permanent(
            words(
                "Threads fetches media from a public URL; %(name)s has none.",
                name=os.path.basename(item.path),
            ),
            code="no-url",
        )
    if item.kind == "video":
        return {"media_type": "VIDEO", "video_url": item.url}
    return {"media_type": "IMAGE", "image_url": item.url}


def wait(api: ThreadsAPI, container: str, budget: Budget) -> str:
    """Poll a container until Threads is done with it, within the attempt's budget;
    return FINISHED, PUBLISHED or EXPIRED.

    Still IN_PROGRESS when the budget is spent is Transient: progress keeps the
    container, and the next attempt waits for the same one.
    """
    while True:
        status = read_status(api, container)
        if status in DONE:
            return status
        if not budget.wait():
            raise Transient(
                words(
                    "Threads is still processing the media after %(seconds)s seconds; "
                    "SMO checks the same container again later.",
                    seconds=whole(budget.waited),
                ),
                code="in-progress",
            )


def status_of(api: ThreadsAPI, container: str) -> str:
    """A container's status as Threads gives it (ERROR included)."""
    return str(api.get(container, fields="status,error_message").get("status") or "")


def read_status(api: ThreadsAPI, container: str) -> str:
    """One look at a container: its status, or Permanent when Threads failed it."""
    state = api.get(container, fields="status,error_message")
    status = str(state.get("status") or "")
    if status == "ERROR":
        reason = str(state.get("error_message") or "") or words("no reason given")
        raise Permanent(
            words("Threads could not process the media: %(reason)s", reason=reason),
            code="container-error",
        )
    if status not in DONE and status != "IN_PROGRESS":
        raise Transient(
            words(
                "Threads reported an unknown container status (%(status)s).",
                status=status or "none",
            ),
            code="container-status",
        )
    return status


def check_quota(api: ThreadsAPI, user_id: str, *, posts: bool, replies: bool) -> None:
    """Refuse before threads_publish when the rolling 24-hour cap is used up:
    250 posts, 1,000 replies (platforms.md §4)."""
    answer = api.get(f"{user_id}/threads_publishing_limit", fields=LIMIT_FIELDS)
    usage: dict[str, Any] = (answer.get("data") or [{}])[0]
    for wanted, used_key, config_key in (
        (posts, "quota_usage", "config"),
        (replies, "reply_quota_usage", "reply_config"),
    ):
        used = _int(usage.get(used_key))
        total = _int((usage.get(config_key) or {}).get("quota_total"))
        if wanted and total and used >= total:
            again: datetime = api.now() + CAP_WAIT
            if used_key == "quota_usage":
                sentence = words(
                    "Threads' 24-hour cap of %(total)s posts is reached (%(used)s published); "
                    "SMO tries again in an hour.",
                    total=total,
                    used=used,
                )
            else:
                sentence = words(
                    "Threads' 24-hour cap of %(total)s replies is reached (%(used)s published); "
                    "SMO tries again in an hour.",
                    total=total,
                    used=used,
                )
            raise RateLimited(sentence, again, code="quota")


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0

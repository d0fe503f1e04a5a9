"""Media for a Mastodon post: upload, then wait for the instance to process it.

POST /api/v2/media answers 200 (ready) or 202 (processing, `url` null); GET
/api/v1/media/:id answers 206 while processing, 200 when done, 422 when it
failed (platforms.md §10). Each attachment's id is recorded in Progress as
soon as the instance names it, so a retry never uploads the same file twice.
Waiting uses the injected sleep through a polling.Budget, not Mastodon.py's
`media_post(synchronous=True)`, which sleeps 5 s between checks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import datetime

from mastodon import Mastodon

from channels.adapters.base import MediaItem, Permanent, Progress, Transient
from channels.adapters.mastodon_api import calling
from channels.adapters.polling import Budget
from channels.words import words

MAX_DESCRIPTION = 1500  # MediaAttachment::MAX_DESCRIPTION_LENGTH


def ready_media(
    api: Mastodon,
    media: Iterable[MediaItem],
    progress: Progress,
    budget: Budget,
    *,
    now: Callable[[], datetime],
    hidden: Iterable[str] = (),
) -> list[str]:
    """Return the ids of the post's attachments, uploaded and processed."""
    ids: list[str] = [str(i) for i in progress.get("media_ids") or []]
    items = list(media)
    for item in items[len(ids) :]:
        try:
            # Opened here: given a path, Mastodon.py guesses the type itself and
            # leaves the file open.
            with (
                open(item.path, "rb") as data,
                calling(api, words("the media upload"), now=now, hidden=hidden),
            ):
                uploaded = api.media_post(
                    data,
                    mime_type=item.mime_type,
                    file_name=os.path.basename(item.path),
                    description=item.alt_text[:MAX_DESCRIPTION] or None,
                )
        except OSError as error:
            raise Permanent(
                words("Could not read the media file (%(error)s).", error=type(error).__name__)
            ) from None
        ids.append(str(uploaded["id"]))
        progress.record("media_ids", list(ids))
        if uploaded.get("url"):
            _mark_ready(progress, ids[-1])
    ready = set(progress.get("media_ready") or [])
    for media_id in ids:
        if media_id not in ready:
            _wait(api, media_id, progress, budget, now=now, hidden=hidden)
    return ids


def _wait(
    api: Mastodon,
    media_id: str,
    progress: Progress,
    budget: Budget,
    *,
    now: Callable[[], datetime],
    hidden: Iterable[str],
) -> None:
    while True:
        try:
            with calling(api, words("the media's processing"), now=now, hidden=hidden):
                found = api.media(media_id)
        except Permanent as error:
            raise Permanent(
                words(
                    "The Mastodon instance could not process a media file: %(reason)s",
                    reason=error.words,
                ),
                status=error.status,
            ) from None
        if found.get("url"):
            _mark_ready(progress, media_id)
            return
        if not budget.wait():
            raise Transient(
                words(
                    "The Mastodon instance is still processing the media; SMO checks again "
                    "on the next attempt."
                ),
                code="processing",
            )


def _mark_ready(progress: Progress, media_id: str) -> None:
    ready = [str(i) for i in progress.get("media_ready") or []]
    if media_id not in ready:
        progress.record("media_ready", [*ready, media_id])

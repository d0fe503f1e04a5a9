"""Snapchat public profiles, posted by hand after a reminder (platforms.md §9).

Snapchat's only server-side posting surface, the Public Profile API of the Snap
Marketing API, is open to allowlisted partners only, and its endpoints, scopes
and error shapes are unconfirmed. So SMO never calls Snapchat: an account is
added by a form (its name and handle, no credentials), and when one of its
deliveries comes due the engine sends a person a reminder with the caption to
copy and the media to download (scheduler/reminders.py) instead of calling
`publish`. The limits below still let the composer say what Snapchat would
refuse before the person is asked to post it.
"""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import override

from channels.adapters.base import (
    Adapter,
    Content,
    Credentials,
    Limits,
    Permanent,
    PostOption,
    Progress,
    Published,
)
from channels.adapters.engagement import EngagementSupport
from channels.words import words

MB = 1024 * 1024


class SnapchatAdapter(Adapter):
    network: ClassVar[str] = "snapchat"
    display_name: ClassVar[str] = "Snapchat"
    engagement: ClassVar[EngagementSupport] = EngagementSupport(
        note=words("Snapchat has no API for replies or chats, so answer in the Snapchat app.")
    )
    connects_by: ClassVar[str] = "manual"
    can_publish: ClassVar[bool] = False
    # All unconfirmed, from third-party integrators (platforms.md §9): one media
    # item per post and no text-only posts; Spotlight descriptions up to 160
    # characters; video MP4 of 5 to 60 seconds up to 500 MB; images up to 20 MB.
    limits: ClassVar[Limits] = Limits(
        max_text=160,
        max_images=1,
        max_videos=1,
        mix_images_and_video=False,
        requires_media=True,
        max_image_bytes=20 * MB,
        max_video_bytes=500 * MB,
        video_types=frozenset({"video/mp4"}),
        min_video_seconds=5,
        max_video_seconds=60,
    )
    # A Saved Story's title, up to 45 characters (unconfirmed, platforms.md §9).
    post_options: ClassVar[tuple[PostOption, ...]] = (
        PostOption(
            "title",
            words("Saved Story title"),
            max_length=45,
            help=words("Shown on the reminder, to type into Snapchat."),
        ),
    )

    @override
    def publish(
        self, creds: Credentials, content: Content, key: str, progress: Progress
    ) -> Published:
        # Never called: the engine sends a reminder for accounts that cannot publish.
        raise Permanent(
            words(
                "%(network)s has no posting API open to SMO; post it by hand from the reminder.",
                network=self.display_name,
            ),
            code="no-api",
        )

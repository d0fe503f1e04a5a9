"""What people write: campaigns, posts, their media, and posting schedules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    workspace = models.ForeignKey(
        "scheduler.Workspace", on_delete=models.CASCADE, related_name="campaigns"
    )
    name = models.CharField(max_length=200)
    color = models.CharField(max_length=7, default="#4f46e5")
    description = models.TextField(blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # Default UTM parameters added to every link in the campaign's posts:
    # {"source": ..., "medium": ..., "campaign": ..., "term": ..., "content": ...}.
    utm = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="campaign_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Audience(models.Model):
    """A group a message is tailored to: its own time zone, language and regions."""

    workspace = models.ForeignKey(
        "scheduler.Workspace", on_delete=models.CASCADE, related_name="audiences"
    )
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64)
    locale = models.CharField(max_length=20, blank=True)  # e.g. "sv-SE"
    regions = models.JSONField(default=list, blank=True)  # ISO 3166 codes, e.g. ["SE", "NO"]
    # Network targeting where a network takes it, e.g. {"facebook": {"countries": ["SE"]}}.
    targeting = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="audience_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class MediaAsset(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")

    workspace = models.ForeignKey(
        "scheduler.Workspace", on_delete=models.CASCADE, related_name="media"
    )
    file = models.FileField(upload_to="media/%Y/%m/")
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    alt_text = models.CharField(max_length=1000, blank=True)
    # Read by ffprobe at upload (scheduler.video_probe): seconds, and the
    # container's format name; empty for images and unreadable files.
    duration = models.FloatField(null=True, blank=True)
    container = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def signed_token(self) -> str:
        """The token of this file's signed, expiring link (scheduler/media_links.py)."""
        from scheduler import media_links

        return media_links.sign(self.pk)


class Post(models.Model):
    """Content written once; it fans out to one Delivery per connected account."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHING = "publishing", _("Publishing")
        REMINDER_SENT = "reminder_sent", _("Waiting to be posted by hand")
        PUBLISHED = "published", _("Published")
        PARTIALLY_PUBLISHED = "partially_published", _("Partly published")
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired before approval")

    workspace = models.ForeignKey(
        "scheduler.Workspace", on_delete=models.CASCADE, related_name="posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    text = models.TextField()
    # A link shared with the post: a preview where the network makes one,
    # appended to the text elsewhere.
    link = models.URLField(max_length=2000, blank=True)
    # Posted by the account under its own post right after it goes out.
    first_comment = models.TextField(blank=True)
    # The posts that follow the first one in a thread, on networks with threads.
    thread = models.JSONField(default=list, blank=True)
    # Per-network versions of the text, {"x": {"text": "..."}}; a network
    # without one gets `text`. A network's own settings (Adapter.post_options)
    # sit beside it: {"youtube": {"options": {"title": "...", "privacy": "public"}}};
    # a per-account one holds a value per account id: {"board": {"12": "998"}}.
    overrides = models.JSONField(default=dict, blank=True)
    # Audience variants are posts of their own (text, media, accounts, time),
    # grouped under the post they vary, each for one audience.
    variant_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="variants"
    )
    audience = models.ForeignKey(
        Audience, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    # A repeating post: the RRULE it was made from, and the first post of the
    # series on each of the others (each occurrence is a post of its own).
    recurrence = models.CharField(max_length=500, blank=True)
    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="repeats"
    )
    # Links go out as SMO's own short links (/l/<code>, one per delivery), so
    # each click is counted (scheduler/links.py).
    track_links = models.BooleanField(default=False)
    # Took the next free slot of its accounts' posting schedules ("add to
    # queue"); reordering the queue moves only these.
    from_queue = models.BooleanField(default=False)
    # Each account's signature as it was when the post was saved, {"12": "text"}:
    # frozen, so what was approved is what goes out (scheduler/signatures.py).
    signatures = models.JSONField(default=dict, blank=True)
    add_signatures = models.BooleanField(default=True)
    # Evergreen: published once, recycled into its accounts' free queue slots
    # (scheduler/evergreen.py); each recycled copy points back at it.
    evergreen = models.BooleanField(default=False)
    evergreen_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="recycles"
    )
    # Null for a draft. Stored in UTC; people see and type their own zone.
    scheduled_at = models.DateTimeField(null=True, blank=True)
    media = models.ManyToManyField(MediaAsset, through="PostMedia", blank=True, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The approval step (index into the workspace's steps) it waits at.
    approval_step = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [models.Index(fields=["workspace", "scheduled_at"])]

    def __str__(self) -> str:
        return f"post {self.pk}: {self.text[:40]}"

    def text_for(self, network: str) -> str:
        """The text this post sends to `network`: its override, or the main text."""
        override = (self.overrides or {}).get(network) or {}
        return str(override.get("text") or self.text)

    @property
    def signed_by(self) -> list[tuple[str, str]]:
        """(account name, signature) each delivery adds (uses prefetched deliveries)."""
        found = self.signatures or {}
        return [
            (d.account.name, found[str(d.account_id)])
            for d in self.deliveries.all()
            if str(d.account_id) in found
        ]

    @property
    def status(self) -> str:
        """Summarise the deliveries' states (uses prefetched deliveries)."""
        from scheduler.poststatus import post_status

        return post_status([d.state for d in self.deliveries.all()])

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label)


class PostMedia(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    asset = models.ForeignKey(MediaAsset, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["post", "asset"], name="post_media_unique")]

    def __str__(self) -> str:
        return f"media {self.asset_id} of post {self.post_id}"


class QueueSlot(models.Model):
    """A weekly posting time of an account, in the workspace's time zone."""

    account = models.ForeignKey(
        "channels.SocialAccount", on_delete=models.CASCADE, related_name="queue_slots"
    )
    weekday = models.PositiveSmallIntegerField(
        choices=[(i, d) for i, d in enumerate(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])]
    )
    time = models.TimeField()

    class Meta:
        ordering = ["weekday", "time"]
        constraints = [
            models.UniqueConstraint(fields=["account", "weekday", "time"], name="queue_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.time:%H:%M}"

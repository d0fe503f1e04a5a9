"""What published posts achieved: the networks' figures over time, SMO's own
short links and their clicks, and each account's followers over time."""

from __future__ import annotations

import secrets

from django.db import models

from channels.words import say


def _figure() -> models.PositiveBigIntegerField:
    # None when the network does not give this figure; 0 is a real zero.
    return models.PositiveBigIntegerField(null=True, blank=True)


class Figures(models.Model):
    impressions = _figure()
    reach = _figure()
    likes = _figure()
    comments = _figure()
    shares = _figure()
    saves = _figure()
    video_views = _figure()
    link_clicks = _figure()

    class Meta:
        abstract = True


class MetricSample(Figures):
    """One reading of a published delivery's figures (lifetime totals then)."""

    delivery = models.ForeignKey(
        "scheduler.Delivery", on_delete=models.CASCADE, related_name="metric_samples"
    )
    taken_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["delivery", "-taken_at"], name="metric_sample_idx")]
        ordering = ["delivery", "taken_at"]

    def __str__(self) -> str:
        return f"figures of delivery {self.delivery_id} at {self.taken_at}"


class DeliveryMetrics(Figures):
    """The latest reading of a delivery's figures: what the reports add up."""

    delivery = models.OneToOneField(
        "scheduler.Delivery", on_delete=models.CASCADE, primary_key=True, related_name="metrics"
    )
    taken_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "delivery metrics"

    def __str__(self) -> str:
        return f"latest figures of delivery {self.delivery_id}"


class FollowerSample(models.Model):
    account = models.ForeignKey(
        "channels.SocialAccount", on_delete=models.CASCADE, related_name="follower_samples"
    )
    taken_at = models.DateTimeField()
    followers = models.PositiveBigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["account", "-taken_at"], name="follower_sample_idx")]
        ordering = ["account", "taken_at"]

    def __str__(self) -> str:
        return f"{self.followers} followers of account {self.account_id} at {self.taken_at}"


class MetricsSync(models.Model):
    """Where each account's figure collection stands (like InboxSync)."""

    account = models.OneToOneField(
        "channels.SocialAccount",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="metrics_sync",
    )
    next_at = models.DateTimeField(null=True, blank=True)
    running_since = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    error_words = models.JSONField(default=dict, blank=True)
    rate_limited_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"figures of account {self.account_id}"

    @property
    def reason(self) -> str:
        return say(self.error_words)


def new_code() -> str:
    """Eight URL-safe characters: 48 bits, unguessable enough for a public redirect."""
    return secrets.token_urlsafe(6)


class ShortLink(models.Model):
    """SMO's own short link for one link of one delivery: /l/<code> redirects to
    `url` (the link with the campaign's UTM tags) and counts the click."""

    code = models.CharField(max_length=16, unique=True, default=new_code)
    delivery = models.ForeignKey(
        "scheduler.Delivery", on_delete=models.CASCADE, related_name="short_links"
    )
    url = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Made again on a retry or a reconcile, the same link gets the same code.
            models.UniqueConstraint(fields=["delivery", "url"], name="short_link_once_per_url")
        ]

    def __str__(self) -> str:
        return f"/l/{self.code}"


class LinkClick(models.Model):
    """One click on a short link: when, from which network's pages, from which
    country (where the request said). No address, no browser, no cookie."""

    link = models.ForeignKey(ShortLink, on_delete=models.CASCADE, related_name="clicks")
    clicked_at = models.DateTimeField()
    network = models.CharField(max_length=32, blank=True)
    country = models.CharField(max_length=2, blank=True)

    class Meta:
        indexes = [models.Index(fields=["link", "clicked_at"], name="link_click_idx")]

    def __str__(self) -> str:
        return f"click on {self.link_id} at {self.clicked_at}"

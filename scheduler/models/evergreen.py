"""Per-account settings of the evergreen queue (scheduler/evergreen.py)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_GAP_DAYS = 30
DEFAULT_SLOTS_AHEAD = 3


class EvergreenSettings(models.Model):
    """Whether an account's free queue slots are filled with evergreen posts, and how."""

    account = models.OneToOneField(
        "channels.SocialAccount", on_delete=models.CASCADE, related_name="evergreen"
    )
    enabled = models.BooleanField(_("Recycle evergreen posts"), default=False)
    # The same post never goes out on the account twice within this many days.
    min_gap_days = models.PositiveSmallIntegerField(
        _("Minimum gap"),
        default=DEFAULT_GAP_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    # How many free slots (within SMO_EVERGREEN_HORIZON_DAYS) the queue may hold
    # evergreen copies in at once, so most slots stay free for new posts.
    slots_ahead = models.PositiveSmallIntegerField(
        _("Free slots to fill"),
        default=DEFAULT_SLOTS_AHEAD,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "evergreen settings"

    def __str__(self) -> str:
        return f"evergreen settings of account {self.account_id}"

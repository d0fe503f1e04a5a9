"""A network's limits beside the composer's counter, measured against the post:
media needed, video length, width:height, and each setting's length.

The adapter's `validate` says what is wrong; these say where the post stands
before anything is, so a person picks a fitting video the first time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channels.adapters.base import Adapter, MediaItem, option_is_empty, option_length, ratio_label
from channels.words import say, whole

# The same one-pixel slack as Adapter._shape_problems.
ASPECT_SLACK = 0.01


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    ok: bool = True


def facts_for(
    adapter: Adapter, media: tuple[MediaItem, ...], options: Mapping[str, Any]
) -> tuple[Fact, ...]:
    limits = adapter.limits
    facts = []
    if limits.requires_media:
        count = len(media)
        value = (
            ngettext("%(n)s file", "%(n)s files", count) % {"n": count} if count else _("needed")
        )
        facts.append(Fact(_("Media"), value, ok=bool(count)))
    facts.extend(_length_facts(adapter, [m for m in media if m.kind == "video"]))
    facts.extend(_aspect_facts(adapter, media))
    for option in adapter.post_options:
        if option.max_length is None or option.per_account:
            continue
        value = options.get(option.name)
        used = 0 if option_is_empty(value) else option_length(value)
        facts.append(
            Fact(say(option.label), f"{used} / {option.max_length}", used <= option.max_length)
        )
    return tuple(facts)


def _seconds(value: float) -> str:
    return number_format(whole(value))


def _length_facts(adapter: Adapter, videos: list[MediaItem]) -> list[Fact]:
    low, high = adapter.limits.min_video_seconds, adapter.limits.max_video_seconds
    if low is None and high is None:
        return []
    if low is not None and high is not None:
        span = _("%(low)s to %(high)s s") % {"low": _seconds(low), "high": _seconds(high)}
    elif high is not None:
        span = _("up to %(high)s s") % {"high": _seconds(high)}
    else:
        span = _("at least %(low)s s") % {"low": _seconds(low or 0)}
    label = _("Video length")
    if not videos:
        return [Fact(label, span)]
    facts = []
    for n, video in enumerate(videos, 1):
        if video.duration is None:
            value = _("%(span)s; video %(n)s: length unknown") % {"span": span, "n": n}
            facts.append(Fact(label, value))
            continue
        ok = (low is None or video.duration >= low) and (high is None or video.duration <= high)
        value = _("%(span)s; video %(n)s: %(length)s s") % {
            "span": span,
            "n": n,
            "length": _seconds(video.duration),
        }
        facts.append(Fact(label, value, ok))
    return facts


def _aspect_facts(adapter: Adapter, media: tuple[MediaItem, ...]) -> list[Fact]:
    low, high = adapter.limits.min_aspect, adapter.limits.max_aspect
    if low is None and high is None:
        return []
    if low is not None and high is not None:
        span = _("%(low)s to %(high)s") % {"low": ratio_label(low), "high": ratio_label(high)}
    elif low is not None:
        span = _("%(low)s or wider") % {"low": ratio_label(low)}
    else:
        span = _("%(high)s or taller") % {"high": ratio_label(high or 0)}
    label = _("Width:height")
    sized = [m for m in media if m.aspect is not None]
    if not sized:
        return [Fact(label, span)]
    facts = []
    for n, item in enumerate(sized, 1):
        aspect = item.aspect or 0
        ok = (low is None or aspect >= low - ASPECT_SLACK) and (
            high is None or aspect <= high + ASPECT_SLACK
        )
        value = _("%(span)s; file %(n)s: %(width)s by %(height)s") % {
            "span": span,
            "n": n,
            "width": item.width,
            "height": item.height,
        }
        facts.append(Fact(label, value, ok))
    return facts

"""Audience variants: a post retold for one audience, at the same local time there.

A variant is a post of its own (text, accounts, deliveries), made through
`posts.create_post` so approval rules, per-network validation and the fan-out are
the same as for any post, then tied to its parent (`variant_of`) and audience.
"Same local time everywhere": the parent's wall-clock time in the workspace's zone,
read in the audience's zone (09:00 Europe/Stockholm -> 09:00 America/New_York). A
time that does not exist there, or happens twice, is refused with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from channels.models import SocialAccount
from scheduler import engine, posts
from scheduler.localtime import LocalTimeError, to_utc, zone
from scheduler.models import Audience, MediaAsset, Membership, Post

# ISO 3166-1 alpha-2, as in the tz database's iso3166.tab (249 codes).
REGIONS = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW""".split()
)
# The networks whose posts take audience targeting here (platforms.md §2: Page posts).
TARGETED_NETWORKS = ("facebook",)


def clean_regions(raw: str) -> list[str]:
    """Parse "se, no" into ["SE", "NO"]; raise ValidationError naming unknown codes."""
    codes = [c.strip().upper() for c in raw.replace(";", ",").split(",") if c.strip()]
    unknown = [c for c in codes if c not in REGIONS]
    if unknown:
        raise ValidationError(
            _("Not ISO 3166 country codes: %(codes)s. Use two letters, like SE or US.")
            % {"codes": ", ".join(unknown)}
        )
    return list(dict.fromkeys(codes))


def local_time(post: Post) -> datetime | None:
    """The post's wall-clock time in its workspace's zone (naive), or None for a draft."""
    if post.scheduled_at is None:
        return None
    return post.scheduled_at.astimezone(zone(post.workspace.timezone)).replace(tzinfo=None)


def variant_time(parent: Post, audience: Audience) -> datetime | None:
    """The parent's local time, read in the audience's zone, in UTC.

    Raise LocalTimeError when that time does not exist there or happens twice.
    """
    wall = local_time(parent)
    if wall is None:
        return None
    return to_utc(wall, zone(audience.timezone))


def _time_errors(parent: Post, audience: Audience) -> tuple[datetime | None, dict[str, list[str]]]:
    try:
        return variant_time(parent, audience), {}
    except LocalTimeError as exc:
        message = _("For %(audience)s: %(problem)s") % {"audience": audience.name, "problem": exc}
        return None, {"scheduled_at": [message]}


def create_variant(
    membership: Membership,
    parent: Post,
    audience: Audience,
    text: str,
    accounts: list[SocialAccount],
    media: list[MediaAsset] | None = None,
) -> Post:
    """Make `parent`'s variant for `audience`; raise PostErrors, saving nothing, if it can't.

    The variant shares the parent's campaign and link; its text, accounts, media
    (the parent's unless `media` is given) and time are its own (a parent's
    per-network texts and thread are in the parent's language, so they stay with it).
    """
    errors: dict[str, list[str]] = {}
    if parent.variant_of_id is not None:
        errors["audience"] = [_("Add variants to the main post, not to a variant.")]
    elif parent.scheduled_at is None or parent.cancelled_at is not None:
        errors["audience"] = [_("Schedule the post first: a variant follows its time.")]
    elif audience.workspace_id != parent.workspace_id:
        errors["audience"] = [_("Choose one of this workspace's audiences.")]
    if errors:
        raise posts.PostErrors(errors)
    when, errors = _time_errors(parent, audience)
    if errors:
        raise posts.PostErrors(errors)
    data = posts.PostInput(
        text=text,
        accounts=accounts,
        scheduled_at=when,
        campaign=parent.campaign,
        media=(
            list(media)
            if media is not None
            else [a.asset for a in parent.attachments.select_related("asset")]
        ),
        link=parent.link,
    )
    with transaction.atomic():
        # Locking the parent makes two people adding the same audience take turns,
        # so the second one sees the first one's variant.
        Post.objects.select_for_update().filter(pk=parent.pk).first()
        if Post.objects.filter(variant_of=parent, audience=audience).exists():
            raise posts.PostErrors(
                {
                    "audience": [
                        _("This post already has a variant for %(audience)s.")
                        % {"audience": audience.name}
                    ]
                }
            )
        variant = posts.create_post(membership, data)
        Post.objects.filter(pk=variant.pk).update(variant_of=parent, audience=audience)
    variant.variant_of = parent
    variant.audience = audience
    return variant


def pending(post: Post) -> bool:
    return any(d.state in engine.PENDING for d in post.deliveries.all())


def out_of_step(parent: Post, variant: Post) -> bool:
    """Whether a not-yet-published variant is off its parent's local time."""
    if variant.audience is None or not pending(variant):
        return False
    try:
        return variant.scheduled_at != variant_time(parent, variant.audience)
    except LocalTimeError:
        return True


def retime_variants(membership: Membership, parent: Post) -> list[Post]:
    """Move the variants still to go out to the parent's (new) local time; return those moved.

    All or nothing: PostErrors names the audience whose time does not work.
    """
    moved = []
    variants = list(
        parent.variants.select_related("audience", "workspace").prefetch_related("deliveries")
    )
    with transaction.atomic():
        for variant in variants:
            if not out_of_step(parent, variant):
                continue
            when, errors = _time_errors(parent, variant.audience)  # type: ignore[arg-type]
            if errors:
                raise posts.PostErrors(errors)
            posts.update_post(membership, variant, {"scheduled_at": when})
            moved.append(variant)
    return moved


def cancel_variants(parent: Post) -> int:
    """Cancel the variants that have not gone out; return how many."""
    cancelled = 0
    with transaction.atomic():
        for variant in parent.variants.filter(cancelled_at__isnull=True).prefetch_related(
            "deliveries"
        ):
            if pending(variant):
                posts.cancel_post(variant)
                cancelled += 1
    return cancelled


def targeting_for(post: Post, network: str) -> dict[str, object]:
    """The audience targeting `post` asks of `network`, e.g. {"countries": ["SE"]}, or {}."""
    if post.audience_id is None or network not in TARGETED_NETWORKS:
        return {}
    return dict((post.audience.targeting or {}).get(network) or {})  # type: ignore[union-attr]


@dataclass
class VariantRow:
    post: Post
    local: datetime | None  # naive wall-clock time in the audience's zone
    zone: str
    out_of_step: bool


def rows(parent: Post, variants: list[Post]) -> list[VariantRow]:
    """The variants as the post page lists them (needs audience and deliveries loaded)."""
    result = []
    for v in variants:
        tz = v.audience.timezone if v.audience else parent.workspace.timezone
        # Naive, so the template's |date shows it as is rather than in the viewer's zone.
        local = v.scheduled_at.astimezone(zone(tz)).replace(tzinfo=None) if v.scheduled_at else None
        result.append(VariantRow(v, local, tz, out_of_step(parent, v)))
    return result

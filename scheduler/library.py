"""The library: snippets and hashtag groups, and post templates.

Views and the API come here to save them, so the rules (a unique name per
workspace, a hashtag group holds only hashtags, what a template keeps and what
starting from it drops) live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from channels.models import SocialAccount
from scheduler import hashtags, option_fields
from scheduler.models import Campaign, MediaAsset, Membership, PostTemplate, Snippet
from scheduler.posts import PostErrors

# The fields of a post a template keeps (PostTemplate), besides its name.
TEMPLATE_FIELDS = (
    "text",
    "link",
    "first_comment",
    "thread",
    "overrides",
    "media_ids",
    "account_ids",
    "campaign",
    "track_links",
)


def snippet_problems(kind: str, body: str) -> dict[str, list[str]]:
    if not body.strip():
        return {"body": [_("Write the text to insert.")]}
    if kind == Snippet.Kind.HASHTAGS:
        found = hashtags.group_problems(body)
        if found:
            return {"body": found}
    return {}


def save_snippet(
    membership: Membership, fields: dict[str, Any], snippet: Snippet | None = None
) -> Snippet:
    """Create or change a snippet; PostErrors by field when it can't be saved."""
    snippet = snippet or Snippet(workspace=membership.workspace, created_by=membership.user)
    # Checked before anything is set, so a refused edit leaves the row as it was.
    name = str(fields.get("name", snippet.name)).strip()
    kind = fields.get("kind", snippet.kind)
    body = fields.get("body", snippet.body)
    errors = snippet_problems(kind, body)
    if not name:
        errors["name"] = [_("Give the snippet a name.")]
    if errors:
        raise PostErrors(errors)
    snippet.name, snippet.kind, snippet.body = name, kind, body
    try:
        with transaction.atomic():
            snippet.save()
    except IntegrityError:
        raise PostErrors({"name": [_("A snippet with this name exists already.")]}) from None
    return snippet


def save_template(
    membership: Membership, name: str, fields: dict[str, Any], template: PostTemplate | None = None
) -> PostTemplate:
    """Save what was typed as a template, postable or not; only the name must be
    given and unused in the workspace."""
    template = template or PostTemplate(workspace=membership.workspace, created_by=membership.user)
    template.name = name.strip()
    if not template.name:
        raise PostErrors({"name": [_("Give the template a name.")]})
    for key in TEMPLATE_FIELDS:
        if key in fields:
            setattr(template, key, fields[key])
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise PostErrors({"name": [_("A template with this name exists already.")]}) from None
    return template


@dataclass
class Start:
    """What a new post starts with from a template, and what could not be kept."""

    accounts: list[SocialAccount]
    media: list[MediaAsset]
    campaign: Campaign | None
    dropped: list[str] = field(default_factory=list)


def resolve(template: PostTemplate) -> Start:
    """The template's accounts still connected and media still there, in its order."""
    workspace_id = template.workspace_id
    account_ids = [int(i) for i in template.account_ids]
    media_ids = [int(i) for i in template.media_ids]
    found_accounts = {
        a.pk: a for a in SocialAccount.objects.filter(workspace_id=workspace_id, pk__in=account_ids)
    }
    accounts = [
        found_accounts[i]
        for i in account_ids
        if i in found_accounts and found_accounts[i].status == SocialAccount.Status.ACTIVE
    ]
    found_media = {
        m.pk: m for m in MediaAsset.objects.filter(workspace_id=workspace_id, pk__in=media_ids)
    }
    media = [found_media[i] for i in media_ids if i in found_media]
    dropped = []
    gone = len(account_ids) - len(accounts)
    if gone:
        dropped.append(
            _("%(n)s account(s) of the template are no longer connected and were left out.")
            % {"n": gone}
        )
    if len(media) < len(media_ids):
        dropped.append(
            _("%(n)s media file(s) of the template were deleted and were left out.")
            % {"n": len(media_ids) - len(media)}
        )
    campaign = template.campaign
    return Start(accounts=accounts, media=media, campaign=campaign, dropped=dropped)


def composer_initial(template: PostTemplate, start: Start) -> dict[str, object]:
    """The composer's starting values from a template (cf. views.compose._copy_of)."""
    from scheduler.forms import OVERRIDE_PREFIX, THREAD_BREAK

    initial: dict[str, object] = {
        "text": template.text,
        "link": template.link,
        "first_comment": template.first_comment,
        "thread": f"\n{THREAD_BREAK}\n".join(template.thread),
        "track_links": template.track_links,
        "campaign": start.campaign.pk if start.campaign else None,
        "accounts": [a.pk for a in start.accounts],
        "media": [m.pk for m in start.media],
    }
    for network, override in (template.overrides or {}).items():
        initial[OVERRIDE_PREFIX + network] = override.get("text", "")
    initial.update(option_fields.initial_from(template.overrides))
    return initial


def fields_from_form(form: Any) -> dict[str, Any]:
    """What is typed in a composer form, valid or not, as template fields."""
    from scheduler.forms import split_thread

    data = form._raw()
    _content, accounts, overrides = form.typed()
    media_ids = [int(i) for i in dict.fromkeys(data.getlist("media")) if i.isdigit()]
    known = set(form.fields["media"].queryset.filter(pk__in=media_ids).values_list("pk", flat=True))
    raw_campaign = data.get("campaign", "")
    campaign = (
        form.fields["campaign"].queryset.filter(pk=raw_campaign).first()
        if str(raw_campaign).isdigit()
        else None
    )
    return {
        "text": data.get("text", ""),
        "link": data.get("link", "").strip()[:2000],
        "first_comment": data.get("first_comment", ""),
        "thread": split_thread(data.get("thread", "")),
        "overrides": overrides,
        "media_ids": [i for i in media_ids if i in known],
        "account_ids": [a.pk for a in accounts],
        "campaign": campaign,
        "track_links": data.get("track_links") in ("on", "true", "True", "1"),
    }

"""One feed item into one post: the feed's template filled in, shortened until
the networks take it, then a draft or a queued post (scheduler/feeds.py calls
this inside the transaction that records the item).

Nothing is dropped silently: an item the networks would refuse even with no
summary, or that the queue cannot take (no posting schedule), is saved as a
draft, and the note on its FeedItem says why, on the feed's page.
"""

from __future__ import annotations

from django.conf import settings

from channels.models import SocialAccount
from channels.words import Words, words
from scheduler import audit, posts, queue
from scheduler.feed_reading import Entry, shorten
from scheduler.models import Delivery, Feed, Membership, Post

# Summary lengths tried, as shares of the configured length, before none at all.
STEPS = (1.0, 0.75, 0.5, 0.33, 0.2, 0.1)


def render(template: str, entry: Entry, summary: str) -> str:
    """Fill {title}, {link} and {summary} in; the template was validated on save."""
    values = {"title": entry.title, "link": entry.link, "summary": summary}
    try:
        return template.format_map(values).strip()
    except (KeyError, ValueError, IndexError):
        # Changed behind the form's back (the admin): fall back to the default shape.
        return "\n\n".join(v for v in (entry.title, summary, entry.link) if v)


def make_post(feed: Feed, membership: Membership, entry: Entry) -> tuple[Post | None, Words | None]:
    """Return the post made for `entry` and a note for the feed page (or None)."""
    accounts = list(feed.accounts.filter(status=SocialAccount.Status.ACTIVE))
    if not accounts:
        return None, words("Not posted: the feed has no connected account to post to.")
    full = shorten(entry.summary, settings.SMO_FEED_SUMMARY_CHARS)
    text, problems = _fitting(feed, entry, full, accounts)
    if problems:
        post = _refused_draft(feed, membership, render(feed.template, entry, full), accounts)
        return post, words(
            "Saved as a draft: the networks would refuse it (%(problems)s).", problems=problems
        )
    shortened = text != render(feed.template, entry, full)
    data = posts.PostInput(text=text, accounts=accounts, campaign=feed.campaign)
    if feed.mode == Feed.Mode.QUEUE:
        try:
            post = queue.add_to_queue(membership, data)
        except posts.PostErrors as exc:
            data = posts.PostInput(text=text, accounts=accounts, campaign=feed.campaign)
            post = posts.create_post(membership, data)
            return post, words(
                "Saved as a draft: the queue could not take it (%(problems)s).",
                problems=_joined(exc.errors),
            )
    else:
        post = posts.create_post(membership, data)
    if shortened:
        return post, words("The summary was shortened to fit the networks' limits.")
    return post, None


def _fitting(
    feed: Feed, entry: Entry, summary: str, accounts: list[SocialAccount]
) -> tuple[str, str]:
    """Return the text with the longest summary the networks take, and "" — or the
    problems left even without a summary."""
    utm = feed.campaign.utm if feed.campaign else None
    lengths = [int(len(summary) * share) for share in STEPS] + [0]
    problems = ""
    for length in dict.fromkeys(lengths):  # in order, once each
        text = render(feed.template, entry, shorten(summary, length) if length else "")
        found = posts.content_problems(posts.draft_content(text, [], utm=utm), accounts, utm=utm)
        if not found:
            return text, ""
        problems = _joined(found)
        if set(found) != {"text"}:
            break  # not about length: a shorter summary will not help
    return "", problems


def _joined(errors: dict[str, list[str]]) -> str:
    return "; ".join(message for messages in errors.values() for message in messages)[:400]


def _refused_draft(
    feed: Feed, membership: Membership, text: str, accounts: list[SocialAccount]
) -> Post:
    """Save a draft the networks would refuse as it is, for a person to fix in the
    composer (which shows the problems); a draft is never published as it is."""
    post = Post.objects.create(
        workspace=feed.workspace, author=membership.user, campaign=feed.campaign, text=text
    )
    Delivery.objects.bulk_create(
        Delivery(post=post, account=a, state=Delivery.State.DRAFT) for a in accounts
    )
    audit.post_event(
        audit.A.POST_CREATED,
        post,
        membership,
        state=Delivery.State.DRAFT,
        scheduled_at=None,
        accounts=[a.name for a in accounts],
    )
    return post

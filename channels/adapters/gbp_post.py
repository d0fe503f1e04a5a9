"""A Google Business Profile local post from SMO's content and the composer's
options: update, event or offer, with an optional button (My Business API v4
`accounts.locations.localPosts`, developers.google.com/my-business/content/posts-data
and /reference/rest/v4/accounts.locations.localPosts).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from channels.adapters.base import Content, PostOption, Problem
from channels.words import words

STANDARD, EVENT, OFFER = "STANDARD", "EVENT", "OFFER"
TOPICS = (
    (STANDARD, words("Update")),
    (EVENT, words("Event")),
    (OFFER, words("Offer")),
)
# LocalPost.callToAction.actionType; CALL dials the location's phone and takes no URL.
# The composer offers "no button" itself (an empty choice).
BUTTONS = (
    ("BOOK", words("Book")),
    ("ORDER", words("Order online")),
    ("SHOP", words("Buy")),
    ("LEARN_MORE", words("Learn more")),
    ("SIGN_UP", words("Sign up")),
    ("CALL", words("Call now")),
)
LINKED_BUTTONS = frozenset(value for value, _ in BUTTONS if value != "CALL")
MAX_SUMMARY = 1500  # LocalPost.summary
MAX_EVENT_TITLE = 58  # Business Profile's event title field (support.google.com); unconfirmed
MAX_URL = 2048
WHEN_HELP = words("As 2026-12-14 09:00 or 2026-12-14, in the location's own time.")

OPTIONS: tuple[PostOption, ...] = (
    PostOption(
        "topic",
        words("Post type"),
        kind="choice",
        choices=TOPICS,
        default=STANDARD,
        help=words("An update, an event with dates, or an offer with dates and a coupon."),
    ),
    PostOption(
        "event_title",
        words("Event or offer title"),
        max_length=MAX_EVENT_TITLE,
        help=words("Events and offers need one."),
    ),
    PostOption("event_start", words("Starts"), help=WHEN_HELP),
    PostOption("event_end", words("Ends"), help=WHEN_HELP),
    PostOption("coupon_code", words("Coupon code"), max_length=58, help=words("Offers only.")),
    PostOption("redeem_url", words("Link to redeem the offer"), max_length=MAX_URL),
    PostOption("terms", words("Terms and conditions"), kind="textarea", max_length=5000),
    PostOption(
        "button",
        words("Button"),
        kind="choice",
        choices=BUTTONS,
        help=words("Without one, the post's link becomes a Learn more button."),
    ),
    PostOption(
        "button_url",
        words("Button link"),
        max_length=MAX_URL,
        help=words("Where the button leads; the post's link when left empty."),
    ),
)


def topic(options: Mapping[str, Any]) -> str:
    return str(options.get("topic") or STANDARD)


def parse_when(value: Any) -> datetime | None:
    """ "2026-12-14 09:00" or "2026-12-14" (or ISO 8601 with a T), no time zone:
    Google shows event times in the location's own time."""
    text = str(value or "").strip().replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def has_time(value: Any) -> bool:
    return ":" in str(value or "")


def problems(content: Content) -> list[Problem]:
    """What Google would refuse in the options, beyond their lengths and choices."""
    options = content.options
    found: list[Problem] = []
    kind = topic(options)
    if kind in (EVENT, OFFER):
        if not str(options.get("event_title") or "").strip():
            found.append(
                Problem(
                    "options.event_title",
                    words("An event or offer on Google needs a title."),
                    "required",
                )
            )
        start, end = options.get("event_start"), options.get("event_end")
        for name, value in (("event_start", start), ("event_end", end)):
            if not str(value or "").strip():
                found.append(
                    Problem(
                        f"options.{name}",
                        words("An event or offer on Google needs a start and an end."),
                        "required",
                    )
                )
            elif parse_when(value) is None:
                found.append(
                    Problem(
                        f"options.{name}",
                        words("Write the date as 2026-12-14 or 2026-12-14 09:00."),
                        "invalid",
                    )
                )
        begins, ends = parse_when(start), parse_when(end)
        if ends and not has_time(end):
            ends = ends.replace(hour=23, minute=59, second=59)  # a date alone: all that day
        if begins and ends and ends < begins:
            found.append(
                Problem("options.event_end", words("The end is before the start."), "invalid")
            )
    elif any(str(options.get(n) or "").strip() for n in ("coupon_code", "redeem_url", "terms")):
        found.append(
            Problem(
                "options.topic",
                words("A coupon, redeem link or terms need the post type Offer."),
                "invalid",
            )
        )
    button = str(options.get("button") or "")
    if kind == OFFER and button:
        # Offers carry Google's own "View offer" button (LocalPost docs).
        found.append(
            Problem("options.button", words("An offer on Google has its own button."), "invalid")
        )
    elif button in LINKED_BUTTONS and not (options.get("button_url") or content.link):
        found.append(
            Problem("options.button_url", words("This button needs a link to lead to."), "required")
        )
    for name in ("button_url", "redeem_url"):
        value = str(options.get(name) or "").strip()
        if value and not _web_address(value):
            found.append(
                Problem(
                    f"options.{name}",
                    words("Enter a web address that starts with https:// or http://."),
                    "invalid",
                )
            )
    return found


def body(content: Content, language: str, photo_url: str) -> dict[str, Any]:
    """The LocalPost to create; `photo_url` is where Google fetches the photo."""
    options = content.options
    kind = topic(options)
    post: dict[str, Any] = {"topicType": kind, "summary": summary(content)}
    if language:
        post["languageCode"] = language
    if kind in (EVENT, OFFER):
        post["event"] = {
            "title": str(options.get("event_title") or "").strip(),
            "schedule": schedule(options.get("event_start"), options.get("event_end")),
        }
    if kind == OFFER:
        offer = {
            key: str(options.get(name) or "").strip()
            for key, name in (
                ("couponCode", "coupon_code"),
                ("redeemOnlineUrl", "redeem_url"),
                ("termsConditions", "terms"),
            )
        }
        offer = {k: v for k, v in offer.items() if v}
        if offer:
            post["offer"] = offer
    else:
        action = call_to_action(content)
        if action:
            post["callToAction"] = action
    if photo_url:
        post["media"] = [{"mediaFormat": "PHOTO", "sourceUrl": photo_url}]
    return post


def summary(content: Content) -> str:
    return content.text.replace("\r\n", "\n").strip()


def call_to_action(content: Content) -> dict[str, str] | None:
    options = content.options
    button = str(options.get("button") or "")
    link = str(options.get("button_url") or "").strip() or content.link
    if button == "CALL":
        return {"actionType": "CALL"}
    if button:
        return {"actionType": button, "url": link}
    if content.link:
        return {"actionType": "LEARN_MORE", "url": content.link}
    return None


def schedule(start: Any, end: Any) -> dict[str, Any]:
    """TimeInterval: google.type.Date and TimeOfDay; times only where typed."""
    result: dict[str, Any] = {}
    for prefix, value in (("start", start), ("end", end)):
        when = parse_when(value)
        if when is None:
            continue
        result[f"{prefix}Date"] = {"year": when.year, "month": when.month, "day": when.day}
        if has_time(value):
            result[f"{prefix}Time"] = {
                "hours": when.hour,
                "minutes": when.minute,
                "seconds": when.second,
                "nanos": 0,
            }
    return result


def is_public(url: str) -> bool:
    """Whether Google's fetcher could reach `url`: not a loopback, private or
    link-local address, nor a name only a local network knows."""
    host = (urlsplit(url).hostname or "").lower()
    if not host or ("." not in host and ":" not in host):
        return False
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return address.is_global


def _web_address(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)

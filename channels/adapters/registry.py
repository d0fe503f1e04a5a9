"""Network key -> adapter class, imported on first use (STYLE.md §3)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from channels.adapters.base import Adapter
from channels.adapters.session import build_session

ADAPTERS: dict[str, str] = {
    "sandbox": "channels.adapters.sandbox.SandboxAdapter",
    "x": "channels.adapters.x.XAdapter",
    "facebook": "channels.adapters.facebook.FacebookAdapter",
    "instagram": "channels.adapters.instagram.InstagramAdapter",
    "snapchat": "channels.adapters.snapchat.SnapchatAdapter",
    "youtube": "channels.adapters.youtube.YouTubeAdapter",
    "tiktok": "channels.adapters.tiktok.TikTokAdapter",
    "pinterest": "channels.adapters.pinterest.PinterestAdapter",
    "threads": "channels.adapters.threads.ThreadsAdapter",
    "linkedin": "channels.adapters.linkedin.LinkedInAdapter",
    "mastodon": "channels.adapters.mastodon.MastodonAdapter",
    "bluesky": "channels.adapters.bluesky.BlueskyAdapter",
    "gbp": "channels.adapters.gbp.GoogleBusinessAdapter",
    "telegram": "channels.adapters.telegram.TelegramAdapter",
    "discord": "channels.adapters.discord.DiscordAdapter",
    "reddit": "channels.adapters.reddit.RedditAdapter",
    "slack": "channels.adapters.slack.SlackAdapter",
}

# Networks whose accounts are connected through another network's login:
# Instagram professional accounts come with the Facebook Pages they belong to.
CONNECTED_THROUGH: dict[str, str] = {"instagram": "facebook"}


class UnknownNetwork(LookupError):
    def __init__(self, network: str) -> None:
        super().__init__(
            f"No adapter for network {network!r}; known: {', '.join(sorted(ADAPTERS))}"
        )
        self.network = network


def adapter_class(network: str) -> type[Adapter]:
    try:
        path = ADAPTERS[network]
    except KeyError:
        raise UnknownNetwork(network) from None
    cls: type[Adapter] = import_string(path)
    return cls


def network_config(network: str) -> dict[str, Any]:
    """Build an adapter's config from settings, at call time."""
    if network == "sandbox":
        from channels.sandbox_feed import DatabaseFeed

        return {"feed": DatabaseFeed(), "public_url": settings.SMO_PUBLIC_URL}
    if network == "youtube":
        # The Google project's daily quota, counted across every worker.
        from channels.quota import CacheQuota

        return {**getattr(settings, "SMO_NETWORKS", {}).get(network, {}), "quota": CacheQuota()}
    if network == "mastodon":
        # SMO's registration on each instance, kept for the next connection there.
        from channels.instance_apps import DatabaseApps

        return {"apps": DatabaseApps(), **getattr(settings, "SMO_NETWORKS", {}).get(network, {})}
    return dict(getattr(settings, "SMO_NETWORKS", {}).get(network, {}))


def get_adapter(network: str) -> Adapter:
    cls = adapter_class(network)
    return cls(network_config(network), build_session(settings.SMO_HTTP_TIMEOUT))


def adapter_for(account: Any) -> Adapter:
    """The adapter for a SocialAccount, holding that account's own limits."""
    adapter = get_adapter(account.network)
    adapter.limits = adapter.account_limits(account.options or {})  # type: ignore[misc]
    return adapter


def networks() -> list[str]:
    return sorted(ADAPTERS)


def missing_settings(network: str) -> list[str]:
    """Name the environment variables still needed before `network` can be used."""
    cls = adapter_class(network)
    config = network_config(network)
    if all(config.get(key) for key in cls.required_config):
        return []
    return list(cls.required_settings)


def is_configured(network: str) -> bool:
    return not missing_settings(network)

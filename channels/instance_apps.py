"""SMO's registrations on Mastodon instances, kept in the database (InstanceApp).

The Mastodon adapter never touches the database (STYLE.md §3): it is handed
this store in its config (registry.network_config) and asks it for the
registration on an instance before registering again.
"""

from __future__ import annotations

from channels.adapters.mastodon_auth import SCOPES, App
from channels.models import InstanceApp


class DatabaseApps:
    def __init__(self, network: str = "mastodon") -> None:
        self.network = network

    def get(self, server: str, redirect_uri: str) -> App | None:
        found = InstanceApp.objects.filter(
            network=self.network, server=server, redirect_uri=redirect_uri
        ).first()
        if found is None or not found.client_secret.get("secret"):
            return None
        if found.client_secret.get("scopes", "") != SCOPES:
            return None  # registered for other scopes: register again
        return App(found.client_id, str(found.client_secret["secret"]))

    def save(self, server: str, redirect_uri: str, app: App) -> None:
        InstanceApp.objects.update_or_create(
            network=self.network,
            server=server,
            redirect_uri=redirect_uri,
            defaults={
                "client_id": app.client_id,
                "client_secret": {"secret": app.client_secret, "scopes": SCOPES},
            },
        )

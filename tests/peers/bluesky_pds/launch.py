"""Start the real Bluesky PDS of start.sh from pytest: one per test session, on
free ports of 127.0.0.1, with a fresh data folder, stopped when the session ends.

The node packages come from bin/ensure-bluesky-pds (var/bluesky-pds/node_modules).
Where they or node are missing, `start` raises PdsUnavailable saying why; the
fixture fails on it when SMO_REQUIRE_PDS=1 (CI) and skips otherwise.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
NODE_MODULES = ROOT / "var" / "bluesky-pds" / "node_modules"
START_SECONDS = 60.0
PASSWORD = "main-password-for-tests"


class PdsUnavailable(RuntimeError):
    pass


@dataclass
class Account:
    did: str
    handle: str
    app_password: str
    password: str = PASSWORD


@dataclass
class LocalPds:
    url: str
    info: dict[str, Any]

    def client(self) -> Any:
        from atproto import Client

        return Client(base_url=self.url)

    def create_account(self, name: str, display_name: str = "") -> Account:
        """Make an account `<name>.test` with an app password (and a profile record)."""
        from atproto import models

        handle = f"{name}.test"
        made = self.client().com.atproto.server.create_account(
            models.ComAtprotoServerCreateAccount.Data(
                handle=handle, email=f"{name}@example.com", password=PASSWORD
            )
        )
        owner = self.client()
        owner.login(handle, PASSWORD, fetch_bsky_profile=False)
        app = owner.com.atproto.server.create_app_password(
            models.ComAtprotoServerCreateAppPassword.Data(name="smo")
        )
        if display_name:
            owner.com.atproto.repo.create_record(
                models.ComAtprotoRepoCreateRecord.Data(
                    repo=made.did,
                    collection="app.bsky.actor.profile",
                    rkey="self",
                    record={"$type": "app.bsky.actor.profile", "displayName": display_name},
                )
            )
        return Account(made.did, handle, app.password)

    def revoke_app_passwords(self, account: Account) -> None:
        from atproto import models

        owner = self.client()
        owner.login(account.handle, account.password, fetch_bsky_profile=False)
        owner.com.atproto.server.revoke_app_password(
            models.ComAtprotoServerRevokeAppPassword.Data(name="smo")
        )

    def get_record(self, uri: str) -> dict[str, Any]:
        """Read a record back through the PDS, as plain JSON."""
        import httpx

        did, collection, rkey = uri.removeprefix("at://").split("/")
        answer = httpx.get(
            f"{self.url}/xrpc/com.atproto.repo.getRecord",
            params={"repo": did, "collection": collection, "rkey": rkey},
        )
        answer.raise_for_status()
        return dict(answer.json())

    def list_posts(self, did: str) -> list[dict[str, Any]]:
        import httpx

        answer = httpx.get(
            f"{self.url}/xrpc/com.atproto.repo.listRecords",
            params={"repo": did, "collection": "app.bsky.feed.post", "limit": 100},
        )
        answer.raise_for_status()
        return list(answer.json()["records"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def start(state: Path) -> Iterator[LocalPds]:
    """Run a PDS and its did:plc directory until the block ends."""
    node = shutil.which("node")
    if node is None:
        raise PdsUnavailable("node is not installed (bin/ensure-bluesky-pds installs it)")
    if not (NODE_MODULES / "@atproto" / "pds").is_dir():
        raise PdsUnavailable(f"no @atproto/pds in {NODE_MODULES}: run bin/ensure-bluesky-pds")
    (state / "data").mkdir(parents=True, exist_ok=True)
    (state / "blobs").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "NODE_PATH": str(NODE_MODULES),
        "PDS_PORT": str(_free_port()),
        "PLC_PORT": str(_free_port()),
        "PDS_HOSTNAME": "localhost",
        "PDS_DATA_DIRECTORY": str(state / "data"),
        "PDS_BLOBSTORE_DISK_LOCATION": str(state / "blobs"),
        "PDS_JWT_SECRET": secrets.token_hex(16),
        "PDS_ADMIN_PASSWORD": secrets.token_hex(16),
        "PDS_DPOP_SECRET": secrets.token_hex(32),
        "PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX": secrets.token_hex(32),
        "PDS_DEV_MODE": "true",
        "PDS_INVITE_REQUIRED": "false",
        "PDS_CRAWLERS": "",
        "LOG_ENABLED": "false",
    }
    for name in ("PDS_BSKY_APP_VIEW_URL", "PDS_BSKY_APP_VIEW_DID", "PDS_MOD_SERVICE_URL"):
        env.pop(name, None)
    log = (state / "pds.log").open("w")
    process = subprocess.Popen(
        [node, str(HERE / "run-local.js")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    # run-local.js prints one JSON line once both servers listen; a process that
    # hangs is killed, which ends the read below.
    watchdog = threading.Timer(START_SECONDS, process.kill)
    watchdog.start()
    try:
        info: dict[str, Any] = {}
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("{") and '"ready"' in line:
                info = json.loads(line)
                break
        watchdog.cancel()
        if not info:
            process.wait()
            raise PdsUnavailable(
                f"the PDS did not start: {(state / 'pds.log').read_text()[-2000:]}"
            )
        yield LocalPds(str(info["pds_url"]), info)
    finally:
        watchdog.cancel()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()

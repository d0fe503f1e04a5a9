"""Bluesky analytics against a real @atproto/pds on 127.0.0.1 (tests/peers/bluesky_pds).

getPosts and getProfile are AppView methods the PDS only passes on; this one has
no AppView configured (as a PDS set up without PDS_BSKY_APP_VIEW_URL), so both
are refused, and the adapter says so plainly (code "no_appview"). The counts
themselves are tested against FakeBluesky (test_bluesky_metrics.py).
"""

from __future__ import annotations

import pytest

from channels.adapters.base import Content, Permanent, Progress
from channels.adapters.bluesky import BlueskyAdapter
from channels.adapters.session import build_session
from tests.peers.bluesky_pds.launch import LocalPds


def test_the_pds_alone_gives_no_figures_and_says_why(bluesky_pds: LocalPds) -> None:
    account = bluesky_pds.create_account("metrics0", display_name="Metrics")
    bluesky = BlueskyAdapter({"pds_url": bluesky_pds.url}, build_session(10.0))
    creds = bluesky.connect_password(account.handle, account.app_password).credentials
    post = bluesky.publish(creds, Content("Buns"), "p", Progress()).external_id

    with pytest.raises(Permanent) as refused:
        list(bluesky.fetch_metrics(creds, [post]))
    assert (refused.value.code, refused.value.status) == ("no_appview", 400)
    assert "AppView" in refused.value.detail
    with pytest.raises(Permanent) as again:
        bluesky.fetch_followers(creds)
    assert (again.value.code, again.value.status) == ("no_appview", 400)

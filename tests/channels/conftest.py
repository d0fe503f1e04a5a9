"""The real Bluesky PDS, shared by the Bluesky tests of one test session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.peers.bluesky_pds.launch import LocalPds, PdsUnavailable, start


@pytest.fixture(scope="session")
def bluesky_pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPds]:
    """A real @atproto/pds on 127.0.0.1 (tests/peers/bluesky_pds). Without node or
    its packages the tests that use it skip, saying why; SMO_REQUIRE_PDS=1 (CI)
    makes that a failure."""
    try:
        with start(tmp_path_factory.mktemp("bluesky-pds")) as pds:
            yield pds
    except PdsUnavailable as error:
        if os.environ.get("SMO_REQUIRE_PDS") == "1":
            pytest.fail(f"SMO_REQUIRE_PDS=1 but the Bluesky PDS is unavailable: {error}")
        pytest.skip(f"the Bluesky PDS is unavailable: {error}")

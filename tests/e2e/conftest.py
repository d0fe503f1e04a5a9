"""Browser tests: Playwright drives Debian's headless chromium against pytest-django's live server.

The chromium binary comes from `apt-get install chromium` (Playwright's own download cannot
work here, /work/shared/services.md). Without it the browser tests are skipped with the
reason, unless SMO_REQUIRE_BROWSER=1 (CI), where a missing browser fails them instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

# The live server binds 127.0.0.1, the only host the suite may reach (pytest-socket's
# --allow-hosts); pytest-django's own default, "localhost", may resolve elsewhere.
# `--liveserver` on the command line still wins.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

# Playwright's sync API marks its event loop as running in this thread between calls,
# for the rest of the session once a browser test has started. Django then refuses
# ORM calls from the test body (and from every later test in the session) with
# SynchronousOnlyOperation. Nothing here runs async code against the database, so
# switch that guard off. It has to stay off for the whole session, not only for the
# browser tests, because the loop stays marked as running until the session ends.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("SMO_CHROMIUM", "/usr/bin/chromium")

# The flags that work as root with no network (/work/shared/services.md). Playwright adds
# --headless itself and launches every browser with a fresh temporary --user-data-dir
# (passing one here is refused: that is what launch_persistent_context is for).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_missing() -> str | None:
    path = Path(CHROMIUM)
    if not path.is_file() or not os.access(path, os.X_OK):
        return (
            f"no chromium at {CHROMIUM} (set SMO_CHROMIUM, or `apt-get install -y chromium`); "
            "browser tests need it"
        )
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options, pointed at the system chromium."""
    reason = _browser_missing()
    if reason:
        if os.environ.get("SMO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SMO_REQUIRE_BROWSER=1 and {reason}", pytrace=False)
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": browser_type_launch_args.get("headless", True),
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def screenshots() -> Path | None:
    """Where full-page screenshots go: the folder in SMO_SCREENSHOTS, or nowhere."""
    folder = os.environ.get("SMO_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def new_context(new_context: Any) -> Any:
    """pytest-playwright's context factory, failing the test on any CSP violation.

    Chromium reports a blocked script, style, image or handler as a console error
    naming the Content Security Policy; every browser test thus proves its pages
    work under the policy in smo/settings.py.
    """
    violations: list[str] = []

    def record(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.location.get('url')}: {message.text}")

    def create(**kwargs: Any) -> Any:
        context = new_context(**kwargs)
        context.on("console", record)
        return context

    yield create
    assert not violations, "\n".join(violations)

"""Threads' case for the shared contract suite (tests/channels/adapters/test_contract.py):
the adapter wired to a running FakeThreads, with the errors it must map."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from channels.adapters.base import (
    AuthExpired,
    Content,
    Credentials,
    Permanent,
    RateLimited,
    Transient,
)
from channels.adapters.session import build_session
from channels.adapters.threads import ThreadsAdapter
from tests.fakes.graph_contract import ContractCase, ErrorCase
from tests.fakes.graph_wire import graph_error
from tests.fakes.threads import FakeThreads

# The first call of a publish makes a container, which publishes nothing: a
# server error there is Transient (a lost answer to threads_publish is Unknown).
ERRORS: list[ErrorCase] = [
    (
        400,
        graph_error(190, "Error validating access token: Session has expired.", subcode=463),
        None,
        AuthExpired,
    ),
    (
        400,
        graph_error(190, "Invalid OAuth access token - Cannot parse access token"),
        None,
        AuthExpired,
    ),
    (400, graph_error(4, "(#4) Application request limit reached"), None, RateLimited),
    (400, graph_error(17, "(#17) User request limit reached"), None, RateLimited),
    (400, graph_error(32, "(#32) Page request limit reached"), None, RateLimited),
    (
        400,
        graph_error(613, "(#613) Calls to this api have exceeded the rate limit."),
        None,
        RateLimited,
    ),
    (400, graph_error(1, "An unknown error occurred", transient=True), None, Transient),
    (500, graph_error(2, "An unexpected error has occurred.", transient=True), None, Transient),
    (503, None, None, Transient),
    (400, graph_error(100, "(#100) The parameter text is required"), None, Permanent),
    (
        403,
        graph_error(10, "(#10) The user has not accepted the Threads permission"),
        None,
        Permanent,
    ),
]


@contextmanager
def contract_case() -> Iterator[ContractCase]:
    with FakeThreads() as fake:
        user = fake.add_user("acmebakery", "Acme Bakery")
        token = fake.issue_token(user)
        sleeps: list[float] = []
        config = fake.adapter_config(
            sleep=sleeps.append, container_wait_seconds=10, poll_interval_seconds=5
        )
        adapter = ThreadsAdapter(config, build_session(timeout=1.0))
        creds = Credentials(user, "acmebakery", {"access_token": token})
        yield ContractCase(
            adapter,
            creds,
            fake,
            Content("Fresh bread at 7 today. 🥖"),
            ERRORS,
            sleeps,
            publish_path="/threads_publish",
            secrets=(token, fake.app_secret),
        )

"""The load fake of X and the Graph API (server.py says what it serves)."""

from __future__ import annotations

from bench.fakenet.log import Accepted, PostLog
from bench.fakenet.server import FakeNet, Faults

__all__ = ["Accepted", "FakeNet", "Faults", "PostLog"]

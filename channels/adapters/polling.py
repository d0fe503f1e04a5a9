"""Waiting for a network to finish processing within one publish attempt.

Instagram containers and TikTok publishes take a while after the call that makes
them. An attempt waits a bounded time, with a sleep the tests inject, then hands
over (Transient) to the next attempt, which finds the same container or publish
in Progress and waits again.
"""

from __future__ import annotations

from collections.abc import Callable


class Budget:
    """The seconds one publish attempt may spend waiting."""

    def __init__(self, seconds: float, step: float, sleep: Callable[[float], None]) -> None:
        self.left, self.step, self.sleep, self.waited = seconds, step, sleep, 0.0

    def wait(self) -> bool:
        """Sleep one step and say True, or say False when the time is spent."""
        if self.left <= 0:
            return False
        pause = min(self.step, self.left)
        self.sleep(pause)
        self.left -= pause
        self.waited += pause
        return True

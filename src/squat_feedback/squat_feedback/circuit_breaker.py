"""When to skip a backend that failed: after a failure it is skipped for a back-off period that
doubles with each failure in a row (up to a limit); then one call tries it again. Imports no
rclpy; the clock is given, so tests need not wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    """Closed (calls go through) until a failure; open (skip) for the back-off; then the next
    call is let through as a probe, and its outcome closes or reopens the circuit."""

    def __init__(self, first_backoff_s: float = 15.0, max_backoff_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._first, self._max, self._clock = first_backoff_s, max_backoff_s, clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until = 0.0
        self._probing = False

    def allow(self) -> bool:
        """Whether this call may use the backend (at most one probe at a time when open)."""
        with self._lock:
            if self._failures == 0:
                return True
            if self._probing or self._clock() < self._open_until:
                return False
            self._probing = True
            return True

    def skipped_for_s(self) -> float:
        """Seconds until the backend is tried again (0 when it is in use)."""
        with self._lock:
            return max(0.0, self._open_until - self._clock()) if self._failures else 0.0

    def succeeded(self) -> None:
        """The backend answered: use it again."""
        with self._lock:
            self._failures, self._probing = 0, False

    def failed(self) -> float:
        """The backend failed: the back-off now in force (s)."""
        with self._lock:
            self._failures += 1
            self._probing = False
            backoff = min(self._first * 2 ** (self._failures - 1), self._max)
            self._open_until = self._clock() + backoff
            return backoff

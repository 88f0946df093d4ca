"""A one-place mailbox between the synchroniser and the pose worker: the newest pair wins.

If the worker is still busy when a new pair arrives, the waiting (older) pair is dropped and
counted, so processing never builds a backlog. Imports no rclpy.
"""

from __future__ import annotations

import threading
from typing import Any


class LatestPair:
    """Holds at most one pending item; put() replaces it, take() waits for one."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._item: Any | None = None
        self._closed = False
        self.dropped = 0

    def put(self, item: Any) -> None:
        """Offer an item; an item still waiting is dropped."""
        with self._condition:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._condition.notify()

    def take(self, timeout_s: float = 0.5) -> Any | None:
        """The pending item, waiting up to `timeout_s`; None on timeout or when closed."""
        with self._condition:
            if self._item is None and not self._closed:
                self._condition.wait(timeout_s)
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        """Wake the worker for good."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

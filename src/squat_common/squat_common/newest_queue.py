"""A short queue in front of a worker that drops its oldest item when full.

pose_node puts synchronised pairs in one: a few places absorb a stall of the worker (a garbage
collection, a busy core) without losing a frame; beyond them the oldest waiting pair is dropped
and counted, so a worker slower than the cameras never builds a backlog. speech_node keeps one
place: a newer cue replaces the one waiting. Imports no rclpy.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any


class NewestQueue:
    """Holds at most `capacity` pending items; put() on a full queue drops the oldest."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self._condition = threading.Condition()
        self._items: deque[Any] = deque()
        self._capacity = capacity
        self._closed = False
        self.dropped = 0

    def put(self, item: Any) -> None:
        """Offer an item; when the queue is full, the oldest waiting one is dropped."""
        with self._condition:
            if len(self._items) == self._capacity:
                self._items.popleft()
                self.dropped += 1
            self._items.append(item)
            self._condition.notify()

    def take(self, timeout_s: float = 0.5) -> Any | None:
        """The oldest pending item, waiting up to `timeout_s`; None on timeout or when closed."""
        with self._condition:
            if not self._items and not self._closed:
                self._condition.wait(timeout_s)
            return self._items.popleft() if self._items else None

    def close(self) -> None:
        """Wake the worker for good."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

"""Approximate-time pairing of message streams, for machines without message_filters.

Where ROS 2's `message_filters` is installed, squat coach uses its ApproximateTimeSynchronizer
(see sync_seam.py). This module offers the same constructor and `registerCallback` surface with
the same observable behaviour, written from that package's documentation and from how it
behaves, so that the pose node works on machines with only the PyPI wheels. Imports no rclpy.

Policy (greedy, like the Python message_filters; the C++ policy instead searches optimal sets
with an age penalty):
- each input keeps a queue keyed by stamp (a message with an equal stamp replaces the older one),
  bounded by `queue_size` by discarding the oldest stamps;
- when a message arrives, every other queue contributes the messages within `slop` of it,
  nearest first (ties in arrival order); the first combination, varying the last input fastest,
  whose stamp spread is under `slop` is emitted and its messages leave their queues;
- each message is emitted at most once.
Beyond the Python message_filters (which keeps them until they age out of the queue), messages
older than an emitted set on their input are dropped, and so is a message arriving later with a
stamp at or before the last one emitted on its input. Guarantees: every emitted set spans less
than `slop`; no message is emitted twice; on each input, emitted stamps strictly increase.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from squat_common.stamps import stamp_ns

_log = logging.getLogger(__name__)


class SimpleFilter:
    """A message source others connect to with `registerCallback` (message_filters' surface)."""

    def __init__(self) -> None:
        self.callbacks: dict[int, tuple[Callable[..., Any], tuple[Any, ...]]] = {}

    def registerCallback(self, cb: Callable[..., Any], *args: Any) -> int:
        """Call `cb(*messages, *args)` on every output; returns a connection id."""
        connection = len(self.callbacks)
        self.callbacks[connection] = (cb, args)
        return connection

    def signalMessage(self, *msg: Any) -> None:
        """Hand `msg` to every registered callback."""
        for callback, args in list(self.callbacks.values()):
            callback(*msg, *args)


def header_stamp_ns(message: Any) -> int | None:
    """The header stamp of a message in integer nanoseconds, or None when it has no header."""
    header = getattr(message, "header", None)
    stamp = getattr(header, "stamp", None)
    return None if stamp is None else stamp_ns(stamp)


class ApproximateTimeSynchronizer(SimpleFilter):
    """Emits one message per input when their stamps lie within `slop` seconds of each other."""

    def __init__(self, fs: Sequence[Any], queue_size: int, slop: float,
                 allow_headerless: bool = False) -> None:
        super().__init__()
        if queue_size < 1:
            raise ValueError(f"queue_size must be at least 1, got {queue_size}")
        if slop < 0:
            raise ValueError(f"slop must not be negative, got {slop}")
        self.queue_size = queue_size
        self.slop = slop
        self.allow_headerless = allow_headerless
        self._slop_ns = int(slop * 1e9)
        self._lock = threading.Lock()
        self.late_dropped = 0
        self.connectInput(fs)

    def connectInput(self, fs: Sequence[Any]) -> None:
        """Listen to the filters `fs`, one queue each."""
        self.queues: list[dict[int, Any]] = [{} for _ in fs]
        self._last_emitted: list[int | None] = [None for _ in fs]
        self.input_connections = [
            source.registerCallback(self.add, queue, index)
            for index, (source, queue) in enumerate(zip(fs, self.queues, strict=True))
        ]

    def add(self, msg: Any, my_queue: dict[int, Any], my_queue_index: int | None = None) -> None:
        """Take one message of the input that owns `my_queue`; emit a set if one is complete."""
        stamp = header_stamp_ns(msg)
        if stamp is None:
            if not self.allow_headerless:
                _log.warning("a message without header.stamp was ignored; pass "
                             "allow_headerless=True to stamp such messages on arrival")
                return
            stamp = time.time_ns()
        index = my_queue_index
        if index is None:
            index = next(i for i, queue in enumerate(self.queues) if queue is my_queue)
        with self._lock:
            emitted = self._add_locked(msg, stamp, index)
        if emitted is not None:
            self.signalMessage(*emitted)

    def _add_locked(self, msg: Any, stamp: int, index: int) -> list[Any] | None:
        last = self._last_emitted[index]
        if last is not None and stamp <= last:
            self.late_dropped += 1
            return None
        queue = self.queues[index]
        queue[stamp] = msg
        while len(queue) > self.queue_size:
            del queue[min(queue)]
        if stamp not in queue:
            return None  # it was the oldest of a full queue
        nearest_first: list[list[int]] = []
        for other, other_queue in enumerate(self.queues):
            if other == index:
                continue
            near = [s for s in other_queue if abs(s - stamp) <= self._slop_ns]
            if not near:
                return None
            near.sort(key=lambda s: abs(s - stamp))
            nearest_first.append(near)
        for combination in itertools.product(*nearest_first):
            stamps = [*combination[:index], stamp, *combination[index:]]
            if max(stamps) - min(stamps) < self._slop_ns:
                return self._take(stamps)
        return None

    def _take(self, stamps: list[int]) -> list[Any]:
        taken = []
        for index, (queue, stamp) in enumerate(zip(self.queues, stamps, strict=True)):
            taken.append(queue.pop(stamp))
            for older in [s for s in queue if s < stamp]:
                del queue[older]
            self._last_emitted[index] = stamp
        return taken

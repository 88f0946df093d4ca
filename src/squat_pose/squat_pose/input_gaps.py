"""Whether a gap between two analysed pairs was the cameras' (no pair came in it: a camera
lost) or the pose worker's (pairs came and were skipped while it was busy). Imports no rclpy.
"""

from __future__ import annotations

from collections import deque

import numpy as np

# Stamps kept: 10 s at 30 pairs/s, far more than the worker ever lags.
KEPT = 300


class InputGaps:
    """Record every pair received; ask, for each pair analysed, the longest time since the
    previous analysed one in which no pair at all was received."""

    def __init__(self, kept: int = KEPT) -> None:
        self._received: deque[int] = deque(maxlen=kept)
        self._analysed_ns: int | None = None

    def received(self, stamp_ns: int) -> None:
        # Appended on the executor thread, read on the worker: deque appends are atomic.
        self._received.append(stamp_ns)

    def widest_before(self, stamp_ns: int) -> float:
        """Seconds of the longest stretch without a received pair between the last analysed
        pair and this one (0 for the first)."""
        previous, self._analysed_ns = self._analysed_ns, stamp_ns
        if previous is None:
            return 0.0
        stamps = sorted(s for s in list(self._received) if previous <= s <= stamp_ns)
        if len(stamps) < 2:
            return (stamp_ns - previous) / 1e9
        return float(np.max(np.diff(stamps))) / 1e9

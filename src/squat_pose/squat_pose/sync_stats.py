"""Running statistics of frame pairing: rate, frames left without a partner, |Δt| percentiles."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SyncReport:
    """What the pairing did, for diagnostics and benchmarks."""

    pairs_total: int
    pairs_per_s: float
    frames_received: tuple[int, ...]
    # Frames of each input not (yet) in a pair: received minus paired, so it includes the few
    # still waiting in the synchroniser's queue.
    frames_unpaired: tuple[int, ...]
    # Percentiles of |Δt| over the last `window` pairs, milliseconds; NaN before the first pair.
    abs_dt_p50_ms: float
    abs_dt_p95_ms: float
    abs_dt_p99_ms: float


class SyncStatistics:
    """Counts frames per input and pairs, and keeps the |Δt| of the most recent pairs."""

    def __init__(self, inputs: int, window: int = 900, rate_window_s: float = 5.0) -> None:
        self._received = [0] * inputs
        self._pairs = 0
        self._abs_dt_ms: deque[float] = deque(maxlen=window)
        self._pair_times: deque[float] = deque()
        self._rate_window_s = rate_window_s

    def frame(self, input_index: int) -> None:
        """A frame arrived on input `input_index`."""
        self._received[input_index] += 1

    def pair(self, dt_ms: float, now_s: float) -> None:
        """A pair was emitted at `now_s` (monotonic seconds) with stamp difference `dt_ms`."""
        self._pairs += 1
        self._abs_dt_ms.append(abs(dt_ms))
        self._pair_times.append(now_s)

    def report(self, now_s: float) -> SyncReport:
        """The statistics as of `now_s` (monotonic seconds)."""
        while self._pair_times and self._pair_times[0] < now_s - self._rate_window_s:
            self._pair_times.popleft()
        if self._abs_dt_ms:
            p50, p95, p99 = np.percentile(np.fromiter(self._abs_dt_ms, float), [50, 95, 99])
        else:
            p50 = p95 = p99 = float("nan")
        return SyncReport(
            pairs_total=self._pairs,
            pairs_per_s=len(self._pair_times) / self._rate_window_s,
            frames_received=tuple(self._received),
            frames_unpaired=tuple(count - self._pairs for count in self._received),
            abs_dt_p50_ms=float(p50),
            abs_dt_p95_ms=float(p95),
            abs_dt_p99_ms=float(p99),
        )

"""Running figures of a camera stream: fps, frames missed or failed, capture-to-publish latency."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CameraReport:
    """What a camera did, for /diagnostics."""

    frames_published: int
    fps: float
    # Gaps in the capture stamps longer than 1.5 nominal periods, counted in missing frames.
    frames_dropped: int
    latency_p50_ms: float
    latency_p95_ms: float


class CameraStatistics:
    """Counts published frames and keeps recent stamps and latencies."""

    def __init__(self, nominal_period_s: float, window: int = 300) -> None:
        self._period_ns = nominal_period_s * 1e9
        self._published = 0
        self._dropped = 0
        self._last_stamp_ns: int | None = None
        self._publish_times: deque[float] = deque(maxlen=window)
        self._latencies_ms: deque[float] = deque(maxlen=window)

    def published(self, stamp_ns: int, latency_ms: float, now_s: float) -> None:
        """A frame captured at `stamp_ns` went out `latency_ms` later, at `now_s` (monotonic)."""
        if self._last_stamp_ns is not None and self._period_ns > 0:
            missing = round((stamp_ns - self._last_stamp_ns) / self._period_ns) - 1
            self._dropped += max(0, missing)
        self._last_stamp_ns = stamp_ns
        self._published += 1
        self._publish_times.append(now_s)
        self._latencies_ms.append(latency_ms)

    def report(self, now_s: float, span_s: float = 2.0) -> CameraReport:
        """Figures as of `now_s`; fps over the last `span_s` seconds."""
        recent = [t for t in self._publish_times if t > now_s - span_s]
        fps = (len(recent) - 1) / (recent[-1] - recent[0]) if len(recent) > 1 else 0.0
        if self._latencies_ms:
            p50, p95 = np.percentile(np.fromiter(self._latencies_ms, float), [50, 95])
        else:
            p50 = p95 = float("nan")
        return CameraReport(self._published, fps, self._dropped, float(p50), float(p95))

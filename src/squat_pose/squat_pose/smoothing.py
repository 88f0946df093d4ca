"""Online smoothing of noisy measures: the One Euro filter (Casiez, Roussel, Vogel, CHI 2012).

Low jitter when a value holds still, little lag when it moves: the cut-off frequency rises with
the speed of change. Imports no rclpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class OneEuroParameters:
    """min_cutoff (Hz): smoothing at rest; beta: how fast the cut-off grows with speed;
    d_cutoff (Hz): smoothing of the speed estimate; max_gap_s: a longer gap restarts."""

    min_cutoff: float = 1.0
    beta: float = 0.02
    d_cutoff: float = 1.0
    max_gap_s: float = 0.5


def _alpha(cutoff_hz: float, dt: float) -> float:
    tau = 1.0 / (2 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """One signal's One Euro filter."""

    def __init__(self, parameters: OneEuroParameters = OneEuroParameters()) -> None:
        self._p = parameters
        self._last_t: float | None = None
        self._value = 0.0
        self._speed = 0.0

    def __call__(self, t: float, x: float) -> float:
        """The smoothed value of sample x taken at time t (seconds)."""
        if self._last_t is None or not 0 < t - self._last_t <= self._p.max_gap_s:
            self._last_t, self._value, self._speed = t, x, 0.0
            return x
        dt = t - self._last_t
        speed = (x - self._value) / dt
        self._speed += _alpha(self._p.d_cutoff, dt) * (speed - self._speed)
        cutoff = self._p.min_cutoff + self._p.beta * abs(self._speed)
        self._value += _alpha(cutoff, dt) * (x - self._value)
        self._last_t = t
        return self._value


class MeasureSmoother:
    """One filter per named measure; a measure that goes missing restarts when it returns."""

    def __init__(self, parameters: OneEuroParameters = OneEuroParameters()) -> None:
        self._parameters = parameters
        self._filters: dict[str, OneEuroFilter] = {}

    def __call__(self, t: float, values: dict[str, float]) -> dict[str, float]:
        """The smoothed values of the measures present at time t."""
        smoothed = {}
        for name, value in values.items():
            smoothing = self._filters.setdefault(name, OneEuroFilter(self._parameters))
            smoothed[name] = smoothing(t, value)
        return smoothed

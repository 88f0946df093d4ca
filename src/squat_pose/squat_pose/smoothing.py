"""Online smoothing of noisy measures: the One Euro filter (Casiez, Roussel, Vogel, CHI 2012).

Low jitter when a value holds still, little lag when it moves: the cut-off frequency rises with
the speed of change. Imports no rclpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OneEuroParameters:
    """min_cutoff (Hz): smoothing at rest; beta: how fast the cut-off grows with speed;
    d_cutoff (Hz): smoothing of the speed estimate; max_gap_s: a longer gap restarts."""

    min_cutoff: float = 1.0
    beta: float = 0.02
    d_cutoff: float = 1.0
    max_gap_s: float = 0.5


def _alpha(cutoff_hz: float | np.ndarray, dt: float | np.ndarray) -> float | np.ndarray:
    tau = 1.0 / (2 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """One Euro filters of many signals at once, one per entry of an array of `shape` (a
    signal alone: shape ()); NaN is a missing sample, which leaves that signal's filter as it
    was (it restarts when its gap grows over max_gap_s)."""

    def __init__(self, parameters: OneEuroParameters = OneEuroParameters(),
                 shape: tuple[int, ...] = ()) -> None:
        self._p = parameters
        self._last_t = np.full(shape, np.nan)
        self._value = np.zeros(shape)
        self._speed = np.zeros(shape)

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the samples it filters."""
        return self._value.shape

    def grow(self, size: int) -> None:
        """Room for `size` signals (a 1-D filter only; new signals start unseen)."""
        extra = size - self._value.shape[0]
        if extra > 0:
            self._last_t = np.concatenate([self._last_t, np.full(extra, np.nan)])
            self._value = np.concatenate([self._value, np.zeros(extra)])
            self._speed = np.concatenate([self._speed, np.zeros(extra)])

    def __call__(self, t: float, x: float | np.ndarray) -> np.ndarray:
        """The smoothed values of samples `x` taken at time t (seconds); NaN where missing."""
        p = self._p
        x = np.asarray(x, float)
        seen = np.isfinite(x)
        with np.errstate(invalid="ignore"):  # never-seen signals: their last time is NaN
            dt = t - self._last_t
            going = seen & (dt > 0) & (dt <= p.max_gap_s)
        step = np.where(going, dt, 1.0)
        speed = self._speed + _alpha(p.d_cutoff, step) * ((x - self._value) / step - self._speed)
        cutoff = p.min_cutoff + p.beta * np.abs(speed)
        value = self._value + _alpha(cutoff, step) * (x - self._value)
        restart = seen & ~going
        self._speed = np.where(going, speed, np.where(restart, 0.0, self._speed))
        self._value = np.where(going, value, np.where(restart, x, self._value))
        self._last_t = np.where(seen, t, self._last_t)
        return np.where(seen, self._value, np.nan)


class MeasureSmoother:
    """One filter per named measure; a measure that goes missing restarts when it returns
    after more than max_gap_s."""

    def __init__(self, parameters: OneEuroParameters = OneEuroParameters()) -> None:
        self._filter = OneEuroFilter(parameters, (0,))
        self._index: dict[str, int] = {}

    def __call__(self, t: float, values: dict[str, float]) -> dict[str, float]:
        """The smoothed values of the measures present at time t."""
        for name in values:
            self._index.setdefault(name, len(self._index))
        self._filter.grow(len(self._index))
        samples = np.full(len(self._index), np.nan)
        for name, value in values.items():
            samples[self._index[name]] = value
        smoothed = self._filter(t, samples)
        return {name: float(smoothed[self._index[name]]) for name in values}

"""One kind of measures through a session: smoothed (or taken as they come), the athlete's
standing values of them, and the frames a rep may still need.

A session judged in 3D keeps two: the triangulated measures, and each view's own (2D) ones for
the faults 3D cannot judge (a body part one camera does not see). Baselines never cross from one
to the other: a standing value is compared only with measures of its own kind. Imports no
rclpy.
"""

from __future__ import annotations

import bisect
from collections import deque

import numpy as np

from squat_pose.faults import NOISE, NOISIEST, STANDING_EXTENSION, STANDING_MEASURES, RepFrames
from squat_pose.phases import Rep
from squat_pose.smoothing import MeasureSmoother, OneEuroParameters

KNEE_SIGNALS = (("knee_flexion_left", "knee_flexion_right"),
                ("projected_knee_flexion_left", "projected_knee_flexion_right"))
STANDING_WINDOW = 60  # frames of standing a baseline is the median of
# Standings whether a baseline can be judged against is read over: one standing gives a
# landmark's noise to within about half (dim light, one session: 0.008-0.021 torso lengths
# over seven standings, and the quietest let a false heel lift through), so one quiet standing
# must not open what the ones before showed too unsteady to judge.
RECENT_STANDINGS = 3


def knee_signal(values: dict[str, float],
                signals: tuple[tuple[str, ...], ...] = KNEE_SIGNALS) -> float | None:
    """The knee flexion phases are read from: the side view's (or 3D's), else the front's
    (`signals`: these names only, the first present)."""
    for names in signals:
        present = [values[name] for name in names if name in values]
        if present:
            return max(present)
    return None


class SteadyMinimum:
    """The lowest median over `window` values in a row seen so far: the athlete's straightest
    steady standing, which one noisy frame cannot set."""

    def __init__(self, window: int = 15) -> None:
        self._recent: deque[float] = deque(maxlen=window)
        self.value: float | None = None

    def add(self, value: float) -> None:
        self._recent.append(value)
        if len(self._recent) == self._recent.maxlen:
            steady = float(np.median(self._recent))
            self.value = steady if self.value is None else min(self.value, steady)


class MeasureTrack:
    """Feed each frame's measure values; read baselines and a finished rep's frames."""

    def __init__(self, smoothing: OneEuroParameters | None) -> None:
        """`smoothing`: None for measures already smoothed where they came from."""
        self._smoother = MeasureSmoother(smoothing) if smoothing is not None else None
        self._standing: dict[str, deque[float]] = {name: deque(maxlen=STANDING_WINDOW)
                                                   for name in STANDING_MEASURES}
        self._extension = SteadyMinimum()
        self._frames = RepFrames()
        self._was_standing = False
        self._past_noise: dict[str, deque[float]] = {
            name: deque(maxlen=RECENT_STANDINGS - 1) for name in STANDING_MEASURES}

    def add(self, t: float, values: dict[str, float], standing: bool) -> dict[str, float]:
        """This frame's values (smoothed where the track smooths), kept for the rep; while
        `standing`, also for the baselines."""
        if self._smoother is not None:
            values = self._smoother(t, values)
        if self._was_standing and not standing:
            for name, noise in self._noise().items():
                self._past_noise[name].append(noise)
        self._was_standing = standing
        if standing:
            for name, recent in self._standing.items():
                if name in values:
                    recent.append(values[name])
            knee = knee_signal(values)
            if knee is not None:
                self._extension.add(knee)
        self._frames.times_s.append(t)
        self._frames.values.append(values)
        return values

    def _noise(self) -> dict[str, float]:
        """Each standing measure's noise now: the median absolute deviation of its recent
        standing values, as a standard deviation (normal noise)."""
        return {name: 1.4826 * float(np.median(np.abs(np.asarray(recent) - np.median(recent))))
                for name, recent in self._standing.items() if recent}

    def standing_values(self) -> dict[str, float]:
        """Each standing measure's median, noise (NOISE suffix) and the largest noise of the
        last RECENT_STANDINGS standings (NOISIEST), and the straightest steady knee
        (STANDING_EXTENSION), where known."""
        values = {}
        for name, noise in self._noise().items():
            values[name] = float(np.median(self._standing[name]))
            values[f"{name}{NOISE}"] = noise
            values[f"{name}{NOISIEST}"] = max([noise, *self._past_noise[name]])
        if self._extension.value is not None:
            values[STANDING_EXTENSION] = self._extension.value
        return values

    def take(self, rep: Rep) -> RepFrames:
        """The frames of `rep`; those up to its end are no longer kept."""
        frames = RepFrames()
        for t, values in zip(self._frames.times_s, self._frames.values, strict=True):
            if rep.start_s <= t <= rep.end_s:
                frames.times_s.append(t)
                frames.values.append(values)
        keep = [i for i, t in enumerate(self._frames.times_s) if t > rep.end_s]
        self._frames = RepFrames([self._frames.times_s[i] for i in keep],
                                 [self._frames.values[i] for i in keep])
        return frames

    def forget_before(self, t: float) -> None:
        """Drop the frames before `t`: a session that stands for an hour must not hold an
        hour of frames."""
        drop = bisect.bisect_left(self._frames.times_s, t)
        if drop:
            del self._frames.times_s[:drop]
            del self._frames.values[:drop]

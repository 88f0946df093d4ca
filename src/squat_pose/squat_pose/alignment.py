"""Lining a squat up with the reference: which canonical sample each frame corresponds to.

Offline (a finished rep): the rep's own start, bottom and end put it on the progress axis
(descent to the middle sample, ascent after it), then dynamic time warping of the knee and hip
curves, each half on its own and each curve scaled to its own range, refines where within a
phase a frame belongs; a shallower or slower rep still meets the reference at the same moment.

Live (every frame, without waiting for the rep to end): phase-progress matching. The analyzer's
phase says which half of the rep the athlete is in; how far the knee has bent, as a share of the
depth expected (this athlete's previous rep, the reference's before that) going down and of
this rep's own depth coming up, is found on the reference's curve of the same half. Cheap (a
search in 50 samples) and monotone within a rep. Imports no rclpy.
"""

from __future__ import annotations

import math

import numpy as np

from squat_pose.phases import Phase
from squat_pose.reference import BOTTOM_SAMPLE, SAMPLES, CanonicalRep, progress

ALIGN_CHANNELS = ("knee_flexion", "hip_flexion")
# Knee flexion within this of the standing level counts as standing still.
STANDING_BAND_DEG = 3.0


def _scaled(curve: np.ndarray) -> np.ndarray:
    finite = curve[np.isfinite(curve)]
    if finite.size == 0:
        return np.zeros_like(curve)
    low, high = float(finite.min()), float(finite.max())
    scaled = (curve - low) / (high - low) if high - low > 1e-6 else np.zeros_like(curve)
    return np.nan_to_num(scaled, nan=0.0)


def dtw_path(a: np.ndarray, b: np.ndarray) -> list[tuple[int, int]]:
    """The dynamic-time-warping path between sequences a (n, k) and b (m, k), Euclidean cost,
    steps (1, 0), (0, 1), (1, 1), from (0, 0) to (n - 1, m - 1)."""
    n, m = len(a), len(b)
    cost = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    total = np.full((n + 1, m + 1), np.inf)
    total[0, 0] = 0.0
    for i in range(1, n + 1):
        row, previous = total[i], total[i - 1]
        for j in range(1, m + 1):
            row[j] = cost[i - 1, j - 1] + min(previous[j], row[j - 1], previous[j - 1])
    path, i, j = [], n, m
    while i > 0 and j > 0:
        path.append((i - 1, j - 1))
        step = int(np.argmin((total[i - 1, j - 1], total[i - 1, j], total[i, j - 1])))
        i, j = (i - 1, j - 1) if step == 0 else (i - 1, j) if step == 1 else (i, j - 1)
    return path[::-1]


def align_rep(times_s: np.ndarray, angles: dict[str, np.ndarray], start_s: float,
              bottom_s: float, end_s: float, canonical: CanonicalRep) -> np.ndarray:
    """The canonical sample (float) of each frame of one finished rep."""
    times_s = np.asarray(times_s, dtype=float)
    samples = np.array([progress(t, start_s, bottom_s, end_s) for t in times_s])
    names = [n for n in ALIGN_CHANNELS if n in angles and n in canonical.mean
             and np.isfinite(angles[n]).sum() > 2 and np.isfinite(canonical.mean[n]).any()]
    if not names:
        return samples
    halves = ((times_s <= bottom_s, 0, BOTTOM_SAMPLE + 1),
              (times_s > bottom_s, BOTTOM_SAMPLE, SAMPLES))
    for mask, first, last in halves:
        index = np.flatnonzero(mask)
        if len(index) < 3:
            continue
        user = np.stack([_scaled(np.asarray(angles[n], dtype=float)[index]) for n in names],
                        axis=1)
        ref = np.stack([_scaled(canonical.mean[n][first:last]) for n in names], axis=1)
        matched: dict[int, list[int]] = {}
        for i, j in dtw_path(user, ref):
            matched.setdefault(i, []).append(j)
        # Where DTW and the time normalisation disagree by much, the curve was flat (a pause)
        # and time is the better guide.
        for i, js in matched.items():
            warped = first + float(np.mean(js))
            if abs(warped - samples[index[i]]) <= 0.25 * (last - first):
                samples[index[i]] = warped
    return samples


class OnlineAligner:
    """Gives each live frame its canonical sample from the phase and the knee flexion."""

    def __init__(self, canonical: CanonicalRep) -> None:
        knee = canonical.mean.get("knee_flexion", np.full(SAMPLES, np.nan))
        if not np.isfinite(knee).any():
            knee = np.concatenate([np.linspace(0, 1, BOTTOM_SAMPLE + 1),
                                   np.linspace(1, 0, SAMPLES - BOTTOM_SAMPLE)[1:]])
        knee = np.nan_to_num(knee, nan=float(np.nanmin(knee)))
        # Shares of the depth along each half, made monotone so they can be looked up.
        down = np.maximum.accumulate(_scaled(knee[:BOTTOM_SAMPLE + 1]))
        up = np.minimum.accumulate(_scaled(knee[BOTTOM_SAMPLE:]))
        self._down, self._up = down, up
        self._reference_depth = float(np.max(knee) - knee[0])
        self._standing: float | None = None
        self._expected_depth = self._reference_depth
        self._rep_peak = -math.inf
        self._sample = 0.0
        self._phase = Phase.UNKNOWN
        self._finishing = False

    def update(self, phase: Phase, knee_flexion: float | None) -> float | None:
        """The canonical sample of this frame; None while the athlete is not tracked."""
        if phase == Phase.UNKNOWN or knee_flexion is None or not math.isfinite(knee_flexion):
            self._phase = Phase.UNKNOWN
            return None
        if self._standing is None:
            self._standing = knee_flexion
        standing = self._standing
        if phase == Phase.STANDING:
            if self._phase in (Phase.ASCENT, Phase.BOTTOM):
                # The phase says standing a little before the knee is straight: the rep is
                # still finishing until it is.
                self._finishing = True
                self._expected_depth = max(self._rep_peak - standing, 1.0)
            if knee_flexion < standing + STANDING_BAND_DEG:
                self._standing = 0.9 * standing + 0.1 * knee_flexion
            share = (knee_flexion - standing) / max(self._expected_depth, 1.0)
            if self._finishing:
                if share > 0.02:
                    sample = self._ascent_sample(knee_flexion, standing)
                    self._sample = max(sample, self._sample)
                    self._phase = phase
                    return self._sample
                self._finishing = False
                self._rep_peak, self._sample = -math.inf, 0.0
            # Before the phase says so, the knee already bends: the rep has begun.
            self._phase = phase
            self._sample = max(self._descent_sample(share), self._sample)
            return self._sample
        if self._finishing:
            # The next rep began before the knee was straight again: it starts from sample 0.
            self._finishing = False
            self._rep_peak, self._sample = -math.inf, 0.0
        self._rep_peak = max(self._rep_peak, knee_flexion)
        if phase == Phase.DESCENT:
            share = (knee_flexion - standing) / max(self._expected_depth, 1.0)
            sample = self._descent_sample(share)
        elif phase == Phase.BOTTOM:
            sample = float(BOTTOM_SAMPLE)
        else:
            sample = self._ascent_sample(knee_flexion, standing)
        # Within a rep the alignment only moves forward (standing starts the next one).
        self._sample = max(sample, self._sample)
        self._phase = phase
        return self._sample

    def _descent_sample(self, share: float) -> float:
        if share <= 0:
            return 0.0
        return min(float(np.searchsorted(self._down, min(share, 1.0))), BOTTOM_SAMPLE - 1.0)

    def _ascent_sample(self, knee_flexion: float, standing: float) -> float:
        share = (knee_flexion - standing) / max(self._rep_peak - standing, 1.0)
        # `up` falls from 1 to 0: the first sample at or below the share.
        return BOTTOM_SAMPLE + float(np.argmax(self._up <= min(max(share, 0.0), 1.0)))

"""When a rep's descent began and reached the bottom, from the knee's speed.

A descent eases in and out: for its first and last tenths the knee barely moves, and a knee
angle that jitters by a degree from frame to frame crosses any fixed band around standing or
around the deepest point at a random moment there. Bands on the angle read 1.0 s descents as
0.80-1.00 s, 1.6 s as 1.20-1.60 s, 2.5 s as 1.87-2.33 s (1 deg of frame noise, 10 seeds;
`test_phases.py`): a false fast_descent (under 1.0 s) on a rep at the limit. Movement onset is
read from speed instead, as in motion analysis: the knee's flexion averaged over SMOOTHING_S,
differentiated, and the descent is the time from the frame before its speed first exceeds
MOVING_SHARE of the descent's top speed to the frame after it last does, before the deepest
point. Averaging spreads an abrupt start over the window: a descent that starts and stops at
full speed reads up to ~0.1 s long.
Imports no rclpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SMOOTHING_S = 0.2  # a knee angle's frame noise averages out; a squat's speed does not
MOVING_SHARE = 0.1  # share of the descent's top speed from which the knee counts as moving
# How long before the rep's start (where the knee left its standing level) the onset is looked
# for: that start comes up to 0.3 s late on an eased descent with a jittery knee.
LEAD_S = 0.3


def descent_span(frames: Sequence[tuple[float, float]], from_s: float, bottom_s: float
                 ) -> tuple[float, float] | None:
    """(began, reached the bottom) in seconds, from `frames` (time, knee flexion) in time order
    around a descent that went on between `from_s` and `bottom_s` (its deepest point); None
    where the frames do not show the knee bending."""
    times = np.array([t for t, _ in frames], float)
    flexion = np.array([v for _, v in frames], float)
    if len(times) < 3 or np.any(np.diff(times) <= 0):
        return None
    first = np.searchsorted(times, times - SMOOTHING_S / 2 - 1e-9, side="left")
    after = np.searchsorted(times, times + SMOOTHING_S / 2 + 1e-9, side="right")
    sums = np.concatenate([[0.0], np.cumsum(flexion)])
    speed = np.gradient((sums[after] - sums[first]) / (after - first), times)
    window = (times >= from_s) & (times <= bottom_s)
    if window.sum() < 2 or (top := float(speed[window].max())) <= 0:
        return None
    moving = np.flatnonzero(window & (speed > MOVING_SHARE * top))
    began = times[max(moving[0] - 1, 0)]
    reached = min(float(times[min(moving[-1] + 1, len(times) - 1)]), bottom_s)
    return float(began), reached

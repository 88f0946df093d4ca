"""A finished rep against the reference: aligned frame by frame, scored, its deviations.

Used by `coach analyze` and by pose_node at the end of each rep. Imports no rclpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from squat_pose.alignment import ALIGN_CHANNELS, align_rep
from squat_pose.faults import Fault
from squat_pose.phases import Rep
from squat_pose.reference import Reference
from squat_pose.scoring import RepScore, ScoreSettings, rep_score

# Knee flexion this close to the straightest of a rep's half counts as standing.
STRAIGHT_BAND_DEG = 3.0


def score_rep(times_s: Sequence[float], angles: Sequence[dict[str, float]], rep: Rep,
              faults: Sequence[Fault], reference: Reference,
              settings: ScoreSettings) -> RepScore:
    """The score of `rep` given every frame's time and named angles (reference.channels)."""
    inside = [i for i, t in enumerate(times_s) if rep.start_s <= t <= rep.end_s]
    if not inside:
        return rep_score([], reference.canonical, settings)
    times = np.array([times_s[i] for i in inside])
    frames = [angles[i] for i in inside]
    start_s, end_s = moving_span(times, frames, rep)
    keep = (times >= start_s) & (times <= end_s)
    times, frames = times[keep], [f for f, k in zip(frames, keep, strict=True) if k]
    curves = {name: np.array([frame.get(name, np.nan) for frame in frames])
              for name in ALIGN_CHANNELS}
    samples = align_rep(times, curves, start_s, rep.bottom_s, end_s, reference.canonical)
    reference_tempo = _tempo(reference)
    return rep_score(zip(frames, samples, strict=True), reference.canonical, settings,
                     [f.severity for f in faults],
                     (rep.bottom_s - rep.start_s, rep.end_s - rep.bottom_s),
                     reference_tempo)


def moving_span(times: np.ndarray, frames: Sequence[dict[str, float]], rep: Rep
                 ) -> tuple[float, float]:
    """When the knee last left its straightest before the bottom and first came back to its
    straightest after it: the rep as the score sees it. The phase machine's start and end
    can take in standing frames (a settle that comes late), which would be scored against the
    reference's descent or lockout."""
    knee = np.array([frame.get("knee_flexion", np.nan) for frame in frames])
    start_s, end_s = rep.start_s, rep.end_s
    before = np.flatnonzero((times < rep.bottom_s) & np.isfinite(knee))
    if before.size:
        straight = knee[before].min() + STRAIGHT_BAND_DEG
        start_s = float(times[before[knee[before] <= straight][-1]])
    after = np.flatnonzero((times > rep.bottom_s) & np.isfinite(knee))
    if after.size:
        straight = knee[after].min() + STRAIGHT_BAND_DEG
        end_s = float(times[after[knee[after] <= straight][0]])
    return start_s, end_s


def _tempo(reference: Reference) -> tuple[float, float] | None:
    reps = [r for r in reference.reps if r.clean] or list(reference.reps)
    if not reps:
        return None
    return (float(np.mean([r.bottom_s - r.start_s for r in reps])),
            float(np.mean([r.end_s - r.bottom_s for r in reps])))

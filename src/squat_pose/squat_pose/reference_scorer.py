"""A session scored against a reference, frame by frame and rep by rep.

Each frame gets its matched reference sample (online alignment), the reference frame that is,
each view's similarity and a frame score; each finished rep is aligned offline over its own
frames and gets its score and largest deviations. pose_node and `coach analyze` both score
through this, so the live and offline numbers agree. Imports no rclpy.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from squat_pose.alignment import OnlineAligner
from squat_pose.analysis import FrameAnalysis, RepReport
from squat_pose.measure_track import knee_signal
from squat_pose.pose_estimation import PoseResult
from squat_pose.reference import VIEWS, Reference, channels, normalised_pose, placed_on
from squat_pose.rep_scoring import score_rep
from squat_pose.scoring import ScoreSettings, frame_score, similarity

# Frames kept for scoring the rep in progress: longer than any rep takes.
KEEP_S = 60.0


@dataclass(frozen=True)
class FrameScore:
    """One frame against the reference (NaN / -1 where there is nothing to compare)."""

    sample: float | None
    reference_frame: int
    similarity: dict[str, float]
    score: float
    reference_angles: dict[str, float] = field(default_factory=dict)  # channel -> deg


NO_SCORE = FrameScore(None, -1, {view: math.nan for view in VIEWS}, math.nan)


@dataclass
class ReferenceScorer:
    """Scores frames and reps against `reference` with `settings`."""

    reference: Reference
    settings: ScoreSettings = field(default_factory=ScoreSettings)
    min_visibility: float = 0.5

    def __post_init__(self) -> None:
        self._aligner = OnlineAligner(self.reference.canonical)
        self._times: list[float] = []
        self._angles: list[dict[str, float]] = []

    def frame(self, t: float, analysis: FrameAnalysis,
              poses: Mapping[str, PoseResult | None]) -> FrameScore:
        """The frame's match and score; keeps what its rep's score will need."""
        values = {name: m.value for name, m in analysis.measures.items()}
        angles = channels(values)
        self._times.append(t)
        self._angles.append(angles)
        drop = bisect.bisect_left(self._times, t - KEEP_S)
        if drop:
            del self._times[:drop], self._angles[:drop]
        sample = self._aligner.update(analysis.phase, knee_signal(values))
        if sample is None:
            return NO_SCORE
        canonical = self.reference.canonical
        similarities = {}
        for view in VIEWS:
            pose = poses.get(view)
            points = normalised_pose(pose, view) if pose is not None else None
            similarities[view] = similarity(points, pose.visibility if pose else None, sample,
                                            view, canonical, self.min_visibility)
        score, _ = frame_score(angles, sample, canonical, self.settings)
        at = round(sample)
        reference_angles = {name: float(curve[at]) for name, curve in canonical.mean.items()
                            if math.isfinite(curve[at])}
        return FrameScore(sample, int(canonical.frames[at]), similarities, score,
                          reference_angles)

    def ghost(self, scored: FrameScore, pose: PoseResult | None, view: str
              ) -> np.ndarray | None:
        """The reference's pose at the frame's matched moment, placed on the athlete (px)."""
        poses = self.reference.canonical.poses
        if scored.sample is None or pose is None or view not in poses:
            return None
        return placed_on(poses[view][round(scored.sample)], pose, view)

    def rep(self, report: RepReport) -> RepReport:
        """`report` with its score and largest deviations against the reference."""
        scored = score_rep(self._times, self._angles, report.rep, report.faults,
                           self.reference, self.settings)
        return replace(report, score=None if math.isnan(scored.score) else scored.score,
                       deviations=scored.deviations[:3])

"""squat_msgs/RepSummary -> RepContext, and which reps get feedback. Imports no rclpy."""

from __future__ import annotations

import math

from squat_feedback.rep_context import Deviation, FaultFinding, RepContext
from squat_msgs.msg import RepSummary

FEEDBACK_ON = ("all", "below_threshold")


def rep_context(summary: RepSummary) -> RepContext:
    """The chain's view of a RepSummary."""
    return RepContext(
        rep_index=int(summary.rep_index), min_knee_angle_deg=float(summary.min_knee_angle_deg),
        max_trunk_lean_deg=float(summary.max_trunk_lean_deg),
        max_knee_valgus_deg=float(summary.max_knee_valgus_deg),
        descent_s=float(summary.descent_s), ascent_s=float(summary.ascent_s),
        score=float(summary.score),
        deviations=tuple(Deviation(angle, phase, float(degrees)) for angle, phase, degrees in
                         zip(summary.deviation_angles, summary.deviation_phases,
                             summary.deviation_degrees, strict=False)),
        faults=tuple(FaultFinding(f.code, float(f.value), float(f.threshold), f.unit,
                                  int(f.severity)) for f in summary.faults))


def wants_feedback(summary: RepSummary, mode: str, score_threshold: float) -> bool:
    """Whether a rep gets feedback: every rep, or those scoring under the threshold (a rep
    without a score yet, before a reference exists, counts as under it when it has a fault)."""
    if mode == "all":
        return True
    if math.isnan(summary.score):
        return bool(summary.faults)
    return summary.score < score_threshold

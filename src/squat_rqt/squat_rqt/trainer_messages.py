"""squat_msgs messages turned into what the trainer view shows (plain values; no Qt, no rclpy)."""

from __future__ import annotations

import math

import numpy as np

from squat_common.names import PHASE_NAMES, SEVERITY_NAMES
from squat_msgs.msg import Feedback, JointAngles, RepSummary, SquatState
from squat_rqt.trainer_model import CHANNELS, FeedbackEntry, RepRow


def stamp_s(message: object) -> float:
    """A message's header stamp in seconds."""
    stamp = message.header.stamp
    return stamp.sec + stamp.nanosec / 1e9


def channel_values(angles: JointAngles) -> dict[str, float]:
    """The plotted angles of a JointAngles: the larger side where an angle has two (the leg
    the side camera sees bends furthest), the single value otherwise; measured ones only."""
    found = {}
    for channel in CHANNELS:
        sided = [getattr(angles, f"{channel}_{side}").value for side in ("left", "right")
                 if hasattr(angles, f"{channel}_{side}")]
        values = sided or [getattr(angles, channel).value]
        finite = [v for v in values if math.isfinite(v)]
        if finite:
            found[channel] = max(finite)
    return found


def state_values(state: SquatState) -> tuple[float, str, int, float, dict[str, float],
                                             dict[str, float]]:
    """(time, phase name, rep count, frame score, athlete's angles, reference's angles)."""
    return (stamp_s(state), PHASE_NAMES.get(state.phase, "UNKNOWN"), state.rep_count,
            state.frame_score, channel_values(state.angles),
            channel_values(state.reference_angles))


def rep_row(summary: RepSummary) -> RepRow:
    """A finished rep as the table shows it."""
    return RepRow(summary.rep_index, summary.descent_s, summary.ascent_s,
                  summary.min_knee_angle_deg, summary.max_knee_valgus_deg,
                  summary.max_trunk_lean_deg, summary.score,
                  tuple(f"{f.code.replace('_', ' ')} ({SEVERITY_NAMES.get(f.severity, '?')})"
                        for f in summary.faults))


def feedback_entry(feedback: Feedback) -> FeedbackEntry:
    return FeedbackEntry(feedback.rep_index, feedback.text, tuple(feedback.source_ids))


def image_array(image: object) -> np.ndarray | None:
    """An overlay image (sensor_msgs/Image, bgr8 or rgb8) as an RGB array; None otherwise."""
    if image.encoding not in ("bgr8", "rgb8") or not image.width or not image.height:
        return None
    data = np.frombuffer(image.data, np.uint8)
    if data.size < image.step * image.height:
        return None
    rows = data[:image.step * image.height].reshape(image.height, image.step)
    pixels = rows[:, :image.width * 3].reshape(image.height, image.width, 3)
    return np.ascontiguousarray(pixels[..., ::-1] if image.encoding == "bgr8" else pixels)

"""Fully populated squat_msgs messages, identical in every process that builds them.

Every number is a multiple of 1/64 so that it survives float32 serialisation exactly, and
every field differs from its default, so a field lost in transport shows as a difference.
"""

from __future__ import annotations

import array
import math
from typing import Any

from builtin_interfaces.msg import Time
from geometry_msgs.msg import Point

from squat_msgs.msg import (
    Fault,
    JointAngles,
    Keypoint,
    Measurement,
    PoseKeypoints,
    RepSummary,
    SquatState,
)
from squat_pose.landmarks import LANDMARK_NAMES


def _stamp(sec: int, nanosec: int) -> Time:
    return Time(sec=sec, nanosec=nanosec)


def pose_keypoints(camera_name: str, seed: int) -> PoseKeypoints:
    message = PoseKeypoints()
    message.header.stamp = _stamp(1_700_000_000 + seed, 123_456_789 + seed)
    message.header.frame_id = f"{camera_name}_optical_frame"
    message.camera_name = camera_name
    message.image_width = 640
    message.image_height = 480
    message.detected = True
    message.detection_score = 0.875
    for index, name in enumerate(LANDMARK_NAMES):
        message.keypoints.append(
            Keypoint(
                name=name,
                x_px=10.0 + index + seed / 64,
                y_px=20.0 + 2 * index,
                x_norm=(10.0 + index) / 1024,
                y_norm=(20.0 + 2 * index) / 512,
                z_rel=-index / 64,
                visibility=1.0 - index / 64,
                presence=0.5 + index / 128,
            )
        )
        message.world_points.append(Point(x=index / 8, y=-index / 16, z=seed + index / 32))
    return message


def _measurement(value: float, view: int) -> Measurement:
    return Measurement(value=value, confidence=0.75, view=view)


def squat_state() -> SquatState:
    message = SquatState()
    message.header.stamp = _stamp(1_700_000_100, 5_000_000)
    message.header.frame_id = "front_optical_frame"
    message.front = pose_keypoints("front", 1)
    message.side = pose_keypoints("side", 2)
    message.sync_error_ms = -3.25
    side, front = Measurement.VIEW_SIDE, Measurement.VIEW_FRONT
    message.angles = JointAngles(
        knee_flexion_left=_measurement(95.5, side),
        knee_flexion_right=_measurement(96.25, side),
        hip_flexion_left=_measurement(80.0, side),
        hip_flexion_right=_measurement(81.5, side),
        trunk_lean=_measurement(35.125, side),
        ankle_dorsiflexion_left=_measurement(28.0, side),
        ankle_dorsiflexion_right=_measurement(27.5, side),
        knee_valgus_left=_measurement(7.25, front),
        knee_valgus_right=_measurement(-2.5, front),
        depth=_measurement(-0.125, Measurement.VIEW_BOTH),
        pelvis_shift=_measurement(0.0625, front),
        asymmetry=_measurement(-0.75, side),
    )
    message.phase = SquatState.BOTTOM
    message.rep_count = 3
    message.reference_frame_index = 42
    message.reference_angles = JointAngles(**{
        field: _measurement(50.0 + index, side)
        for index, field in enumerate(JointAngles.get_fields_and_field_types())})
    message.similarity_front = 0.9375
    message.similarity_side = 0.90625
    message.frame_score = 87.5
    message.active_faults = ["knee_valgus", "forward_lean"]
    return message


def rep_summary() -> RepSummary:
    message = RepSummary()
    message.header.stamp = _stamp(1_700_000_104, 0)
    message.header.frame_id = "front_optical_frame"
    message.rep_index = 3
    message.start_stamp = _stamp(1_700_000_100, 0)
    message.bottom_stamp = _stamp(1_700_000_101, 500_000_000)
    message.end_stamp = _stamp(1_700_000_104, 0)
    message.descent_s = 1.5
    message.bottom_s = 0.25
    message.ascent_s = 1.25
    message.min_knee_angle_deg = 92.5
    message.max_trunk_lean_deg = 41.0
    message.max_knee_valgus_deg = 12.5
    message.depth = 0.0625
    message.reached_parallel = False
    message.asymmetry_deg = 4.5
    message.score = 71.5
    message.faults = [
        Fault(code="knee_valgus", value=12.5, threshold=10.0, unit="deg",
              severity=Fault.SEVERITY_MEDIUM,
              frame_stamps=[_stamp(1_700_000_101, 0), _stamp(1_700_000_101, 33_333_333)]),
        Fault(code="insufficient_depth", value=0.0625, threshold=0.0, unit="torso_lengths",
              severity=Fault.SEVERITY_LOW, frame_stamps=[_stamp(1_700_000_101, 500_000_000)]),
    ]
    return message


SAMPLES = {
    "pose_keypoints": (PoseKeypoints, lambda: pose_keypoints("side", 7)),
    "squat_state": (SquatState, squat_state),
    "rep_summary": (RepSummary, rep_summary),
}


def differences(expected: Any, actual: Any, path: str = "msg") -> list[str]:
    """Every field path where two messages differ (float32 arrays compared as numbers)."""
    if hasattr(expected, "get_fields_and_field_types"):
        found = []
        for field in expected.get_fields_and_field_types():
            found += differences(
                getattr(expected, field), getattr(actual, field), f"{path}.{field}"
            )
        return found
    if isinstance(expected, list | tuple | array.array):
        if len(expected) != len(actual):
            return [f"{path}: {len(expected)} items sent, {len(actual)} received"]
        found = []
        for index, (sent, got) in enumerate(zip(expected, actual, strict=True)):
            found += differences(sent, got, f"{path}[{index}]")
        return found
    if isinstance(expected, float) and math.isnan(expected):
        return [] if isinstance(actual, float) and math.isnan(actual) else [f"{path}: NaN lost"]
    return [] if expected == actual else [f"{path}: sent {expected!r}, received {actual!r}"]

"""squat_msgs messages from the analysis: keypoints, joint angles, states, rep summaries.

Builds messages only (message packages, no rclpy), so it is tested without a ROS graph.
"""

from __future__ import annotations

import math

import numpy as np
from geometry_msgs.msg import Point
from std_msgs.msg import Header

from squat_common.names import INSUFFICIENT_DEPTH
from squat_common.stamps import time_from_s
from squat_msgs.msg import (
    Fault,
    JointAngles,
    Keypoint,
    Measurement,
    NotJudged,
    PoseKeypoints,
    ReferenceSummary,
    RepSummary,
    SquatState,
)
from squat_msgs.msg import (
    Landmarks3D as Landmarks3DMsg,
)
from squat_pose.analysis import FrameAnalysis, RepReport
from squat_pose.geometry import Measure
from squat_pose.geometry_3d import VIEW as VIEW_3D
from squat_pose.landmarks import LANDMARK_NAMES
from squat_pose.pose_estimation import PoseResult
from squat_pose.reference import Reference
from squat_pose.reference_scorer import NO_SCORE, FrameScore
from squat_pose.stereo import Landmarks3D

VIEWS = {"front": Measurement.VIEW_FRONT, "side": Measurement.VIEW_SIDE,
         "both": Measurement.VIEW_BOTH, VIEW_3D: Measurement.VIEW_BOTH}
NAN = float("nan")


def landmarks_3d(header: Header, landmarks: Landmarks3D) -> Landmarks3DMsg:
    """The triangulated landmarks of a pair, in header.frame_id (the rig's world frame)."""
    return Landmarks3DMsg(
        header=header,
        points=[Point(x=float(x), y=float(y), z=float(z)) for x, y, z in landmarks.points],
        reprojection_px=landmarks.reprojection_px.astype(np.float32).tolist(),
        confidence=landmarks.confidence.astype(np.float32).tolist())


def pose_keypoints(header: Header, camera_name: str, width: int, height: int,
                   pose: PoseResult | None) -> PoseKeypoints:
    """The PoseKeypoints of one view (empty arrays when no person was found)."""
    message = PoseKeypoints(header=header, camera_name=camera_name, image_width=width,
                            image_height=height, detected=pose is not None)
    if pose is None:
        return message
    message.detection_score = pose.score
    for index, name in enumerate(LANDMARK_NAMES):
        message.keypoints.append(Keypoint(
            name=name, x_px=float(pose.pixels[index, 0]), y_px=float(pose.pixels[index, 1]),
            x_norm=float(pose.normalized[index, 0]), y_norm=float(pose.normalized[index, 1]),
            z_rel=float(pose.z[index]), visibility=float(pose.visibility[index]),
            presence=float(pose.presence[index])))
        x, y, z = pose.world[index]
        message.world_points.append(Point(x=float(x), y=float(y), z=float(z)))
    return message


def _measurement(measure: Measure | None) -> Measurement:
    if measure is None:
        return Measurement(value=NAN, confidence=0.0, view=Measurement.VIEW_NONE)
    return Measurement(value=float(measure.value), confidence=float(measure.confidence),
                       view=VIEWS[measure.view])


def joint_angles(measures: dict[str, Measure]) -> JointAngles:
    """JointAngles with every measured field set and the rest NaN."""
    angles = JointAngles()
    for field in JointAngles.get_fields_and_field_types():
        setattr(angles, field, _measurement(measures.get(field)))
    return angles


def reference_angles(channels: dict[str, float]) -> JointAngles:
    """The reference's angles at a matched moment as JointAngles (a channel's one value on both
    sides; NaN where the reference has none)."""
    angles = JointAngles()
    for field in JointAngles.get_fields_and_field_types():
        channel = field.removesuffix("_left").removesuffix("_right")
        value = channels.get(channel)
        setattr(angles, field, _measurement(None) if value is None else Measurement(
            value=value, confidence=1.0, view=VIEWS["front" if channel == "knee_valgus"
                                                    else "side"]))
    return angles


def squat_state(front: PoseKeypoints, side: PoseKeypoints, sync_error_ms: float,
                analysis: FrameAnalysis | None, scored: FrameScore = NO_SCORE) -> SquatState:
    """The SquatState of a pair; without an analysis (nothing usable) the phase is UNKNOWN."""
    state = SquatState(header=front.header, front=front, side=side, sync_error_ms=sync_error_ms,
                       reference_frame_index=scored.reference_frame,
                       reference_angles=reference_angles(scored.reference_angles),
                       similarity_front=scored.similarity.get("front", NAN),
                       similarity_side=scored.similarity.get("side", NAN),
                       frame_score=scored.score)
    if analysis is None:
        state.angles = joint_angles({})
        state.phase = SquatState.UNKNOWN
        return state
    state.angles = joint_angles(analysis.measures)
    state.phase = int(analysis.phase)
    state.rep_count = analysis.rep_count
    state.active_faults = list(analysis.active_faults)
    return state


def rep_summary(report: RepReport, header: Header) -> RepSummary:
    """The RepSummary of a finished rep (times are capture times in seconds)."""
    rep = report.rep
    summary = RepSummary(
        header=header, rep_index=rep.index, start_stamp=time_from_s(rep.start_s),
        bottom_stamp=time_from_s(rep.bottom_s), end_stamp=time_from_s(rep.end_s),
        descent_s=rep.descent_s, bottom_s=rep.pause_s, ascent_s=rep.ascent_s,
        min_knee_angle_deg=report.min_knee_angle_deg,
        max_trunk_lean_deg=report.max_trunk_lean_deg,
        max_knee_valgus_deg=report.max_knee_valgus_deg, depth=report.depth,
        reached_parallel=(not math.isnan(report.depth)
                          and INSUFFICIENT_DEPTH not in report.fault_codes),
        asymmetry_deg=report.asymmetry_deg,
        score=NAN if report.score is None else report.score,
        deviation_angles=[d.channel for d in report.deviations],
        deviation_phases=[d.phase for d in report.deviations],
        deviation_degrees=[float(d.degrees) for d in report.deviations])
    summary.faults = [
        Fault(code=f.code, value=float(f.value), threshold=float(f.threshold), unit=f.unit,
              severity=f.severity, frame_stamps=[time_from_s(t) for t in f.frame_times_s],
              view=f.view, confidence=float(f.confidence))
        for f in report.faults]
    summary.not_judged = [NotJudged(code=item.code, reason=item.reason)
                          for item in report.not_judged]
    return summary


def reference_summary(reference: Reference | None, path: str) -> ReferenceSummary:
    """The ReferenceSummary of the reference in use (empty when there is none)."""
    if reference is None:
        return ReferenceSummary(path="", name="", views=[], frame_count=0, duration_s=0.0,
                                rep_count=0, min_knee_angle_deg=NAN)
    return ReferenceSummary(
        path=path, name=reference.name, views=reference.views,
        frame_count=len(reference.times_s), duration_s=reference.duration_s,
        rep_count=len(reference.reps),
        min_knee_angle_deg=180.0 - reference.deepest_knee_flexion_deg)

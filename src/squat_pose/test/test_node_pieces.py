"""The pose node's pure pieces: the pair queue, messages, overlay and markers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from std_msgs.msg import Header

from poses import side_squat
from squat_common.stamps import stamp_s, time_from_s
from squat_msgs.msg import Measurement, SquatState
from squat_pose.analysis import FrameAnalysis, RepReport
from squat_pose.faults import Fault
from squat_pose.geometry import Measure
from squat_pose.markers import skeleton_markers
from squat_pose.overlay import draw_overlay
from squat_pose.phases import Phase, Rep
from squat_pose.state_messages import (
    joint_angles,
    pose_keypoints,
    rep_summary,
    squat_state,
)


def test_time_round_trip():
    assert stamp_s(time_from_s(12.345678901)) == 12.345678901
    assert time_from_s(1.5).nanosec == 500_000_000


def test_joint_angles_unmeasured_fields_are_nan():
    angles = joint_angles({"trunk_lean": Measure(30.0, 0.9, "side")})
    assert angles.trunk_lean.value == 30.0
    assert angles.trunk_lean.view == Measurement.VIEW_SIDE
    assert math.isnan(angles.knee_valgus_left.value)
    assert angles.knee_valgus_left.confidence == 0.0


def test_keypoints_of_a_detection_and_of_none():
    header = Header(frame_id="side_optical_frame")
    found = pose_keypoints(header, "side", 640, 480, side_squat(90.0))
    assert found.detected and len(found.keypoints) == 33 and len(found.world_points) == 33
    assert found.keypoints[25].name == "left_knee"
    empty = pose_keypoints(header, "side", 640, 480, None)
    assert not empty.detected and list(empty.keypoints) == []


def test_state_without_analysis_is_unknown():
    view = pose_keypoints(Header(), "front", 640, 480, None)
    state = squat_state(view, view, 3.5, None)
    assert state.phase == SquatState.UNKNOWN
    assert state.reference_frame_index == -1
    assert math.isnan(state.frame_score) and math.isnan(state.angles.depth.value)


def test_rep_summary_carries_tempo_extremes_and_faults():
    rep = Rep(index=2, start_s=10.0, bottom_s=11.5, end_s=13.0, bottom_entered_s=11.4,
              bottom_left_s=11.7, peak_flexion_deg=100.0, lockout_flexion_deg=3.0)
    fault = Fault("insufficient_depth", 30.0, 10.0, "deg", 2, (11.5,))
    report = RepReport(rep, 80.0, 35.0, 4.0, 0.4, 6.0, (fault,))
    summary = rep_summary(report, Header(frame_id="front_optical_frame"))
    assert summary.rep_index == 2
    assert stamp_s(summary.bottom_stamp) == 11.5
    tempo = (summary.descent_s, summary.bottom_s, summary.ascent_s)
    assert [round(t, 3) for t in tempo] == [1.4, 0.3, 1.3]
    assert summary.reached_parallel is False
    assert summary.faults[0].code == "insufficient_depth"
    assert summary.faults[0].unit == "deg" and len(summary.faults[0].frame_stamps) == 1
    assert math.isnan(summary.score)


def test_overlay_and_markers_draw_the_skeleton():
    image = np.zeros((480, 640, 3), np.uint8)
    pose = side_squat(90.0)
    analysis = FrameAnalysis(1.0, {"knee_flexion_left": Measure(90.0, 0.9, "side")},
                             Phase.BOTTOM, 1, None, ("forward_lean",))
    annotated = draw_overlay(image, "side", pose, analysis)
    assert annotated.shape == image.shape and annotated.any()
    assert not image.any(), "the input image is left untouched"
    pose.world[:] = np.arange(99).reshape(33, 3) / 100
    markers = skeleton_markers(Header(frame_id="side_optical_frame"), pose, 3.0)
    joints, bones = markers.markers
    assert len(joints.points) == 12  # the twelve joints side_squat places
    assert joints.points[0].z >= 3.0
    assert len(bones.points) % 2 == 0 and bones.points
    assert skeleton_markers(Header(), None, 3.0).markers[0].action == 3  # DELETEALL


def test_a_long_session_keeps_only_the_frames_a_rep_may_need():
    from squat_pose.analysis import SquatAnalyzer

    analyzer = SquatAnalyzer()
    standing, squatting = side_squat(2.0), side_squat(110.0)
    for index in range(3000):  # 100 s standing
        analyzer.update(index / 30, None, standing)
    assert len(analyzer._track._frames.times_s) < 10  # private: the buffer under test
    for index in range(3000, 3090):  # then 1 s down, 2 s standing again
        analyzer.update(index / 30, None, squatting if index < 3030 else standing)
    assert len(analyzer.reports) == 1
    report = analyzer.reports[0]
    assert report.rep.start_s == pytest.approx(99.97, abs=0.01)  # its start was still kept
    assert report.min_knee_angle_deg == pytest.approx(70.0, abs=0.1)


def test_a_gap_with_pairs_received_in_it_is_the_workers_not_the_cameras():
    from squat_pose.input_gaps import InputGaps

    period = 33_333_333
    gaps = InputGaps()
    for index in range(200):
        if not 40 <= index < 130:  # no pair at all for 3 s: a camera lost
            gaps.received(index * period)
    assert gaps.widest_before(0) == 0.0
    # The worker skipped pairs 1..29: pairs came all along.
    assert gaps.widest_before(30 * period) == pytest.approx(0.0333, abs=1e-3)
    # From 39 to 130 nothing came, however the worker fared.
    assert gaps.widest_before(150 * period) == pytest.approx(3.033, abs=1e-3)

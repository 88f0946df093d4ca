"""View checks on a body built in 3D and seen by cameras placed round it: how far round each
camera stands, what it cuts off, and which faults it may judge."""

from __future__ import annotations

import math

import numpy as np
import pytest

from squat_pose.faults import Fault, knees_closing
from squat_pose.geometry import front_view_measures
from squat_pose.landmarks import INDEX
from squat_pose.pose_estimation import PoseResult, in_normalized
from squat_pose.view_check import (
    ViewCheckSettings,
    ViewMonitor,
    ViewStatus,
    body_turn_deg,
    judge,
    parts_out_of_frame,
)

# REP 103 body frame: x the athlete's forward, y their left, z up (metres).
# The standing hip line the knee separation is measured against (100 px, level).
HIP_LINE = np.array([100.0, 0.0])
STANDING = {
    "nose": (0.1, 0.0, 1.62), "shoulder": (0.0, 0.2, 1.42), "hip": (0.0, 0.15, 0.92),
    "knee": (0.02, 0.16, 0.5), "ankle": (0.0, 0.18, 0.08), "heel": (-0.06, 0.18, 0.02),
    "foot_index": (0.16, 0.23, 0.02),
}


def squat(knee_y: float) -> dict[str, tuple[float, float, float]]:
    """At depth: hips back and down, knees forward at `knee_y` from the midline."""
    return dict(STANDING, shoulder=(0.15, 0.2, 1.0), hip=(-0.3, 0.15, 0.5),
                knee=(0.3, knee_y, 0.52))


def seen(body: dict[str, tuple[float, float, float]], yaw_deg: float, height_m: float = 1.0,
         distance_m: float = 3.5) -> PoseResult:
    """`body` through a level 640x480 pinhole camera `yaw_deg` round from straight ahead."""
    yaw = math.radians(yaw_deg)
    position = np.array([distance_m * math.cos(yaw), distance_m * math.sin(yaw), height_m])
    forward = np.array([0.0, 0.0, 0.8]) - position
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    rotation = np.column_stack([right, np.cross(forward, right), forward])
    points = np.zeros((33, 3))
    for joint, (x, y, z) in body.items():
        for side, sign in (("left", 1.0), ("right", -1.0)):
            name = joint if joint == "nose" else f"{side}_{joint}"
            points[INDEX[name]] = (x, sign * y, z)
    in_camera = (points - position) @ rotation
    focal = 320 / math.tan(math.radians(30))
    pixels = focal * in_camera[:, :2] / in_camera[:, 2:] + (319.5, 239.5)
    pelvis = points[[INDEX["left_hip"], INDEX["right_hip"]]].mean(axis=0)
    visibility = np.full(33, 0.95)
    return PoseResult(640, 480, pixels, in_normalized(pixels, 640, 480), np.zeros(33), visibility,
                      visibility.copy(), (points - pelvis) @ rotation)


@pytest.mark.parametrize("yaw", [0.0, 20.0, -20.0, 40.0])
@pytest.mark.parametrize("height", [0.5, 1.5])
def test_knees_caving_in_read_the_same_from_any_camera_near_the_front(yaw, height):
    standing = front_view_measures(seen(STANDING, yaw, height), HIP_LINE)["knee_separation"].value
    base = {"knee_separation": standing}
    tracking_out = front_view_measures(seen(squat(0.26), yaw, height), HIP_LINE)
    caved = front_view_measures(seen(squat(0.07), yaw, height), HIP_LINE)
    assert knees_closing({"knee_separation": tracking_out["knee_separation"].value}, base) < 0
    assert knees_closing({"knee_separation": caved["knee_separation"].value}, base) > 0.3


@pytest.mark.parametrize("yaw", [0.0, 15.0, 30.0, 60.0, 90.0])
def test_the_body_turn_is_how_far_round_the_camera_stands(yaw):
    assert body_turn_deg(seen(STANDING, yaw)) == pytest.approx(yaw, abs=0.5)
    assert body_turn_deg(seen(STANDING, -yaw)) == pytest.approx(yaw, abs=0.5)


def test_parts_out_of_the_frame():
    assert parts_out_of_frame(seen(STANDING, 0.0)) == set()
    close_and_low = seen(STANDING, 0.0, height_m=0.4, distance_m=1.2)
    assert "head" in parts_out_of_frame(close_and_low)


def monitor_of(pose: PoseResult | None, view: str, frames: int = 30) -> ViewStatus:
    monitor = ViewMonitor(view)
    for _ in range(frames):
        monitor.update(pose, standing=True)
    return monitor.status


def test_a_front_camera_turned_60_deg_away_judges_neither_valgus_nor_shift():
    statuses = {"front": monitor_of(seen(STANDING, 60.0), "front"),
                "side": monitor_of(seen(STANDING, 90.0), "side")}
    found = [Fault("knee_valgus", 0.5, 0.15, "standing_knee_separation", 3),
             Fault("insufficient_depth", 25.0, 10.0, "deg", 2)]
    kept, not_judged = judge(found, statuses, knee_view="side")
    assert [f.code for f in kept] == ["insufficient_depth"]
    assert kept[0].view == "side" and kept[0].confidence == pytest.approx(1.0)
    reasons = {item.code: item.reason for item in not_judged}
    assert set(reasons) == {"knee_valgus", "lateral_shift"}
    assert reasons["knee_valgus"] == "front camera sees the athlete 60 deg off its axis"


def test_a_camera_slightly_round_judges_valgus_with_less_confidence_but_not_shift():
    statuses = {"front": monitor_of(seen(STANDING, 20.0), "front"),
                "side": monitor_of(seen(STANDING, 90.0), "side")}
    kept, not_judged = judge([Fault("knee_valgus", 0.5, 0.15, "", 3)], statuses, "side")
    assert kept[0].view == "front" and 0.5 < kept[0].confidence < 0.9
    assert [item.code for item in not_judged] == ["lateral_shift"]


def test_in_3d_a_front_camera_turned_round_still_judges_valgus_but_not_shift():
    statuses = {"front": monitor_of(seen(STANDING, 20.0), "front"),
                "side": monitor_of(seen(STANDING, 60.0), "side")}
    found = [Fault("knee_valgus", 0.5, 0.15, "", 3), Fault("lateral_shift", 0.3, 0.15, "", 2)]
    kept, not_judged = judge(found, statuses, knee_view="3d")
    assert [(f.code, f.view) for f in kept] == [("knee_valgus", "3d")]
    assert [(item.code, item.reason) for item in not_judged] == [
        ("lateral_shift", "front camera sees the athlete 20 deg off its axis")]


def test_a_missing_side_view_leaves_its_faults_not_judged_and_says_so():
    statuses = {"front": monitor_of(seen(STANDING, 0.0), "front"),
                "side": monitor_of(None, "side")}
    kept, not_judged = judge([Fault("knee_valgus", 0.5, 0.15, "", 3)], statuses, "front")
    assert [f.code for f in kept] == ["knee_valgus"]
    assert {item.code for item in not_judged} == {"insufficient_depth", "forward_lean",
                                                  "heel_lift", "fast_descent"}
    assert all(item.reason.startswith("side camera does not see the athlete")
               for item in not_judged)


def test_advice_says_what_to_move():
    settings = ViewCheckSettings()
    cut = ViewStatus("side", True, 88.0, ("feet",))
    assert cut.advice(settings) == "feet cut off, tilt down or move back"
    # Round enough to lose the lateral shift (though valgus is still judged): say so.
    turned = ViewStatus("front", True, 20.0, ())
    assert turned.advice(settings) == "athlete 20 deg off, move the camera round to face them"
    assert ViewStatus("front", True, 3.0, ()).advice(settings) == ""
    assert ViewStatus("side", True, 80.0, ()).advice(settings) == ""
    # 30 deg round the side camera judges depth and lean, but not the heels.
    assert "30 deg off side-on" in ViewStatus("side", True, 60.0, ()).advice(settings)
    assert ViewStatus("side", True, 90.0, (), torso_px=50.0).advice(settings) == (
        "athlete small in the frame, move the camera closer")
    assert ViewStatus("side", False).advice(settings).startswith("no athlete seen")


def test_a_side_camera_that_sees_the_athlete_small_judges_depth_but_not_the_heels():
    statuses = {"front": monitor_of(seen(STANDING, 0.0), "front"),
                "side": monitor_of(seen(STANDING, 90.0), "side")}
    torso = statuses["side"].torso_px
    found = [Fault("heel_lift", 0.09, 0.06, "torso_lengths", 2),
             Fault("insufficient_depth", 25.0, 10.0, "deg", 2)]
    near = ViewCheckSettings(heel_min_torso_px=torso - 1)
    assert judge(found, statuses, "side", near)[1] == []
    far = ViewCheckSettings(heel_min_torso_px=torso + 1)
    kept, not_judged = judge(found, statuses, "side", far)
    assert [f.code for f in kept] == ["insufficient_depth"]
    assert [(item.code, item.reason) for item in not_judged] == [
        ("heel_lift", f"side camera sees the athlete too small ({torso:.0f} px of torso, "
                      f"{torso + 1:.0f} needed)")]


def test_a_side_camera_20_deg_round_judges_depth_and_lean_but_not_the_heels():
    statuses = {"front": monitor_of(seen(STANDING, 0.0), "front"),
                "side": monitor_of(seen(STANDING, 70.0), "side")}
    found = [Fault("heel_lift", 0.09, 0.06, "torso_lengths", 2),
             Fault("insufficient_depth", 25.0, 10.0, "deg", 2)]
    kept, not_judged = judge(found, statuses, knee_view="side",
                             settings=ViewCheckSettings(heel_min_torso_px=0.0))
    assert [f.code for f in kept] == ["insufficient_depth"]
    assert [(item.code, item.reason) for item in not_judged] == [
        ("heel_lift", "side camera sees the athlete 20 deg off its axis")]

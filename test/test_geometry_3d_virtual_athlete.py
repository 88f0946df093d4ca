"""3D measures on the virtual athlete's true landmarks equal its ground truth, whichever way
the athlete faces: they are taken in the athlete's own frame, not a camera's."""

from __future__ import annotations

import math

import numpy as np
import pytest

from squat_pose.geometry_3d import measures_3d
from squat_pose.landmarks import LANDMARK_NAMES
from squat_virtual_athlete.ground_truth import anatomical_angles
from squat_virtual_athlete.session import VirtualSession
from squat_virtual_athlete.spec import AthleteSpec, parse_faults

# Our 3D measure -> the ground truth's name for the same definition.
TRUTH_NAME = {f"{m}_{side}": f"{t}_{side}" for side in ("left", "right")
              for m, t in (("knee_flexion", "knee_flexion_3d"), ("hip_flexion", "hip_flexion"),
                           ("ankle_dorsiflexion", "ankle_dorsiflexion"),
                           ("knee_valgus", "knee_valgus"), ("thigh_angle", "thigh_angle"))}
TRUTH_NAME |= {name: name for name in ("trunk_lean", "depth", "pelvis_shift", "asymmetry")}


def turned(points: np.ndarray, yaw_deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(yaw_deg)), math.sin(math.radians(yaw_deg))
    return points @ np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]).T


@pytest.mark.parametrize("faults", ["", "knee_valgus:15", "forward_lean:20", "lateral_shift"])
@pytest.mark.parametrize("yaw_deg", [0.0, 35.0, -120.0])
def test_measures_from_true_landmarks_equal_the_truth(faults, yaw_deg):
    spec = AthleteSpec(reps=1, faults=parse_faults(f"{faults}@1" if faults else ""))
    session = VirtualSession(spec, [])
    for time_s in np.linspace(0.5, session.program.duration_s - 0.5, 6):
        landmarks = session.at(float(time_s)).skeleton.landmarks
        truth = anatomical_angles(landmarks)
        points = turned(np.array([landmarks[name] for name in LANDMARK_NAMES]), yaw_deg)
        measured = measures_3d(points, np.ones(len(points)))
        for ours, theirs in TRUTH_NAME.items():
            assert measured[ours].view == "3d"
            assert measured[ours].value == pytest.approx(truth[theirs], abs=1e-6), (
                ours, time_s)


def test_a_landmark_not_triangulated_leaves_out_what_needs_it():
    session = VirtualSession(AthleteSpec(reps=1), [])
    landmarks = session.at(2.0).skeleton.landmarks
    points = np.array([landmarks[name] for name in LANDMARK_NAMES])
    points[LANDMARK_NAMES.index("left_knee")] = np.nan
    measured = measures_3d(points, np.ones(len(points)))
    assert "knee_flexion_left" not in measured and "knee_valgus_left" not in measured
    assert "knee_flexion_right" in measured and "depth" not in measured
    points[LANDMARK_NAMES.index("right_hip")] = np.nan
    assert measures_3d(points, np.ones(len(points))) == {}

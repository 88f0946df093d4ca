"""The virtual athlete's true landmarks, seen by its cameras and triangulated with the rig's
calibration file, come back where they were: at every placement of the robustness matrix."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.virtual_athlete_eval import rig
from squat_common.rig_calibration import load_rig, save_rig
from squat_pose.triangulation import Observation, triangulate
from squat_virtual_athlete.camera import rig_calibration
from squat_virtual_athlete.session import VirtualSession
from squat_virtual_athlete.spec import AthleteSpec


@pytest.mark.parametrize("yaw_deg", [0.0, 20.0, -20.0, 40.0, -40.0])
@pytest.mark.parametrize("height_m", [0.5, 1.0, 1.5])
def test_true_landmarks_come_back_through_the_calibration_file(tmp_path, yaw_deg, height_m):
    cameras = rig(yaw_deg, height_m)
    path = tmp_path / "rig.yaml"
    save_rig(path, rig_calibration(list(cameras.values())))
    calibration = load_rig(path, ("front", "side"))
    session = VirtualSession(AthleteSpec(reps=1), list(cameras.values()))
    for time_s in np.linspace(0.0, session.program.duration_s, 7):
        landmarks = session.at(float(time_s)).skeleton.landmarks
        truth = np.array(list(landmarks.values()))
        seen = {view: Observation(camera.project(truth)[0], np.ones(len(truth)))
                for view, camera in cameras.items()}
        result = triangulate(seen, calibration)
        assert np.abs(result.points - truth).max() < 1e-5, (time_s, yaw_deg, height_m)

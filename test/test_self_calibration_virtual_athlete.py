"""Calibrating the rig from the athlete alone: on the virtual athlete's true keypoints (with
pixel noise and a leg mislabelled now and then), the cameras land where they stand. On rendered
video through MediaPipe: test_analyze_3d.py."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from helpers.virtual_athlete_eval import rig
from squat_pose.landmarks import INDEX, LANDMARK_NAMES, MIRROR
from squat_pose.self_calibration import (
    BODY,
    SelfCalibrationError,
    SelfCalibrationSettings,
    _from_estimator_3d,
    calibrate_from_athlete,
)
from squat_pose.triangulation import Observation
from squat_virtual_athlete.session import VirtualSession
from squat_virtual_athlete.spec import AthleteSpec

FPS = 15.0


def keypoints(yaw_deg: float, height_m: float, body_m: float, noise_px: float,
              swapped_share: float, seed: int = 0, guess_error_deg: float | None = None
              ) -> tuple[dict, list, list]:
    """Both cameras' keypoints of a rendered 3-rep set: the true landmarks projected, with
    noise and (side view) legs swapped now and then; with `guess_error_deg`, also the
    estimator's own 3D guess (hip-centred, camera axes) turned that much (random axis per
    camera) and 3 cm noisy, as MediaPipe's world landmarks are."""
    cameras = rig(yaw_deg, height_m)
    session = VirtualSession(AthleteSpec(reps=3, height_m=body_m), [])
    rng = np.random.default_rng(seed)
    turned = {view: Rotation.from_rotvec(np.radians(guess_error_deg or 0.0) * _unit(rng)
                                         ).as_matrix() for view in cameras}
    seen = {"front": [], "side": []}
    for k in range(int(session.program.duration_s * FPS)):
        landmarks = session.at(k / FPS).skeleton.landmarks
        truth = np.array([landmarks[name] for name in LANDMARK_NAMES])
        hips = (truth[INDEX["left_hip"]] + truth[INDEX["right_hip"]]) / 2
        for view, camera in cameras.items():
            pixels = camera.project(truth)[0] + rng.normal(0, noise_px, (len(truth), 2))
            guess = None
            if guess_error_deg is not None:
                guess = (truth - hips) @ camera.rotation @ turned[view].T + rng.normal(
                    0, 0.03, truth.shape)
            if view == "side" and rng.random() < swapped_share:
                pixels = pixels[list(MIRROR)]  # MediaPipe takes the far leg for the near one
            seen[view].append(Observation(pixels, np.ones(len(truth)), guess))
    return cameras, seen["front"], seen["side"]


def _unit(rng: np.random.Generator) -> np.ndarray:
    axis = rng.normal(size=3)
    return axis / np.linalg.norm(axis)


def turn_deg(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.clip((np.trace(a.T @ b) - 1) / 2, -1, 1))))


@pytest.mark.parametrize("yaw_deg, height_m", [(0.0, 1.0), (20.0, 0.5), (-30.0, 1.5)])
def test_the_cameras_land_where_they_stand(yaw_deg, height_m):
    cameras, front, side = keypoints(yaw_deg, height_m, 1.75, noise_px=1.0, swapped_share=0.05)
    intrinsics = {view: camera.calibration() for view, camera in cameras.items()}
    result = calibrate_from_athlete(front, side, intrinsics, height_m=1.75)
    assert result.source == "athlete" and result.reprojection_error_px < 3.0
    for view, camera in cameras.items():
        got = result.cameras[view]
        turn = turn_deg(got.rotation, camera.rotation)
        assert turn < 2.0, (view, turn)
        assert np.linalg.norm(got.position - camera.position) < 0.10, (view, got.position,
                                                                       camera.position)


def test_the_estimators_own_3d_guess_starts_the_rig_near_the_truth():
    cameras, front, side = keypoints(20.0, 1.0, 1.75, noise_px=3.0, swapped_share=0.05,
                                     guess_error_deg=4.0)
    intrinsics = {view: camera.calibration() for view, camera in cameras.items()}
    f_cam, s_cam = intrinsics["front"], intrinsics["side"]
    both = [(i, j) for i in range(len(front)) for j in BODY]
    f_norm = cv2.undistortPoints(np.array([front[i].pixels[j] for i, j in both]).reshape(
        -1, 1, 2), f_cam.matrix, None).reshape(-1, 2)
    s_norm = cv2.undistortPoints(np.array([side[i].pixels[j] for i, j in both]).reshape(
        -1, 1, 2), s_cam.matrix, None).reshape(-1, 2)
    rotation, offset = _from_estimator_3d(front, side, f_norm, s_norm,
                                          SelfCalibrationSettings())
    true_rotation = cameras["front"].rotation.T @ cameras["side"].rotation
    assert turn_deg(rotation.T, true_rotation) < 8.0, "two 4 deg guesses: at most 8 deg off"
    true_offset = -true_rotation.T @ cameras["front"].rotation.T @ (
        cameras["side"].position - cameras["front"].position)
    cosine = offset @ true_offset / np.linalg.norm(true_offset)
    assert cosine > np.cos(np.radians(10)), "the baseline's direction, with its sign"
    # Calibrated from both starts, the bundle adjustment lands on the rig (3 px of noise
    # also tilts the world frame found from the standing pose a little).
    result = calibrate_from_athlete(front, side, intrinsics, height_m=1.75)
    for view, camera in cameras.items():
        assert turn_deg(result.cameras[view].rotation, camera.rotation) < 4.0, view


def test_the_scale_follows_the_stated_height():
    cameras, front, side = keypoints(10.0, 1.0, 1.60, noise_px=0.5, swapped_share=0.0)
    intrinsics = {view: camera.calibration() for view, camera in cameras.items()}
    right = calibrate_from_athlete(front, side, intrinsics, height_m=1.60)
    wrong = calibrate_from_athlete(front, side, intrinsics, height_m=1.92)
    baseline = np.linalg.norm(cameras["front"].position - cameras["side"].position)
    got = np.linalg.norm(right.cameras["front"].position - right.cameras["side"].position)
    too_big = np.linalg.norm(wrong.cameras["front"].position - wrong.cameras["side"].position)
    assert abs(got / baseline - 1) < 0.03 and abs(too_big / got - 1.2) < 0.01


def test_too_little_footage_or_an_impossible_height_is_refused_with_the_reason():
    cameras, front, side = keypoints(0.0, 1.0, 1.75, noise_px=1.0, swapped_share=0.0)
    intrinsics = {view: camera.calibration() for view, camera in cameras.items()}
    with pytest.raises(SelfCalibrationError, match="landmarks seen well by both"):
        calibrate_from_athlete(front[:5], side[:5], intrinsics, height_m=1.75)
    with pytest.raises(SelfCalibrationError, match="in metres"):
        calibrate_from_athlete(front, side, intrinsics, height_m=175)
    unseen = [Observation(o.pixels, np.where(np.arange(33) == INDEX["nose"], 1.0, 0.0))
              for o in side]
    with pytest.raises(SelfCalibrationError, match="landmarks seen well by both"):
        calibrate_from_athlete(front, unseen, intrinsics, height_m=1.75)

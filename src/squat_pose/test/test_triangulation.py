"""Triangulation from two calibrated views: exact where the keypoints are, gated where not."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from squat_common.rig_calibration import CameraCalibration, RigCalibration
from squat_pose.triangulation import Observation, triangulate

K = np.array([[554.0, 0.0, 319.5], [0.0, 554.0, 239.5], [0.0, 0.0, 1.0]])


def looking_at(name: str, position: tuple[float, float, float],
               distortion: np.ndarray | None = None) -> CameraCalibration:
    """A level camera at `position` aimed at (0, 0, 1)."""
    position = np.asarray(position, float)
    forward = np.array([0.0, 0.0, 1.0]) - position
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    rotation = np.column_stack([right, np.cross(forward, right), forward])
    return CameraCalibration(name, 640, 480, K, np.zeros(5) if distortion is None
                             else distortion, rotation, position)


def pixels_of(camera: CameraCalibration, points: np.ndarray) -> np.ndarray:
    """Where the camera's lens puts world points (distortion included)."""
    rvec = cv2.Rodrigues(camera.rotation.T)[0]
    tvec = -camera.rotation.T @ camera.position
    return cv2.projectPoints(points, rvec, tvec, camera.matrix,
                             camera.distortion)[0].reshape(-1, 2)


def rig_at(yaw_deg: float, distortion: np.ndarray | None = None) -> RigCalibration:
    cameras = {}
    for view, ideal in (("front", 0.0), ("side", 90.0)):
        angle = math.radians(ideal + yaw_deg)
        cameras[view] = looking_at(view, (3.5 * math.cos(angle), 3.5 * math.sin(angle), 1.2),
                                   distortion)
    return RigCalibration(cameras, source="camera_info")


def body_points(count: int = 33, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform([-0.4, -0.4, 0.0], [0.4, 0.4, 1.8], (count, 3))


def observe(rig: RigCalibration, points: np.ndarray, noise_px: float = 0.0,
            seed: int = 1) -> dict[str, Observation]:
    rng = np.random.default_rng(seed)
    return {view: Observation(pixels_of(camera, points) + rng.normal(0, noise_px,
                                                                     (len(points), 2)),
                              np.ones(len(points)))
            for view, camera in rig.cameras.items()}


@pytest.mark.parametrize("yaw_deg", [0.0, 20.0, -40.0])
def test_exact_keypoints_give_the_exact_points_at_any_placement(yaw_deg):
    rig, points = rig_at(yaw_deg), body_points()
    result = triangulate(observe(rig, points), rig)
    assert np.abs(result.points - points).max() < 1e-6
    assert np.all(result.views_used == 2) and result.reprojection_px.max() < 1e-3


def test_a_distorted_lens_is_undone_before_triangulating():
    rig, points = rig_at(10.0, np.array([-0.2, 0.05, 0.001, -0.001, 0.0])), body_points()
    result = triangulate(observe(rig, points), rig)
    assert np.abs(result.points - points).max() < 1e-4


def test_pixel_noise_moves_points_by_millimetres_not_centimetres():
    rig, points = rig_at(0.0), body_points(200)
    result = triangulate(observe(rig, points, noise_px=1.0), rig)
    error_mm = np.linalg.norm(result.points - points, axis=1) * 1000
    # 1 px at 3.5 m with f = 554 px is 6.3 mm across a ray, on each of two axes per view; two
    # near-orthogonal views leave about 10 mm in 3D.
    assert np.median(error_mm) < 12.0 and error_mm.max() < 40.0


def test_a_keypoint_one_view_put_elsewhere_is_not_triangulated():
    rig, points = rig_at(0.0), body_points()
    observations = observe(rig, points)
    # 45 px off across the epipolar line (a shift along it is only a change of depth, which
    # two views cannot tell from the truth).
    observations["side"].pixels[5] += (0.0, 45.0)
    result = triangulate(observations, rig)
    assert np.isnan(result.points[5]).all() and result.views_used[5] == 0
    others = np.delete(np.arange(len(points)), 5)
    assert np.abs(result.points[others] - points[others]).max() < 1e-6


def test_a_landmark_seen_by_one_view_only_is_not_triangulated():
    rig, points = rig_at(0.0), body_points()
    observations = observe(rig, points)
    observations["front"].visibility[3] = 0.1
    observations["side"].pixels[7] = np.nan
    result = triangulate(observations, rig)
    assert np.isnan(result.points[[3, 7]]).all()
    assert np.isfinite(result.points[[0, 1, 2]]).all()


def test_a_view_the_rig_does_not_know_adds_nothing():
    rig, points = rig_at(0.0), body_points()
    observations = observe(rig, points)
    result = triangulate({"front": observations["front"], "top": observations["side"]}, rig)
    assert np.isnan(result.points).all()

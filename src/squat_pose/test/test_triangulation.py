"""Triangulation from two calibrated views: exact where the keypoints are, gated where not."""

from __future__ import annotations

import numpy as np
import pytest
from rigs import pixels_of, rig_at

from squat_common.rig_calibration import RigCalibration
from squat_pose.triangulation import Observation, triangulate


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

"""Live triangulation: the later view brought to the earlier view's stamp, then smoothed."""

from __future__ import annotations

import numpy as np
from rigs import pixels_of, rig_at

from squat_pose.stereo import LiveTriangulator, StereoSettings
from squat_pose.triangulation import Observation, triangulate

FPS = 30.0
SPEED = np.array([1.2, 0.0, -0.8])  # m/s: a knee driving forward and down


def position(t: float) -> np.ndarray:
    """Three landmarks moving together at SPEED."""
    return np.array([[0.0, 0.1, 0.5], [0.1, -0.1, 0.9], [-0.1, 0.0, 1.3]]) + SPEED * t


def run(settings: StereoSettings, side_late_s: float) -> list[float]:
    """Worst 3D error (m) of the last 10 of 20 pairs (the filter settled), side frames
    `side_late_s` after front."""
    rig = rig_at(15.0)
    live = LiveTriangulator(rig, settings)
    errors = []
    for k in range(20):
        stamps = {"front": k / FPS, "side": k / FPS + side_late_s}
        seen = {view: (t, Observation(pixels_of(rig.cameras[view], position(t)), np.ones(3)))
                for view, t in stamps.items()}
        result = live.update(seen)
        assert result is not None and result.time_s == min(stamps.values())
        errors.append(float(np.abs(result.points - position(result.time_s)).max()))
    return errors[-10:]


# Smoothing that follows a steady motion with little lag, to see the interpolation.
SHARP = StereoSettings(min_cutoff_hz=30.0, beta=100.0)
UNINTERPOLATED = StereoSettings(min_cutoff_hz=30.0, beta=100.0, max_interpolation_gap_s=0.0)


def test_a_later_side_frame_is_brought_back_to_the_front_frames_stamp():
    # 15 ms of a 1.4 m/s motion is 2 cm between the two views' instants.
    assert max(run(SHARP, 0.015)) < max(run(UNINTERPOLATED, 0.015)) / 3


def test_a_later_front_frame_is_brought_back_to_the_side_frames_stamp():
    assert max(run(SHARP, -0.015)) < max(run(UNINTERPOLATED, -0.015)) / 3


def test_one_view_without_the_person_gives_nothing_and_is_not_remembered_wrong():
    rig = rig_at(0.0)
    live = LiveTriangulator(rig)
    points = position(0.0)
    seen = {"front": (0.0, Observation(pixels_of(rig.cameras["front"], points), np.ones(3))),
            "side": (0.0, None)}
    assert live.update(seen) is None
    both = {view: (0.033, Observation(pixels_of(rig.cameras[view], points), np.ones(3)))
            for view in ("front", "side")}
    result = live.update(both)
    assert result is not None and np.abs(result.points - points).max() < 1e-6


def test_smoothing_holds_a_still_landmark_still_under_pixel_noise():
    rig, rng = rig_at(0.0), np.random.default_rng(4)
    live = LiveTriangulator(rig)
    still = position(0.0)
    raw, smoothed = [], []
    for k in range(90):
        seen = {view: (k / FPS, Observation(pixels_of(camera, still)
                                            + rng.normal(0, 1.5, (3, 2)), np.ones(3)))
                for view, camera in rig.cameras.items()}
        raw.append(triangulate({view: o for view, (_, o) in seen.items()}, rig).points[0])
        smoothed.append(live.update(seen).points[0])
    jitter = np.std(np.array(raw[20:]), axis=0).max()
    assert np.std(np.array(smoothed[20:]), axis=0).max() < 0.6 * jitter

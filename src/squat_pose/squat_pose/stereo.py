"""Live 3D landmarks from the stream of front/side pose pairs. Imports no rclpy.

A pair's two frames are up to the synchroniser's slop apart; the later view's keypoints are
first brought back to the earlier view's stamp, interpolated between that view's previous frame
and this one, so that a knee moving at 1 m/s is not triangulated from two instants 20 ms apart.
Then triangulation.py, then a One Euro filter per coordinate (a landmark that goes missing
restarts its filter when it returns).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from squat_common.rig_calibration import RigCalibration
from squat_common.settings import setting
from squat_pose.smoothing import OneEuroFilter, OneEuroParameters
from squat_pose.triangulation import (
    DEFAULT_MAX_REPROJECTION_PX,
    DEFAULT_MIN_VISIBILITY,
    Observation,
    triangulate,
)


@dataclass(frozen=True)
class StereoSettings:
    """How pairs become 3D landmarks; the parameters are pose_node's stereo.*."""

    max_reprojection_px: float = setting(
        DEFAULT_MAX_REPROJECTION_PX, "A landmark whose 3D point reprojects further than this "
        "from either view's keypoint is not triangulated (one view has it wrong).", unit="px",
        low=0.5, high=200.0)
    min_visibility: float = setting(
        DEFAULT_MIN_VISIBILITY, "A view takes part in a landmark's triangulation only with at "
        "least this MediaPipe visibility.", low=0.0, high=1.0)
    max_interpolation_gap_s: float = setting(
        0.1, "The later view's keypoints are interpolated to the earlier view's stamp only "
        "from a previous frame at most this old; otherwise they are used as they are.",
        unit="s", low=0.0, high=1.0)
    min_cutoff_hz: float = setting(
        2.0, "One Euro filter of each 3D coordinate: smoothing at rest.", unit="Hz", low=0.01,
        high=30.0)
    beta: float = setting(
        5.0, "One Euro filter of each 3D coordinate: how fast smoothing lets go as a landmark "
        "moves.", unit="s/m", low=0.0, high=100.0)


@dataclass(frozen=True)
class Landmarks3D:
    """The landmarks at one stamp: points (n, 3) in the rig's world frame (NaN where not
    triangulated), the worst view's reprojection error (n,) in px, views used (n,), and the
    confidence (n,) 0..1: the least visibility among the views (0 where not triangulated)."""

    time_s: float
    points: np.ndarray
    reprojection_px: np.ndarray
    views_used: np.ndarray
    confidence: np.ndarray


class LiveTriangulator:
    """Feed each pair's per-view keypoints with their stamps; get its 3D landmarks."""

    def __init__(self, rig: RigCalibration, settings: StereoSettings = StereoSettings()) -> None:
        self.rig, self.settings = rig, settings
        self._previous: dict[str, tuple[float, Observation]] = {}
        self._smoothing = OneEuroParameters(min_cutoff=settings.min_cutoff_hz,
                                            beta=settings.beta, d_cutoff=1.0, max_gap_s=0.5)
        self._smoother: OneEuroFilter | None = None  # shaped by the first landmarks

    def update(self, seen: dict[str, tuple[float, Observation | None]]) -> Landmarks3D | None:
        """`seen`: view -> (stamp in s, keypoints or None where no person was found). None
        when fewer than two views saw the person."""
        present = {view: (t, o) for view, (t, o) in seen.items()
                   if o is not None and view in self.rig.cameras}
        if len(present) < 2:
            self._previous.update(present)
            return None
        at = min(t for t, _ in present.values())
        observations = {view: self._at(view, at, t, observation)
                        for view, (t, observation) in present.items()}
        self._previous.update(present)
        s = self.settings
        result = triangulate(observations, self.rig, s.max_reprojection_px, s.min_visibility)
        if self._smoother is None or self._smoother.shape != result.points.shape:
            self._smoother = OneEuroFilter(self._smoothing, result.points.shape)
        points = self._smoother(at, np.where((result.views_used >= 2)[:, None],
                                             result.points, np.nan))
        confidence = np.min([o.visibility for o in observations.values()], axis=0)
        confidence = np.where(np.isfinite(points).all(axis=1), confidence, 0.0)
        return Landmarks3D(at, points, result.reprojection_px, result.views_used, confidence)

    def _at(self, view: str, at: float, t: float, observation: Observation) -> Observation:
        """The view's keypoints at time `at`, from its previous frame and this one."""
        previous = self._previous.get(view)
        if t - at < 1e-6 or previous is None:
            return observation
        before_t, before = previous
        if not before_t <= at < t or t - before_t > self.settings.max_interpolation_gap_s:
            return observation
        share = (at - before_t) / (t - before_t)
        return Observation(before.pixels + share * (observation.pixels - before.pixels),
                           np.minimum(before.visibility, observation.visibility))

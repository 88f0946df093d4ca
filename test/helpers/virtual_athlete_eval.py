"""MediaPipe and the squat analyzer on a rendered session, against the session's truth.

Shared by the virtual-athlete tests and bench_virtual_athlete.py, so both measure the same way.
Runs squat coach's own estimator (one tracker per view) and analyzer, as pose_node does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from squat_pose.analysis import RepReport, SquatAnalyzer
from squat_pose.geometry import front_view_measures, interior_angle, side_view_measures
from squat_pose.landmarks import INDEX
from squat_pose.pose_estimation import SIDE_FACING, PoseEstimator, PoseResult, in_normalized
from squat_pose.view_check import ViewStatus
from squat_virtual_athlete.camera import (
    DEFAULT_AIM,
    DEFAULT_DISTANCE_M,
    DEFAULT_HEIGHT_M,
    VirtualCamera,
    rig_calibration,
)
from squat_virtual_athlete.ground_truth import anatomical_angles
from squat_virtual_athlete.session import VirtualSession
from squat_virtual_athlete.spec import AthleteSpec

VIEWS = ("front", "side")
FPS = 30.0
# The side camera stands on the athlete's left: the left leg is the near one.
NEAR_SIDE = "left"


@dataclass
class ViewResult:
    """What MediaPipe made of one view."""

    frames: int = 0
    detected: int = 0
    # MediaPipe's knee flexion minus the same definition on the true 2D landmarks.
    knee_vs_projection: list[float] = field(default_factory=list)
    # MediaPipe's knee flexion minus the true 3D knee flexion.
    knee_vs_3d: list[float] = field(default_factory=list)

    @property
    def detection_rate(self) -> float:
        return self.detected / self.frames if self.frames else 0.0

    @staticmethod
    def rmse(errors: list[float]) -> float:
        return math.sqrt(float(np.mean(np.square(errors)))) if errors else float("nan")


@dataclass
class SessionResult:
    """A rendered session measured: per view, and the analyzer's reps."""

    spec: AthleteSpec
    views: dict[str, ViewResult]
    reports: list[RepReport]
    truth_rep_faults: list[set[str]]
    view_status: dict[str, ViewStatus] = field(default_factory=dict)  # at the end


def _projected_flexion(camera: VirtualCamera, landmarks: dict[str, np.ndarray],
                       side: str) -> float:
    pixels, _ = camera.project(np.array([landmarks[f"{side}_{j}"]
                                         for j in ("hip", "knee", "ankle")]))
    return 180.0 - interior_angle(*pixels)


def rig(yaw_deg: float = 0.0, height_m: float = DEFAULT_HEIGHT_M,
        distance_m: float = DEFAULT_DISTANCE_M) -> dict[str, VirtualCamera]:
    """The default rig turned `yaw_deg` round the athlete (positive towards their left), its
    cameras at `height_m` and `distance_m`, both aimed at the athlete."""
    cameras = {}
    for view, ideal_deg in (("front", 0.0), ("side", 90.0)):
        angle = math.radians(ideal_deg + yaw_deg)
        position = (distance_m * math.cos(angle), distance_m * math.sin(angle), height_m)
        cameras[view] = VirtualCamera.looking_at(view, position, DEFAULT_AIM)
    return cameras


def seen_by(camera: VirtualCamera, points: np.ndarray, rng: np.random.Generator) -> PoseResult:
    """What a perfect estimator would return for `camera`, but for 1 px of pixel noise."""
    pixels = camera.project(points)[0] + rng.normal(0.0, 1.0, (len(points), 2))
    in_camera = camera.to_camera(points)
    hips = (in_camera[INDEX["left_hip"]] + in_camera[INDEX["right_hip"]]) / 2
    ones = np.ones(len(points))
    return PoseResult(camera.width, camera.height, pixels,
                      in_normalized(pixels, camera.width, camera.height),
                      np.zeros(len(points)), ones, ones, in_camera - hips)


def dimmed(image: np.ndarray, light: float, rng: np.random.Generator) -> np.ndarray:
    """`image` as a camera sees it in `light` times the light: darker, and grainier from the
    gain that keeps it visible."""
    noise = rng.normal(0.0, 3.0 / light, image.shape)
    return np.clip(image * light + noise, 0, 255).astype(np.uint8)


def evaluate(spec: AthleteSpec, cameras: dict[str, VirtualCamera] | None = None,
             fps: float = FPS, light: float = 1.0, calibrated: bool = False) -> SessionResult:
    """Render `spec` through `cameras` (view -> camera; the default rig) at `fps` in `light`
    times the rendered light, and run the estimator and analyzer (`calibrated`: in 3D, with
    the cameras' true calibration)."""
    cameras = cameras or {view: VirtualCamera.default(view) for view in VIEWS}
    rng = np.random.default_rng(spec.seed)
    session = VirtualSession(spec, [cameras[view] for view in VIEWS])
    estimators = {view: PoseEstimator(facing=SIDE_FACING if view == "side" else 0.0)
                  for view in VIEWS}
    results = {view: ViewResult() for view in VIEWS}
    analyzer = SquatAnalyzer(rig=rig_calibration([cameras[view] for view in VIEWS])
                             if calibrated else None)
    try:
        for index in range(int(session.program.duration_s * fps) + 1):
            t = index / fps
            instant = session.at(t)
            angles = anatomical_angles(instant.skeleton.landmarks)
            poses = {}
            for view in VIEWS:
                image = session.render(view, instant, index)
                if light != 1.0:
                    image = dimmed(image, light, rng)
                pose = estimators[view].estimate(image)
                poses[view] = pose
                result = results[view]
                result.frames += 1
                if pose is None:
                    continue
                result.detected += 1
                legs = [NEAR_SIDE] if view == "side" else ["left", "right"]
                measured = (side_view_measures(pose, None, 0.0) if view == "side"
                            else front_view_measures(pose, None, 0.0))
                for leg in legs:
                    key = (f"knee_flexion_{leg}" if view == "side"
                           else f"projected_knee_flexion_{leg}")
                    value = measured[key].value
                    result.knee_vs_projection.append(
                        value - _projected_flexion(session.cameras[view],
                                                   instant.skeleton.landmarks, leg))
                    result.knee_vs_3d.append(value - angles[f"knee_flexion_3d_{leg}"])
            analyzer.update(t, poses["front"], poses["side"])
        analyzer.finish()
    finally:
        for estimator in estimators.values():
            estimator.close()
    truth_faults = [{f.name for f in spec.faults if f.in_rep(rep.number)}
                    for rep in session.program.reps]
    return SessionResult(spec, results, analyzer.reports, truth_faults, analyzer.views)


def similarity_aligned(found: np.ndarray, true: np.ndarray) -> np.ndarray:
    """`found` moved, turned and scaled onto `true` (least squares, Umeyama)."""
    mean_f, mean_t = found.mean(axis=0), true.mean(axis=0)
    u, singular, vt = np.linalg.svd((true - mean_t).T @ (found - mean_f) / len(found))
    flip = np.diag([1.0, 1.0, np.sign(np.linalg.det(u @ vt))])
    rotation = u @ flip @ vt
    scale = np.trace(np.diag(singular) @ flip) / (found - mean_f).var(axis=0).sum()
    return scale * (found - mean_f) @ rotation.T + mean_t

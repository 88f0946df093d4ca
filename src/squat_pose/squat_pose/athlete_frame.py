"""The world frame of a rig, from the athlete standing in it (REP 103): z up along the standing
body, y to the athlete's left (from hip to hip and shoulder to shoulder, which both cameras
see), x forward, origin on the floor below the ankles. Every calibration that knows the cameras'
relative pose (from the athlete alone or from a board) places them in this frame, so the
faults read the same axes whatever calibrated the rig. Imports no rclpy.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np

from squat_common.rig_calibration import CameraCalibration
from squat_pose.landmarks import INDEX

STANDING_KNEE_DEG = 165.0  # hip-knee-ankle angle above which a frame counts as standing
MIN_STANDING_FRAMES = 5


class AthleteFrameError(ValueError):
    """The recordings do not show the athlete standing whole in both views, with what to do."""


def world_from_standing(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rotation, origin) taking the frame of `points` (frames x 33 landmarks x 3, metres,
    NaN where not triangulated) to the athlete's world: x = rotation @ p + origin."""
    standing = [frame for frame in points if _standing(frame)]
    if len(standing) < MIN_STANDING_FRAMES:
        raise AthleteFrameError("the athlete never stood straight in both views: start the "
                                   "recording standing still for a second")
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        # A landmark only one camera ever sees (the far leg in a side view) stays NaN.
        warnings.simplefilter("ignore", RuntimeWarning)
        stand = np.nanmedian(np.stack(standing), axis=0)

        def both(name: str) -> np.ndarray:
            return np.nanmean([stand[INDEX[f"{s}_{name}"]] for s in ("left", "right")],
                              axis=0)

        ankles, shoulders = both("ankle"), both("shoulder")
        # The body's left: hips and shoulders, which both cameras see (the toes often not).
        across = np.nanmean([stand[INDEX[f"left_{part}"]] - stand[INDEX[f"right_{part}"]]
                             for part in ("hip", "shoulder")], axis=0)
        floor_heights = [stand[INDEX[f"{s}_{part}"]] for s in ("left", "right")
                         for part in ("ankle", "heel", "foot_index")]
    if not np.all(np.isfinite([*ankles, *shoulders, *across])):
        raise AthleteFrameError("the athlete's ankles, hips and shoulders were never seen "
                                   "by both cameras at once: frame the whole body in both views")
    up = shoulders - ankles
    up /= np.linalg.norm(up)
    left = across - up * np.dot(across, up)
    left /= np.linalg.norm(left)
    forward = np.cross(left, up)
    rotation = np.vstack([forward, left, up])  # rows: world axes in the front camera's frame
    floor = np.nanmin([np.dot(point, up) for point in floor_heights])
    origin_c = ankles - up * (np.dot(ankles, up) - floor)
    return rotation, -rotation @ origin_c


def _standing(frame: np.ndarray) -> bool:
    """Whether every leg triangulated in `frame` (at least one) is straight."""
    angles = []
    for side in ("left", "right"):
        h, k, a = (frame[INDEX[f"{side}_{j}"]] for j in ("hip", "knee", "ankle"))
        if np.all(np.isfinite([h, k, a])):
            u, v = h - k, a - k
            angles.append(np.degrees(np.arccos(np.clip(
                np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)), -1, 1))))
    return bool(angles) and min(angles) >= STANDING_KNEE_DEG


def placed(cameras: dict[str, CameraCalibration], rotation: np.ndarray, origin: np.ndarray,
           scale: float = 1.0) -> dict[str, CameraCalibration]:
    """The cameras moved from the frame they were calibrated in (its units times `scale` are
    metres) to the world of `world_from_standing`'s (rotation, origin)."""
    return {view: replace(camera, rotation=rotation @ camera.rotation,
                          position=rotation @ (camera.position * scale) + origin)
            for view, camera in cameras.items()}

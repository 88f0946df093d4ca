"""Hand-built PoseResults for geometry tests: a few named joints placed, the rest far away."""

from __future__ import annotations

import numpy as np

from squat_pose.landmarks import INDEX
from squat_pose.pose_estimation import PoseResult, in_normalized


def pose(points: dict[str, tuple[float, float]], hidden: tuple[str, ...] = (),
         width: int = 640, height: int = 480) -> PoseResult:
    pixels = np.zeros((33, 2))
    visibility = np.full(33, 0.1)
    for name, xy in points.items():
        pixels[INDEX[name]] = xy
        visibility[INDEX[name]] = 0.0 if name in hidden else 0.95
    return PoseResult(width=width, height=height, pixels=pixels,
                      normalized=in_normalized(pixels, width, height), z=np.zeros(33),
                      visibility=visibility, presence=visibility.copy(),
                      world=np.zeros((33, 3)))


def side_squat(knee_flexion_deg: float, facing: float = 1.0) -> PoseResult:
    """A side-view athlete facing image right (+1) or left (-1): shin vertical, thigh rotated."""
    ankle = np.array([320.0, 400.0])
    knee = ankle + np.array([0.0, -100.0])
    thigh = np.radians(knee_flexion_deg)
    hip = knee + 100.0 * np.array([-facing * np.sin(thigh), -np.cos(thigh)])
    shoulder = hip + np.array([0.0, -120.0])
    joints = {"hip": hip, "knee": knee, "ankle": ankle, "shoulder": shoulder,
              "heel": ankle + np.array([-facing * 10, 10]),
              "foot_index": ankle + np.array([facing * 40, 10])}
    points = {f"{side}_{joint}": tuple(xy) for side in ("left", "right")
              for joint, xy in joints.items()}
    return pose(points)

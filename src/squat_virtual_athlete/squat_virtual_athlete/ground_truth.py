"""Ground truth of a rendered frame: named angles, per-camera 2D landmarks with occlusion.

The angles follow the written definitions of squat_pose.geometry, measured on the true 3D
joints in the anatomical plane that stands in for each view: the sagittal (x, z) plane for the
side-view angles, the frontal (y, z) plane for the front-view ones. Imports no rclpy.
"""

from __future__ import annotations

import math

import numpy as np

from squat_virtual_athlete.body_mesh import Primitive
from squat_virtual_athlete.camera import VirtualCamera
from squat_virtual_athlete.skeleton import frontal_projection_angle

# A landmark counts as hidden when a surface lies this far (m) in front of its own surface.
OCCLUSION_MARGIN_M = 0.02
RAY_STEP_M = 0.01
RAY_REACH_M = 0.8  # the body is never deeper than this along a ray


def _interior(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    u, v = a - b, c - b
    cosine = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return math.degrees(math.acos(float(np.clip(cosine, -1.0, 1.0))))


def _sagittal(point: np.ndarray) -> np.ndarray:
    return point[[0, 2]]


def anatomical_angles(lm: dict[str, np.ndarray]) -> dict[str, float]:
    """The named measures of squat_pose on the true joints (degrees; depth, pelvis_shift in
    torso lengths and hip widths; heel_height in metres)."""
    angles: dict[str, float] = {}
    shoulder_mid = (lm["left_shoulder"] + lm["right_shoulder"]) / 2
    hip_mid = (lm["left_hip"] + lm["right_hip"]) / 2
    torso = float(np.linalg.norm(shoulder_mid - hip_mid))
    for side, medial in (("left", -1.0), ("right", 1.0)):
        s, h, k, a = (lm[f"{side}_{j}"] for j in ("shoulder", "hip", "knee", "ankle"))
        angles[f"knee_flexion_{side}"] = 180 - _interior(*map(_sagittal, (h, k, a)))
        angles[f"knee_flexion_3d_{side}"] = 180 - _interior(h, k, a)
        angles[f"hip_flexion_{side}"] = 180 - _interior(*map(_sagittal, (s, h, k)))
        shin = k - a
        angles[f"ankle_dorsiflexion_{side}"] = math.degrees(math.atan2(shin[0], shin[2]))
        angles[f"knee_valgus_{side}"] = frontal_projection_angle(h, k, a, medial)
        thigh = h - k
        angles[f"thigh_angle_{side}"] = math.degrees(math.atan2(thigh[2], abs(thigh[0])))
    trunk = shoulder_mid - hip_mid
    angles["trunk_lean"] = math.degrees(math.atan2(trunk[0], trunk[2]))
    knee_z = (lm["left_knee"][2] + lm["right_knee"][2]) / 2
    angles["depth"] = float((hip_mid[2] - knee_z) / torso)
    hip_line = lm["left_hip"] - lm["right_hip"]
    width = float(np.linalg.norm(hip_line))
    ankle_mid = (lm["left_ankle"] + lm["right_ankle"]) / 2
    angles["pelvis_shift"] = float(np.dot(hip_mid - ankle_mid, hip_line / width) / width)
    angles["asymmetry"] = angles["knee_flexion_3d_left"] - angles["knee_flexion_3d_right"]
    angles["heel_height"] = float(min(lm["left_heel"][2], lm["right_heel"][2]))
    return angles


def occluded(camera: VirtualCamera, parts: list[Primitive],
             landmarks: dict[str, np.ndarray]) -> dict[str, bool]:
    """Whether each landmark is hidden from `camera` by another part of the body: the first
    surface on its ray lies clearly in front of the surface around the landmark itself."""
    names = list(landmarks)
    points = np.array([landmarks[n] for n in names])
    # How deep inside its own body part each landmark sits (0 for points on the skin).
    own_depth = np.max([np.maximum(p.inside(points), 0.0) for p in parts], axis=0)
    to_point = points - camera.position
    distance = np.linalg.norm(to_point, axis=1)
    direction = to_point / distance[:, None]
    steps = np.arange(RAY_REACH_M, 0.0, -RAY_STEP_M)
    samples = points[:, None, :] - direction[:, None, :] * steps[None, :, None]
    flat = samples.reshape(-1, 3)
    inside = np.zeros(len(flat), bool)
    for part in parts:
        inside |= part.inside(flat) > 0
    inside = inside.reshape(len(names), len(steps))
    hidden = {}
    for i, name in enumerate(names):
        hits = steps[inside[i]]
        first = hits.max() if len(hits) else 0.0
        hidden[name] = bool(first > own_depth[i] + OCCLUSION_MARGIN_M + RAY_STEP_M)
    return hidden


def view_truth(camera: VirtualCamera, parts: list[Primitive],
               landmarks: dict[str, np.ndarray]) -> dict[str, dict]:
    """Pixel position, depth and occlusion of every landmark in one camera."""
    names = list(landmarks)
    pixels, depth = camera.project(np.array([landmarks[n] for n in names]))
    hidden = occluded(camera, parts, landmarks)
    return {name: {"pixel": [round(float(pixels[i, 0]), 3), round(float(pixels[i, 1]), 3)],
                   "depth": round(float(depth[i]), 5),
                   "in_image": bool(0 <= pixels[i, 0] < camera.width and
                                    0 <= pixels[i, 1] < camera.height),
                   "occluded": hidden[name]}
            for i, name in enumerate(names)}

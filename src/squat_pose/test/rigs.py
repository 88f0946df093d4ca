"""Calibrated two-camera rigs built by hand, for the triangulation tests."""

from __future__ import annotations

import math

import cv2
import numpy as np

from squat_common.rig_calibration import CameraCalibration, RigCalibration

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

"""Virtual pinhole cameras: intrinsics, pose in the world, projection, the default gym rig.

A camera's pose is its optical frame (REP 103: x right, y down, z forward) in the world frame
of the athlete (x forward, y left, z up). Imports no rclpy.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from squat_common.rig_calibration import CameraCalibration, RigCalibration

# Where a tripod stands in a gym: 3.5 m away, lens at 1.0 m, aimed at the middle of the body.
DEFAULT_DISTANCE_M = 3.5
DEFAULT_HEIGHT_M = 1.0
CAMERA_NAME = re.compile(r"[A-Za-z0-9_-]+")
MIN_SIDE_PX, MAX_SIDE_PX = 32, 4096
FOV_DEG = (10.0, 150.0)
DEFAULT_AIM = (0.0, 0.0, 0.8)
DEFAULT_POSITIONS = {
    "front": (DEFAULT_DISTANCE_M, 0.0, DEFAULT_HEIGHT_M),
    "side": (0.0, DEFAULT_DISTANCE_M, DEFAULT_HEIGHT_M),  # on the athlete's left
}


@dataclass(frozen=True)
class VirtualCamera:
    """A pinhole camera without distortion."""

    name: str
    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float
    position: np.ndarray  # optical centre, world frame
    rotation: np.ndarray  # columns: the optical frame's x, y, z axes in the world frame

    @classmethod
    def looking_at(cls, name: str, position: tuple[float, float, float] | np.ndarray,
                   target: tuple[float, float, float] | np.ndarray = DEFAULT_AIM,
                   width: int = 640, height: int = 480,
                   horizontal_fov_deg: float = 60.0) -> VirtualCamera:
        """A level camera (no roll) at `position` aimed at `target`; ValueError for a camera
        that cannot be rendered."""
        if not CAMERA_NAME.fullmatch(name):
            raise ValueError(f"camera name {name!r}: letters, digits, '_' and '-' only (it "
                             "names the camera's files and frames)")
        if not (MIN_SIDE_PX <= width <= MAX_SIDE_PX and MIN_SIDE_PX <= height <= MAX_SIDE_PX):
            raise ValueError(f"camera {name}: {width}x{height} px, each side must be "
                             f"{MIN_SIDE_PX}-{MAX_SIDE_PX}")
        if not (math.isfinite(horizontal_fov_deg) and FOV_DEG[0] <= horizontal_fov_deg
                <= FOV_DEG[1]):
            raise ValueError(f"camera {name}: field of view {horizontal_fov_deg} deg, must be "
                             f"{FOV_DEG[0]:g}-{FOV_DEG[1]:g}")
        position = np.asarray(position, float)
        if not (np.all(np.isfinite(position)) and np.all(np.isfinite(target))):
            raise ValueError(f"camera {name}: position and aim must be finite numbers")
        forward = np.asarray(target, float) - position
        if np.linalg.norm(forward[:2]) < 1e-6:
            raise ValueError(f"camera {name} looks straight up or down; give it a side offset")
        forward /= np.linalg.norm(forward)
        right = np.cross(forward, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        down = np.cross(forward, right)
        f = width / 2 / math.tan(math.radians(horizontal_fov_deg) / 2)
        return cls(name, width, height, f, f, (width - 1) / 2, (height - 1) / 2, position,
                   np.column_stack([right, down, forward]))

    @classmethod
    def default(cls, name: str, width: int = 640, height: int = 480,
                horizontal_fov_deg: float = 60.0) -> VirtualCamera:
        """The default front or side camera of the gym rig."""
        if name not in DEFAULT_POSITIONS:
            raise ValueError(f"no default camera {name!r}: one of {', '.join(DEFAULT_POSITIONS)}"
                             " (or give a position)")
        return cls.looking_at(name, DEFAULT_POSITIONS[name], DEFAULT_AIM, width, height,
                              horizontal_fov_deg)

    @property
    def matrix(self) -> np.ndarray:
        """The 3x3 intrinsic matrix K."""
        return np.array([[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]])

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points (n, 3) in the optical frame."""
        return (points - self.position) @ self.rotation

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (n, 2) and depths (n,) of world points (n, 3)."""
        local = self.to_camera(points)
        depth = local[:, 2]
        safe = np.where(depth > 1e-6, depth, 1e-6)
        pixels = np.column_stack([self.fx * local[:, 0] / safe + self.cx,
                                  self.fy * local[:, 1] / safe + self.cy])
        return pixels, depth

    def rays(self) -> np.ndarray:
        """Unit direction (world frame) of the ray through every pixel, shape (h, w, 3)."""
        u, v = np.meshgrid(np.arange(self.width), np.arange(self.height))
        local = np.stack([(u - self.cx) / self.fx, (v - self.cy) / self.fy,
                          np.ones(u.shape)], axis=-1)
        world = local @ self.rotation.T
        return world / np.linalg.norm(world, axis=-1, keepdims=True)

    def calibration(self) -> CameraCalibration:
        """Its exact intrinsics (no distortion) and pose, as a rig calibration holds them."""
        return CameraCalibration(self.name, self.width, self.height, self.matrix, np.zeros(5),
                                 self.rotation, self.position)

    def pose_dict(self) -> dict[str, list]:
        """Intrinsics and pose as plain lists (for the ground-truth file)."""
        world_from_optical = np.eye(4)
        world_from_optical[:3, :3] = self.rotation
        world_from_optical[:3, 3] = self.position
        return {"width": self.width, "height": self.height, "K": self.matrix.tolist(),
                "distortion": [0.0] * 5, "world_from_optical": world_from_optical.tolist()}


def rig_calibration(cameras: list[VirtualCamera]) -> RigCalibration:
    """The exact calibration of a virtual rig: what camera_info and TF publish for it."""
    return RigCalibration({camera.name: camera.calibration() for camera in cameras},
                          source="camera_info", reprojection_error_px=0.0,
                          notes=["exact: the virtual athlete's cameras"])

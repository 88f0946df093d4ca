"""A rig's calibration: every camera's intrinsics and its pose in one world frame, one YAML file.

Each camera's entry holds the keys of `camera_calibration`'s YAML (image_width, image_height,
camera_name, camera_matrix, distortion_model, distortion_coefficients, rectification_matrix,
projection_matrix), so a camera node reads its intrinsics from it as from that tool's file, plus
`pose`: the optical frame's position (m) and orientation (quaternion x, y, z, w) in the world
frame. The world frame is REP 103's: z up, x the athlete's forward, y to the athlete's left.
Imports no rclpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from squat_common.calibration_matrices import read_matrix
from squat_common.rotations import quaternion_xyzw, rotation_from_xyzw
from squat_common.yaml_files import read_yaml

SOURCES = ("camera_info", "board", "athlete")


class CalibrationError(ValueError):
    """A calibration file that cannot be used, with the reason."""


@dataclass(frozen=True)
class CameraCalibration:
    """One camera: pinhole intrinsics with plumb_bob distortion, and its pose in the world."""

    name: str
    width: int
    height: int
    matrix: np.ndarray  # K, 3x3
    distortion: np.ndarray  # k1, k2, p1, p2, k3
    rotation: np.ndarray  # columns: the optical frame's x, y, z axes in the world frame
    position: np.ndarray  # optical centre in the world frame, m

    def extrinsic(self) -> np.ndarray:
        """The 3x4 matrix [R^T | -R^T c] taking world points (homogeneous) to the optical
        frame."""
        return np.hstack([self.rotation.T, (-self.rotation.T @ self.position)[:, None]])

    def projection(self) -> np.ndarray:
        """The 3x4 matrix taking world points (homogeneous) to undistorted pixels."""
        return self.matrix @ self.extrinsic()

    def undistorted(self, pixels: np.ndarray) -> np.ndarray:
        """Pixel coordinates (n, 2) with the lens distortion removed (same K)."""
        if not np.any(self.distortion):
            return np.asarray(pixels, float)
        import cv2  # only for a distorted lens; feedback never imports this module

        points = np.asarray(pixels, float).reshape(-1, 1, 2)
        return cv2.undistortPoints(points, self.matrix, self.distortion,
                                   P=self.matrix).reshape(-1, 2)

    def to_dict(self) -> dict:
        k, d = self.matrix, self.distortion
        return {"image_width": self.width, "image_height": self.height,
                "camera_name": self.name,
                "camera_matrix": {"rows": 3, "cols": 3, "data": _floats(k)},
                "distortion_model": "plumb_bob",
                "distortion_coefficients": {"rows": 1, "cols": 5, "data": _floats(d)},
                "rectification_matrix": {"rows": 3, "cols": 3, "data": _floats(np.eye(3))},
                "projection_matrix": {"rows": 3, "cols": 4,
                                      "data": _floats(np.hstack([k, np.zeros((3, 1))]))},
                "pose": {"position": _floats(self.position),
                         "orientation_xyzw": [round(v, 9) for v in
                                              quaternion_xyzw(self.rotation)]}}

    @classmethod
    def from_dict(cls, name: str, entry: dict) -> CameraCalibration:
        """The camera of a file's entry; CalibrationError naming what is wrong."""
        try:
            width, height = int(entry["image_width"]), int(entry["image_height"])
            try:
                matrix = read_matrix(entry, "camera_matrix", 3, 3)
                distortion = (read_matrix(entry, "distortion_coefficients", 1, 5).ravel()
                              if "distortion_coefficients" in entry else np.zeros(5))
            except ValueError as error:
                raise CalibrationError(str(error)) from None
            pose = entry["pose"]
            position = np.asarray(pose["position"], float)
            try:
                rotation = rotation_from_xyzw(pose["orientation_xyzw"])
            except ValueError as error:
                raise CalibrationError(f"pose.orientation_xyzw: {error}") from None
        except KeyError as missing:
            raise CalibrationError(f"camera {name}: no {missing.args[0]}") from None
        except CalibrationError as error:
            raise CalibrationError(f"camera {name}: {error}") from None
        except (TypeError, ValueError):
            # A value of the wrong kind (text for a number, a list for a mapping): say where
            # the file's layout is written, not Python's complaint.
            raise CalibrationError(
                f"camera {name}: image_width/image_height must be whole numbers, camera_matrix "
                "and distortion_coefficients mappings with a 'data' list of numbers, and pose a "
                "mapping with position [x, y, z] and orientation_xyzw [x, y, z, w]") from None
        if entry.get("distortion_model", "plumb_bob") != "plumb_bob":
            raise CalibrationError(f"camera {name}: distortion_model "
                                   f"{entry['distortion_model']!r}, only plumb_bob is read")
        if width <= 0 or height <= 0:
            raise CalibrationError(f"camera {name}: image size {width}x{height}")
        if position.shape != (3,) or not np.all(np.isfinite(position)):
            raise CalibrationError(f"camera {name}: pose.position needs three finite numbers")
        if not (matrix[0, 0] > 0 and matrix[1, 1] > 0 and matrix[2, 2] == 1.0):
            raise CalibrationError(f"camera {name}: camera_matrix is not a pinhole's "
                                   "(fx, fy > 0, last row 0 0 1)")
        return cls(name, width, height, matrix, distortion, rotation, position)


@dataclass(frozen=True)
class RigCalibration:
    """The cameras of one rig in one world frame, and how the calibration was made."""

    cameras: dict[str, CameraCalibration]
    source: str
    world_frame: str = "world"
    reprojection_error_px: float = float("nan")
    notes: list[str] = field(default_factory=list)

    def to_yaml(self) -> str:
        error = self.reprojection_error_px
        document = {"world_frame": self.world_frame, "source": self.source,
                    "reprojection_error_px": None if math.isnan(error) else round(error, 3),
                    "notes": list(self.notes),
                    "cameras": {name: camera.to_dict() for name, camera in self.cameras.items()}}
        return yaml.safe_dump(document, sort_keys=False)


def save_rig(path: Path, rig: RigCalibration) -> None:
    """Write `rig` to `path` (a new file or one replaced whole)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(rig.to_yaml())
    partial.replace(path)


def load_rig(path: Path, views: tuple[str, ...] = ()) -> RigCalibration:
    """The rig of a calibration file holding at least `views`; CalibrationError saying why
    not."""
    document = read_yaml(path, "rig calibration", CalibrationError)
    if not isinstance(document, dict) or not isinstance(document.get("cameras"), dict):
        raise CalibrationError(f"{path}: no 'cameras' mapping (a rig calibration file has "
                               "one entry per camera)")
    source = document.get("source")
    if source not in SOURCES:
        raise CalibrationError(f"{path}: source {source!r}, one of {', '.join(SOURCES)}")
    cameras = {}
    for name, entry in document["cameras"].items():
        if not isinstance(entry, dict):
            raise CalibrationError(f"{path}: camera {name} is not a mapping")
        cameras[str(name)] = CameraCalibration.from_dict(str(name), entry)
    missing = [view for view in views if view not in cameras]
    if missing:
        raise CalibrationError(f"{path}: no camera {', '.join(missing)} (has "
                               f"{', '.join(cameras) or 'none'})")
    error = document.get("reprojection_error_px")
    return RigCalibration(cameras, source, str(document.get("world_frame", "world")),
                          float("nan") if error is None else float(error),
                          [str(note) for note in document.get("notes") or []])


def _floats(array: np.ndarray) -> list[float]:
    return [round(float(v), 9) for v in np.asarray(array).ravel()]

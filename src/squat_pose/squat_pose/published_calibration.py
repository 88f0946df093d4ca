"""A rig calibration from what the cameras publish: each camera's intrinsics from its
camera_info, its pose from the static transforms (TF) between the world frame and the
camera_info's frame (the optical frame, REP 103: x right, y down, z forward).

Where both are known (calibrated lenses, cameras mounted where a URDF or
`static_transform_publisher` says, or the virtual athlete's cameras, which publish both exactly)
nothing needs estimating: this only checks and composes them. Messages are read by attribute,
so rclpy's and rosbags' CameraInfo and TransformStamped serve alike. Imports no rclpy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from squat_common.rig_calibration import CalibrationError, CameraCalibration, RigCalibration
from squat_common.rotations import rotation_from_xyzw


@dataclass(frozen=True)
class StaticTransform:
    """One TF edge: the child frame's pose in the parent frame."""

    parent: str
    child: str
    rotation: np.ndarray  # columns: the child's axes in the parent frame
    translation: np.ndarray  # the child's origin in the parent frame, m

    @classmethod
    def from_message(cls, transform: object) -> StaticTransform:
        """From a geometry_msgs/TransformStamped; CalibrationError for a broken rotation."""
        t, q = transform.transform.translation, transform.transform.rotation
        try:
            rotation = rotation_from_xyzw((q.x, q.y, q.z, q.w))
        except ValueError as error:
            raise CalibrationError(f"TF {transform.header.frame_id} -> "
                                   f"{transform.child_frame_id}: {error}") from None
        return cls(transform.header.frame_id.lstrip("/"), transform.child_frame_id.lstrip("/"),
                   rotation, np.array([t.x, t.y, t.z], float))


def camera_intrinsics(view: str, info: object) -> CameraCalibration:
    """The lens of a camera_info (pinhole, plumb_bob), its pose left at the origin;
    CalibrationError when the camera_info carries no calibration."""
    matrix = np.asarray(info.k, float).reshape(3, 3)
    if not (matrix[0, 0] > 0 and matrix[1, 1] > 0):
        raise CalibrationError(f"{view} camera_info has no intrinsics (K is zero: an "
                               "uncalibrated camera); calibrate its lens first (camera_calibration"
                               ") or calibrate the rig with a board")
    model = info.distortion_model or "plumb_bob"
    coefficients = list(info.d)
    if model != "plumb_bob" and any(coefficients):
        raise CalibrationError(f"{view} camera_info: distortion model {model!r}, only "
                               "plumb_bob is read")
    distortion = np.zeros(5)
    distortion[:min(5, len(coefficients))] = coefficients[:5]
    return CameraCalibration(view, int(info.width), int(info.height), matrix, distortion,
                             np.eye(3), np.zeros(3))


def pose_in(world_frame: str, frame: str, transforms: Iterable[StaticTransform]
            ) -> tuple[np.ndarray, np.ndarray]:
    """(rotation, position) of `frame` in `world_frame`, composed along the TF tree;
    CalibrationError naming the frames that were found when there is no path."""
    parents = {edge.child: edge for edge in transforms}
    rotation, position = np.eye(3), np.zeros(3)
    chain = [frame]
    while chain[-1] != world_frame:
        edge = parents.get(chain[-1])
        if edge is None or edge.parent in chain:
            known = sorted({*parents, *(e.parent for e in parents.values())})
            raise CalibrationError(
                f"no TF from {world_frame} to {frame} (reached {' <- '.join(chain)}; frames "
                f"in TF: {', '.join(known) or 'none'})")
        # x_parent = R_edge x_child + t_edge, applied on the outside of what is composed.
        rotation, position = edge.rotation @ rotation, edge.rotation @ position + \
            edge.translation
        chain.append(edge.parent)
    return rotation, position


def rig_from_published(infos: dict[str, object], transforms: list[StaticTransform],
                       world_frame: str = "world") -> RigCalibration:
    """The rig of cameras whose camera_info (by view name) and TF are known."""
    cameras = {}
    for view, info in infos.items():
        frame = info.header.frame_id.lstrip("/")
        if not frame:
            raise CalibrationError(f"{view} camera_info has no frame_id: its pose in TF "
                                   "cannot be looked up")
        lens = camera_intrinsics(view, info)
        rotation, position = pose_in(world_frame, frame, transforms)
        cameras[view] = CameraCalibration(view, lens.width, lens.height, lens.matrix,
                                          lens.distortion, rotation, position)
    return RigCalibration(cameras, source="camera_info", world_frame=world_frame, notes=[
        f"{view}: {info.header.frame_id} from camera_info and TF" for view, info in
        infos.items()])

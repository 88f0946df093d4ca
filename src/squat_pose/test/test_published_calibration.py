"""A rig from what cameras publish: camera_info's lens and TF's pose, composed along the tree."""

from __future__ import annotations

import math

import numpy as np
import pytest
from geometry_msgs.msg import TransformStamped
from sensor_msgs.msg import CameraInfo

from squat_common.rig_calibration import CalibrationError
from squat_common.rotations import quaternion_xyzw, rotation_from_xyzw
from squat_pose.published_calibration import StaticTransform, rig_from_published

OPTICAL_IN_LINK = rotation_from_xyzw((-0.5, 0.5, -0.5, 0.5))  # REP 103: z forward, x right


def transform(parent: str, child: str, rotation: np.ndarray,
              translation: tuple[float, float, float]) -> TransformStamped:
    message = TransformStamped()
    message.header.frame_id, message.child_frame_id = parent, child
    t, q = message.transform.translation, message.transform.rotation
    t.x, t.y, t.z = translation
    q.x, q.y, q.z, q.w = quaternion_xyzw(rotation)
    return message


def info(frame: str, focal: float = 500.0) -> CameraInfo:
    message = CameraInfo(width=640, height=480, distortion_model="plumb_bob")
    message.header.frame_id = frame
    message.k = [focal, 0.0, 320.0, 0.0, focal, 240.0, 0.0, 0.0, 1.0]
    message.d = [0.1, -0.05, 0.0, 0.0, 0.0]
    return message


def yaw(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def tree() -> list[StaticTransform]:
    """world -> tripod (3 m ahead, turned to face the athlete) -> camera link (1.2 m up) ->
    optical frame; the side camera straight from world to its optical frame."""
    side = yaw(-90.0) @ OPTICAL_IN_LINK
    messages = [transform("world", "tripod", yaw(180.0), (3.0, 0.0, 0.0)),
                transform("tripod", "front_link", np.eye(3), (0.0, 0.0, 1.2)),
                transform("/front_link", "front_optical_frame", OPTICAL_IN_LINK, (0, 0, 0)),
                transform("world", "side_optical_frame", side, (0.0, 3.0, 1.0))]
    return [StaticTransform.from_message(message) for message in messages]


def test_each_camera_is_placed_by_the_tf_chain_and_keeps_its_lens():
    rig = rig_from_published({"front": info("front_optical_frame"),
                              "side": info("side_optical_frame", 600.0)}, tree())
    front, side = rig.cameras["front"], rig.cameras["side"]
    assert rig.source == "camera_info"
    np.testing.assert_allclose(front.position, [3.0, 0.0, 1.2], atol=1e-12)
    # The front camera looks back along -x at the athlete: its optical z is world -x.
    np.testing.assert_allclose(front.rotation[:, 2], [-1.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(side.rotation[:, 2], [0.0, -1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(side.position, [0.0, 3.0, 1.0])
    assert side.matrix[0, 0] == 600.0 and list(front.distortion) == [0.1, -0.05, 0, 0, 0]
    # A point on the athlete projects where the rig says: centre of the front image.
    pixel = front.projection() @ np.array([0.0, 0.0, 1.2, 1.0])
    np.testing.assert_allclose(pixel[:2] / pixel[2], [320.0, 240.0], atol=1e-9)


def test_a_camera_tf_does_not_reach_is_refused_with_the_frames_it_has():
    with pytest.raises(CalibrationError, match=r"no TF from world to side_link.*frames in TF: "
                                               r"front_link, front_optical_frame"):
        rig_from_published({"side": info("side_link")}, tree())


@pytest.mark.parametrize("broken, reason", [
    (dict(k=[0.0] * 9), "no intrinsics"),
    (dict(distortion_model="equidistant"), "only plumb_bob"),
], ids=["uncalibrated", "fisheye"])
def test_a_camera_info_without_a_usable_lens_is_refused(broken, reason):
    message = info("front_optical_frame")
    for key, value in broken.items():
        setattr(message, key, value)
    with pytest.raises(CalibrationError, match=reason):
        rig_from_published({"front": message}, tree())


def test_a_camera_info_without_a_frame_and_a_zero_quaternion_are_refused():
    with pytest.raises(CalibrationError, match="no frame_id"):
        rig_from_published({"front": info("")}, tree())
    broken = transform("world", "front_optical_frame", np.eye(3), (0, 0, 0))
    broken.transform.rotation.w = 0.0
    with pytest.raises(CalibrationError, match="not a rotation"):
        StaticTransform.from_message(broken)

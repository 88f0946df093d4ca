"""A skeleton as an RViz MarkerArray: MediaPipe's world landmarks of one view, or the
landmarks triangulated in the rig's world frame."""

from __future__ import annotations

import numpy as np
from builtin_interfaces.msg import Duration
from geometry_msgs.msg import Point
from std_msgs.msg import ColorRGBA, Header
from visualization_msgs.msg import Marker, MarkerArray

from squat_pose.landmarks import SKELETON
from squat_pose.pose_estimation import PoseResult


def skeleton_markers(header: Header, pose: PoseResult | None, distance_m: float,
                     min_visibility: float = 0.5) -> MarkerArray:
    """One view's skeleton in header.frame_id, that camera's optical frame.

    World landmarks are hip-centred with camera-aligned axes, so the skeleton is placed
    `distance_m` in front of the camera (+z) for RViz; an empty pose deletes the markers.
    """
    if pose is None:
        return landmark_markers(header, None, None, min_visibility)
    return landmark_markers(header, pose.world + np.array([0.0, 0.0, distance_m]),
                            pose.visibility, min_visibility)


def landmark_markers(header: Header, points: np.ndarray | None, confidence: np.ndarray | None,
                     min_confidence: float = 0.5) -> MarkerArray:
    """Joints (spheres) and bones (lines) of `points` (n, 3) in header.frame_id: those with a
    finite position and at least `min_confidence`; None deletes the markers."""
    if points is None or confidence is None:
        return MarkerArray(markers=[Marker(header=header, ns="squat_skeleton",
                                           action=Marker.DELETEALL)])
    lifetime = Duration(sec=0, nanosec=500_000_000)

    def point(index: int) -> Point:
        x, y, z = points[index]
        return Point(x=float(x), y=float(y), z=float(z))

    shown = [i for i in range(len(points))
             if confidence[i] >= min_confidence and np.all(np.isfinite(points[i]))]
    joints = Marker(header=header, ns="squat_skeleton", id=0, type=Marker.SPHERE_LIST,
                    action=Marker.ADD, lifetime=lifetime,
                    color=ColorRGBA(r=1.0, g=1.0, b=1.0, a=1.0))
    joints.pose.orientation.w = 1.0
    joints.scale.x = joints.scale.y = joints.scale.z = 0.04
    joints.points = [point(i) for i in shown]
    bones = Marker(header=header, ns="squat_skeleton", id=1, type=Marker.LINE_LIST,
                   action=Marker.ADD, lifetime=lifetime,
                   color=ColorRGBA(r=0.3, g=0.9, b=0.3, a=1.0))
    bones.pose.orientation.w = 1.0
    bones.scale.x = 0.02
    for a, b in SKELETON:
        if a in shown and b in shown:
            bones.points += [point(a), point(b)]
    return MarkerArray(markers=[joints, bones])

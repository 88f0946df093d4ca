"""The skeleton of MediaPipe's world landmarks as an RViz MarkerArray."""

from __future__ import annotations

from builtin_interfaces.msg import Duration
from geometry_msgs.msg import Point
from std_msgs.msg import ColorRGBA, Header
from visualization_msgs.msg import Marker, MarkerArray

from squat_pose.landmarks import SKELETON
from squat_pose.pose_estimation import PoseResult


def skeleton_markers(header: Header, pose: PoseResult | None, distance_m: float,
                     min_visibility: float = 0.5) -> MarkerArray:
    """Joints (spheres) and bones (lines) in header.frame_id, a camera optical frame.

    World landmarks are hip-centred with camera-aligned axes, so the skeleton is placed
    `distance_m` in front of the camera (+z) for RViz; an empty pose deletes the markers.
    """
    if pose is None:
        return MarkerArray(markers=[Marker(header=header, ns="squat_skeleton",
                                           action=Marker.DELETEALL)])
    lifetime = Duration(sec=0, nanosec=500_000_000)

    def point(index: int) -> Point:
        x, y, z = pose.world[index]
        return Point(x=float(x), y=float(y), z=float(z) + distance_m)

    visible = [i for i in range(len(pose.world)) if pose.visibility[i] >= min_visibility]
    joints = Marker(header=header, ns="squat_skeleton", id=0, type=Marker.SPHERE_LIST,
                    action=Marker.ADD, lifetime=lifetime,
                    color=ColorRGBA(r=1.0, g=1.0, b=1.0, a=1.0))
    joints.pose.orientation.w = 1.0
    joints.scale.x = joints.scale.y = joints.scale.z = 0.04
    joints.points = [point(i) for i in visible]
    bones = Marker(header=header, ns="squat_skeleton", id=1, type=Marker.LINE_LIST,
                   action=Marker.ADD, lifetime=lifetime,
                   color=ColorRGBA(r=0.3, g=0.9, b=0.3, a=1.0))
    bones.pose.orientation.w = 1.0
    bones.scale.x = 0.02
    for a, b in SKELETON:
        if a in visible and b in visible:
            bones.points += [point(a), point(b)]
    return MarkerArray(markers=[joints, bones])

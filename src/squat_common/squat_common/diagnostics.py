"""The /diagnostics message every node publishes once a second."""

from __future__ import annotations

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.node import Node

DIAGNOSTICS_TOPIC = "/diagnostics"
# pose_node's status of how each camera sees the athlete (squat_pose.view_check), read by
# `coach run` and `coach check-cameras`; its values are <view>_seen, <view>_off_axis_deg,
# <view>_cut_off and <view>_advice.
VIEWS_STATUS = "views"


def diagnostics(node: Node, name: str, level: int, message: str, values: dict[str, str],
                hardware_id: str = "") -> DiagnosticArray:
    """A DiagnosticArray with one status of `node`, stamped now on its clock."""
    status = DiagnosticStatus(level=level, name=f"{node.get_name()}: {name}", message=message,
                              hardware_id=hardware_id)
    status.values = [KeyValue(key=key, value=value) for key, value in values.items()]
    array = DiagnosticArray(status=[status])
    array.header.stamp = node.get_clock().now().to_msg()
    return array

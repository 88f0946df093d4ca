"""pose_node: pairs the front and side camera frames and publishes the squat state per pair.

This build pairs frames and reports the pairing; pose estimation on the pairs arrives with the
pose package's estimator (squat_pose issue), so each state has phase UNKNOWN and no keypoints.
"""

from __future__ import annotations

import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image

from squat_camera.ros_node_support import diagnostics, float_range, integer_range, run_node
from squat_msgs.msg import SquatState
from squat_pose.approximate_sync import stamp_ns
from squat_pose.state_messages import paired_state
from squat_pose.sync_seam import create_pair_source
from squat_pose.sync_stats import SyncStatistics

FRONT, SIDE = 0, 1


class PoseNode(Node):
    """Thin node: parameters in, synchronised states and diagnostics out."""

    def __init__(self) -> None:
        super().__init__("pose_node")
        nominal_fps = self.declare_parameter(
            "nominal_fps", 30.0,
            float_range("Nominal camera frame rate (Hz); sets the default sync_slop_s.",
                        1.0, 240.0)).value
        queue_size = self.declare_parameter(
            "sync_queue_size", 10,
            integer_range("Frames kept per camera while waiting for a partner.", 1, 1000)).value
        slop_s = self.declare_parameter(
            "sync_slop_s", 0.5 / nominal_fps,
            float_range("Largest capture-time difference (s) of a front/side pair; "
                        "default half the nominal frame period.", 0.0001, 1.0)).value

        self._stats = SyncStatistics(inputs=2)
        self._state_pub = self.create_publisher(SquatState, "squat/state", 10)
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self._pairs = create_pair_source(
            self, Image, ["front/image_raw", "side/image_raw"], queue_size, slop_s,
            qos_profile_sensor_data)
        for index, subscriber in enumerate(self._pairs.subscribers):
            subscriber.registerCallback(lambda _msg, i=index: self._stats.frame(i))
        self._pairs.synchronizer.registerCallback(self._on_pair)
        self._slop_s = slop_s
        self.create_timer(1.0, self._publish_diagnostics)
        self.get_logger().info(
            f"pairing front/side frames with {self._pairs.implementation}: "
            f"queue_size={queue_size}, slop={slop_s * 1000:.1f} ms")

    def _on_pair(self, front: Image, side: Image) -> None:
        sync_error_ms = (stamp_ns(side) - stamp_ns(front)) / 1e6
        self._stats.pair(sync_error_ms, time.monotonic())
        self._state_pub.publish(paired_state(front, side, sync_error_ms))

    def _publish_diagnostics(self) -> None:
        report = self._stats.report(time.monotonic())
        if sum(report.frames_received) == 0:
            level, message = DiagnosticStatus.WARN, "no camera frames received"
        elif report.pairs_per_s == 0.0:
            level, message = DiagnosticStatus.WARN, "frames arrive but none pair"
        else:
            level, message = DiagnosticStatus.OK, f"{report.pairs_per_s:.1f} pairs/s"
        values = {
            "implementation": self._pairs.implementation,
            "slop_ms": f"{self._slop_s * 1000:.2f}",
            "pairs_total": str(report.pairs_total),
            "pairs_per_s": f"{report.pairs_per_s:.2f}",
            "front_frames": str(report.frames_received[FRONT]),
            "side_frames": str(report.frames_received[SIDE]),
            "front_unpaired": str(report.frames_unpaired[FRONT]),
            "side_unpaired": str(report.frames_unpaired[SIDE]),
            "abs_dt_p50_ms": f"{report.abs_dt_p50_ms:.2f}",
            "abs_dt_p95_ms": f"{report.abs_dt_p95_ms:.2f}",
            "abs_dt_p99_ms": f"{report.abs_dt_p99_ms:.2f}",
        }
        self._diagnostics_pub.publish(diagnostics(self, "frame sync", level, message, values))


def main(args: list[str] | None = None) -> int:
    """Run pose_node until shutdown; 1 when its parameters are refused."""
    return run_node(PoseNode, "pose_node", args)

"""Checks that ROS 2 and squat_msgs work here: a SquatState published and received over DDS."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import rclpy
from rclpy.executors import SingleThreadedExecutor

from squat_msgs.msg import SquatState


@dataclass(frozen=True)
class LoopbackResult:
    """Outcome of publishing one message to a subscriber in the same process."""

    received: bool
    seconds: float


def ros_origin() -> str:
    """Where rclpy comes from: a ROS 2 distribution or the PyPI wheels in a venv."""
    location = os.path.dirname(rclpy.__file__)
    if location.startswith("/opt/ros/"):
        return f"ROS 2 {os.environ.get('ROS_DISTRO', '?')} at {location}"
    return f"ROS 2 Jazzy core from the PyPI wheels at {location}"


def squat_state_loopback(timeout_s: float = 10.0) -> LoopbackResult:
    """Publish a SquatState and wait for it to come back through DDS discovery and transport."""
    start = time.monotonic()
    context = rclpy.Context()
    rclpy.init(context=context)
    try:
        node = rclpy.create_node("squat_install_check", context=context)
        received: list[SquatState] = []
        node.create_subscription(SquatState, "~/loopback", received.append, 10)
        publisher = node.create_publisher(SquatState, "~/loopback", 10)
        executor = SingleThreadedExecutor(context=context)
        executor.add_node(node)
        message = SquatState()
        message.phase = SquatState.STANDING
        while not received and time.monotonic() - start < timeout_s:
            publisher.publish(message)
            executor.spin_once(timeout_sec=0.05)
        executor.shutdown()
        node.destroy_node()
    finally:
        rclpy.shutdown(context=context)
    ok = bool(received) and received[0].phase == SquatState.STANDING
    return LoopbackResult(ok, time.monotonic() - start)

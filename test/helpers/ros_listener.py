"""A node in the test process that keeps every message of some topics, spun on demand."""

from __future__ import annotations

import time
from collections.abc import Callable

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo, Image


class RosListener:
    """Subscribes to (topic, type, qos) in its own context; `received[topic]` lists messages."""

    def __init__(self, topics: list[tuple[str, type, object]], name: str = "listener") -> None:
        self.context = rclpy.Context()
        rclpy.init(context=self.context)
        self.node = rclpy.create_node(name, context=self.context)
        self.received: dict[str, list] = {}
        for topic, kind, qos in topics:
            self.received[topic] = []
            self.node.create_subscription(kind, topic, self.received[topic].append, qos)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)

    def spin(self, seconds: float, until: Callable[[], bool] = lambda: False) -> None:
        """Take messages for `seconds`, or until `until()` holds."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not until():
            self.executor.spin_once(timeout_sec=0.05)

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.shutdown(context=self.context)


class CameraListener(RosListener):
    """image_raw and camera_info of camera namespaces: `images[ns]`, `infos[ns]`."""

    def __init__(self, namespaces: list[str]) -> None:
        super().__init__([(f"/{ns}/{topic}", kind, qos_profile_sensor_data)
                          for ns in namespaces
                          for topic, kind in (("image_raw", Image), ("camera_info", CameraInfo))],
                         "camera_listener")
        self.images = {ns: self.received[f"/{ns}/image_raw"] for ns in namespaces}
        self.infos = {ns: self.received[f"/{ns}/camera_info"] for ns in namespaces}

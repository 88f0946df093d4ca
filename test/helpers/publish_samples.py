"""Child process: publish one sample message (helpers.sample_messages) until killed.

Usage: python -m helpers.publish_samples KIND TOPIC
"""

from __future__ import annotations

import sys

import rclpy
from rclpy.executors import ExternalShutdownException

from helpers.sample_messages import SAMPLES


def main() -> None:
    kind, topic = sys.argv[1], sys.argv[2]
    message_type, build = SAMPLES[kind]
    # rclpy 7.1 (Jazzy) has no context-manager form of init(), hence try/finally.
    rclpy.init()
    try:
        node = rclpy.create_node("sample_publisher")
        publisher = node.create_publisher(message_type, topic, 10)
        message = build()
        node.create_timer(0.05, lambda: publisher.publish(message))
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        rclpy.try_shutdown()


if __name__ == "__main__":
    main()

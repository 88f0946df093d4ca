"""Child process: publish one sample message (helpers.sample_messages) until killed.

Usage: python -m helpers.publish_samples KIND TOPIC
"""

from __future__ import annotations

import sys

import rclpy
from rclpy.node import Node

from helpers.sample_messages import SAMPLES
from squat_common.node_runner import run_node


def sample_publisher() -> Node:
    kind, topic = sys.argv[1], sys.argv[2]
    message_type, build = SAMPLES[kind]
    node = rclpy.create_node("sample_publisher")
    publisher = node.create_publisher(message_type, topic, 10)
    message = build()
    node.create_timer(0.05, lambda: publisher.publish(message))
    return node


def main() -> None:
    sys.exit(run_node(sample_publisher, "sample_publisher"))


if __name__ == "__main__":
    main()

"""Where the pose node gets its (front, side) pairs: message_filters if installed, else ours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rclpy.node import Node
from rclpy.qos import QoSProfile

from squat_pose import approximate_sync


class TopicSubscriber(approximate_sync.SimpleFilter):
    """A subscription as a message source, like message_filters.Subscriber."""

    def __init__(self, node: Node, msg_type: type, topic: str, qos_profile: QoSProfile) -> None:
        super().__init__()
        self.topic = topic
        self.sub = node.create_subscription(msg_type, topic, self.signalMessage, qos_profile)

    def getTopic(self) -> str:
        """The topic subscribed to."""
        return self.topic


@dataclass
class PairSource:
    """A synchroniser over subscriptions, and which implementation it is."""

    synchronizer: Any
    subscribers: list[Any]
    implementation: str


def message_filters_module() -> Any | None:
    """ROS 2's message_filters where it is installed, else None."""
    try:
        import message_filters
    except ImportError:
        return None
    return message_filters if hasattr(message_filters, "ApproximateTimeSynchronizer") else None


def create_pair_source(node: Node, msg_type: type, topics: Sequence[str], queue_size: int,
                       slop_s: float, qos_profile: QoSProfile) -> PairSource:
    """Subscribe to `topics` and pair their messages by header stamp within `slop_s`."""
    message_filters = message_filters_module()
    if message_filters is not None:
        subscribers = [message_filters.Subscriber(node, msg_type, topic, qos_profile=qos_profile)
                       for topic in topics]
        synchronizer = message_filters.ApproximateTimeSynchronizer(
            subscribers, queue_size, slop_s, allow_headerless=False)
        return PairSource(
            synchronizer, subscribers,
            f"message_filters.ApproximateTimeSynchronizer ({message_filters.__file__})")
    subscribers = [TopicSubscriber(node, msg_type, topic, qos_profile) for topic in topics]
    synchronizer = approximate_sync.ApproximateTimeSynchronizer(
        subscribers, queue_size, slop_s, allow_headerless=False)
    return PairSource(synchronizer, subscribers,
                      "squat_pose.approximate_sync.ApproximateTimeSynchronizer "
                      "(message_filters is not installed)")

"""session_recorder: writes a session's topics (session_topics) to a rosbag2 bag (MCAP).

For machines without `ros2 bag`; `coach run --record DIR` starts it. Messages are taken
serialized (raw subscriptions) and written as they come, stamped with their receive time as
`ros2 bag record` does; each topic's type hash is its publishers' (RIHS01, from rclpy). What
came is put on disk every second; the bag is closed, with its summary and metadata.yaml, when
the node stops (killed with SIGKILL, `coach bag reindex` recovers all but the last second),
after what had come but was not yet taken is written too.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ament_index_python.packages import get_package_share_directory
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rclpy.subscription import Subscription

from squat_bringup.bag_writer import BagError, BagWriter, qos
from squat_bringup.session_topics import LATCHED, SENSOR, SESSION_TOPICS, SessionTopic
from squat_common.node_runner import NodeConfigurationError, run_node
from squat_common.parameters import NodeParameters
from squat_common.settings import setting

# Message packages rosbags' Jazzy type store does not know, by their installed msg/ folder.
OWN_MESSAGES = ("squat_msgs",)
# How much a recorder killed with SIGKILL may lose, at most.
FLUSH_PERIOD_S = 1.0
# Each subscription's queue: sensor data's depth of 5 (160 ms of a 30 fps camera) lost frames
# while a chunk was written, and a lost frame is one the replay cannot show its pose node.
QUEUE_DEPTH = 100


@dataclass(frozen=True)
class RecorderSettings:
    """Where the bag goes."""

    bag_path: str = setting("", "Folder of the bag to write (must not exist yet).",
                            read_only=True)

    def problems(self) -> list[str]:
        return [] if self.bag_path else ["bag_path: give the folder of the bag to write"]


def _subscription_qos(topic: SessionTopic) -> QoSProfile:
    # Best effort where the publisher offers only that (the cameras), but a deep queue
    # everywhere.
    return QoSProfile(depth=QUEUE_DEPTH, reliability=ReliabilityPolicy.BEST_EFFORT
                      if topic.qos == SENSOR else ReliabilityPolicy.RELIABLE,
                      durability=DurabilityPolicy.TRANSIENT_LOCAL if topic.qos == LATCHED
                      else DurabilityPolicy.VOLATILE)


def _message_class(msgtype: str) -> type | None:
    package, _, name = msgtype.split("/")
    try:
        return getattr(importlib.import_module(f"{package}.msg"), name)
    except (ImportError, AttributeError):
        return None


class SessionRecorder(Node):
    """Subscribes to every session topic whose type is installed and writes what comes."""

    def __init__(self) -> None:
        super().__init__("session_recorder")
        self._settings = NodeParameters(self, RecorderSettings())
        path = Path(self._settings.value.bag_path).expanduser()
        folders = [(p, Path(get_package_share_directory(p)) / "msg") for p in OWN_MESSAGES]
        try:
            self._bag = BagWriter(path, folders)
        except BagError as error:
            raise NodeConfigurationError(str(error)) from None
        self._taken_from: list[tuple[SessionTopic, Subscription]] = []
        for topic in SESSION_TOPICS:
            message = _message_class(topic.msgtype)
            if message is None:
                self.get_logger().warning(f"{topic.name} is not recorded: {topic.msgtype} is "
                                          "not installed")
                continue
            self._taken_from.append((topic, self.create_subscription(
                message, topic.name, lambda data, t=topic: self._write(t, data),
                _subscription_qos(topic), raw=True)))
        self._failure: str | None = None
        self.create_timer(FLUSH_PERIOD_S, lambda: self._guarded(self._bag.flush))
        self.get_logger().info(f"recording {len(self._taken_from)} topics to {path}")

    def _guarded(self, write: Callable[[], None]) -> None:
        """Run a write; a full or failing disk stops the recording, never the node (the
        session goes on, and what reached the disk stays recoverable)."""
        if self._failure is not None:
            return
        try:
            write()
        except OSError as error:
            self._failure = error.strerror or str(error)
            written = sum(self._bag.counts.values())
            self.get_logger().error(
                f"recording stopped: cannot write {self._bag.path}: {self._failure}. The "
                f"session goes on unrecorded; the bag keeps what reached the disk (up to "
                f"{written} messages): free space, then 'coach bag reindex {self._bag.path}'")

    def _write(self, topic: SessionTopic, data: bytes) -> None:
        def write() -> None:
            if topic.name not in self._bag.counts:
                self._bag.add_topic(topic.name, topic.msgtype,
                                    qos(topic.qos != SENSOR, topic.qos == LATCHED),
                                    self._publisher_hash(topic))
            self._bag.write(topic.name, self.get_clock().now().nanoseconds, data)

        self._guarded(write)

    def _publisher_hash(self, topic: SessionTopic) -> str | None:
        if not self.context.ok():
            # A topic first heard at the stop: the graph cannot be asked any more, and the
            # bag writer takes the message definition's hash.
            return None
        hashes = {str(info.topic_type_hash)
                  for info in self.get_publishers_info_by_topic(topic.name)}
        ours = self._bag.rihs01(topic.msgtype)
        if hashes and hashes != {ours}:
            self.get_logger().warning(f"{topic.name}: publishers' type hash {sorted(hashes)} "
                                      f"differs from the message definition's {ours}")
        return next(iter(sorted(hashes)), None)

    def _write_queued(self) -> int:
        """Write what DDS had delivered but the executor had not yet taken when the stop came
        (a recorder behind a busy session held the last rep there, and lost it); how many.

        rclpy has no public take: this is the executor's own call, which works on a shut-down
        context. At most a queue's depth per topic, so publishers still running cannot hold
        the stop up."""
        written = 0
        for topic, subscription in self._taken_from:
            for _ in range(QUEUE_DEPTH):
                with subscription.handle:
                    taken = subscription.handle.take_message(subscription.msg_type, True)
                if taken is None:
                    break
                self._write(topic, taken[0])
                written += 1
        return written

    def destroy_node(self) -> None:
        queued = self._write_queued()
        if self._failure is None:
            self._guarded(self._bag.close)
        if self._failure is None:
            counts = ", ".join(f"{name} {n}" for name, n in sorted(self._bag.counts.items()))
            self.get_logger().info(f"bag closed: {self._bag.path} ({counts}; {queued} "
                                   "written at the stop)")
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    """Run session_recorder until shutdown; 1 when it cannot write its bag."""
    return run_node(SessionRecorder, "session_recorder", args)

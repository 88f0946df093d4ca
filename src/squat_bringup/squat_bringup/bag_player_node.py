"""bag_player: plays a session bag's cameras into a fresh pose node, on the bag's clock.

`coach replay DIR` starts it with pose_node and feedback_node on sim time. Each camera's
recorded JPEG frames are published as recorded on <camera>/image_raw/compressed (the session's
pose_node analyses those: the replay sees the very pixels the live session did), and decoded
on <camera>/image_raw while anyone subscribes there, with their original headers (so they pair
as they did); camera_info as recorded, and /clock follows the recorded receive times. Where
the bag holds the session's squat/state, only the frames the live pose node analysed are
played (it drops pairs when it falls behind), so the replay sees what it saw; and while a pose
node publishes squat/state, each pair waits for that node's state of the pair before it, so a
replay pose node that is slower than the live one (a loaded machine) analyses every one of
those pairs instead of dropping some: the same pairs give the same session. Play begins once
every camera has a subscriber, paced by `rate` (never faster than the pose node); at the end
the diagnostics say "finished", as a camera node's do.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from rclpy.serialization import deserialize_message
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import CameraInfo, CompressedImage, Image

from squat_bringup.replay_settings import ReplaySettings
from squat_common.bag_reading import (
    COMPRESSED,
    BagReadError,
    RecordedMessage,
    camera_messages,
    camera_views,
    topic_messages,
)
from squat_common.diagnostics import DIAGNOSTICS_TOPIC, diagnostics
from squat_common.image_bridge import image_bridge
from squat_common.image_conversion import ImageConversionError, decode_compressed
from squat_common.node_runner import NodeConfigurationError, run_node
from squat_common.parameters import NodeParameters
from squat_common.qos import SENSOR_QOS
from squat_common.stamps import stamp_ns, time_from_ns
from squat_msgs.msg import SquatState

SUBSCRIBER_WAIT_S = 60.0
# Longest wait for the pose node's state of one pair: its first pair waits for the model to
# load; a pose node that exits stops the wait at once (no publisher left).
PAIR_WAIT_S = 30.0
STATE_TOPIC = "/squat/state"

# An analysed pair: its front and side frames' stamps (ns).
Pair = tuple[int, int]


class BagPlayer(Node):
    """Publishes the bag's camera topics on their recorded timeline."""

    def __init__(self) -> None:
        super().__init__("bag_player")
        self._settings = NodeParameters(self, ReplaySettings())
        self._path = Path(self._settings.value.bag_path).expanduser()
        try:
            views = camera_views(self._path)
        except BagReadError as error:
            raise NodeConfigurationError(str(error)) from None
        if not views:
            raise NodeConfigurationError(f"{self._path} holds no camera frames to play")
        self._bridge, _ = image_bridge()
        self._images = {v: self.create_publisher(Image, f"/{v}/image_raw", SENSOR_QOS)
                        for v in views}
        self._compressed = {v: self.create_publisher(CompressedImage,
                                                     f"/{v}/image_raw/compressed", SENSOR_QOS)
                            for v in views}
        self._infos = {v: self.create_publisher(CameraInfo, f"/{v}/camera_info", SENSOR_QOS)
                       for v in views}
        self._clock_pub = self.create_publisher(Clock, "/clock", 10)
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, DIAGNOSTICS_TOPIC, 10)
        self._analysed, self._pairs = self._analysed_pairs()
        self._published: dict[str, set[int]] = {view: set() for view in views}
        self._reported_front_ns = -1
        self._reported = threading.Condition()
        self.create_subscription(SquatState, STATE_TOPIC, self._on_state, 10)
        self._played = 0
        self._finished = False
        self._stop = threading.Event()
        self.create_timer(1.0, self._report)
        self._thread = threading.Thread(target=self._play, name="play", daemon=True)
        self._thread.start()
        self.get_logger().info(f"playing {', '.join(views)} from {self._path} at "
                               f"{self._settings.value.rate:g}x")

    def _analysed_pairs(self) -> tuple[dict[str, set[int]], dict[tuple[str, int], Pair]]:
        """Per camera, the stamps of the frames the live session's pose node analysed; and for
        each such (camera, stamp), the (front, side) stamps of the pair it was analysed in."""
        analysed: dict[str, set[int]] = {"front": set(), "side": set()}
        pair_of: dict[tuple[str, int], Pair] = {}
        for data in topic_messages(self._path, STATE_TOPIC):
            state = deserialize_message(data, SquatState)
            pair = stamp_ns(state.front.header.stamp), stamp_ns(state.side.header.stamp)
            analysed["front"].add(pair[0])
            analysed["side"].add(pair[1])
            pair_of["front", pair[0]] = pair_of["side", pair[1]] = pair
        return {view: stamps for view, stamps in analysed.items() if stamps}, pair_of

    def _on_state(self, state: SquatState) -> None:
        with self._reported:
            self._reported_front_ns = max(self._reported_front_ns,
                                          stamp_ns(state.front.header.stamp))
            self._reported.notify_all()

    def _await_pair(self, view: str, frame_ns: int) -> None:
        """Once both frames of a recorded pair are out, wait for a pose node's state of it."""
        pair = self._pairs[view, frame_ns]
        if pair[0] not in self._published["front"] \
                or pair[1] not in self._published["side"]:
            return
        # A synchronizer pairs each frame once: the pair's stamps are no longer needed.
        self._published["front"].discard(pair[0])
        self._published["side"].discard(pair[1])
        deadline = time.monotonic() + PAIR_WAIT_S
        with self._reported:
            while (self._reported_front_ns < pair[0] and not self._stop.is_set()
                   and self.count_publishers(STATE_TOPIC)):
                if time.monotonic() >= deadline:
                    self.get_logger().warning(
                        f"no pose state for the pair at {pair[0] / 1e9:.3f} s within "
                        f"{PAIR_WAIT_S:g} s: playing on", throttle_duration_sec=5.0)
                    return
                self._reported.wait(0.1)

    def _play(self) -> None:
        deadline = time.monotonic() + SUBSCRIBER_WAIT_S
        while (not all(self._images[v].get_subscription_count()
                       or self._compressed[v].get_subscription_count() for v in self._images)
               and time.monotonic() < deadline and not self._stop.wait(0.05)):
            pass
        rate = self._settings.value.rate
        first_ns = started = None
        try:
            for message in camera_messages(self._path):
                if self._stop.is_set():
                    return
                if first_ns is None:
                    first_ns, started = message.received_ns, time.monotonic()
                due = started + (message.received_ns - first_ns) / 1e9 / rate
                if self._stop.wait(max(0.0, due - time.monotonic())):
                    return
                self._clock_pub.publish(Clock(clock=time_from_ns(message.received_ns)))
                self._publish(message)
        except BagReadError as error:
            self.get_logger().error(f"replay stopped: {error}")
        self._finished = True
        self.get_logger().info(f"end of {self._path} after {self._played} frames")

    def _publish(self, message: RecordedMessage) -> None:
        if message.kind != COMPRESSED:
            self._infos[message.view].publish(message.data)  # serialized, as recorded
            return
        compressed = deserialize_message(message.data, CompressedImage)
        frame_ns = stamp_ns(compressed.header.stamp)
        analysed = self._analysed.get(message.view)
        if analysed is not None and frame_ns not in analysed:
            return
        self._compressed[message.view].publish(message.data)  # serialized, as recorded
        self._played += 1
        if self._images[message.view].get_subscription_count():
            self._publish_decoded(message.view, compressed)
        if (message.view, frame_ns) in self._pairs:
            self._published[message.view].add(frame_ns)
            self._await_pair(message.view, frame_ns)

    def _publish_decoded(self, view: str, compressed: CompressedImage) -> None:
        try:
            image = self._bridge.cv2_to_imgmsg(decode_compressed(compressed, color=True), "bgr8")
        except ImageConversionError as error:
            self.get_logger().warning(f"a {view} frame does not decode: {error}",
                                      throttle_duration_sec=5.0)
            return
        image.header = compressed.header
        self._images[view].publish(image)

    def _report(self) -> None:
        level, text = ((DiagnosticStatus.OK, "finished: no more frames") if self._finished
                       else (DiagnosticStatus.OK, f"playing: {self._played} frames"))
        self._diagnostics_pub.publish(diagnostics(self, "camera replay", level, text,
                                              {"bag": str(self._path),
                                               "frames_played": str(self._played)}))

    def destroy_node(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    """Run bag_player until shutdown; 1 when its bag cannot be played."""
    return run_node(BagPlayer, "bag_player", args)

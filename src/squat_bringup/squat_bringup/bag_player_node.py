"""bag_player: plays a session bag's cameras into a fresh pose node, on the bag's clock.

`coach replay DIR` starts it with pose_node and feedback_node on sim time. Each camera's
recorded JPEG frames are published as recorded on <camera>/image_raw/compressed (the session's
pose_node analyses those: the replay sees the very pixels the live session did), and decoded
on <camera>/image_raw while anyone subscribes there, with their original headers (so they pair
as they did); camera_info as recorded, and /clock follows the recorded receive times. Where
the bag holds the session's squat/state, only the frames the live pose node analysed are
played (it drops pairs when it falls behind), so the replay sees what it saw. Play begins once
every camera has a subscriber, paced by `rate`; at the end the diagnostics say "finished", as a
camera node's do.
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
STATE_TOPIC = "/squat/state"


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
        self._analysed = self._analysed_frames()
        self._played = 0
        self._finished = False
        self._stop = threading.Event()
        self.create_timer(1.0, self._report)
        self._thread = threading.Thread(target=self._play, name="play", daemon=True)
        self._thread.start()
        self.get_logger().info(f"playing {', '.join(views)} from {self._path} at "
                               f"{self._settings.value.rate:g}x")

    def _analysed_frames(self) -> dict[str, set[int]]:
        """Per camera, the stamps of the frames the live session's pose node analysed."""
        analysed: dict[str, set[int]] = {"front": set(), "side": set()}
        for data in topic_messages(self._path, STATE_TOPIC):
            state = deserialize_message(data, SquatState)
            analysed["front"].add(stamp_ns(state.front.header.stamp))
            analysed["side"].add(stamp_ns(state.side.header.stamp))
        return {view: stamps for view, stamps in analysed.items() if stamps}

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
        analysed = self._analysed.get(message.view)
        if analysed is not None and stamp_ns(compressed.header.stamp) not in analysed:
            return
        self._compressed[message.view].publish(message.data)  # serialized, as recorded
        self._played += 1
        if self._images[message.view].get_subscription_count():
            try:
                image = self._bridge.cv2_to_imgmsg(decode_compressed(compressed, color=True),
                                                   "bgr8")
            except ImageConversionError as error:
                self.get_logger().warning(f"a {message.view} frame does not decode: {error}",
                                          throttle_duration_sec=5.0)
                return
            image.header = compressed.header
            self._images[message.view].publish(image)

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

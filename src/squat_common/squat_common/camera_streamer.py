"""What every camera node does with its frames: publish them stamped, with camera info.

`camera_node` (a device, a file, a folder) and `virtual_camera_node` (the rendered athlete)
differ only in where frames come from. Both hand a FrameSource to a CameraStreamer, which
reads it on its own thread and publishes image_raw, image_raw/compressed (JPEG, encoded only
while subscribed), camera_info with the same stamp, a static transform of the camera's pose
where the source knows it and tf2_ros is installed, and /diagnostics at 1 Hz.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from sensor_msgs.msg import CameraInfo, CompressedImage, Image
from std_msgs.msg import Header

from squat_common.camera_info import intrinsics_info, pinhole_info, scaled_to
from squat_common.camera_stats import CameraStatistics
from squat_common.diagnostics import DIAGNOSTICS_TOPIC, diagnostics
from squat_common.frame_size import fit_within
from squat_common.frame_sources import CapturedFrame, FrameSource, SourceError
from squat_common.image_bridge import image_bridge
from squat_common.image_conversion import CHANNELS, convert_color, jpeg_message
from squat_common.node_runner import join_within
from squat_common.qos import SENSOR_QOS
from squat_common.settings import setting
from squat_common.stamps import time_from_ns

ENCODINGS = tuple(CHANNELS)


# How long a camera holds its first frame for the subscribers it waits for.
SUBSCRIBER_WAIT_S = 10.0

@dataclass(frozen=True)
class StreamSettings:
    """The parameters every camera node has (usb_cam's names where usb_cam has them)."""

    camera_name: str = setting(
        "", "Name of this camera, e.g. front or side; empty: the last part of the node's "
        "namespace (camera without one).", read_only=True)
    frame_id: str = setting(
        "", "frame_id of the published headers (REP 103 optical frame); empty: "
        "<camera_name>_optical_frame.", read_only=True)
    image_width: int = setting(
        640, "Width requested from a device; files and folders are scaled down to fit "
        "image_width x image_height, aspect ratio kept.", unit="px", low=1, high=7680,
        read_only=True)
    image_height: int = setting(
        480, "Height requested from a device; the fitting height for files.", unit="px",
        low=1, high=4320, read_only=True)
    framerate: float = setting(
        0.0, "Frame rate: requested from a device, or the pace of a file, folder or virtual "
        "camera; 0 means the device's own, the file's own frame times, 30 otherwise.",
        unit="Hz", low=0.0, high=240.0, read_only=True)
    encoding: str = setting("bgr8", "Encoding of image_raw.", choices=ENCODINGS,
                            read_only=True)
    fov_deg: float = setting(
        60.0, "Horizontal field of view of a camera without calibration (the pinhole in "
        "camera_info; the virtual camera's lens).", unit="deg", low=1.0, high=179.0,
        read_only=True)
    publish_compressed: bool = setting(
        True, "Publish image_raw/compressed (JPEG), encoded only while subscribed.")
    jpeg_quality: int = setting(80, "JPEG quality of image_raw/compressed.", low=1, high=100)
    loop: bool = setting(False, "Play a file, folder or virtual session again from the start.",
                         read_only=True)
    start_time: float = setting(
        0.0, "Start of playback on this node's clock, seconds since the epoch; 0: when the "
        "first frame is read. Cameras given the same start stamp the same instants alike, "
        "however late each process comes up.", unit="s", low=0.0, high=1e10, read_only=True)
    wait_for_subscribers: int = setting(
        0, "Hold the first frame until image_raw and image_raw/compressed together have this "
        f"many subscribers (a session's pose node and recorder), at most {SUBSCRIBER_WAIT_S:g} "
        "s, so that each sees the same frames from the first; frames due meanwhile are "
        "skipped. 0: do not wait.", low=0, high=100, read_only=True)
    world_frame: str = setting(
        "world", "Parent frame of the camera's static transform, where the source knows its "
        "pose.", read_only=True)

    @property
    def start_ns(self) -> int:
        """`start_time` in integer nanoseconds (0: none)."""
        return round(self.start_time * 1e9)


def camera_names(settings: StreamSettings, namespace: str) -> tuple[str, str]:
    """The camera name and frame id in force: as given, or from the node's namespace."""
    name = settings.camera_name or namespace.strip("/").split("/")[-1] or "camera"
    return name, settings.frame_id or f"{name}_optical_frame"


class CameraStreamer:
    """Publishes a source's frames on `node`'s camera topics until closed."""

    def __init__(self, node: Node, settings: StreamSettings, source: FrameSource,
                 stop: threading.Event, calibration: CameraInfo | None = None,
                 hardware_id: str = "") -> None:
        self._node, self._settings, self._source = node, settings, source
        self._stop, self._calibration, self._hardware_id = stop, calibration, hardware_id
        self.camera_name, self.frame_id = camera_names(settings, node.get_namespace())
        self._bridge, bridge_name = image_bridge()
        self._image_pub = node.create_publisher(Image, "image_raw", SENSOR_QOS)
        self._compressed_pub = node.create_publisher(CompressedImage, "image_raw/compressed",
                                                     SENSOR_QOS)
        self._info_pub = node.create_publisher(CameraInfo, "camera_info", SENSOR_QOS)
        self._diagnostics_pub = node.create_publisher(DiagnosticArray, DIAGNOSTICS_TOPIC, 10)
        self._static_tf = self._broadcast_pose()
        self._stats = CameraStatistics(1 / source.nominal_fps)
        self._info_cache: CameraInfo | None = None
        self._finished = False
        node.create_timer(1.0, self._publish_diagnostics)
        node.get_logger().info(
            f"{self.camera_name}: publishing {source.description} as {settings.encoding} "
            f"(frame {self.frame_id}, conversion by {bridge_name})")
        self._thread = threading.Thread(target=self._capture_loop, name="capture", daemon=True)
        self._thread.start()

    def _subscribers(self) -> int:
        return (self._image_pub.get_subscription_count()
                + self._compressed_pub.get_subscription_count())

    def update(self, settings: StreamSettings) -> None:
        """Take the live settings (JPEG on/off and quality) from now on."""
        self._settings = settings

    def _broadcast_pose(self) -> object | None:
        pose = self._source.pose
        if pose is None:
            return None
        parent = self._settings.world_frame
        try:
            from geometry_msgs.msg import TransformStamped
            from tf2_ros import StaticTransformBroadcaster
        except ImportError:
            self._node.get_logger().info(
                f"tf2_ros is not installed: the camera pose is not broadcast ({parent} -> "
                f"{self.frame_id}: position {[round(v, 3) for v in pose.position]}, "
                f"quaternion xyzw {[round(q, 4) for q in pose.quaternion_xyzw]})")
            return None
        transform = TransformStamped()
        transform.header.stamp = self._node.get_clock().now().to_msg()
        transform.header.frame_id = parent
        transform.child_frame_id = self.frame_id
        t, q = transform.transform.translation, transform.transform.rotation
        t.x, t.y, t.z = (float(v) for v in pose.position)
        q.x, q.y, q.z, q.w = (float(v) for v in pose.quaternion_xyzw)
        broadcaster = StaticTransformBroadcaster(self._node)
        broadcaster.sendTransform(transform)
        return broadcaster

    def _capture_loop(self) -> None:
        logger = self._node.get_logger()
        wanted = self._settings.wait_for_subscribers
        deadline = time.monotonic() + SUBSCRIBER_WAIT_S
        while (self._subscribers() < wanted and time.monotonic() < deadline
               and not self._stop.wait(0.02)):
            pass
        if self._subscribers() < wanted:
            logger.warning(f"{self._subscribers()} of the {wanted} subscribers waited for "
                           f"after {SUBSCRIBER_WAIT_S:g} s: publishing anyway")
        while not self._stop.is_set():
            try:
                frame = self._source.read()
            except SourceError as error:
                logger.error(f"{error}; no more frames from {self._source.description}")
                break
            if frame is None:
                if not self._stop.is_set():
                    logger.info(f"end of {self._source.description} after "
                                f"{self._stats.report(time.monotonic()).frames_published} "
                                "frames: stopped publishing")
                break
            try:
                self._publish(frame)
            except Exception as error:
                if not self._node.context.ok():
                    break  # shutting down: the publishers are gone
                logger.error(f"frame at {frame.stamp_ns} ns not published: {error}")
        self._finished = True

    def _publish(self, frame: CapturedFrame) -> None:
        settings = self._settings
        bgr = fit_within(frame.image, settings.image_width, settings.image_height)
        header = Header(stamp=time_from_ns(frame.stamp_ns), frame_id=self.frame_id)
        image = self._bridge.cv2_to_imgmsg(convert_color(bgr, "bgr8", settings.encoding),
                                           settings.encoding)
        image.header = header
        info = self._camera_info(image.width, image.height)
        info.header = header
        self._image_pub.publish(image)
        self._info_pub.publish(info)
        if settings.publish_compressed and self._compressed_pub.get_subscription_count():
            compressed = jpeg_message(bgr if settings.encoding != "mono8"
                                      else convert_color(bgr, "bgr8", "mono8"),
                                      settings.jpeg_quality)
            compressed.header = header
            self._compressed_pub.publish(compressed)
        latency_ms = (self._node.get_clock().now().nanoseconds - frame.stamp_ns) / 1e6
        self._stats.published(frame.stamp_ns, latency_ms, time.monotonic())

    def _camera_info(self, width: int, height: int) -> CameraInfo:
        cached = self._info_cache
        if cached is None or (cached.width, cached.height) != (width, height):
            known = self._source.intrinsics
            if self._calibration is not None:
                cached = scaled_to(self._calibration, width, height)
            elif known is not None:
                cached = scaled_to(intrinsics_info(known.width, known.height, known.fx,
                                                   known.fy, known.cx, known.cy),
                                   width, height)
            else:
                cached = pinhole_info(width, height, self._settings.fov_deg)
            self._info_cache = cached
        return cached

    def _publish_diagnostics(self) -> None:
        report = self._stats.report(time.monotonic())
        if self._finished:
            level, message = DiagnosticStatus.OK, "finished: no more frames"
        elif report.fps == 0.0:
            level, message = DiagnosticStatus.WARN, "no frames"
        else:
            level, message = DiagnosticStatus.OK, f"{report.fps:.1f} fps"
        values = {
            "source": self._source.description,
            "fps": f"{report.fps:.2f}",
            "nominal_fps": f"{self._source.nominal_fps:.2f}",
            "frames_published": str(report.frames_published),
            "frames_dropped": str(report.frames_dropped),
            "frames_failed": str(self._source.decode_failures),
            "latency_p50_ms": f"{report.latency_p50_ms:.2f}",
            "latency_p95_ms": f"{report.latency_p95_ms:.2f}",
        }
        self._diagnostics_pub.publish(diagnostics(
            self._node, f"camera {self.camera_name}", level, message, values,
            hardware_id=self._hardware_id))

    def close(self) -> None:
        """Stop reading and release the source."""
        self._stop.set()
        join_within([self._thread])
        # A read still blocked in the device is not pulled out from under: the process ends
        # without waiting for it (run_node), which releases the device.
        if not self._thread.is_alive():
            self._source.close()

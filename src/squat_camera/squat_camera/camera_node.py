"""camera_node: a usb_cam-style camera publishing stamped images and camera info.

Frames come from a V4L2 device, a video file or an image folder (chosen by video_device); each
is stamped with its capture time on the node's clock, and its Image, CompressedImage and
CameraInfo carry that same stamp.
"""

from __future__ import annotations

import threading
import time

from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo, CompressedImage, Image
from std_msgs.msg import Header

from squat_camera.camera_info import CameraInfoError, load_calibration, pinhole_info, scaled_to
from squat_camera.camera_stats import CameraStatistics
from squat_camera.config import ENCODINGS, PIXEL_FORMATS, CameraConfig
from squat_camera.frame_size import fit_within
from squat_camera.image_bridge import image_bridge
from squat_camera.image_conversion import convert_color, jpeg_message
from squat_camera.ros_node_support import (
    NodeConfigurationError,
    described,
    diagnostics,
    float_range,
    integer_range,
    run_node,
)
from squat_camera.source_factory import open_source
from squat_camera.sources import CapturedFrame, SourceError


def _stamp(stamp_ns: int) -> Time:
    return Time(sec=stamp_ns // 1_000_000_000, nanosec=stamp_ns % 1_000_000_000)


class CameraNode(Node):
    """Thin node: parameters in; image_raw, image_raw/compressed, camera_info out."""

    def __init__(self) -> None:
        super().__init__("camera_node")
        config = self._declare_parameters()
        problems = config.problems()
        if problems:
            raise NodeConfigurationError("; ".join(problems))
        self._config = config
        self._calibration: CameraInfo | None = None
        if config.camera_info_url:
            try:
                self._calibration = load_calibration(config.camera_info_url)
            except CameraInfoError as error:
                raise NodeConfigurationError(f"camera_info_url {error}") from error
        self._stop = threading.Event()
        logger = self.get_logger()
        try:
            self._source = open_source(
                config, lambda: self.get_clock().now().nanoseconds,
                warn=logger.warning, info=logger.info, stop=self._stop)
        except SourceError as error:
            raise NodeConfigurationError(str(error)) from error
        self._bridge, bridge_name = image_bridge()
        self._image_pub = self.create_publisher(Image, "image_raw", qos_profile_sensor_data)
        self._compressed_pub = (
            self.create_publisher(CompressedImage, "image_raw/compressed",
                                  qos_profile_sensor_data)
            if config.publish_compressed else None)
        self._info_pub = self.create_publisher(CameraInfo, "camera_info",
                                               qos_profile_sensor_data)
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self._stats = CameraStatistics(1 / self._source.nominal_fps)
        self._info_cache: CameraInfo | None = None
        self._finished = False
        self.create_timer(1.0, self._publish_diagnostics)
        logger.info(f"{config.camera_name}: publishing {self._source.description} as "
                    f"{config.encoding} (frame {config.frame_id}, conversion by {bridge_name})")
        self._thread = threading.Thread(target=self._capture_loop, name="capture", daemon=True)
        self._thread.start()

    def _declare_parameters(self) -> CameraConfig:
        def value(name: str, default: object, descriptor: object) -> object:
            return self.declare_parameter(name, default, descriptor).value

        camera_name = value("camera_name", "camera",
                            described("Name of this camera, e.g. front or side."))
        return CameraConfig(
            video_device=value("video_device", "/dev/video0", described(
                "A V4L2 device (/dev/video0 or an index), a video file, or an image folder.")),
            camera_name=camera_name,
            frame_id=value("frame_id", f"{camera_name}_optical_frame", described(
                "frame_id of the published headers (REP 103 optical frame).")),
            image_width=value("image_width", 640, integer_range(
                "Width requested from a device; files and folders are scaled down to fit "
                "image_width x image_height, aspect ratio kept (pixels).", 1, 7680)),
            image_height=value("image_height", 480, integer_range(
                "Height requested from a device; the fitting height for files (pixels).",
                1, 4320)),
            framerate=value("framerate", 0.0, float_range(
                "Frame rate (Hz): requested from a device, or the pace of a file or folder; "
                "0 means the device's own, the file's own frame times, 30 for folders.",
                0.0, 240.0)),
            pixel_format=value("pixel_format", "mjpeg", described(
                f"Capture format of a V4L2 device: {', '.join(PIXEL_FORMATS)}.")),
            encoding=value("encoding", "bgr8", described(
                f"Encoding of image_raw: {', '.join(ENCODINGS)}.")),
            camera_info_url=value("camera_info_url", "", described(
                "Calibration (file:// or package:// camera_calibration YAML); empty: an "
                "uncalibrated pinhole from fov_deg.")),
            fov_deg=value("fov_deg", 60.0, float_range(
                "Horizontal field of view (degrees) of the uncalibrated pinhole.", 1.0, 179.0)),
            publish_compressed=value("publish_compressed", True, described(
                "Publish image_raw/compressed (JPEG), encoded only while subscribed.")),
            jpeg_quality=value("jpeg_quality", 80, integer_range(
                "JPEG quality of image_raw/compressed.", 1, 100)),
            loop=value("loop", False, described("Play a file or folder again from the start.")),
            start_offset_s=value("start_offset_s", 0.0, float_range(
                "Start a video file this many seconds in.", 0.0, 86400.0)),
            wait_for_subscriber=value("wait_for_subscriber", False, described(
                "Hold the first frame until image_raw has a subscriber, so a recording or "
                "test sees a file from its first frame.")),
        )

    def _capture_loop(self) -> None:
        logger = self.get_logger()
        if self._config.wait_for_subscriber:
            while not self._image_pub.get_subscription_count() and not self._stop.wait(0.02):
                pass
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
                if not self.context.ok():
                    break  # shutting down: the publishers are gone
                logger.error(f"frame at {frame.stamp_ns} ns not published: {error}")
        self._finished = True

    def _publish(self, frame: CapturedFrame) -> None:
        config = self._config
        bgr = fit_within(frame.image, config.image_width, config.image_height)
        header = Header(stamp=_stamp(frame.stamp_ns), frame_id=config.frame_id)
        image = self._bridge.cv2_to_imgmsg(convert_color(bgr, "bgr8", config.encoding),
                                           config.encoding)
        image.header = header
        info = self._camera_info(image.width, image.height)
        info.header = header
        self._image_pub.publish(image)
        self._info_pub.publish(info)
        if self._compressed_pub is not None and self._compressed_pub.get_subscription_count():
            compressed = jpeg_message(bgr if config.encoding != "mono8"
                                      else convert_color(bgr, "bgr8", "mono8"),
                                      config.jpeg_quality)
            compressed.header = header
            self._compressed_pub.publish(compressed)
        latency_ms = (self.get_clock().now().nanoseconds - frame.stamp_ns) / 1e6
        self._stats.published(frame.stamp_ns, latency_ms, time.monotonic())

    def _camera_info(self, width: int, height: int) -> CameraInfo:
        cached = self._info_cache
        if cached is None or (cached.width, cached.height) != (width, height):
            if self._calibration is not None:
                cached = scaled_to(self._calibration, width, height)
            else:
                cached = pinhole_info(width, height, self._config.fov_deg)
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
            self, f"camera {self._config.camera_name}", level, message, values,
            hardware_id=self._config.video_device))

    def destroy_node(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._source.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    """Run camera_node until shutdown; 1 when it cannot start."""
    return run_node(CameraNode, "camera_node", args)

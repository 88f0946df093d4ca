"""camera_node: a usb_cam-style camera publishing stamped images and camera info.

Frames come from a V4L2 device, a video file, an image folder or the virtual athlete (chosen by
video_device); each is stamped with its capture time on the node's clock, and its Image,
CompressedImage and CameraInfo carry that same stamp. The virtual camera's CameraInfo holds its
true intrinsics, and its pose is broadcast as a static transform where tf2_ros is installed.
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

from squat_camera.camera_info import (
    CameraInfoError,
    intrinsics_info,
    load_calibration,
    pinhole_info,
    scaled_to,
)
from squat_camera.camera_stats import CameraStatistics
from squat_camera.config import ENCODINGS, PIXEL_FORMATS, VIRTUAL, CameraConfig
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
from squat_camera.virtual_athlete.camera import DEFAULT_AIM, DEFAULT_POSITIONS, quaternion_xyzw
from squat_camera.virtual_athlete.spec import AthleteSpec, SpecError, parse_faults
from squat_camera.virtual_athlete.virtual_source import VirtualAthleteSource


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
        self._static_tf = self._broadcast_camera_pose()
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

    def _value(self, name: str, default: object, descriptor: object) -> object:
        return self.declare_parameter(name, default, descriptor).value

    def _declare_parameters(self) -> CameraConfig:
        value = self._value
        camera_name = value("camera_name", "camera",
                            described("Name of this camera, e.g. front or side."))
        return CameraConfig(
            video_device=value("video_device", "/dev/video0", described(
                "A V4L2 device (/dev/video0 or an index), a video file, an image folder, or "
                f"'{VIRTUAL}' for the virtual athlete (athlete.* parameters).")),
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
            **self._declare_athlete_parameters(camera_name),
        )

    def _declare_athlete_parameters(self, camera_name: str) -> dict[str, object]:
        value, d = self._value, AthleteSpec()
        view = value("athlete.view", camera_name if camera_name in DEFAULT_POSITIONS else
                     "front", described(
                         "Default place of the virtual camera: "
                         f"{', '.join(DEFAULT_POSITIONS)} (3.5 m away, lens at 1 m)."))
        position = DEFAULT_POSITIONS.get(view, DEFAULT_POSITIONS["front"])
        try:
            faults = parse_faults(value("athlete.faults", "", described(
                "Injected faults: 'name[:size][@rep,rep...]' separated by ';', names "
                "knee_valgus (deg), forward_lean (deg), insufficient_depth (deg), heel_lift (m), "
                "lateral_shift (m); no @: every rep.")))
        except SpecError as error:
            raise NodeConfigurationError(f"athlete.faults: {error}") from error
        spec = AthleteSpec(
            height_m=value("athlete.height_m", d.height_m, float_range(
                "Body height (m).", 1.2, 2.2)),
            reps=value("athlete.reps", d.reps, integer_range(
                "Reps in one session (the session repeats).", 0, 1000)),
            min_knee_angle_deg=value("athlete.min_knee_angle_deg", d.min_knee_angle_deg,
                                     float_range("Hip-knee-ankle angle at the bottom (deg).",
                                                 30.0, 170.0)),
            descent_s=value("athlete.descent_s", d.descent_s, float_range(
                "Seconds going down.", 0.2, 10.0)),
            pause_s=value("athlete.pause_s", d.pause_s, float_range(
                "Seconds held at the bottom.", 0.0, 10.0)),
            ascent_s=value("athlete.ascent_s", d.ascent_s, float_range(
                "Seconds coming up.", 0.2, 10.0)),
            rest_s=value("athlete.rest_s", d.rest_s, float_range(
                "Seconds standing between reps.", 0.0, 60.0)),
            stance_width_m=value("athlete.stance_width_m", d.stance_width_m, float_range(
                "Ankle to ankle (m).", 0.1, 0.9)),
            toe_out_deg=value("athlete.toe_out_deg", d.toe_out_deg, float_range(
                "Toe-out of each foot (deg).", -10.0, 45.0)),
            bar=value("athlete.bar", d.bar, described(
                "Hands on a bar on the upper back (else arms reach forward).")),
            faults=faults,
            seed=value("athlete.seed", d.seed, integer_range(
                "Seed of rep-to-rep variation and sensor noise.", 0, 2**31 - 1)),
            variability=value("athlete.variability", d.variability, float_range(
                "Rep-to-rep variation of depth and tempo; 0 for identical reps.", 0.0, 5.0)),
        )
        return {
            "athlete": spec,
            "athlete_camera_position": tuple(value(
                "athlete.camera_position", list(position), described(
                    "Virtual camera position [x, y, z] (m) in the world frame: x forward of "
                    "the athlete, y to the athlete's left, z up."))),
            "athlete_camera_look_at": tuple(value(
                "athlete.camera_look_at", list(DEFAULT_AIM), described(
                    "Point [x, y, z] (m) the virtual camera aims at."))),
            "athlete_noise": value("athlete.noise", 2.0, float_range(
                "Sensor noise sigma (grey levels) of the virtual camera.", 0.0, 50.0)),
            "athlete_start_time_s": value("athlete.start_time", 0.0, float_range(
                "Session start on this node's clock (s since the epoch); 0 repeats the "
                "session on the clock's own grid. Give every camera the same value.",
                0.0, 1e10)),
            "world_frame": value("athlete.world_frame", "world", described(
                "Parent frame of the virtual camera's static transform.")),
        }

    def _broadcast_camera_pose(self) -> object | None:
        if not isinstance(self._source, VirtualAthleteSource):
            return None
        camera = self._source.camera
        try:
            from geometry_msgs.msg import TransformStamped
            from tf2_ros import StaticTransformBroadcaster
        except ImportError:
            self.get_logger().info(
                "tf2_ros is not installed: the virtual camera's pose is not broadcast "
                f"({self._config.world_frame} -> {self._config.frame_id}: position "
                f"{camera.position.round(3).tolist()}, quaternion xyzw "
                f"{[round(q, 4) for q in quaternion_xyzw(camera.rotation)]})")
            return None
        transform = TransformStamped()
        transform.header.stamp = self.get_clock().now().to_msg()
        transform.header.frame_id = self._config.world_frame
        transform.child_frame_id = self._config.frame_id
        t, q = transform.transform.translation, transform.transform.rotation
        t.x, t.y, t.z = (float(v) for v in camera.position)
        q.x, q.y, q.z, q.w = quaternion_xyzw(camera.rotation)
        broadcaster = StaticTransformBroadcaster(self)
        broadcaster.sendTransform(transform)
        return broadcaster

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
            elif isinstance(self._source, VirtualAthleteSource):
                c = self._source.camera
                cached = intrinsics_info(width, height, c.fx, c.fy, c.cx, c.cy)
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

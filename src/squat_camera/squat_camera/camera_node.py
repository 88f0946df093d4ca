"""camera_node: a usb_cam-style driver publishing stamped images and camera info.

Frames come from a V4L2 device, a video file or an image folder (chosen by video_device); each
is stamped with its capture time on the node's clock, and its Image, CompressedImage and
CameraInfo carry that same stamp. The rendered athlete is squat_virtual_athlete's
virtual_camera_node, which publishes the same topics.
"""

from __future__ import annotations

import threading

from rclpy.node import Node
from sensor_msgs.msg import CameraInfo

from squat_camera.config import CameraSettings
from squat_camera.source_factory import open_source
from squat_common.camera_info import CameraInfoError, load_calibration
from squat_common.camera_streamer import CameraStreamer
from squat_common.frame_sources import SourceError
from squat_common.node_runner import NodeConfigurationError, run_node
from squat_common.parameters import NodeParameters


class CameraNode(Node):
    """Thin node: parameters in; image_raw, image_raw/compressed, camera_info out."""

    def __init__(self) -> None:
        super().__init__("camera_node")
        self._settings = NodeParameters(
            self, CameraSettings(), on_change=lambda s, _: self._streamer.update(s.stream))
        settings = self._settings.value
        calibration: CameraInfo | None = None
        if settings.camera_info_url:
            try:
                calibration = load_calibration(settings.camera_info_url)
            except CameraInfoError as error:
                raise NodeConfigurationError(f"camera_info_url {error}") from error
        stop = threading.Event()
        logger = self.get_logger()
        try:
            source = open_source(settings, lambda: self.get_clock().now().nanoseconds,
                                 warn=logger.warning, info=logger.info, stop=stop)
        except SourceError as error:
            raise NodeConfigurationError(str(error)) from error
        self._streamer = CameraStreamer(self, settings.stream, source, stop, calibration,
                                        hardware_id=settings.video_device)

    def destroy_node(self) -> None:
        self._streamer.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    """Run camera_node until shutdown; 1 when it cannot start."""
    return run_node(CameraNode, "camera_node", args)

"""The camera node's settings: usb_cam's parameter names, each with its one default."""

from __future__ import annotations

from dataclasses import dataclass

from squat_common.camera_streamer import StreamSettings
from squat_common.settings import group, setting

PIXEL_FORMATS = ("mjpeg", "yuyv")


@dataclass(frozen=True)
class CameraSettings:
    """Everything camera_node is told; ranges and choices are checked before it starts."""

    stream: StreamSettings = group(StreamSettings, prefix="")
    video_device: str = setting(
        "/dev/video0", "A V4L2 device (/dev/video0 or an index such as 0), a video file or an "
        "image folder.", read_only=True)
    pixel_format: str = setting("mjpeg", "Capture format of a V4L2 device.",
                                choices=PIXEL_FORMATS, read_only=True)
    camera_info_url: str = setting(
        "", "Calibration (file:// or package:// camera_calibration YAML); empty: an "
        "uncalibrated pinhole from fov_deg.", read_only=True)
    start_offset_s: float = setting(
        0.0, "Start a video file this many seconds in.", unit="s", low=0.0, high=86400.0,
        read_only=True)

    def problems(self) -> list[str]:
        """Why this configuration cannot run; empty when it can."""
        if not self.video_device:
            return ["video_device is empty: give a device (/dev/video0 or 0), a video file or "
                    "an image folder"]
        return []

"""A V4L2 camera through OpenCV, the camera driver's own source. Imports no rclpy."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import cv2

from squat_common.frame_sources import (
    DEFAULT_FPS,
    CameraPose,
    CapturedFrame,
    Intrinsics,
    SourceError,
)


class V4L2Source:
    """A V4L2 camera through OpenCV; frames are stamped right after the grab."""

    FOURCC: ClassVar[dict[str, str]] = {"mjpeg": "MJPG", "yuyv": "YUYV"}

    def __init__(self, device: str, now_ns: Callable[[], int], width: int, height: int,
                 framerate: float, pixel_format: str) -> None:
        self.device = device
        self.description = f"V4L2 device {device}"
        self.intrinsics: Intrinsics | None = None
        self.pose: CameraPose | None = None
        self.decode_failures = 0
        self._now_ns = now_ns
        self._mode = (width, height, framerate, pixel_format)
        self.nominal_fps = framerate
        self._capture: cv2.VideoCapture | None = None

    def open(self) -> None:
        target: int | str = int(self.device) if self.device.isdigit() else self.device
        capture = cv2.VideoCapture(target, cv2.CAP_V4L2)
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"cannot open {self.device}: no V4L2 device answers there")
        width, height, framerate, pixel_format = self._mode
        capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*self.FOURCC[pixel_format]))
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        if framerate > 0:
            capture.set(cv2.CAP_PROP_FPS, framerate)
        self.nominal_fps = capture.get(cv2.CAP_PROP_FPS) or framerate or DEFAULT_FPS
        self._capture = capture

    def read(self) -> CapturedFrame | None:
        if self._capture is None:
            raise SourceError(f"{self.device} is not open")
        while True:
            if not self._capture.grab():
                raise SourceError(f"{self.device} stopped delivering frames")
            stamp_ns = self._now_ns()
            ok, image = self._capture.retrieve()
            if ok and image is not None:
                return CapturedFrame(image, stamp_ns)
            self.decode_failures += 1

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


def is_device(video_device: str) -> bool:
    """True when `video_device` names a V4L2 device (an index or a /dev path)."""
    return video_device.isdigit() or video_device.startswith("/dev/")

"""Where frames come from: a V4L2 device, a video file or an image folder, behind one interface.

A source is opened, then read frame by frame (each with its capture time on the node's clock),
then closed. `open_source` chooses one from `video_device` the way usb_cam users expect.
Imports no rclpy: the node's clock comes in as a function.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

import cv2
import numpy as np

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
# Rate for sources that do not say theirs: image folders without a framerate, and so on.
DEFAULT_FPS = 30.0


class SourceError(RuntimeError):
    """A source that cannot be opened or read, with the path and the reason."""


@dataclass
class CapturedFrame:
    """One frame: bgr8 pixels and the capture time on the node's clock (ns)."""

    image: np.ndarray
    stamp_ns: int


class FrameSource(Protocol):
    """What the camera node reads frames from."""

    description: str
    decode_failures: int
    # Frames per second the source is meant to deliver (known once open).
    nominal_fps: float

    def open(self) -> None:
        """Acquire the device or file; SourceError says why it cannot."""

    def read(self) -> CapturedFrame | None:
        """The next frame; None at the end of a file; SourceError when the source fails."""

    def close(self) -> None:
        """Release the device or file."""


class _PacedTimeline:
    """Maps media time to publish time: frames are due in real time from the first read."""

    def __init__(self, now_ns: Callable[[], int], sleep: Callable[[float], None],
                 monotonic: Callable[[], float]) -> None:
        self._now_ns, self._sleep, self._monotonic = now_ns, sleep, monotonic
        self._start_stamp_ns: int | None = None
        self._start_monotonic = 0.0

    def wait_and_stamp(self, media_time_s: float) -> int:
        """Sleep until the frame at `media_time_s` is due; its stamp on the node's clock."""
        if self._start_stamp_ns is None:
            self._start_stamp_ns = self._now_ns()
            self._start_monotonic = self._monotonic()
        delay = self._start_monotonic + media_time_s - self._monotonic()
        if delay > 0:
            self._sleep(delay)
        return self._start_stamp_ns + round(media_time_s * 1e9)


class VideoFileSource:
    """A video file played in real time at its own frame times (or at `framerate`)."""

    def __init__(self, path: Path, now_ns: Callable[[], int], framerate: float = 0.0,
                 loop: bool = False, start_offset_s: float = 0.0,
                 sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self.description = f"video file {path}"
        self.decode_failures = 0
        self._framerate, self._loop, self._offset_s = framerate, loop, start_offset_s
        self._timeline = _PacedTimeline(now_ns, sleep, monotonic)
        self._capture: cv2.VideoCapture | None = None
        self.nominal_fps = framerate
        self._frames_this_pass = 0
        self._pass_start_s = 0.0  # media time at which the current pass through the file began
        self._last_media_s = -1.0

    def open(self) -> None:
        if not self.path.is_file():
            raise SourceError(f"cannot play {self.path}: no such file")
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened() or not capture.grab():
            capture.release()
            raise SourceError(f"cannot play {self.path}: OpenCV cannot decode it as video "
                              "(not a video file, or corrupt)")
        fps = capture.get(cv2.CAP_PROP_FPS)
        self._file_period_s = 1 / fps if fps > 0 else 1 / DEFAULT_FPS
        self.nominal_fps = 1 / self._period_s()
        capture.release()
        self._capture = self._open_at_offset()

    def _open_at_offset(self) -> cv2.VideoCapture:
        capture = cv2.VideoCapture(str(self.path))
        if self._offset_s > 0:
            capture.set(cv2.CAP_PROP_POS_MSEC, self._offset_s * 1000)
        self._frames_this_pass = 0
        return capture

    def read(self) -> CapturedFrame | None:
        assert self._capture is not None, "open() first"
        while True:
            if not self._capture.grab():
                if not self._loop or self._frames_this_pass == 0:
                    return None
                self._capture.release()
                self._pass_start_s = self._last_media_s + self._period_s()
                self._capture = self._open_at_offset()
                continue
            file_time_s = self._capture.get(cv2.CAP_PROP_POS_MSEC) / 1000 - self._offset_s
            index = self._frames_this_pass
            self._frames_this_pass += 1
            ok, image = self._capture.retrieve()
            if not ok or image is None:
                self.decode_failures += 1
                continue
            if self._framerate > 0:
                media_s = self._pass_start_s + index / self._framerate
            else:
                media_s = self._pass_start_s + max(file_time_s, 0.0)
            self._last_media_s = media_s
            return CapturedFrame(image, self._timeline.wait_and_stamp(media_s))

    def _period_s(self) -> float:
        return 1 / self._framerate if self._framerate > 0 else self._file_period_s

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageFolderSource:
    """The images of a folder in name order, paced at `framerate` (30 fps when 0)."""

    def __init__(self, path: Path, now_ns: Callable[[], int], framerate: float = 0.0,
                 loop: bool = False, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self.description = f"image folder {path}"
        self.decode_failures = 0
        self.nominal_fps = framerate if framerate > 0 else DEFAULT_FPS
        self._period_s = 1 / self.nominal_fps
        self._loop = loop
        self._timeline = _PacedTimeline(now_ns, sleep, monotonic)
        self._files: list[Path] = []
        self._next = 0

    def open(self) -> None:
        if not self.path.is_dir():
            raise SourceError(f"cannot play {self.path}: no such folder")
        try:
            entries = sorted(self.path.iterdir())
        except OSError as error:
            raise SourceError(f"cannot play {self.path}: {error.strerror}") from error
        self._files = [p for p in entries if p.suffix.lower() in IMAGE_SUFFIXES]
        if not self._files:
            raise SourceError(f"cannot play {self.path}: the folder holds no images "
                              f"({', '.join(sorted(IMAGE_SUFFIXES))})")

    def read(self) -> CapturedFrame | None:
        while True:
            if self._next >= len(self._files) and not self._loop:
                return None
            index = self._next
            self._next += 1
            image = cv2.imread(str(self._files[index % len(self._files)]), cv2.IMREAD_COLOR)
            if image is None:
                self.decode_failures += 1
                continue
            return CapturedFrame(image, self._timeline.wait_and_stamp(index * self._period_s))

    def close(self) -> None:
        self._files = []


class V4L2Source:
    """A V4L2 camera through OpenCV; frames are stamped right after the grab."""

    FOURCC: ClassVar[dict[str, str]] = {"mjpeg": "MJPG", "yuyv": "YUYV"}

    def __init__(self, device: str, now_ns: Callable[[], int], width: int, height: int,
                 framerate: float, pixel_format: str) -> None:
        self.device = device
        self.description = f"V4L2 device {device}"
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

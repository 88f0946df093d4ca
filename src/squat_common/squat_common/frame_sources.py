"""Where frames come from, behind one interface; and the two file-backed sources.

A source is opened, then read frame by frame (each with its capture time on the node's clock),
then closed; it says what it knows of its camera (intrinsics, pose), so a node never checks a
source's type. Video files and image folders live here because the camera driver, the offline
analysis and the tests all play them; devices and the virtual athlete are their packages' own.
Imports no rclpy: the node's clock comes in as a function.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

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


@dataclass(frozen=True)
class Intrinsics:
    """A pinhole camera's focal lengths and principal point (pixels) at width x height."""

    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float


@dataclass(frozen=True)
class CameraPose:
    """Where a camera's optical frame is in the world frame (REP 103 axes, metres)."""

    position: tuple[float, float, float]
    quaternion_xyzw: tuple[float, float, float, float]


class FrameSource(Protocol):
    """What a camera node reads frames from."""

    description: str
    decode_failures: int
    # Frames per second the source is meant to deliver (known once open).
    nominal_fps: float
    # What the source knows of its camera; None where it does not (a file, an uncalibrated
    # device): the node then uses a calibration file or a pinhole from the field of view.
    intrinsics: Intrinsics | None
    pose: CameraPose | None

    def open(self) -> None:
        """Acquire the device or file; SourceError says why it cannot."""

    def read(self) -> CapturedFrame | None:
        """The next frame; None at the end of a file; SourceError when the source fails."""

    def close(self) -> None:
        """Release the device or file."""


class PacedTimeline:
    """Maps media time to capture time: the frame at media time t is due at start + t.

    Without a shared start (0) the start is the first frame's read. With one, every source
    given the same start (two files launched together, however late each process comes up)
    stamps the same media time alike; a source that comes up after its frames were due skips
    them, as a live camera shows no past.
    """

    def __init__(self, now_ns: Callable[[], int], sleep: Callable[[float], None],
                 start_ns: int = 0) -> None:
        self._now_ns, self._sleep = now_ns, sleep
        self._start_ns: int | None = start_ns or None
        self._shared = bool(start_ns)

    def due(self, media_time_s: float, period_s: float) -> int | None:
        """Sleep until the frame at `media_time_s` is due and return its stamp (ns); None for
        a frame more than a period overdue on a shared timeline (skip it)."""
        now = self._now_ns()
        if self._start_ns is None:
            self._start_ns = now
        stamp = self._start_ns + round(media_time_s * 1e9)
        if self._shared and now - stamp > period_s * 1e9:
            return None
        if stamp > now:
            self._sleep((stamp - now) / 1e9)
        return stamp


class VideoFileSource:
    """A video file played in real time at its own frame times (or at `framerate`)."""

    def __init__(self, path: Path, now_ns: Callable[[], int], framerate: float = 0.0,
                 loop: bool = False, start_offset_s: float = 0.0,
                 start_ns: int = 0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.path = path
        self.description = f"video file {path}"
        self.intrinsics: Intrinsics | None = None
        self.pose: CameraPose | None = None
        self.decode_failures = 0
        self._framerate, self._loop, self._offset_s = framerate, loop, start_offset_s
        self._timeline = PacedTimeline(now_ns, sleep, start_ns)
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
            stamp = self._timeline.due(media_s, self._period_s())
            if stamp is not None:
                return CapturedFrame(image, stamp)

    def _period_s(self) -> float:
        return 1 / self._framerate if self._framerate > 0 else self._file_period_s

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageFolderSource:
    """The images of a folder in name order, paced at `framerate` (30 fps when 0)."""

    def __init__(self, path: Path, now_ns: Callable[[], int], framerate: float = 0.0,
                 loop: bool = False, start_ns: int = 0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.path = path
        self.description = f"image folder {path}"
        self.intrinsics: Intrinsics | None = None
        self.pose: CameraPose | None = None
        self.decode_failures = 0
        self.nominal_fps = framerate if framerate > 0 else DEFAULT_FPS
        self._period_s = 1 / self.nominal_fps
        self._loop = loop
        self._timeline = PacedTimeline(now_ns, sleep, start_ns)
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
            stamp = self._timeline.due(index * self._period_s, self._period_s)
            if stamp is None:
                continue
            image = cv2.imread(str(self._files[index % len(self._files)]), cv2.IMREAD_COLOR)
            if image is None:
                self.decode_failures += 1
                continue
            return CapturedFrame(image, stamp)

    def close(self) -> None:
        self._files = []


def open_media(path: Path, now_ns: Callable[[], int], framerate: float = 0.0,
               loop: bool = False, start_offset_s: float = 0.0, start_ns: int = 0,
               sleep: Callable[[float], None] = time.sleep) -> FrameSource:
    """An opened video file or image folder at `path`; SourceError names it and the reason."""
    path = path.expanduser()
    if path.is_dir():
        source: FrameSource = ImageFolderSource(path, now_ns, framerate, loop, start_ns, sleep)
    elif path.exists():
        source = VideoFileSource(path, now_ns, framerate, loop, start_offset_s, start_ns, sleep)
    else:
        raise SourceError(f"cannot play {path}: no such file, folder or device")
    source.open()
    return source
